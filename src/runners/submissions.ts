/**
 * Job submissions of this process: every execute(), collect() and count() is one, numbered in
 * order across all environments. A worker thread re-runs the user's script and must stop at
 * the same submission with the same plan; a hook installed by the worker intercepts them, and
 * the coordinator keeps the outcomes of earlier submissions so the worker can replay them.
 * State lives on globalThis so that two copies of tsflink in one process (src and dist) agree.
 */
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import type { JobOutcome } from './runner.ts';

export interface JobRequest {
  readonly submission: number;
  readonly plan: PhysicalPlan;
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
}

/** Installed in a worker thread: takes the submissions of the re-run script instead of running them. */
export interface JobHook {
  submit(request: JobRequest): Promise<JobOutcome>;
}

/** A completed submission's outcome and the custom types of its environment (to encode its results). */
export interface RecordedOutcome {
  readonly outcome: JobOutcome;
  readonly types: TypeRegistry;
}

interface SubmissionState {
  next: number;
  hook: JobHook | null;
  /** Outcomes of completed submissions, for replay; null once one was too big to keep. */
  outcomes: (RecordedOutcome | null)[] | null;
}

const KEY = Symbol.for('tsflink.submissions');

function state(): SubmissionState {
  const g = globalThis as unknown as Record<symbol, SubmissionState | undefined>;
  let s = g[KEY];
  if (!s) g[KEY] = s = { next: 0, hook: null, outcomes: [] };
  return s;
}

/** The number of the submission being made now (0 for the process's first). */
export function nextSubmission(): number {
  return state().next++;
}

export function installJobHook(hook: JobHook): void {
  state().hook = hook;
}

export function currentJobHook(): JobHook | null {
  return state().hook;
}

/** Most a replay log may hold: a worker receives all of it. */
const MAX_REPLAY_ELEMENTS = 1_000_000;

/** Remembers a completed submission's outcome for workers of later submissions. */
export function recordOutcome(submission: number, outcome: JobOutcome, types: TypeRegistry): void {
  const s = state();
  if (!s.outcomes) return;
  let size = 0;
  for (const v of outcome.results.values()) size += Array.isArray(v) ? v.length : 1;
  for (const o of s.outcomes) if (o) for (const v of o.outcome.results.values()) size += Array.isArray(v) ? v.length : 1;
  if (size > MAX_REPLAY_ELEMENTS) {
    s.outcomes = null;
    return;
  }
  s.outcomes[submission] = { outcome, types };
}

/** Outcomes of submissions 0..n-1, or null when they cannot be replayed (one failed or was too big). */
export function outcomesBefore(n: number): (RecordedOutcome | null)[] | null {
  const s = state();
  if (!s.outcomes) return null;
  const out = s.outcomes.slice(0, n);
  while (out.length < n) out.push(null);
  return out;
}
