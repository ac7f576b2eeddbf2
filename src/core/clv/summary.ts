/**
 * The BTYD summary of a cleaned transaction log in one pass: per customer the distinct purchase
 * days (UTC) in the calibration period and in the holdout, the first day's value and the
 * calibration total. Time is counted in whole days and divided by the period's days (a week is 7
 * days, a month 30), so recency 30.43 weeks is 213 days. An amount of 0 is a purchase here (the
 * CDNOW literature counts CDNOW's $0 rows); the reader drops negative amounts before this.
 */
import { lineValue, type ParsedRow } from '../clean.js';
import { DAY_MS } from '../rfm.js';
import { runSteps, type Steps } from '../steps.js';
import { asTable, PERIOD_DAYS, type BtydRow, type BtydTable, type Period } from './data.js';
import { sortOrderSteps } from './sort.js';

export interface SummaryOptions {
  period: Period;
  /** Last day (ms at UTC midnight) of the calibration period, inclusive; undefined = the latest purchase day. */
  calibrationEnd?: number;
  /** Last day of the holdout period, inclusive (validation); rows after it are left out. */
  holdoutEnd?: number;
}

interface CustomerState {
  /** Distinct calibration purchase days (day numbers), ascending. */
  days: number[];
  holdoutDays: number[];
  firstValue: number;
  total: number;
}

export interface BtydSummary {
  period: Period;
  periodDays: number;
  /** Calibration end day (ms, UTC midnight), inclusive. */
  calibrationEnd: number;
  holdoutEnd: number | null;
  /** Holdout length in periods (0 without a holdout). */
  holdoutLength: number;
  /** One customer per index, in customer id order. */
  customers: BtydTable;
  /** Kept rows after the calibration end (or the holdout end) that were left out. */
  afterEnd: number;
  /** Customers whose first purchase is after the calibration end: not in the summary. */
  firstAfterCalibration: number;
  /** Customers by first purchase day, and repeat purchase days by day (day numbers), for the tracking curve. */
  firstPurchasesByDay: Map<number, number>;
  repeatsByDay: Map<number, number>;
}

function insertDay(days: number[], day: number): boolean {
  const n = days.length;
  if (n === 0 || day > days[n - 1]) {
    days.push(day);
    return true;
  }
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] < day) lo = mid + 1;
    else if (days[mid] > day) hi = mid - 1;
    else return false;
  }
  days.splice(lo, 0, day);
  return true;
}

/** Customers between two steps of finishSteps (a few milliseconds of work). */
const CUSTOMERS_PER_STEP = 8192;

export class BtydAccumulator {
  private readonly customers = new Map<string, CustomerState>();
  private readonly calibrationDay: number | undefined;
  private readonly holdoutDay: number | undefined;
  private latestDay = -Infinity;
  private afterEnd = 0;

  constructor(private readonly options: SummaryOptions) {
    this.calibrationDay = options.calibrationEnd === undefined ? undefined : Math.floor(options.calibrationEnd / DAY_MS);
    this.holdoutDay = options.holdoutEnd === undefined ? undefined : Math.floor(options.holdoutEnd / DAY_MS);
  }

  /** Adds one kept row; false when it was after the last day read and left out. */
  addRow(row: ParsedRow): boolean {
    const day = Math.floor(row.time / DAY_MS);
    const last = this.holdoutDay ?? this.calibrationDay;
    if (last !== undefined && day > last) {
      this.afterEnd++;
      return false;
    }
    if (day > this.latestDay) this.latestDay = day;
    let state = this.customers.get(row.customerId);
    if (state === undefined) {
      state = { days: [], holdoutDays: [], firstValue: 0, total: 0 };
      this.customers.set(row.customerId, state);
    }
    if (this.calibrationDay !== undefined && day > this.calibrationDay) {
      insertDay(state.holdoutDays, day);
      return true;
    }
    const value = lineValue(row);
    const days = state.days;
    if (days.length === 0 || day < days[0]) state.firstValue = value;
    else if (day === days[0]) state.firstValue += value;
    insertDay(days, day);
    state.total += value;
    return true;
  }

  get customerCount(): number {
    return this.customers.size;
  }

  finish(): BtydSummary {
    return runSteps(this.finishSteps());
  }

  /** finish as steps (core/steps.ts): yields every CUSTOMERS_PER_STEP customers, so that it can be interrupted. */
  *finishSteps(): Steps<BtydSummary> {
    const period = this.options.period;
    const periodDays = PERIOD_DAYS[period];
    const calibrationDay = this.calibrationDay ?? this.latestDay;
    const ids = [...this.customers.keys()];
    // In the Map's order, as the ids: no lookup by id per customer below.
    const states = [...this.customers.values()];
    const order = yield* sortOrderSteps(ids);
    const rows: BtydRow[] = [];
    const firstPurchasesByDay = new Map<number, number>();
    const repeatsByDay = new Map<number, number>();
    let firstAfterCalibration = 0;
    yield;
    for (let i = 0; i < ids.length; i++) {
      if ((i + 1) % CUSTOMERS_PER_STEP === 0) yield;
      const id = ids[order[i]];
      const state = states[order[i]];
      const { days, holdoutDays } = state;
      if (days.length === 0) {
        firstAfterCalibration++;
        continue;
      }
      const first = days[0];
      const frequency = days.length - 1;
      firstPurchasesByDay.set(first, (firstPurchasesByDay.get(first) ?? 0) + 1);
      for (let i = 1; i < days.length; i++) repeatsByDay.set(days[i], (repeatsByDay.get(days[i]) ?? 0) + 1);
      for (const day of holdoutDays) repeatsByDay.set(day, (repeatsByDay.get(day) ?? 0) + 1);
      const row: BtydRow = {
        customerId: id,
        frequency,
        recency: (days[frequency] - first) / periodDays,
        T: (calibrationDay - first) / periodDays,
        monetaryValue: frequency > 0 ? (state.total - state.firstValue) / frequency : 0,
      };
      if (this.holdoutDay !== undefined) row.holdoutFrequency = holdoutDays.length;
      rows.push(row);
    }
    return {
      period,
      periodDays,
      calibrationEnd: calibrationDay * DAY_MS,
      holdoutEnd: this.holdoutDay === undefined ? null : this.holdoutDay * DAY_MS,
      holdoutLength: this.holdoutDay === undefined ? 0 : (this.holdoutDay - calibrationDay) / periodDays,
      customers: asTable(rows),
      afterEnd: this.afterEnd,
      firstAfterCalibration,
      firstPurchasesByDay,
      repeatsByDay,
    };
  }
}
