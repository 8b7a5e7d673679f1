/**
 * Who watches the jobs of this process: the `tsflink run` command registers its progress
 * display, run report and dashboard here before it runs the user's script; every job the
 * script's environments run is handed to them as it starts, with its monitor.
 */
import type { JobMonitor } from './job-figures.ts';

type Observer = (monitor: JobMonitor) => void;

const observers: Observer[] = [];

/** Watches every job that starts from now on; returns what stops watching. */
export function observeJobs(observer: Observer): () => void {
  observers.push(observer);
  return () => {
    const i = observers.indexOf(observer);
    if (i >= 0) observers.splice(i, 1);
  };
}

/** Called by the environment as a job starts. */
export function notifyJobObservers(monitor: JobMonitor): void {
  for (const o of observers) o(monitor);
}
