/**
 * The report's optional sections as plain tables: lifetime value per segment (a model fitted with
 * `rfm fit --clv`) and the migration matrix of `rfm diff` (`rfm report --diff-from DATE`).
 */
import type { MigrationMatrix } from '../core/diff.js';
import type { RfmModel } from '../core/model.js';
import { columnLabel, rowLabel } from './diff.js';
import { formatFixed, formatInt, formatMoney, formatPercent } from './numbers.js';
import type { TableSection } from './report.js';

/** CLV, P(alive) and expected purchases per segment, saying the unit, horizon and discount. */
export function clvSection(model: RfmModel): TableSection | undefined {
  const clv = model.clv;
  if (clv === undefined) return undefined;
  const model_ = clv.purchaseModel === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD';
  return {
    id: 'clv',
    title: 'Lifetime value per segment',
    intro:
      `${model_} and Gamma-Gamma fitted on the training log's purchases to ${clv.calibrationEnd} (time unit: ${clv.period}). ` +
      `Means over each segment's customers: P(alive), purchases expected over the next ${clv.horizonMonths} months (of 30 days), ` +
      `expected spend per purchase, and CLV over that horizon at a monthly discount of ${formatPercent(clv.monthlyDiscount)}, no margin applied.`,
    head: ['segment', 'customers', 'P(alive)', 'expected purchases', 'expected spend', 'CLV (mean)', 'CLV (total)'],
    rows: clv.segments.map((s) => [
      model.segments[s.cluster]?.name ?? `cluster ${s.cluster}`,
      formatInt(s.customers),
      formatFixed(s.pAlive, 2),
      formatFixed(s.expectedPurchases, 2),
      formatMoney(s.expectedSpend),
      formatMoney(s.clv),
      formatMoney(s.clvTotal),
    ]),
    numeric: [1, 2, 3, 4, 5, 6],
  };
}

/** Customers from each segment at `from` (rows, plus new) to each at `to` (columns), with totals. */
export function migrationSection(m: MigrationMatrix, from: string, to: string): TableSection {
  const cell = (row: number, column: number) => m.cells[row * m.columns.length + column];
  const stayedOf = (row: number) => {
    const place = m.rows[row];
    const column = m.columns.indexOf(place);
    const total = m.rowTotals[row].customers;
    return place === null || column < 0 || total === 0 ? '' : formatPercent(cell(row, column).customers / total);
  };
  const rows = m.rows.map((place, r) => [
    rowLabel(place),
    ...m.columns.map((_, c) => formatInt(cell(r, c).customers)),
    formatInt(m.rowTotals[r].customers),
    stayedOf(r),
  ]);
  rows.push(['total', ...m.columnTotals.map((t) => formatInt(t.customers)), formatInt(m.totals.customers), m.totals.stayedShare === null ? '' : formatPercent(m.totals.stayedShare)]);
  return {
    id: 'migration',
    title: `Movement between segments, ${from} to ${to}`,
    intro:
      `Customers by their segment at ${from} (rows; "(new)": no purchase by then) and at ${to} (columns), with the same model and cleaning rules. ` +
      `${formatInt(m.totals.stayed)} stayed in their segment, ${formatInt(m.totals.moved)} moved, ${formatInt(m.totals.new)} are new; revenue between the dates ${formatMoney(m.totals.revenue)}.`,
    head: ['from \\ to', ...m.columns.map(columnLabel), 'total', 'stayed'],
    rows,
    numeric: m.columns.map((_, c) => c + 1).concat([m.columns.length + 1, m.columns.length + 2]),
  };
}
