/**
 * The compiled reader of plain CSV rows (a compiled pipeline's head: optimizer/compiled-pipelines.ts).
 * For one schema — the column types, which columns `includedFields` keeps, the field delimiter —
 * it generates a loop that reads rows straight into locals: integers summed from their digits in
 * place, skipped columns never sliced, one array literal per row (V8 makes it with its final
 * size), no per-field dispatch on the column's type.
 *
 * It reads only what it is sure of: rows of a chunk without a quote character, ending in `\n`
 * (or `\r\n`). At the first row it is not sure of — an empty line, too few or too many fields, a
 * value that does not parse, an integer of more than 15 digits — it stops and returns where
 * that row starts: the general parser (csv-reader.ts) reads on from there and gives the row its
 * usual treatment (skipped, counted, or an error naming its file and line).
 */

/** The column type codes the generated loop reads itself (csv-reader.ts's codes); it hands other types to `convert`. */
const RowColumn = { Excluded: -1, Long: 0, Int: 4, Text: 2 } as const;

/** Parses complete plain rows of `text` from `pos`; returns where it stopped, the lines it read added to `lines.count`. */
export type PlainRows = (text: string, pos: number, emit: (tuple: unknown[]) => void, lines: { count: number }) => number;

/**
 * Converts a field of another type (csv-reader.ts's `convert`); returns `bad` when it does not parse.
 * `code` is the column's type code, `column` 1-based.
 */
export type ConvertField = (code: number, text: string, column: number) => unknown;

/**
 * The loop for columns with these type codes (`-1`: excluded by `includedFields`); `extraColumns`:
 * rows may have more columns than `codes` (an `includedFields` mask). Built once per reader.
 */
export function compilePlainRows(codes: readonly number[], fieldDelimiter: string, extraColumns: boolean, convert: ConvertField, bad: unknown): PlainRows {
  const fd = JSON.stringify(fieldDelimiter);
  const lines: string[] = [];
  const values: string[] = [];
  // Each column's field is text[a, b); every column but the last needs a delimiter before the line's end.
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    const last = i === codes.length - 1;
    if (!last) lines.push(`b = text.indexOf(${fd}, a); if (b === -1 || b >= end) break row;`);
    else if (code === RowColumn.Excluded)
      break; // the row has this column: a delimiter came before it
    else if (extraColumns) lines.push(`b = text.indexOf(${fd}, a); if (b === -1 || b > end) b = end;`);
    else lines.push(`b = text.indexOf(${fd}, a); if (b !== -1 && b < end) break row; b = end;`);
    if (code === RowColumn.Long || code === RowColumn.Int) {
      lines.push(
        `{ let i = a; const s = text.charCodeAt(a); if (s === 45 || s === 43) i++; if (i === b || b - a > 15) break row;`,
        `  let n = 0; for (; i < b; i++) { const d = text.charCodeAt(i) - 48; if (d < 0 || d > 9) break row; n = n * 10 + d; }`,
        `  v${i} = s === 45 && n !== 0 ? -n : n; }`,
      );
      if (code === RowColumn.Int) lines.push(`if (v${i} > 2147483647 || v${i} < -2147483648) break row;`);
      values.push(`v${i}`);
    } else if (code === RowColumn.Text) {
      lines.push(`v${i} = text.slice(a, b);`);
      values.push(`v${i}`);
    } else if (code !== RowColumn.Excluded) {
      lines.push(`v${i} = convert(${code}, text.slice(a, b), ${i + 1}); if (v${i} === bad) break row;`);
      values.push(`v${i}`);
    }
    if (!last) lines.push('a = b + 1;');
  }
  const locals = values.length > 0 ? `let ${values.join(', ')};` : '';
  const body = `
    let read = 0;
    for (;;) {
      const le = text.indexOf('\\n', pos);
      if (le === -1) break;
      let end = le;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      if (end === pos) break;
      row: {
        let a = pos;
        let b = 0;
        ${locals}
        ${lines.join('\n        ')}
        emit([${values.join(', ')}]);
        pos = le + 1;
        read++;
        continue;
      }
      break;
    }
    lines.count += read;
    return pos;`;
  const make = new Function('convert', 'bad', `return function plainRows(text, pos, emit, lines) {${body}\n};\n//# sourceURL=tsflink:csv-rows`) as (c: ConvertField, b: unknown) => PlainRows;
  return make(convert, bad);
}
