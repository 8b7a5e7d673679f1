/**
 * The canonical key encoding (src/serde/key-codec.ts) against what its comment promises: the bytes
 * order keys as `compareValues` does and are equal exactly when it says 0; objects (which
 * `compareValues` orders by their JSON text) order as the comment defines and are equal exactly
 * when the embedded engine groups them together (`groupKey`); every encoding is prefix-free, so a
 * descending sort field reverses its order whatever follows it.
 */
import fc from 'fast-check';
import { compareValues } from '../../../src/runtime/compare.ts';
import { groupKey } from '../../../src/runtime/keys.ts';
import { KeyEncoder, compareKeyBytes, keyHash } from '../../../src/serde/key-codec.ts';
import type { TypeRegistry } from '../../../src/serde/type-registry.ts';
import type { FuzzProperty, FuzzTarget } from '../target.ts';
import { Base, Box, Derived, Empty, bigintArb, bytesArb, fuzzRegistry, numberArb, stringArb } from '../values.ts';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

function holdsObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return false;
  return Array.isArray(v) ? v.some(holdsObject) : true;
}

/**
 * The order the codec's comment defines: `compareValues` for everything but objects; objects
 * after every other kind, registered custom types first (by registration id, then their
 * serialized bytes), then other objects by class name, then their fields in name order, name then
 * value, fewer fields first. Tuples field by field, then by length.
 */
export function referenceCompare(a: unknown, b: unknown, types: TypeRegistry): number {
  if (!holdsObject(a) && !holdsObject(b)) return compareValues(a, b);
  const aObj = holdsObject(a) && !Array.isArray(a);
  const bObj = holdsObject(b) && !Array.isArray(b);
  if (!aObj && !bObj) {
    // At least one tuple holding an object; a non-tuple non-object ranks by compareValues.
    if (!Array.isArray(a) || !Array.isArray(b)) return compareValues(a, b);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = referenceCompare(a[i], b[i], types);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (!aObj) return -1;
  if (!bObj) return 1;
  const ta = types.lookup(a as object);
  const tb = types.lookup(b as object);
  if (ta !== undefined || tb !== undefined) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    if (ta.id !== tb.id) return ta.id - tb.id;
    return compareValues(ta.serializer.serialize(a), tb.serializer.serialize(b));
  }
  const c = compareValues(className(a as object), className(b as object));
  if (c !== 0) return c;
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const byName = compareValues(ka[i], kb[i]);
    if (byName !== 0) return byName;
    const byValue = referenceCompare((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!], types);
    if (byValue !== 0) return byValue;
  }
  return ka.length - kb.length;
}

/** How a Map compares its keys (the embedded engine groups in Maps keyed by groupKey). */
function sameValueZero(x: unknown, y: unknown): boolean {
  return x === y || (Number.isNaN(x) && Number.isNaN(y));
}

function className(v: object): string {
  return (v as { constructor?: { name?: string } }).constructor?.name ?? '';
}

/** Keys from small domains, so that equal and nearly equal pairs are frequent. */
function keyArbitraries(types: TypeRegistry) {
  void types;
  const smallLeaf = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.constantFrom(0, -0, 1, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 31, -(2 ** 53)),
    fc.constantFrom(0n, 1n, -1n, 255n, 256n, -256n, 2n ** 64n),
    fc.string({ unit: fc.constantFrom('\u0000', 'a', 'b', '\u007f', '\u0080', '\u00ff', '\u0100', '\u3fff', '\u4000', '\ud800', '\udc00', '\uffff'), maxLength: 3 }),
    fc.uint8Array({ maxLength: 3 }).map((b) => b.map((x) => [0, 1, 0x7f, 0x80, 0xff][x % 5]!)),
  );
  const wideLeaf = fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), numberArb, bigintArb, stringArb, bytesArb);
  const leaf = fc.oneof({ arbitrary: smallLeaf, weight: 3 }, { arbitrary: wideLeaf, weight: 1 });
  const fieldName = fc.constantFrom('', 'a', 'b', 'ab', '\u0000', 'constructor');
  const { plain, withObjects } = fc.letrec<{ plain: unknown; plainTuple: unknown[]; withObjects: unknown; tuple: unknown[]; object: unknown; custom: unknown }>((tie) => ({
    plain: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('plainTuple')),
    plainTuple: fc.array(tie('plain'), { maxLength: 4 }),
    withObjects: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('tuple'), tie('object'), tie('custom')),
    tuple: fc.array(tie('withObjects'), { maxLength: 4 }),
    // fc.dictionary also makes null-prototype objects.
    object: fc.dictionary(fieldName, tie('withObjects'), { maxKeys: 3 }),
    custom: fc.oneof(
      fc.constantFrom(0, 1, -1, Number.NaN).map((t) => new Date(t)),
      tie('plain').map((v) => new Box(v)),
      fc.constant(null).map(() => new Empty()),
      fc.constantFrom(0, 1, 2).map((x) => new Base(x)),
      fc.tuple(fc.constantFrom(0, 1), fc.constantFrom('', 'a')).map(([x, s]) => new Derived(x, s)),
    ),
  }));
  return { plain, withObjects };
}

