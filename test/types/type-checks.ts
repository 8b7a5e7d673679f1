/**
 * Static types through the chain. This file is not run: the typecheck step
 * (`tsc -p tsconfig.test.json`, part of `npm test`) fails if an inferred type is not the one
 * asserted here, or if a line marked @ts-expect-error compiles.
 *
 * The error must stand on the line after its marker, and biome formats this file: the formatter
 * breaks a chain of three or more calls when one takes a function, so such a chain is split
 * (`const coGrouped = …; coGrouped.using(…)`) to keep the failing call on one line.
 */
import { Aggregation, type Collector, type DataSet, Types, getEnvironment } from '../../src/index.ts';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<A, B>(_proof: Equals<A, B>): void {}
type Elem<D> = D extends DataSet<infer T> ? T : never;

const env = getEnvironment();
const pairs = env.fromElements([1, 'a'] as [number, string]);
expectType<Elem<typeof pairs>, [number, string]>(true);

// map keeps what the function returns
const swapped = pairs.map(([n, s]) => [s, n] as [string, number]);
expectType<Elem<typeof swapped>, [string, number]>(true);

// groupBy + aggregate keep the tuple type
const summed = pairs.groupBy(1).sum(0);
expectType<Elem<typeof summed>, [number, string]>(true);
const aggregated = pairs.groupBy(0, 1).aggregate(Aggregation.Max, 0).andAgg(Aggregation.Min, 0);
expectType<Elem<typeof aggregated>, [number, string]>(true);
const reduced = pairs.groupBy(0).reduce((a, b) => [a[0] + b[0], a[1]]);
expectType<Elem<typeof reduced>, [number, string]>(true);

// join yields pairs; using maps them; projections build tuples in call order
const right = env.fromElements([true, 1, 2.5] as [boolean, number, number]);
const joined = pairs.join(right).where(0).equalTo(1);
expectType<Elem<typeof joined>, [[number, string], [boolean, number, number]]>(true);
const joinedWith = pairs
  .join(right)
  .where(0)
  .equalTo(1)
  .using((l, r) => `${l[1]}${r[2]}`);
expectType<Elem<typeof joinedWith>, string>(true);
const projected = pairs.join(right).where(0).equalTo(1).projectSecond(2).projectFirst(1, 0);
expectType<Elem<typeof projected>, [number, string, number]>(true);
const outer = pairs
  .leftOuterJoin(right)
  .where(0)
  .equalTo(1)
  .using((l, r) => (r === null ? l[1] : r[0]));
expectType<Elem<typeof outer>, string | boolean>(true);

// cross, project, zipWithIndex, readCsv
const crossed = pairs.cross(right);
expectType<Elem<typeof crossed>, [[number, string], [boolean, number, number]]>(true);
const proj = right.project(2, 0);
expectType<Elem<typeof proj>, [number, boolean]>(true);
const zipped = pairs.zipWithIndex();
expectType<Elem<typeof zipped>, [number, [number, string]]>(true);
const csv = env.readCsv('x.csv', [Types.STRING, Types.INT, Types.BOOL, Types.DOUBLE]);
expectType<Elem<typeof csv>, [string, number, boolean, number]>(true);

// objects group by field names and dotted paths; key selectors work on anything
const users = env.fromElements({ name: 'ann', address: { city: 'Oslo' } });
users.groupBy('name');
users.groupBy('address.city');
users.groupBy((u) => u.address.city);

// ---- compile errors ----
// @ts-expect-error position 5 does not exist on a 2-tuple
pairs.groupBy(5);
// @ts-expect-error position 2 does not exist on a 2-tuple
pairs.sum(2);
// @ts-expect-error projection position out of range
pairs.project(3);
// @ts-expect-error join key position out of range on the right
pairs.join(right).where(0).equalTo(7);
// @ts-expect-error a field name that the object does not have
users.groupBy('age');
// @ts-expect-error readCsv yields numbers for INT, not strings
const wrong: DataSet<[string]> = env.readCsv('x.csv', [Types.INT]);
// @ts-expect-error union needs the same element type
pairs.union(right);
// @ts-expect-error an outer join is not a data set before using()
pairs.leftOuterJoin(right).where(0).equalTo(1).collect();
void wrong;

// Tuple literals infer tuples, without `as` casts (map, join and cross functions, fromElements)
const untyped = env.fromElements([1, 'a'], [2, 'b']);
expectType<Elem<typeof untyped>, [number, string]>(true);
const swappedNoCast = untyped.map(([n, s]) => [s, n]);
expectType<Elem<typeof swappedNoCast>, [string, number]>(true);
const counted = env.fromElements('to', 'be').map((w) => [w, 1]);
expectType<Elem<typeof counted>, [string, number]>(true);
const joinedNoCast = untyped
  .join(right)
  .where(0)
  .equalTo(1)
  .using((l, r) => [l[1], r[0]]);
