/** The error of a subtask stopped by `task.timeout` (embedded: worker-pool.ts and local-executor.ts). */
import { formatDuration } from '../config/duration.ts';
import { TaskTimeoutError } from '../errors/index.ts';
import type { Task } from '../optimizer/physical-plan.ts';

/** `'Name at job.ts:12' (subtask 1 of 2) did not finish within task.timeout (5 s) …` */
export function taskTimeoutError(task: Pick<Task, 'name' | 'parallelism'>, subtask: number, timeoutMs: number, pulling: Pick<Task, 'name'> | null = null): TaskTimeoutError {
  const with_ = pulling === null ? '' : `, with '${pulling.name}' pipelined into it,`;
  return timeoutOf(`'${task.name}' (subtask ${subtask + 1} of ${task.parallelism})${with_}`, task.name, timeoutMs);
}

/** The same for a subtask described as `'Name' (subtask 1 of 2)`. */
export function timeoutOf(described: string, operator: string, timeoutMs: number): TaskTimeoutError {
  return new TaskTimeoutError(
    operator,
    `${described} did not finish within task.timeout (${formatDuration(timeoutMs)}) and was stopped; a user function may never return. Raise task.timeout (tsflink.yaml) or TSFLINK_TASK_TIMEOUT if it needs longer`,
  );
}

/** `running`, or the error of `timedOut()` once it has taken longer than `timeoutMs` (for subtasks that await: a vm timeout cannot span them). */
export function settleWithin(running: Promise<void>, timeoutMs: number | null, timedOut: () => Error): Promise<void> {
  if (timeoutMs === null) return running;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timedOut()), timeoutMs);
  });
  return Promise.race([running, expiry]).finally(() => clearTimeout(timer));
}
