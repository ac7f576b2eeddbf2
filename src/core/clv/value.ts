/**
 * Predictions per customer from a fitted purchase model (BG/NBD or Pareto/NBD) and the Gamma-Gamma
 * spend model, and the discounted CLV sum
 *   clv = Σ_{i=1..H} (E[Y(i months)] − E[Y((i−1) months)]) × expected_spend / (1 + d)^i
 * with a month of 30 days, converted to the model's period (a week is 7 days).
 */
import { modelError } from '../errors.js';
import { runSteps, type Steps } from '../steps.js';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedPurchasesNew,
  bgnbdPAlive,
  bgnbdPurchasesDenominator,
  bgnbdPurchasesNumerator,
  type BgNbdParams,
  type BtydPoint,
} from './bgnbd.js';
import { asTable, btydRow, groupRows, MONTH_DAYS, PERIOD_DAYS, TripleIndex, type BtydInput, type BtydRow, type BtydTable, type GroupedRows } from './data.js';
import { expectedSpendOf, gammaGammaExpectedSpend, type GammaGammaParams, type SpendPoint } from './gamma-gamma.js';
import { paretoExpectedPurchases, paretoExpectedPurchasesNew, paretoPAlive, paretoPurchasesIfAlive, type ParetoNbdParams } from './pareto-nbd.js';

export type PurchaseModel = BgNbdParams | ParetoNbdParams;
type ModelParams = Pick<BgNbdParams, 'model' | 'period' | 'r' | 'alpha' | 'a' | 'b'> | Pick<ParetoNbdParams, 'model' | 'period' | 'r' | 'alpha' | 's' | 'beta'>;
type SpendParams = Pick<GammaGammaParams, 'p' | 'q' | 'gamma'>;

export { MONTH_DAYS };

export function pAlive(model: ModelParams, row: BtydPoint): number {
  return model.model === 'bgnbd' ? bgnbdPAlive(model, row) : paretoPAlive(model, row);
}

/** E[Y(t) | x, t_x, T] with t in the model's period. */
export function expectedPurchases(model: ModelParams, t: number, row: BtydPoint): number {
  return model.model === 'bgnbd' ? bgnbdExpectedPurchases(model, t, row) : paretoExpectedPurchases(model, t, row);
}

/** E[X(t)] for a customer who has just made a first purchase (t in the model's period). */
export function expectedPurchasesNew(model: ModelParams, t: number): number {
  return model.model === 'bgnbd' ? bgnbdExpectedPurchasesNew(model, t) : paretoExpectedPurchasesNew(model, t);
}

export function expectedSpend(gg: SpendParams, row: SpendPoint): number {
  return gammaGammaExpectedSpend(gg, row);
}

export interface ValueOptions {
  /** Months ahead (whole, >= 1). */
  horizonMonths: number;
  /** Monthly discount rate d (0.01 = 1 % a month). */
  monthlyDiscount: number;
}

/** E[Y(i months)] for i = 1..H. */
function monthlyPurchases(model: ModelParams, row: BtydPoint, months: number): Float64Array {
  const periodsPerMonth = MONTH_DAYS / PERIOD_DAYS[model.period];
  return Float64Array.from({ length: months }, (_, i) => expectedPurchases(model, (i + 1) * periodsPerMonth, row));
}

/** The discounted sum over path[start, end) (the months of one path). */
function discounted(path: Float64Array, spend: number, monthlyDiscount: number, start = 0, end = path.length): number {
  let total = 0;
  let previous = 0;
  let factor = 1;
  for (let i = start; i < end; i++) {
    factor /= 1 + monthlyDiscount;
    total += (path[i] - previous) * spend * factor;
    previous = path[i];
  }
  return total;
}

/** The discounted value over the horizon (see the file comment). */
export function clv(model: ModelParams, gg: SpendParams, row: BtydPoint & SpendPoint, options: ValueOptions): number {
  return discounted(monthlyPurchases(model, row, options.horizonMonths), expectedSpend(gg, row), options.monthlyDiscount);
}

export interface CustomerValue {
  customerId: string;
  frequency: number;
  recency: number;
  T: number;
  monetaryValue: number;
  pAlive: number;
  /** E[Y(horizon)]: purchases expected over the horizon. */
  expectedPurchases: number;
  /** null without a spend model (a BTYD table without monetary_value). */
  expectedSpend: number | null;
  clv: number | null;
}

/**
 * A function giving every prediction for a row of `rows`, made after one pass that computes
 * P(alive) and the expected purchases once per distinct (x, t_x, T) and checks they are finite
 * (a model error names the first customer whose numbers are not), so that the rows can then be
 * written one by one without holding a million result objects.
 */
