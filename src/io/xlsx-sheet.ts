/**
 * One worksheet's XML, streamed row by row into the strings a CSV export of the sheet would hold.
 * A cell is placed by its `r="C7"` reference, or just after the previous cell when it has none
 * (some writers omit it); a row likewise by `r="7"` or after the previous row. Gaps give empty
 * cells; rows with nothing in them are skipped; the first row with something is the header.
 */
import { inputError } from '../core/errors.js';
import { isoCellText, serialToIso } from './xlsx-dates.js';
import { MAX_CELL_CHARS, unescapeXstring, type Workbook } from './xlsx-parts.js';
import { parseXmlPart } from './xlsx-xml.js';
import type { XlsxZip } from './xlsx-zip.js';

/** Excel's grid: 1,048,576 rows by 16,384 columns (XFD). */
export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;
const BATCH = 4096;

export interface RowSink {
  header(fields: string[]): void;
  rows(rows: string[][], lines: number[]): void | Promise<void>;
}

export function columnName(column: number): string {
  let name = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The 1-based column of a reference like `AB12`, or 0 if it has no letters. */
function columnOf(ref: string): number {
  let column = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 97 || c > 122) break;
    column = column * 26 + (c - 96);
    if (column > MAX_COLUMNS) return column;
  }
  return column;
}

export async function readSheet(zip: XlsxZip, file: string, workbook: Workbook, sheet: { name: string; part: string }, sink: RowSink): Promise<boolean> {
  const { strings, overlong } = workbook.sharedStrings;
  const where = `sheet "${sheet.name}" of ${file}`;
  const tooBig = (what: string, hint: string) => inputError(`${what} in ${where}`, { file, hint });
  const cellTooLong = () =>
    tooBig(`cell ${columnName(column)}${rowNumber} is longer than ${MAX_CELL_CHARS} characters (1 MiB)`, 'shorten that cell, or export the sheet as CSV');

  let inSheetData = false;
  let rowNumber = 0;
  let column = 0;
  let fields: string[] = [];
  // The cell being read.
  let type = '';
  let style = -1;
  let value = '';
  let capturing = false;
  let inInline = false;
  let inPhonetic = false;
  let headerSeen = false;
  let batch: string[][] = [];
  let lines: number[] = [];

  const cellText = (): string => {
    switch (type) {
      case 's': {
        if (value.trim() === '') return '';
        const index = Number(value);
        if (overlong.has(index)) throw cellTooLong();
        const text = strings[index];
        if (text === undefined) {
          throw inputError(`cell ${columnName(column)}${rowNumber} in ${where} refers to shared string ${value.trim()}, which does not exist`, {
            file,
            hint: 'the workbook is damaged: open and save it again in a spreadsheet program, or export the sheet as CSV',
          });
        }
        return text;
      }
      case 'inlineStr':
        return unescapeXstring(value);
      case 'str':
        return unescapeXstring(value);
      case 'b':
        return value.trim() === '1' || value.trim() === 'true' ? 'TRUE' : value.trim() === '' ? '' : 'FALSE';
      case 'e':
        return ''; // #N/A, #DIV/0!…: no value
      case 'd':
        return isoCellText(value);
      default: {
        const text = value.trim();
        if (text === '') return '';
        const number = Number(text);
        if (!Number.isFinite(number)) return text;
        if (style >= 0 && workbook.dateStyles[style] === true) return serialToIso(number, workbook.date1904) ?? String(number);
        return String(number);
      }
    }
  };

  const endRow = (): void => {
    let end = fields.length;
    while (end > 0 && fields[end - 1] === '') end--;
    if (end === 0) return;
    if (end < fields.length) fields.length = end;
    if (!headerSeen) {
      headerSeen = true;
      sink.header(fields);
      return;
    }
    batch.push(fields);
    lines.push(rowNumber);
  };

  const flush = (): void | Promise<void> => {
    if (batch.length === 0) return;
    const rows = batch;
    const at = lines;
    batch = [];
    lines = [];
    return sink.rows(rows, at);
  };

  await parseXmlPart(
    { file, part: sheet.part, stream: await zip.open(sheet.part), overlong: cellTooLong },
    {
      open(name, a) {
        if (name === 'sheetData') inSheetData = true;
        if (!inSheetData) return;
        if (name === 'row') {
          const r = a.r === undefined ? rowNumber + 1 : Number(a.r);
          if (!Number.isInteger(r) || r < 1) throw tooBig(`row r="${a.r}" is not a row number`, 'the workbook is damaged: open and save it again, or export the sheet as CSV');
          rowNumber = r;
          if (rowNumber > MAX_ROWS) throw tooBig(`row ${rowNumber} is past Excel's last row (${MAX_ROWS})`, 'split the data over several sheets or files, or export it as CSV');
          column = 0;
          fields = [];
        } else if (name === 'c') {
          column = a.r === undefined ? column + 1 : columnOf(a.r);
          if (column === 0) column = fields.length + 1;
          if (column > MAX_COLUMNS) throw tooBig(`cell ${a.r ?? columnName(column) + rowNumber} is past Excel's last column (XFD)`, 'the workbook is damaged: open and save it again, or export the sheet as CSV');
          type = a.t ?? 'n';
          style = a.s === undefined ? -1 : Number(a.s);
          value = '';
        } else if (name === 'v') capturing = true;
        else if (name === 'is') inInline = true;
        else if (name === 'rPh') inPhonetic = true;
        else if (name === 't' && inInline && !inPhonetic) capturing = true;
      },
      close(name) {
        if (name === 'v' || name === 't') capturing = false;
        else if (name === 'is') inInline = false;
        else if (name === 'rPh') inPhonetic = false;
        else if (name === 'c' && inSheetData) {
          const text = cellText();
          while (fields.length < column - 1) fields.push('');
          fields[column - 1] = text;
        } else if (name === 'row') endRow();
        else if (name === 'sheetData') inSheetData = false;
      },
      text(text) {
        if (!capturing) return;
        if (value.length + text.length > MAX_CELL_CHARS) throw cellTooLong();
        value += text;
      },
    },
    () => (batch.length >= BATCH ? flush() : undefined),
  );
  await flush();
  return headerSeen;
}
