/** A CSV record and the line of the file it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A CSV text that is not well formed, at a line. */
export class CsvSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

/**
 * RFC 4180 as spreadsheets write it: fields separated by commas, a field in double quotes may hold commas, line
 * breaks and doubled quotes (`""`); CRLF or LF; a UTF-8 byte-order mark is dropped. Blank lines are skipped.
 * A quote inside an unquoted field, or text after a closing quote, is a syntax error at its line: a roster read
 * wrongly would give a student someone else's lab.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (source[i] === '"') {
        i++;
        for (;;) {
          if (i >= source.length) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const c = source[i]!;
          if (c === '"') {
            if (source[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < source.length && !',\r\n'.includes(source[i]!)) {
          throw new CsvSyntaxError(line, 'text after a closing quote; write a quote inside a quoted field as ""');
        }
      } else {
        while (i < source.length && !',\r\n'.includes(source[i]!)) {
          if (source[i] === '"') {
            throw new CsvSyntaxError(
              line,
              'a quote inside an unquoted field; quote the whole field and double the quote',
            );
          }
          field += source[i];
          i++;
        }
      }
      fields.push(field);
      if (source[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (source[i] === '\r') i++;
    if (source[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}

/** One field as CSV writes it: quoted when it holds a comma, a quote, a line break or leading/trailing blanks. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text with CRLF line ends, as RFC 4180 and spreadsheets expect. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
