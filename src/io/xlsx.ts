/**
 * .xlsx reader: the zip is opened by its central directory (xlsx-zip.ts), so the workbook, its
 * rels, the styles and the shared strings are read first whatever order the writer stored them in
 * (openpyxl and pandas put the sheets before the shared strings), then the chosen sheet is streamed
 * row by row through a SAX parser (xlsx-sheet.ts): a 541,909-row workbook is never held in memory,
 * only its shared strings are. Reads the first worksheet in workbook order, or the one named by
 * --sheet.
 *
 * Cells become the strings a CSV export would hold: text (shared, inline or rich text runs joined),
 * TRUE/FALSE, numbers in shortest round-trip form (full precision), a formula's cached value, and
 * numbers in a date-formatted cell as ISO timestamps (Excel stores wall time, which we take as UTC
 * like every zone-less timestamp) in the 1900 or the 1904 date system (xlsx-dates.ts).
 */
import { RfmError, inputError } from '../core/errors.js';
import type { InputSource } from './source.js';
import type { TableHandler } from './table.js';
import { readWorkbook } from './xlsx-parts.js';
import { readSheet } from './xlsx-sheet.js';
import { openXlsxZip, type XlsxZip } from './xlsx-zip.js';

export async function readXlsx(source: InputSource, handler: TableHandler, sheet: string | undefined): Promise<void> {
  const file = source.name;
  let zip: XlsxZip | undefined;
  try {
    zip = await openXlsxZip(source);
    const workbook = await readWorkbook(zip, file);
    const names = workbook.sheets.map((s) => s.name);
    const listing = names.length > 0 ? `sheets are: ${names.join(', ')}` : 'export it as CSV';
    const chosen = sheet === undefined ? workbook.sheets.find((s) => s.part !== undefined) : workbook.sheets.find((s) => s.name === sheet);
    if (chosen === undefined) {
      throw inputError(sheet === undefined ? `${file} has no worksheet` : `${file} has no sheet named "${sheet}"`, { file, hint: listing });
    }
    if (chosen.part === undefined || !zip.has(chosen.part)) {
      throw inputError(`sheet "${chosen.name}" of ${file} is not a worksheet (a chart sheet, or missing from the file)`, { file, hint: listing });
    }
    const found = await readSheet(zip, file, workbook, { name: chosen.name, part: chosen.part }, {
      header: (fields) => handler.header(fields, 'xlsx'),
      rows: (rows, lines) => handler.rows(rows, lines),
    });
    if (!found) throw inputError(`sheet "${chosen.name}" of ${file} is empty`, { file, hint: 'choose another sheet with --sheet NAME' });
  } catch (error) {
    if (error instanceof RfmError || (error as { name?: string }).name === 'RfmError') throw error;
    throw inputError(`cannot read ${file} as an .xlsx workbook: ${(error as Error).message}`, {
      file,
      hint: 'check that the file is a complete .xlsx workbook, or export it as CSV',
    });
  } finally {
    await zip?.close();
  }
}