export function valuePredictor(model: ModelParams, gg: SpendParams | null, rows: readonly BtydRow[], options: ValueOptions): (row: BtydRow) => CustomerValue {
  return runSteps(valuePredictorSteps(model, gg, rows, options));
}

/** Rows between two steps of the checking pass (a few milliseconds of work). */
const ROWS_PER_STEP = 8192;

/**
 * The predictions of `rows` by group (customers with the same (x, t_x, T) have the same P(alive)
 * and expected purchases): each row's group, and per row its expected spend and CLV. What the
 * command line writes a million rows from, without an object per customer.
 */
export interface ValueTable {
  /** What the table is made of (plain arrays: a helper thread can be sent them, valueTableFrom). */
  readonly parts: ValueParts;
  /** Per row of `rows`, its group: the index into pAlive and expectedPurchases. */
  group: Int32Array;
  pAlive: Float64Array;
  /** E[Y(horizon)] per group. */
  expectedPurchases: Float64Array;
  /** The expected spend of row i (null without a spend model). */
  expectedSpend(i: number): number | null;
  clv(i: number): number | null;
  /** Row i's predictions as one object. */
  customer(i: number): CustomerValue;
}

interface Groups {
  /** The group of a row, made (and checked) when the row's (x, t_x, T) is new. */
  known(row: BtydRow): number;
  alive: number[];
  /** E[Y(i months)], i = 1..H, of group g at paths()[g H .. g H + H): one array, not one per group. */
  paths(): Float64Array;
}

/**
 * P(alive) and E[Y(i months)] of groups numbered in the order they are added. E[Y(t)] = (a part
 * of x, T and t) combined with (a part of x, t_x, T): the first, with its 2F1 (the costly part),
 * once per distinct (x, T); the second once per group.
 */
function groupPredictions(model: ModelParams, options: ValueOptions) {
  const months = options.horizonMonths;
  const periodsPerMonth = MONTH_DAYS / PERIOD_DAYS[model.period];
  const pairs = new TripleIndex();
  const pairPaths: Float64Array[] = [];
  const pairPath = (x: number, T: number): Float64Array => {
    const k = pairs.add(x, T, 0);
    if (k === pairPaths.length) {
      pairPaths.push(
        Float64Array.from({ length: months }, (_, i) =>
          model.model === 'bgnbd' ? bgnbdPurchasesNumerator(model, (i + 1) * periodsPerMonth, x, T) : paretoPurchasesIfAlive(model, (i + 1) * periodsPerMonth, x, T),
        ),
      );
    }
    return pairPaths[k];
  };
  const alive: number[] = [];
  let paths = new Float64Array(months * 1024);
  return {
    alive,
    paths: () => paths,
    /** Adds the next group; false when its predictions are not finite. */
    add(point: BtydPoint): boolean {
      const g = alive.length;
      const p = pAlive(model, point);
      const base = pairPath(point.frequency, point.T);
      if ((g + 1) * months > paths.length) {
        const grown = new Float64Array(paths.length * 2);
        grown.set(paths);
        paths = grown;
      }
      const at = g * months;
      let finite = Number.isFinite(p);
      if (model.model === 'bgnbd') {
        const denominator = bgnbdPurchasesDenominator(model, point);
        for (let i = 0; i < months; i++) finite = Number.isFinite((paths[at + i] = base[i] / denominator)) && finite;
      } else {
        for (let i = 0; i < months; i++) finite = Number.isFinite((paths[at + i] = base[i] * p)) && finite;
      }
      alive.push(p);
      return finite;
    },
  };
}

function notFiniteError(row: BtydRow) {
  return modelError(`the predictions for customer ${row.customerId} are not finite (frequency ${row.frequency}, recency ${row.recency}, T ${row.T})`, {
    hint: 'the fitted parameters are extreme: try --penalizer 0.001, or another --model',
  });
}

/**
 * The checking pass: P(alive) and the expected purchases once per distinct (x, t_x, T), a model
 * error naming the first customer whose numbers are not finite; yields every ROWS_PER_STEP rows,
 * so that it can be interrupted.
 */
