/**
 * Streaming .xlsx reader (exceljs WorkbookReader): rows are handed on as they are parsed, so a
 * 541,909-row workbook is never held in memory. Reads the first sheet, or the one named by --sheet.
 * Cells become the strings a CSV export would hold: dates as ISO timestamps (Excel stores wall
 * time, which we take as UTC like every zone-less timestamp), numbers in shortest form.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { inputError } from '../core/errors.js';
import type { InputSource } from './source.js';
import type { TableHandler } from './table.js';

const BATCH = 4096;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object') {
    const v = value as { result?: unknown; text?: unknown; richText?: { text: string }[]; error?: unknown };
    if (v.richText) return v.richText.map((part) => part.text).join('');
    if ('result' in v) return cellText(v.result);
    if (typeof v.text === 'string') return v.text;
    if (v.error !== undefined) return '';
  }
  return String(value);
}

export async function readXlsx(source: InputSource, handler: TableHandler, sheet: string | undefined): Promise<void> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(source.bytes), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const seen: string[] = [];
  let found = false;
  try {
    for await (const worksheet of reader) {
      const name = (worksheet as unknown as { name: string }).name;
      seen.push(name);
      if (found || (sheet !== undefined && name !== sheet)) {
        // Drain sheets we do not want so the zip stream moves on.
        for await (const _row of worksheet) void _row;
        continue;
      }
      found = true;
      let headerSeen = false;
      let rows: string[][] = [];
      let lines: number[] = [];
      for await (const row of worksheet) {
        const values = (row as unknown as { values: unknown[]; number: number }).values;
        const fields: string[] = [];
        for (let i = 1; i < values.length; i++) fields.push(cellText(values[i]));
        if (fields.every((f) => f === '')) continue;
        if (!headerSeen) {
          headerSeen = true;
          handler.header(fields, 'xlsx');
          continue;
        }
        rows.push(fields);
        lines.push((row as unknown as { number: number }).number);
        if (rows.length >= BATCH) {
          await handler.rows(rows, lines);
          rows = [];
          lines = [];
        }
      }
      if (rows.length > 0) await handler.rows(rows, lines);
      if (!headerSeen) throw inputError(`sheet "${name}" of ${source.name} is empty`, { file: source.name, hint: 'choose another sheet with --sheet NAME' });
    }
  } catch (error) {
    if ((error as { name?: string }).name === 'RfmError') throw error;
    throw inputError(`cannot read ${source.name} as an .xlsx workbook: ${(error as Error).message}`, {
      file: source.name,
      hint: 'check that the file is a complete .xlsx workbook, or export it as CSV',
    });
  }
  if (!found) {
    throw inputError(
      sheet === undefined ? `${source.name} has no worksheet` : `${source.name} has no sheet named "${sheet}"`,
      { file: source.name, hint: seen.length > 0 ? `sheets are: ${seen.join(', ')}` : 'export it as CSV' },
    );
  }
}
