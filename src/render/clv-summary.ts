/** Lifetime-value figures for people: the per-segment table of `rfm summary`, and one customer's line. */
import type { ClvPrediction } from '../core/clv-model.js';
import type { ClvSummary } from '../core/summary.js';
import { formatFixed, formatInt, formatMoney, formatPercent } from './numbers.js';
import type { Style } from './style.js';
import { tableWithNotes, type TableView } from './table.js';
import { wrapWords } from './text.js';

const MODEL_NAMES = { bgnbd: 'BG/NBD', paretoNbd: 'Pareto/NBD' } as const;

/** "BG/NBD + Gamma-Gamma, 12 months at 1 % a month, time in weeks, calibrated to 2011-12-09". */
export function clvBasis(c: Pick<ClvSummary, 'purchaseModel' | 'horizonMonths' | 'monthlyDiscount' | 'period' | 'calibrationEnd'>): string {
  const rate = `${Number((c.monthlyDiscount * 100).toFixed(4))} %`;
  return `${MODEL_NAMES[c.purchaseModel]} + Gamma-Gamma, ${c.horizonMonths} months at ${rate} a month, time in ${c.period}s, calibrated to ${c.calibrationEnd}`;
}

export function clvTable(clv: ClvSummary, style: Style, view: TableView): string {
  const head = ['segment', 'customers', 'P(alive)\nmean', `purchases\nnext ${clv.horizonMonths} mo`, 'spend per\npurchase', 'CLV\nmean', 'CLV\ntotal'];
  const rows = clv.segments.map((s) => [
    s.name,
    formatInt(s.customers),
    formatPercent(s.pAlive),
    formatFixed(s.expectedPurchases, 2),
    formatMoney(s.expectedSpend),
    formatMoney(s.clv),
    formatMoney(s.clvTotal),
  ]);
  const title = style.chalk.bold(wrapWords(`expected lifetime value (${clvBasis(clv)})`, view.width, '  '));
  return title + '\n' + tableWithNotes({ head, align: head.map((_, i) => (i === 0 ? 'left' : 'right')), rows }, style, view);
}

/** One customer's figures, for rfm segment --explain. */
export function clvLine(p: ClvPrediction, clv: Pick<ClvSummary, 'purchaseModel' | 'horizonMonths' | 'monthlyDiscount' | 'period' | 'calibrationEnd'>): string {
  return `P(alive) ${formatPercent(p.pAlive)}, ${formatFixed(p.expectedPurchases, 2)} purchases expected in ${clv.horizonMonths} months, ${formatMoney(p.expectedSpend)} a purchase, CLV ${formatMoney(p.clv)} (${clvBasis(clv)})\n`;
}
