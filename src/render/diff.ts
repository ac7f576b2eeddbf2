/**
 * The migration matrix for people: customers moved from each row's segment (first date) to each
 * column's (second date), with row and column totals and the share of each segment that stayed;
 * then the same matrix in revenue brought in between the dates; then one line of totals.
 */
import type { MigrationMatrix, Place } from '../core/diff.js';
import { formatInt, formatMoney, formatPercent, plural } from './numbers.js';
import type { Style } from './style.js';
import { tableWithNotes, type TableCell, type TableSpec, type TableView } from './table.js';
import { wrapWords } from './text.js';

/** How the new row and the lost column are labelled wherever a label is text (table, CSV). */
export const NEW_LABEL = '(new)';
export const LOST_LABEL = '(lost)';

export const rowLabel = (place: Place) => place ?? NEW_LABEL;
export const columnLabel = (place: Place) => place ?? LOST_LABEL;

/** A segment name as a column header of at most ~10 cells a line, so that k columns fit a terminal. */
const header = (name: string) => wrapWords(name, Math.max(10, ...name.split(' ').map((w) => w.length)));

function matrixSpec(m: MigrationMatrix, style: Style, value: (n: number) => string, pick: 'customers' | 'revenue', withStayed: boolean): TableSpec {
  const width = m.columns.length;
  const rows: TableCell[][] = m.rows.map((row, r) => {
    const cells = m.cells.slice(r * width, (r + 1) * width);
    const line: TableCell[] = [rowLabel(row)];
    for (const cell of cells) {
      const text = value(cell[pick]);
      // The diagonal (those who stayed) stands out.
      line.push(row !== null && cell.to === row ? { text, paint: style.chalk.bold } : text);
    }
    const total = m.rowTotals[r];
    line.push(value(total[pick]));
    if (withStayed) {
      const stayed = row === null ? undefined : cells.find((c) => c.to === row)?.customers;
      line.push(stayed === undefined || total.customers === 0 ? '' : formatPercent(stayed / total.customers));
    }
    return line;
  });
  const totals: TableCell[] = ['total', ...m.columnTotals.map((t) => value(t[pick])), value(pick === 'customers' ? m.totals.customers : m.totals.revenue)];
  if (withStayed) totals.push(m.totals.stayedShare === null ? '' : formatPercent(m.totals.stayedShare));
  rows.push(totals.map((cell) => (typeof cell === 'string' ? { text: cell, paint: style.chalk.bold } : cell)));
  const head = [pick === 'customers' ? 'from \\ to' : 'revenue', ...m.columns.map((c) => header(columnLabel(c))), 'total'];
  if (withStayed) head.push('stayed');
  return { head, align: head.map((_, i) => (i === 0 ? 'left' : 'right')), rows };
}

export function renderMigration(m: MigrationMatrix, style: Style, view: TableView): string {
  const t = m.totals;
  const before = t.stayed + t.moved;
  const summary =
    `stayed in their segment: ${formatInt(t.stayed)} of ${formatInt(before)}` +
    (t.stayedShare === null ? '' : ` (${formatPercent(t.stayedShare)})`) +
    ` · moved ${formatInt(t.moved)} · new ${formatInt(t.new)} · lost ${formatInt(t.lost)} · revenue in the period ${formatMoney(t.revenue)}`;
  return (
    style.chalk.bold('customers') +
    '\n' +
    tableWithNotes(matrixSpec(m, style, formatInt, 'customers', true), style, view) +
    '\n' +
    style.chalk.bold('revenue between the two dates') +
    '\n' +
    tableWithNotes(matrixSpec(m, style, formatMoney, 'revenue', false), style, view) +
    wrapWords(summary, view.width, '  ') +
    '\n'
  );
}

/** "1 customer moved", for the stderr line of --customers. */
export const moversLine = (movers: number, of: number) => `${plural(movers, 'customer')} of ${formatInt(of)} changed segment (new and lost included)`;