expectType<Elem<typeof joinedNoCast>, [string, boolean]>(true);
const crossedNoCast = untyped.cross(right).using((l, r) => [r[2], l[0]]);
expectType<Elem<typeof crossedNoCast>, [number, number]>(true);
// …and what is not a tuple literal keeps its own type
const words = env.fromElements('a b').map((s) => s.split(' '));
expectType<Elem<typeof words>, string[]>(true);
const numbers = env.fromElements(1, 2, 3).map((n) => String(n));
expectType<Elem<typeof numbers>, string>(true);
const plain = env.fromElements(1, 2, 3);
expectType<Elem<typeof plain>, number>(true);
// @ts-expect-error: a position checked against the inferred tuple
untyped.map(([n, s]) => [s, n]).groupBy(2);
// sum adds numbers: a string field is a compile error, a number field is fine (min/max compare anything)
untyped.groupBy(1).sum(0);
untyped.min(1);
// @ts-expect-error: field 1 holds strings
untyped.groupBy(0).sum(1);
// @ts-expect-error: field 1 holds strings
untyped.sum(0).andSum(1);
// CSV's BIGINT, DECIMAL, DATE and TIMESTAMP read into bigint, string and Date
const dated = env.readCsv('x.csv', [Types.BIGINT, Types.DECIMAL, Types.DATE, Types.TIMESTAMP]);
expectType<Elem<typeof dated>, [bigint, string, Date, Date]>(true);
// readCsv with pojoFields reads objects typed by name
const people = env.readCsv('p.csv', [Types.STRING, Types.INT, Types.DATE], { pojoFields: ['name', 'age', 'born'] });
expectType<Elem<typeof people>, { name: string; age: number; born: Date }>(true);
people.groupBy('age');
// @ts-expect-error: no field 'height'
people.groupBy('height');
// a combinable reduceGroup's function is also its combiner: its output is its input type
untyped.groupBy(0).reduceGroup((vs) => [...vs], { combinable: true });
untyped.groupBy(0).reduceGroup((vs) => [[...vs].length]);
// @ts-expect-error: a combinable reduceGroup cannot change the element type
untyped.groupBy(0).reduceGroup((vs) => [[...vs].length], { combinable: true });
// A function emitting through its collector: what it emits is inferred from an annotated `out`, a
// type argument or a returned iterable; emitting into an unannotated `out` is a compile error.
const rows = env.fromElements({ a: 'x', n: 1 });
const viaOut = rows.flatMap((o, out: Collector<string>) => out.collect(o.a));
expectType<Elem<typeof viaOut>, string>(true);
const viaArg = rows.flatMap<number>((o, out) => out.collect(o.n));
expectType<Elem<typeof viaArg>, number>(true);
const viaReturn = rows.flatMap((o) => [o.a, o.a]);
expectType<Elem<typeof viaReturn>, string>(true);
// @ts-expect-error: annotate the collector
rows.flatMap((o, out) => out.collect(o.a));
// @ts-expect-error: annotate the collector
rows.mapPartition((os, out) => out.collect([...os].length));
// @ts-expect-error: annotate the collector
untyped.groupBy(0).reduceGroup((vs, out) => out.collect([...vs].length));
const coGrouped = rows.coGroup(rows).where('a').equalTo('a');
// @ts-expect-error: annotate the collector
coGrouped.using((l, r, out) => out.collect(1));
// Dotted key paths are checked against the object's type, four levels deep
const people2 = env.fromElements({ user: { name: 'ann', address: { city: 'Oslo' } }, tags: ['t'], extra: {} as Record<string, unknown> });
people2.groupBy('user.name');
people2.groupBy('user.address.city');
people2.groupBy('tags.0');
people2.groupBy('extra.anything.below');
people2.distinct('user');
// @ts-expect-error: no field 'nosuch' in user
people2.groupBy('user.nosuch');
// @ts-expect-error: no field 'town' in user.address
people2.join(people2).where('user.address.town').equalTo('user.name');
// @ts-expect-error: a string has no fields
people2.groupBy('user.name.length');

// mapAsync infers the element from the Promise (or takes a plain value); flatMapAsync from the iterable
const fetched = pairs.mapAsync(async ([n]) => n * 2);
expectType<Elem<typeof fetched>, number>(true);
const plainAsync = pairs.mapAsync(([, s]) => s.length);
expectType<Elem<typeof plainAsync>, number>(true);
const tupleAsync = pairs.mapAsync(async ([n, s]) => [s, n]);
expectType<Elem<typeof tupleAsync>, [string, number]>(true);
const flatAsync = pairs.flatMapAsync(async ([, s]) => s.split(''));
expectType<Elem<typeof flatAsync>, string>(true);
// @ts-expect-error: capacity is a number
pairs.mapAsync(async (p) => p, { capacity: '10' });
