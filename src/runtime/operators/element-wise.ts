/** The chained element-wise operators: map, filter, flatMap, project. One call per record, no buffering. */
import type { Output } from '../collector.ts';
import { emitReturned, returnedPromise } from '../emit.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { wrapUserError } from '../udf.ts';

export class MapOutput implements Output {
  private readonly f: (v: unknown) => unknown;
  private readonly next: Output;
  private readonly name: string;
  constructor(setup: OperatorSetup, fnId: string, next: Output) {
    this.f = setup.fn(fnId, 'map');
    this.next = next;
    this.name = setup.name;
  }
  collect(record: unknown): void {
    let result: unknown;
    try {
      result = this.f(record);
    } catch (e) {
      throw wrapUserError(this.name, record, e);
    }
    if (result instanceof Promise) throw returnedPromise(this.name);
    this.next.collect(result);
  }
  close(): void {
    this.next.close();
  }
}

export class FilterOutput implements Output {
  private readonly f: (v: unknown) => unknown;
  private readonly next: Output;
  private readonly name: string;
  constructor(setup: OperatorSetup, fnId: string, next: Output) {
    this.f = setup.fn(fnId, 'filter');
    this.next = next;
    this.name = setup.name;
  }
  collect(record: unknown): void {
    let keep: unknown;
    try {
      keep = this.f(record);
    } catch (e) {
      throw wrapUserError(this.name, record, e);
    }
    if (keep instanceof Promise) throw returnedPromise(this.name);
    if (keep) this.next.collect(record);
  }
  close(): void {
    this.next.close();
  }
}

export class FlatMapOutput implements Output {
  private readonly f: (v: unknown, out: Output) => unknown;
  private readonly next: Output;
  // The next operator itself is the function's collector: one call per emitted record, not two (measured on WordCount).
  private readonly collector: Output;
  private readonly name: string;
  constructor(setup: OperatorSetup, fnId: string, next: Output) {
    this.f = setup.fn(fnId, 'flatMap');
    this.next = next;
    this.collector = next;
    this.name = setup.name;
  }
  collect(record: unknown): void {
    try {
      emitReturned(this.f(record, this.collector), this.next, this.name);
    } catch (e) {
      throw wrapUserError(this.name, record, e);
    }
  }
  close(): void {
    this.next.close();
  }
}

export class ProjectOutput implements Output {
  private readonly fields: readonly number[];
  private readonly next: Output;
  private readonly setup: OperatorSetup;
  constructor(setup: OperatorSetup, fields: readonly number[], next: Output) {
    this.fields = fields;
    this.next = next;
    this.setup = setup;
  }
  collect(record: unknown): void {
    if (!Array.isArray(record)) this.setup.fail(`project needs tuples, got ${typeof record}`);
    const n = this.fields.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const f = this.fields[i]!;
      if (f >= record.length) this.setup.fail(`project: field ${f} is out of range for a tuple of ${record.length} fields`);
      out[i] = record[f];
    }
    this.next.collect(out);
  }
  close(): void {
    this.next.close();
  }
}
