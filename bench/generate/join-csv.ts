/**
 * Join input, TPC-H-like: customers `custkey,name,nation` (keys 1..n) and orders
 * `orderkey,custkey,amount` whose customer keys run 10 % past the last customer, so about one
 * order in eleven finds no partner. Amounts are integer cents.
 */
import { ChunkedWriter } from './chunked-writer.ts';
import type { DataFacts } from './manifest.ts';
import { randomInt, seededRandom } from './random.ts';

export const NATIONS = [
  'ALGERIA',
  'ARGENTINA',
  'BRAZIL',
  'CANADA',
  'EGYPT',
  'ETHIOPIA',
  'FRANCE',
  'GERMANY',
  'INDIA',
  'INDONESIA',
  'IRAN',
  'IRAQ',
  'JAPAN',
  'JORDAN',
  'KENYA',
  'MOROCCO',
  'MOZAMBIQUE',
  'PERU',
  'CHINA',
  'ROMANIA',
  'SAUDI ARABIA',
  'VIETNAM',
  'RUSSIA',
  'UNITED KINGDOM',
  'UNITED STATES',
];

export interface JoinParams {
  readonly orders: number;
  readonly customers: number;
}

export function generateCustomers(path: string, params: JoinParams, seed: number): DataFacts {
  const random = seededRandom(seed);
  const out = new ChunkedWriter(path);
  for (let c = 1; c <= params.customers; ) {
    let chunk = '';
    for (let i = 0; i < 1024 && c <= params.customers; i++, c++) {
      chunk += `${c},Customer#${String(c).padStart(9, '0')},${NATIONS[randomInt(random, NATIONS.length)]}\n`;
    }
    out.write(chunk);
  }
  out.close();
  return { rows: params.customers };
}

export function generateOrders(path: string, params: JoinParams, seed: number): DataFacts {
  const random = seededRandom(seed + 1);
  const out = new ChunkedWriter(path);
  const keySpace = Math.ceil(params.customers * 1.1);
  let matching = 0;
  for (let o = 1; o <= params.orders; ) {
    let chunk = '';
    for (let i = 0; i < 1024 && o <= params.orders; i++, o++) {
      const custkey = 1 + randomInt(random, keySpace);
      if (custkey <= params.customers) matching++;
      chunk += `${o},${custkey},${100 + randomInt(random, 1_000_000)}\n`;
    }
    out.write(chunk);
  }
  out.close();
  return { rows: params.orders, matching };
}
