/**
 * The JSON notation of the key vectors (canonical-keys.json): plain JSON for null, booleans,
 * finite numbers, strings and tuples; `{"$undefined":true}`, `{"$number":"NaN"|"-0"|"Infinity"|
 * "-Infinity"}`, `{"$bigint":"-123"}`, `{"$bytes":"00ff"}`, `{"$object":{…fields}}` (a plain
 * object), `{"$date":ms}` (null: an invalid Date), `{"$regexp":[source, flags]}`, `{"$map":[[k, v]…]}`,
 * `{"$set":[…]}` and `{"$typed":[typeName, hex]}` for the rest.
 */
export function fromNotation(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromNotation);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('$undefined' in o) return undefined;
  if ('$number' in o) return o.$number === '-0' ? -0 : Number(o.$number);
  if ('$bigint' in o) return BigInt(o.$bigint as string);
  if ('$bytes' in o) return new Uint8Array(Buffer.from(o.$bytes as string, 'hex'));
  if ('$date' in o) return new Date(o.$date === null ? Number.NaN : (o.$date as number));
  if ('$regexp' in o) return new RegExp(...(o.$regexp as [string, string]));
  if ('$map' in o) return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [fromNotation(k), fromNotation(x)]));
  if ('$set' in o) return new Set((o.$set as unknown[]).map(fromNotation));
  if ('$typed' in o) {
    const [name, hex] = o.$typed as [string, string];
    const bytes = Buffer.from(hex, 'hex');
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return name === 'ArrayBuffer' ? buffer : new (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[name]!(buffer);
  }
  if ('$object' in o) {
    const fields = o.$object as Record<string, unknown>;
    return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, fromNotation(x)]));
  }
  throw new Error(`unknown notation ${JSON.stringify(v)}`);
}
