/**
 * Reading a saved batch of `rfm segment` (customer_id,recency,frequency,monetary,cluster,segment):
 * the RFM values as an RFM table reads them (same checks, same messages), each row's segment name,
 * and the cluster number when the file has one. For `rfm diff a.csv b.csv`.
 */
import { dataError } from '../core/errors.js';
import type { RfmRow } from '../core/rfm.js';
import { detectRfmColumns, normalizeName, type ColumnOverrides } from './columns.js';
import { parseRfmRows } from './customers.js';
import type { InputSource } from './source.js';
import { readTable } from './table.js';

export interface SegmentedFile {
  /** In id order (code-unit order). */
  customers: RfmRow[];
  /** Segment name of each customer. */
  segments: string[];
  /** Cluster number of each customer, or null without a cluster column. */
  clusters: number[] | null;
}

const SHAPE = 'give a file as rfm segment writes it: customer_id,recency,frequency,monetary,cluster,segment';

export async function readSegmented(source: InputSource, overrides: ColumnOverrides, sheet?: string): Promise<SegmentedFile> {
  const file = source.name;
  const rows: { row: RfmRow; segment: string; cluster: number; line: number }[] = [];
  let hasCluster = false;
  let onRows: (batch: string[][], lines: number[]) => void = () => undefined;
  await readTable(
    source,
    {
      header(fields) {
        const columns = detectRfmColumns(fields, overrides, file);
        const normalized = fields.map(normalizeName);
        const segment = normalized.indexOf('segment');
        if (segment < 0) throw dataError(`no segment column in ${file}`, { file, line: 1, hint: SHAPE });
        const cluster = normalized.indexOf('cluster');
        hasCluster = cluster >= 0;
        onRows = (batch, lines) => {
          const parsed = parseRfmRows(batch, lines, columns, fields.length, file);
          batch.forEach((fields, i) => {
            const name = fields[segment] ?? '';
            if (name.trim() === '') throw dataError(`line ${lines[i]} has no segment`, { file, line: lines[i], column: segment + 1, hint: SHAPE });
            let number = -1;
            if (hasCluster) {
              const text = (fields[cluster] ?? '').trim();
              number = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
              if (Number.isNaN(number)) {
                throw dataError(`cluster "${fields[cluster] ?? ''}" on line ${lines[i]} is not a cluster number`, {
                  file,
                  line: lines[i],
                  column: cluster + 1,
                  hint: SHAPE,
                });
              }
            }
            rows.push({ row: parsed[i], segment: name, cluster: number, line: lines[i] });
          });
        };
      },
      rows: (batch, lines) => onRows(batch, lines),
    },
    { sheet },
  );
  if (rows.length === 0) throw dataError(`${file} has a header but no customers`, { file, hint: SHAPE });
  const byId = (a: RfmRow, b: RfmRow) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
  // Saved batches are in id order already; sorting is for files edited or re-sorted since.
  let sorted = true;
  for (let i = 1; i < rows.length && sorted; i++) sorted = byId(rows[i - 1].row, rows[i].row) < 0;
  if (!sorted) rows.sort((a, b) => byId(a.row, b.row) || a.line - b.line);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i - 1].row.customerId === rows[i].row.customerId) {
      throw dataError(`customer ${rows[i].row.customerId} is on line ${rows[i - 1].line} and again on line ${rows[i].line}`, {
        file,
        line: rows[i].line,
        hint: 'a segmented file has one row per customer',
      });
    }
  }
  return {
    customers: rows.map((r) => r.row),
    segments: rows.map((r) => r.segment),
    clusters: hasCluster ? rows.map((r) => r.cluster) : null,
  };
}
