/**
 * Reading an import file into rows: plain lines (one term per line) or CSV (RFC 4180: quoted fields,
 * doubled quotes, commas and line breaks inside quotes, CRLF or LF). Pure, so it is unit-tested beside.
 */

export const IMPORT_COLUMNS = [
  'term',
  'category',
  'severity',
  'action',
  'allow_phrases',
  'hint',
  'pinyin',
  'pinyin_action',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** One entry of the file, before validation. */
export interface ImportRow {
  /** 1-based line where the entry starts. */
  line: number;
  values: Partial<Record<ImportColumn, string>>;
  /** Set when the row cannot be read as an entry at all (e.g. too many columns). */
  problem?: string;
}

/** The file as a whole cannot be read (the import is refused, naming the line). */
export class ImportFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

const BOM = '\ufeff';
const stripBom = (text: string): string => (text.startsWith(BOM) ? text.slice(1) : text);

/** One term per line; blank lines and lines starting with `#` are ignored. */
export function parseLines(text: string): ImportRow[] {
  const rows: ImportRow[] = [];
  stripBom(text)
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      const term = raw.trim();
      if (term.length === 0 || term.startsWith('#')) return;
      rows.push({ line: index + 1, values: { term } });
    });
  return rows;
}

/**
 * CSV with the columns term, category, severity, action, allow_phrases (separated by `|`), hint,
 * pinyin (true/false, empty for the category default) and pinyin_action, as in the JSON API. A
 * first row starting with `term` is a header naming the columns (in any order); without one, columns
 * are read in that order. Blank rows are ignored.
 */
export function parseCsv(text: string): ImportRow[] {
  const records = readCsvRecords(stripBom(text)).filter((r) => r.cells.some((cell) => cell.trim() !== ''));
  if (records.length === 0) return [];
  let columns: readonly ImportColumn[] = IMPORT_COLUMNS;
  let body = records;
  if (records[0].cells[0].trim().toLowerCase() === 'term') {
    columns = headerColumns(records[0]);
    body = records.slice(1);
  }
  return body.map(({ line, cells }) => {
    if (cells.length > columns.length) {
      // The term is always the first column (a header must start with it), so the line can still be named.
      const problem = `has ${cells.length} columns; expected at most ${columns.length}`;
      return { line, values: { term: cells[0].trim() }, problem };
    }
    const values: Partial<Record<ImportColumn, string>> = {};
    cells.forEach((cell, i) => {
      const value = cell.trim();
      if (value !== '') values[columns[i]] = value;
    });
    return { line, values };
  });
}

/**
 * The `pinyin` cell as the JSON API's `pinyin`: true or false (any case), absent for the category
 * default. Anything else is passed on as written, so validation rejects it naming the field.
 */
export const readPinyinCell = (cell: string | undefined): boolean | string | undefined => {
  if (cell === undefined) return undefined;
  const value = cell.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : cell;
};

/** The `|`-separated allow phrases of a CSV cell. */
export const splitAllowPhrases = (cell: string | undefined): string[] | undefined =>
  cell === undefined
    ? undefined
    : cell
        .split('|')
        .map((phrase) => phrase.trim())
        .filter((phrase) => phrase !== '');

function headerColumns(header: CsvRecord): ImportColumn[] {
  const seen = new Set<ImportColumn>();
  return header.cells.map((cell) => {
    const name = cell
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    const column = IMPORT_COLUMNS.find((c) => c === name || c.replace('_', '') === name);
    if (!column) {
      throw new ImportFormatError(
        header.line,
        `unknown column "${cell.trim()}"; the columns are ${IMPORT_COLUMNS.join(', ')}`,
      );
    }
    if (seen.has(column)) throw new ImportFormatError(header.line, `the column "${column}" appears twice`);
    seen.add(column);
    return column;
  });
}

interface CsvRecord {
  line: number;
  cells: string[];
}

function readCsvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const char = text[i];
    if (char === '"' && cell === '') {
      const quoteLine = line;
      i += 1;
      for (;;) {
        if (i >= text.length) throw new ImportFormatError(quoteLine, 'a quoted field is never closed');
        const inner = text[i];
        if (inner === '"') {
          if (text[i + 1] !== '"') break;
          cell += '"';
          i += 2;
          continue;
        }
        if (inner === '\n' || (inner === '\r' && text[i + 1] !== '\n')) line += 1;
        cell += inner;
        i += 1;
      }
      i += 1;
      continue;
    }
    if (char === ',') {
      cells.push(cell);
      cell = '';
      i += 1;
      continue;
    }
    if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    cell += char;
    i += 1;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}