function* groupSteps(model: ModelParams, rows: readonly BtydRow[], options: ValueOptions): Steps<Groups> {
  const predictions = groupPredictions(model, options);
  const triples = new TripleIndex();
  const known = (row: BtydRow): number => {
    const g = triples.add(row.frequency, row.recency, row.T);
    if (g === predictions.alive.length && !predictions.add(row)) throw notFiniteError(row);
    return g;
  };
  for (let i = 0; i < rows.length; i++) {
    known(rows[i]);
    if ((i + 1) % ROWS_PER_STEP === 0) yield;
  }
  return { known, alive: predictions.alive, paths: predictions.paths };
}

/** Row's predictions; its group's path is paths[at, at + months). */
function customerValue(row: BtydRow, alive: number, paths: Float64Array, at: number, months: number, gg: SpendParams | null, monthlyDiscount: number): CustomerValue {
  const spend = gg === null ? null : expectedSpend(gg, row);
  return {
    customerId: row.customerId,
    frequency: row.frequency,
    recency: row.recency,
    T: row.T,
    monetaryValue: row.monetaryValue,
    pAlive: alive,
    expectedPurchases: paths[at + months - 1],
    expectedSpend: spend,
    clv: spend === null ? null : discounted(paths, spend, monthlyDiscount, at, at + months),
  };
}

/** valuePredictor as steps (core/steps.ts): the checking pass yields every ROWS_PER_STEP rows, so that it can be interrupted. */
export function* valuePredictorSteps(
  model: ModelParams,
  gg: SpendParams | null,
  rows: readonly BtydRow[],
  options: ValueOptions,
): Steps<(row: BtydRow) => CustomerValue> {
  const { known, alive, paths } = yield* groupSteps(model, rows, options);
  const months = options.horizonMonths;
  return (row) => {
    const g = known(row);
    return customerValue(row, alive[g], paths(), g * months, months, gg, options.monthlyDiscount);
  };
}

/**
 * The ValueTable of `rows`, as steps (yielding every ROWS_PER_STEP groups): the predictions once per
 * group of `grouping` (groupRows(rows), the grouping the fit was made on, when the caller has it).
 */
export function* valueTableSteps(
  model: ModelParams,
  gg: SpendParams | null,
  rows: BtydInput,
  options: ValueOptions,
  grouping: GroupedRows = groupRows(rows),
): Steps<ValueTable> {
  const table = asTable(rows);
  const predictions = groupPredictions(model, options);
  const { x, tx, T, rowGroup } = grouping;
  for (let g = 0; g < x.length; g++) {
    if (!predictions.add({ frequency: x[g], recency: tx[g], T: T[g] })) throw notFiniteError(btydRow(table, rowGroup.indexOf(g)));
    if ((g + 1) % ROWS_PER_STEP === 0) yield;
  }
  const parts: ValueParts = {
    group: rowGroup,
    alive: Float64Array.from(predictions.alive),
    paths: predictions.paths().slice(0, predictions.alive.length * options.horizonMonths),
    months: options.horizonMonths,
    monthlyDiscount: options.monthlyDiscount,
    spend: gg === null ? null : { p: gg.p, q: gg.q, gamma: gg.gamma },
  };
  return valueTableFrom(parts, table);
}

/** The predictions per group and what the per-row ones are made from. */
export interface ValueParts {
  /** Per row, its group. */
  group: Int32Array;
  /** P(alive) per group. */
  alive: Float64Array;
  /** E[Y(i months)], i = 1..months, of group g at [g months, (g + 1) months). */
  paths: Float64Array;
  months: number;
  monthlyDiscount: number;
  spend: SpendParams | null;
}

/** The ValueTable of `table`'s rows from its parts. */
export function valueTableFrom(parts: ValueParts, table: BtydTable): ValueTable {
  const { group, alive, paths, months, monthlyDiscount, spend: gg } = parts;
  const { frequency, monetary } = table;
  const spendOf = (i: number) => (gg === null ? null : expectedSpendOf(gg, frequency[i], monetary[i]));
  return {
    parts,
    group,
    pAlive: alive,
    expectedPurchases: Float64Array.from(alive, (_, g) => paths[g * months + months - 1]),
    expectedSpend: spendOf,
    clv(i) {
      const spend = spendOf(i);
      const at = group[i] * months;
      return spend === null ? null : discounted(paths, spend, monthlyDiscount, at, at + months);
    },
    customer: (i) => customerValue(btydRow(table, i), alive[group[i]], paths, group[i] * months, months, gg, monthlyDiscount),
  };
}

/** Every prediction for every row (valuePredictor applied to each). */
export function predictCustomers(model: ModelParams, gg: SpendParams | null, rows: readonly BtydRow[], options: ValueOptions): CustomerValue[] {
  return rows.map(valuePredictor(model, gg, rows, options));
}
