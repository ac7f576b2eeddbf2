/**
 * `rfm clv` for people: the units and definitions, the fitted parameters, the top customers by CLV,
 * a per-decile summary, and with a holdout the validation (MAE/RMSE, the 0..7+ histogram, the
 * cumulative weekly tracking curve as an asciichart line pair).
 */
import type * as AsciiChart from 'asciichart';
import type { CustomerValue, GammaGammaParams, PurchaseModel, Validation } from '../core/clv/index.js';
import { formatDate } from '../io/dates.js';
import { lazyRequire } from '../io/lazy-require.js';
import { formatFixed, formatInt, formatMoney, formatPercent, plural } from './numbers.js';
import type { Style } from './style.js';
import { tableWithNotes, type TableView } from './table.js';

const charts = lazyRequire<typeof AsciiChart>('asciichart');

export interface ClvUnits {
  period: 'day' | 'week' | 'month';
  periodDays: number;
  calibrationEnd: string | null;
  holdoutEnd: string | null;
  horizonMonths: number;
  monthDays: number;
  monthlyDiscount: number;
  definitions: Record<string, string>;
}

export function unitsLines(units: ClvUnits): string[] {
  return [
    `time unit: 1 ${units.period} = ${units.periodDays} day${units.periodDays === 1 ? '' : 's'} (from whole UTC days)` +
      (units.calibrationEnd === null ? '' : `; calibration period ends ${units.calibrationEnd} (inclusive)`) +
      (units.holdoutEnd === null ? '' : `, holdout to ${units.holdoutEnd}`),
    `frequency = repeat purchase days (distinct purchase days − 1); recency = first to last purchase day; T = first purchase day to the calibration end; monetary_value = mean value per repeat purchase day (0 for one-time buyers); $0 purchases count`,
    `expected_purchases over ${units.horizonMonths} months (a month = ${units.monthDays} days); clv = Σ monthly expected purchases × expected_spend / (1 + ${units.monthlyDiscount})^month`,
  ];
}

const num = (v: number | null, digits = 4) => (v === null ? '—' : formatFixed(v, digits));
const withSe = (name: string, v: number, se: number | null) => `${name} = ${num(v)} (se ${num(se)})`;

export function modelLines(model: PurchaseModel, gg: GammaGammaParams | null): string[] {
  const lines =
    model.model === 'bgnbd'
      ? [`BG/NBD (${model.period}s): ${withSe('r', model.r, model.se.r)}, ${withSe('alpha', model.alpha, model.se.alpha)}, ${withSe('a', model.a, model.se.a)}, ${withSe('b', model.b, model.se.b)}`]
      : [`Pareto/NBD (${model.period}s): ${withSe('r', model.r, model.se.r)}, ${withSe('alpha', model.alpha, model.se.alpha)}, ${withSe('s', model.s, model.se.s)}, ${withSe('beta', model.beta, model.se.beta)}`];
  lines.push(`  log-likelihood ${formatFixed(model.logLikelihood, 2)} on ${plural(model.customers, 'customer')}${model.penalizer > 0 ? `, penalizer ${model.penalizer}` : ''}`);
  if (gg !== null) {
    lines.push(`Gamma-Gamma spend: ${withSe('p', gg.p, gg.se.p)}, ${withSe('q', gg.q, gg.se.q)}, ${withSe('gamma', gg.gamma, gg.se.gamma)}`);
    lines.push(`  log-likelihood ${formatFixed(gg.logLikelihood, 2)} on ${plural(gg.customers, 'repeat buyer')} with a positive spend; mean spend per purchase ${formatMoney((gg.p * gg.gamma) / (gg.q - 1))}`);
  }
  return lines;
}

