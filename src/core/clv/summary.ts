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
import { grow } from '../typed-arrays.js';
import { PERIOD_DAYS, type BtydTable, type Period } from './data.js';
import { sortOrderSteps } from './sort.js';

export interface SummaryOptions {
  period: Period;
  /** Last day (ms at UTC midnight) of the calibration period, inclusive; undefined = the latest purchase day. */
  calibrationEnd?: number;
  /** Last day of the holdout period, inclusive (validation); rows after it are left out. */
  holdoutEnd?: number;
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

/**
 * Each customer's distinct purchase days as a linked list in flat arrays (entry e: day[e], and
 * next[e], the customer's entry before it, -1 at the end): no array per customer for the garbage
 * collector to copy while the log is read.
 */
class DayLists {
  day = new Int32Array(4096);
  next = new Int32Array(4096);
  size = 0;

  /** Adds `day` in front of the list starting at `head`; returns the new head. */
  push(head: number, day: number): number {
    if (this.size === this.day.length) {
      this.day = grow(this.day);
      this.next = grow(this.next);
    }
    const e = this.size++;
    this.day[e] = day;
    this.next[e] = head;
    return e;
  }

  has(head: number, day: number): boolean {
    for (let e = head; e >= 0; e = this.next[e]) if (this.day[e] === day) return true;
    return false;
  }
}

/** Customers between two steps of finishSteps (a few milliseconds of work). */
const CUSTOMERS_PER_STEP = 8192;

export class BtydAccumulator {
  /*
   * Per-customer state in columns indexed by the customer's number (its order of appearance), as
   * RfmAccumulator keeps it: the calibration days' count, first and last day, the first day's value
   * and the total; the holdout days' count and last day; the heads of both day lists.
   */
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  private dayCount = new Int32Array(1024);
  private firstDay = new Int32Array(1024);
  private lastDay = new Int32Array(1024);
  private dayHead = new Int32Array(1024);
  private holdoutCount = new Int32Array(1024);
  private holdoutLast = new Int32Array(1024);
  private holdoutHead = new Int32Array(1024);
  private firstValue = new Float64Array(1024);
  private total = new Float64Array(1024);
  private readonly days = new DayLists();
  private readonly holdoutDays = new DayLists();
  // The rows of a customer usually come together: the last one is found again by comparing strings
  // (the same string object on the readers' fast path) instead of hashing.
  private lastId: string | undefined = undefined;
  private lastIndex = -1;
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
    const c = row.customerId === this.lastId ? this.lastIndex : this.customer(row.customerId);
    this.lastId = row.customerId;
    this.lastIndex = c;
    if (this.calibrationDay !== undefined && day > this.calibrationDay) {
      const n = this.holdoutCount[c];
      if (n === 0 || day > this.holdoutLast[c] || (day !== this.holdoutLast[c] && !this.holdoutDays.has(this.holdoutHead[c], day))) {
        this.holdoutHead[c] = this.holdoutDays.push(n === 0 ? -1 : this.holdoutHead[c], day);
        if (n === 0 || day > this.holdoutLast[c]) this.holdoutLast[c] = day;
        this.holdoutCount[c] = n + 1;
      }
      return true;
    }
    const value = lineValue(row);
    const n = this.dayCount[c];
    const first = this.firstDay[c];
    if (n === 0 || day < first) this.firstValue[c] = value;
    else if (day === first) this.firstValue[c] += value;
    // Rows in time order (the usual log) only ever add a day after the last one.
    if (n === 0 || day > this.lastDay[c] || (day !== this.lastDay[c] && day !== first && !this.days.has(this.dayHead[c], day))) {
      this.dayHead[c] = this.days.push(n === 0 ? -1 : this.dayHead[c], day);
      if (n === 0 || day > this.lastDay[c]) this.lastDay[c] = day;
      if (n === 0 || day < first) this.firstDay[c] = day;
      this.dayCount[c] = n + 1;
    }
    this.total[c] += value;
    return true;
  }

