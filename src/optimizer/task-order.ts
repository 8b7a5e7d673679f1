/**
 * The order of the tasks in the physical plan (the optimizer's last step): the order they were
 * placed in (every task after what it reads), except that each iteration's step tasks run
 * together, just before the task that reads the iteration's result. What a step reads from
 * outside it was placed before it, and what reads the step's result comes after that result.
 */
export function orderTasks<T extends { readonly id: number }>(tasks: readonly T[], iterations: readonly { readonly result: number; readonly tasks: readonly number[] }[]): T[] {
  const byId = new Map<number, T>(tasks.map((t) => [t.id, t]));
  const stepTasks = new Set(iterations.flatMap((it) => it.tasks));
  const ordered: T[] = [];
  for (const t of tasks) {
    const it = iterations.find((i) => i.result === t.id);
    if (it) for (const id of it.tasks) ordered.push(byId.get(id)!);
    if (!stepTasks.has(t.id)) ordered.push(t);
  }
  return ordered;
}