export function topCustomersTable(values: readonly CustomerValue[], count: number, style: Style, view: TableView): string {
  const top = [...values].sort((x, y) => (y.clv ?? y.expectedPurchases) - (x.clv ?? x.expectedPurchases) || (x.customerId < y.customerId ? -1 : 1)).slice(0, count);
  const rows = top.map((v) => [
    v.customerId,
    formatInt(v.frequency),
    formatFixed(v.recency, 2),
    formatFixed(v.T, 2),
    Number.isNaN(v.monetaryValue) ? '—' : formatMoney(v.monetaryValue),
    formatFixed(v.pAlive, 3),
    formatFixed(v.expectedPurchases, 3),
    v.expectedSpend === null ? '—' : formatMoney(v.expectedSpend),
    v.clv === null ? '—' : formatMoney(v.clv),
  ]);
  const head = ['customer_id', 'frequency', 'recency', 'T', 'monetary\nvalue', 'p_alive', 'expected\npurchases', 'expected\nspend', 'clv'];
  return `${style.chalk.bold(`Top ${top.length} customers by ${values[0]?.clv === null ? 'expected purchases' : 'CLV'}`)}\n${tableWithNotes({ head, align: ['left', ...head.slice(1).map(() => 'right' as const)], rows }, style, view)}`;
}

export function decileTable(values: readonly CustomerValue[], style: Style, view: TableView): string {
  const sorted = [...values].sort((x, y) => (y.clv ?? y.expectedPurchases) - (x.clv ?? x.expectedPurchases));
  const n = sorted.length;
  const totalClv = sorted.reduce((s, v) => s + (v.clv ?? 0), 0);
  const rows = [];
  for (let d = 0; d < 10; d++) {
    const part = sorted.slice(Math.floor((d * n) / 10), Math.floor(((d + 1) * n) / 10));
    if (part.length === 0) continue;
    const mean = (f: (v: CustomerValue) => number) => part.reduce((s, v) => s + f(v), 0) / part.length;
    const clvSum = part.reduce((s, v) => s + (v.clv ?? 0), 0);
    rows.push([
      String(d + 1),
      formatInt(part.length),
      formatFixed(mean((v) => v.pAlive), 3),
      formatFixed(mean((v) => v.expectedPurchases), 3),
      part[0].clv === null ? '—' : formatMoney(mean((v) => v.clv!)),
      part[0].clv === null ? '—' : formatMoney(clvSum),
      part[0].clv === null || totalClv === 0 ? '—' : formatPercent(clvSum / totalClv),
    ]);
  }
  const head = ['decile', 'customers', 'mean\np_alive', 'mean expected\npurchases', 'mean\nclv', 'total\nclv', 'share\nof clv'];
  return `${style.chalk.bold('By decile (1 = most valuable)')}\n${tableWithNotes({ head, align: head.map(() => 'right' as const), rows }, style, view)}`;
}

export function validationText(v: Validation, period: string, style: Style, width: number | undefined): string {
  const out: string[] = [];
  out.push(style.chalk.bold(`Holdout validation (${formatFixed(v.holdoutLength, 2)} ${period}s)`));
  out.push(
    `repeat purchases in the holdout: actual ${formatInt(v.actualTotal)}, predicted ${formatFixed(v.predictedTotal, 1)}; per customer MAE ${formatFixed(v.mae, 4)}, RMSE ${formatFixed(v.rmse, 4)}`,
  );
  const rows = v.histogram.map((b) => [b.repeatPurchases, formatInt(b.actual), formatFixed(b.model, 1)]);
  out.push('Calibration: customers by repeat purchases');
  out.push(tableWithNotes({ head: ['repeat purchases', 'actual', 'model'], align: ['right', 'right', 'right'], rows }, style, { width, limitRows: false }).trimEnd());
  if (v.tracking.length >= 2) {
    const room = Math.max(20, (width ?? 100) - 16);
    const step = Math.max(1, Math.ceil(v.tracking.length / room));
    const points = v.tracking.filter((_, i) => i % step === 0 || i === v.tracking.length - 1);
    const chart = charts().plot(
      [points.map((p) => p.actual), points.map((p) => p.model)],
      { height: 12, format: (x: number) => formatInt(Math.round(x)).padStart(10) + ' ', colors: style.color ? [charts().white, charts().cyan] : undefined },
    );
    const calibrationWeek = v.tracking.filter((p) => !p.holdout).length;
    out.push(
      `Cumulative repeat purchases by week (actual${style.color ? '' : ' = first line'}, model${style.color ? ' in cyan' : ' = second line'}); ` +
        `week 1 ends ${formatDate(v.tracking[0].end)}, calibration ends at week ${calibrationWeek}${step > 1 ? `, one column per ${step} weeks` : ''}`,
    );
    out.push(chart);
  }
  return out.join('\n') + '\n';
}