  /** The number of a customer, numbering a new one next (with zeroed columns). */
  private customer(id: string): number {
    const known = this.index.get(id);
    if (known !== undefined) return known;
    const c = this.ids.length;
    this.index.set(id, c);
    this.ids.push(id);
    if (c === this.dayCount.length) {
      this.dayCount = grow(this.dayCount);
      this.firstDay = grow(this.firstDay);
      this.lastDay = grow(this.lastDay);
      this.dayHead = grow(this.dayHead);
      this.holdoutCount = grow(this.holdoutCount);
      this.holdoutLast = grow(this.holdoutLast);
      this.holdoutHead = grow(this.holdoutHead);
      this.firstValue = grow(this.firstValue);
      this.total = grow(this.total);
    }
    return c;
  }

  get customerCount(): number {
    return this.ids.length;
  }

  finish(): BtydSummary {
    return runSteps(this.finishSteps());
  }

  /** finish as steps (core/steps.ts): yields every CUSTOMERS_PER_STEP customers, so that it can be interrupted. */
  *finishSteps(): Steps<BtydSummary> {
    const period = this.options.period;
    const periodDays = PERIOD_DAYS[period];
    const calibrationDay = this.calibrationDay ?? this.latestDay;
    const ids = this.ids;
    const order = yield* sortOrderSteps(ids);
    const { dayCount, firstDay, lastDay, dayHead, holdoutCount, holdoutHead, firstValue, total, days, holdoutDays } = this;
    let size = 0;
    for (let c = 0; c < ids.length; c++) if (dayCount[c] > 0) size++;
    const kept: string[] = new Array<string>(size);
    const frequency = new Float64Array(size);
    const recency = new Float64Array(size);
    const T = new Float64Array(size);
    const monetary = new Float64Array(size);
    const holdout = this.holdoutDay === undefined ? null : new Float64Array(size);
    const firstPurchasesByDay = new Map<number, number>();
    const repeatsByDay = new Map<number, number>();
    const count = (byDay: Map<number, number>, day: number) => byDay.set(day, (byDay.get(day) ?? 0) + 1);
    yield;
    let i = 0;
    for (let k = 0; k < ids.length; k++) {
      if ((k + 1) % CUSTOMERS_PER_STEP === 0) yield;
      const c = order[k];
      // Customers whose first purchase is after the calibration end are left out (firstAfterCalibration).
      if (dayCount[c] === 0) continue;
      const first = firstDay[c];
      const x = dayCount[c] - 1;
      count(firstPurchasesByDay, first);
      for (let e = dayHead[c]; e >= 0; e = days.next[e]) if (days.day[e] !== first) count(repeatsByDay, days.day[e]);
      if (holdoutCount[c] > 0) for (let e = holdoutHead[c]; e >= 0; e = holdoutDays.next[e]) count(repeatsByDay, holdoutDays.day[e]);
      kept[i] = ids[c];
      frequency[i] = x;
      recency[i] = (lastDay[c] - first) / periodDays;
      T[i] = (calibrationDay - first) / periodDays;
      monetary[i] = x > 0 ? (total[c] - firstValue[c]) / x : 0;
      if (holdout !== null) holdout[i] = holdoutCount[c];
      i++;
    }
    const customers: BtydTable = { size, id: (j) => kept[j], frequency, recency, T, monetary, holdout };
    return {
      period,
      periodDays,
      calibrationEnd: calibrationDay * DAY_MS,
      holdoutEnd: this.holdoutDay === undefined ? null : this.holdoutDay * DAY_MS,
      holdoutLength: this.holdoutDay === undefined ? 0 : (this.holdoutDay - calibrationDay) / periodDays,
      customers,
      afterEnd: this.afterEnd,
      firstAfterCalibration: ids.length - size,
      firstPurchasesByDay,
      repeatsByDay,
    };
  }
}