function properties(): readonly FuzzProperty[] {
  const types = fuzzRegistry();
  const enc = new KeyEncoder(types);
  const { plain, withObjects } = keyArbitraries(types);
  const fail = (message: string, a: unknown, b: unknown): never => {
    throw new Error(`${message}\n  a = ${fc.stringify(a)} → ${Buffer.from(enc.encode(a)).toString('hex')}\n  b = ${fc.stringify(b)} → ${Buffer.from(enc.encode(b)).toString('hex')}`);
  };
  return [
    {
      name: 'bytes order keys as compareValues does, equal exactly when it says 0 (and groupKey agrees)',
      property: fc.property(plain, plain, (a, b) => {
        const byBytes = sign(compareKeyBytes(enc.encode(a), enc.encode(b)));
        const byValues = sign(compareValues(a, b));
        if (byBytes !== byValues) fail(`compareKeyBytes says ${byBytes}, compareValues ${byValues}`, a, b);
        if (byBytes === 0 && keyHash(enc.encode(a)) !== keyHash(enc.encode(b))) fail('equal keys hash differently', a, b);
        const grouped = sameValueZero(groupKey(a, types), groupKey(b, types));
        if (grouped !== (byBytes === 0)) fail(`groupKey says ${grouped ? 'equal' : 'different'}, the bytes ${byBytes === 0 ? 'equal' : 'different'}`, a, b);
      }),
    },
    {
      name: 'keys with objects: bytes order as the codec defines, equal exactly when groupKey is',
      property: fc.property(withObjects, withObjects, (a, b) => {
        const byBytes = sign(compareKeyBytes(enc.encode(a), enc.encode(b)));
        const byReference = sign(referenceCompare(a, b, types));
        if (byBytes !== byReference) fail(`compareKeyBytes says ${byBytes}, the codec's documented order ${byReference}`, a, b);
        const grouped = sameValueZero(groupKey(a, types), groupKey(b, types));
        if (grouped !== (byBytes === 0)) fail(`groupKey says ${grouped ? 'equal' : 'different'}, the bytes ${byBytes === 0 ? 'equal' : 'different'}`, a, b);
      }),
    },
    {
      name: 'a descending sort field reverses its order whatever follows (prefix-free encodings)',
      property: fc.property(withObjects, withObjects, withObjects, withObjects, fc.boolean(), (a1, a2, b1, b2, secondAscending) => {
        const x = enc.encodeSortKey([a1, a2], [false, secondAscending]);
        const y = enc.encodeSortKey([b1, b2], [false, secondAscending]);
        const first = sign(referenceCompare(a1, b1, types));
        const second = sign(referenceCompare(a2, b2, types)) * (secondAscending ? 1 : -1);
        const expected = first !== 0 ? -first : second;
        const got = sign(compareKeyBytes(x, y));
        if (got !== expected) fail(`sort keys compare ${got}, expected ${expected}`, [a1, a2], [b1, b2]);
      }),
    },
    {
      name: 'encodeInPlace and view give the bytes encode gives',
      property: fc.property(withObjects, withObjects, (a, b) => {
        const expected = enc.encode(a);
        enc.encode(b);
        const got = enc.view(enc.encodeInPlace(a));
        if (Buffer.compare(got, expected) !== 0) fail('encodeInPlace differs from encode', a, b);
      }),
    },
  ];
}

export default {
  name: 'key-codec',
  description: "canonical key bytes order and equality against compareValues (objects: the codec's documented order, groupKey)",
  properties,
} satisfies FuzzTarget;
