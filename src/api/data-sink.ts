/**
 * What `output`, `writeText` and `writeCsv` return: a sink that can be named and given a
 * parallelism. A sink is the end of the plan and is registered to run as it is made, so these
 * change it in place (a copy would be a second sink writing the same output).
 */
import { checkParallelism } from './checks.ts';
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
    this.env.updateNode(this.id, { parallelism: checkParallelism(parallelism) });
    return this;
  }
}
