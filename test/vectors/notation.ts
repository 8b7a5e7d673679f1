/**
 * The JSON notation of the key vectors (canonical-keys.json): plain JSON for null, booleans,
 * finite numbers, strings and tuples; `{"$undefined":true}`, `{"$number":"NaN"|"-0"|"Infinity"|
 * "-Infinity"}`, `{"$bigint":"-123"}`, `{"$bytes":"00ff"}` and `{"$object":{…fields}}` (a plain
 * object) for the rest.
 */
export function fromNotation(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromNotation);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('$undefined' in o) return undefined;
  if ('$number' in o) return o.$number === '-0' ? -0 : Number(o.$number);
  if ('$bigint' in o) return BigInt(o.$bigint as string);
  if ('$bytes' in o) return new Uint8Array(Buffer.from(o.$bytes as string, 'hex'));
  if ('$object' in o) {
    const fields = o.$object as Record<string, unknown>;
    return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, fromNotation(x)]));
  }
  throw new Error(`unknown notation ${JSON.stringify(v)}`);
}
