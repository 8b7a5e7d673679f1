/**
 * Custom types: a registered class is a first-class element — a value, a key, and (with the
 * multi-core engine) something that crosses threads in its own binary form.
 *
 *   npx tsflink run examples/custom-type.ts
 */
import { type Collector, getEnvironment } from 'tsflink';

class Point {
  readonly x: number;
  readonly y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  toString(): string {
    return `Point(${this.x}, ${this.y})`;
  }
}

const env = getEnvironment();
env.registerCustomType(
  Point,
  {
    serialize(p: Point): Uint8Array {
      const bytes = new Uint8Array(16);
      new DataView(bytes.buffer).setFloat64(0, p.x);
      new DataView(bytes.buffer).setFloat64(8, p.y);
      return bytes;
    },
  },
  {
    deserialize(bytes: Uint8Array): Point {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return new Point(view.getFloat64(0), view.getFloat64(8));
    },
  },
);

const visits = env.fromElements<[Point, string]>([new Point(1, 2), 'alice'], [new Point(3, 4), 'bob'], [new Point(1, 2), 'carol'], [new Point(5, 6), 'dave'], [new Point(3, 4), 'erin']);

// Group by the Point itself: equal points are the same key, whatever object they are.
visits
  .groupBy(0)
  .reduceGroup((group: Iterable<[Point, string]>, out: Collector<string>) => {
    let point: Point | undefined;
    const names: string[] = [];
    for (const [p, name] of group) {
      point = p;
      names.push(name);
    }
    out.collect(`${point} visited by ${names.sort().join(' & ')}`);
  })
  .output();

await env.execute({ jobName: 'Custom types' });
