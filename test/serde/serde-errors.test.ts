import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TsflinkError } from '../../src/errors/index.ts';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { UnregisteredTypeError, UnsupportedValueError } from '../../src/serde/serde-error.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { Point, registry, Unregistered } from './fixtures.ts';

function writeOne(value: unknown, types: TypeRegistry = registry()): void {
  new RecordWriter(types).write(value);
}

describe('writing values the format cannot hold', () => {
  it('an unregistered class instance: UnregisteredTypeError naming the class and registerCustomType', () => {
    assert.throws(
      () => writeOne(new Unregistered()),
      (e: unknown) => {
        assert.ok(e instanceof UnregisteredTypeError);
        assert.ok(e instanceof TsflinkError);
        assert.equal(e.className, 'Unregistered');
        assert.match(e.message, /class 'Unregistered'/);
        assert.match(e.message, /env\.registerCustomType\(Unregistered, serializer, deserializer\)/);
        return true;
      },
    );
  });

  it('the error says where in the record the instance sits', () => {
    assert.throws(
      () => writeOne([1, [2, { owner: new Unregistered() }]]),
      (e: unknown) => {
        assert.ok(e instanceof UnregisteredTypeError);
        assert.equal(e.path, 'record[1][1].owner');
        assert.match(e.message, /at record\[1\]\[1\]\.owner/);
        return true;
      },
    );
    assert.throws(() => writeOne({ 'odd key': new Unregistered() }), /at record\["odd key"\]/);
  });

  it('a subclass of a registered class is not registered itself', () => {
    class Point3 extends Point {
      z = 0;
    }
    assert.throws(
      () => writeOne(new Point3(1, 2)),
      (e: unknown) => e instanceof UnregisteredTypeError && e.className === 'Point3',
    );
  });

  it('built-in classes the format does not carry, and subclasses of those it does, are classes (WeakMap, DataView, a Set subclass)', () => {
    class Tags extends Set<string> {}
    for (const [v, name] of [
      [new WeakMap(), 'WeakMap'],
      [new DataView(new ArrayBuffer(2)), 'DataView'],
      [new Tags(), 'Tags'],
      [Promise.resolve(1), 'Promise'],
    ] as const) {
      assert.throws(
        () => writeOne(v),
        (e: unknown) => e instanceof UnregisteredTypeError && e.className === name,
        name,
      );
    }
  });

  it('Date, Map, Set, RegExp, typed arrays and ArrayBuffer cross unregistered', () => {
    const types = new TypeRegistry();
    const w = new RecordWriter(types);
    const value = [new Date(5), new Map([[1, 'a']]), new Set(['x']), /a.c/gi, new Int32Array([-1, 2]), Float64Array.of(-0), new Uint8Array([1, 2]).buffer];
    w.write(value);
    assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), [value]);
  });

  it('a built-in class can be registered like any other (Date)', () => {
    const types = new TypeRegistry();
    types.register(Date, { serialize: (d) => new TextEncoder().encode(d.toISOString()) }, { deserialize: (b) => new Date(new TextDecoder().decode(b)) });
    const w = new RecordWriter(types);
    w.write([new Date(86_400_000)]);
    assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), [[new Date(86_400_000)]]);
  });

  it('functions and symbols: UnsupportedValueError saying what and where', () => {
    function namedFn(): void {}
    assert.throws(
      () => writeOne([1, namedFn]),
      (e: unknown) => {
        assert.ok(e instanceof UnsupportedValueError);
        assert.ok(e instanceof TsflinkError);
        assert.match(e.message, /function 'namedFn' at record\[1\]/);
        return true;
      },
    );
    assert.throws(
      () => writeOne({ s: Symbol('tag') }),
      (e: unknown) => {
        assert.ok(e instanceof UnsupportedValueError);
        assert.match(e.message, /symbol Symbol\(tag\) at record\.s/);
        return true;
      },
    );
    assert.throws(() => writeOne(() => 1), /function '\(anonymous\)'/);
  });

  it('a cycle is refused with a clear error, not a stack overflow', () => {
    const a: unknown[] = [1];
    a.push(a);
    assert.throws(
      () => writeOne(a),
      (e: unknown) => e instanceof UnsupportedValueError && /cycle/.test(e.message),
    );
    const o: Record<string, unknown> = {};
    o.self = o;
    assert.throws(() => writeOne(o), UnsupportedValueError);
  });

  it('nesting of 1000 tuples and objects round-trips; one level more is refused, naming what nests', () => {
    const nest = (levels: number, inner: 'tuple' | 'object'): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < levels; i++) v = (i % 2 === 0) === (inner === 'tuple') ? [v] : { k: v };
      return v;
    };
    const types = registry();
    for (const inner of ['tuple', 'object'] as const) {
      const w = new RecordWriter(types);
      w.write(nest(1000, inner));
      assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), [nest(1000, inner)]);
    }
    // The innermost container is the one past the limit.
    assert.throws(() => writeOne(nest(1001, 'tuple')), /^UnsupportedValueError: .*a tuple nested 1000 levels deep/);
    assert.throws(() => writeOne(nest(1001, 'object')), /^UnsupportedValueError: .*an object nested 1000 levels deep/);
  });

  it('a serializer that returns something other than a Uint8Array is named', () => {
    const types = new TypeRegistry();
    class Bad {}
    types.register(Bad, { serialize: () => 'not bytes' as unknown as Uint8Array }, { deserialize: () => new Bad() });
    assert.throws(
      () => writeOne([new Bad()], types),
      (e: unknown) => {
        assert.ok(e instanceof UnsupportedValueError);
        assert.match(e.message, /class 'Bad' at record\[0\]: its registered serializer returned string/);
        return true;
      },
    );
  });

  it('a failed write leaves no trace: earlier and later records are intact', () => {
    const types = registry();
    const w = new RecordWriter(types);
    w.write('before');
    const size = w.size;
    assert.throws(() => w.write(['x'.repeat(1000), new Unregistered()]));
    assert.throws(
      () =>
        w.write([
          new Point(1, 1),
          {
            get boom(): never {
              throw new Error('getter failed');
            },
          },
        ]),
      /getter failed/,
    );
    assert.equal(w.size, size);
    assert.equal(w.count, 1);
    w.write('after');
    assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), ['before', 'after']);
  });

  it('an error thrown by a user serializer propagates as it is', () => {
    const types = new TypeRegistry();
    class Fragile {}
    const boom = new Error('serializer broke');
    types.register(
      Fragile,
      {
        serialize() {
          throw boom;
        },
      },
      { deserialize: () => new Fragile() },
    );
    assert.throws(
      () => writeOne(new Fragile(), types),
      (e: unknown) => e === boom,
    );
  });

  it('rejects a non-positive initial capacity', () => {
    assert.throws(() => new RecordWriter(registry(), 0), RangeError);
  });
});
