/**
 * The user code and data a plan refers to by id (`u0`, `u1`, …): functions, rich-function
 * instances, key selectors, collection contents. Ids follow creation order; the workers get the
 * objects a job's plan names as shipped code (serde/closures), by the same ids.
 */
export class UserObjects {
  private readonly objects = new Map<string, unknown>();

  add(value: unknown): string {
    const id = `u${this.objects.size}`;
    this.objects.set(id, value);
    return id;
  }

  get(id: string): unknown {
    return this.objects.get(id);
  }

  asMap(): ReadonlyMap<string, unknown> {
    return this.objects;
  }
}
