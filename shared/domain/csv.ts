/**
 * CSV as RFC 4180 writes it (https://www.rfc-editor.org/rfc/rfc4180): records end at CRLF (or LF),
 * fields are separated by commas, a field in double quotes may hold commas, line breaks and `""`
 * (one quote). A leading UTF-8 byte order mark (spreadsheet exports) is dropped. Each record keeps
 * the line it starts on, for the pointers of bad rows.
 */
export interface CsvRecord {
  /** 1-based line of the file the record starts on. */
  line: number;
  fields: string[];
}

/** A quote left open, or text after a closing quote: the file cannot be read from there on. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';

  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`CSV line ${line}: ${detail}`);
  }
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let afterQuote = false;
  const endRecord = () => {
    fields.push(field);
    // A blank line (one empty field) is no record.
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
        afterQuote = true;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '' && !afterQuote) quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i += 1;
      endRecord();
      line += 1;
      start = line;
    } else if (afterQuote || c === '"') {
      throw new CsvSyntaxError(
        line,
        'a quote inside a field that did not start with one, or text after a closing quote',
      );
    } else field += c;
  }
  if (quoted) throw new CsvSyntaxError(start, 'a quoted field is never closed');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
