/** What `output`, `writeText` and `writeCsv` return: a sink that can be named and given a parallelism. */
import { PlanError } from '../errors/index.ts';
import type { ExecutionEnvironment } from './environment.ts';

export class DataSink {
  /** @internal */ readonly env: ExecutionEnvironment;
  /** @internal */ readonly id: number;

  /** @internal */
  constructor(env: ExecutionEnvironment, id: number) {
    this.env = env;
    this.id = id;
  }

  name(name: string): this {
    this.env.updateNode(this.id, { name });
    return this;
  }

  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new PlanError(`setParallelism: ${parallelism} is not a positive integer`);
    this.env.updateNode(this.id, { parallelism });
    return this;
  }
}
