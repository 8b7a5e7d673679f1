/**
 * The user code and data a plan refers to by id (`u0`, `u1`, …): functions, rich-function
 * instances, key selectors, collection contents. Ids follow creation order, so a process that
 * re-runs the same script rebuilds the same table.
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
