/** A record's text form, truncated, for error messages. */
import { truncateForMessage } from '../errors/index.ts';
import { toText } from '../io/text-form.ts';

export function describeRecord(record: unknown): string {
  let text: string;
  try {
    text = typeof record === 'string' ? JSON.stringify(record) : toText(record);
  } catch {
    text = Object.prototype.toString.call(record);
  }
  return truncateForMessage(text, 120);
}
