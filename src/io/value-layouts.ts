/**
 * How a transaction log's values are written, decided per column from the values themselves and
 * then verified on every row (EXPORTS-SPEC.md "Values"): the date column's day/month order, and
 * each number column's decimal mark, thousands separator and currency (number-layout.ts).
 *
 * Why decide as the rows come rather than from a sample read ahead: a sample can be inconclusive
 * (a log sorted by date whose first weeks are all days 1-12), and the fast path never holds rows.
 * Here a value that one order reads one way and the other another (`3/4/2024`, `1.234`) makes its
 * row wait, with every row after it (their order is kept), until a value that makes sense one way
 * only decides the column (transactions.ts holds them back, MAX_WAITING_ROWS at most); a column
 * still undecided at the end is an error naming the flag. No row is ever read under a guess, and a
 * log whose columns decide on their first values (every Online Retail, ISO or CDNOW file) never
 * holds a row back. After the decision, a value that only the other order reads is the
 * contradiction error, with its line.
 */
import { dataError } from '../core/errors.js';
import { normalizeName } from './columns.js';
import { dateLayoutName, orderEvidence, parseTimestamp, type DateOrder } from './dates.js';
import { NumberColumn, type DecidedBy, type DecimalMark, type NumberLayout, type WaitCounter } from './number-layout.js';

/** Rows held back while a column waits for its decision; beyond this the wait is an error. */
export const MAX_WAITING_ROWS = 100_000;

/** The text encoding an input was read in (source.ts). */
export type EncodingName = 'utf-8' | 'latin1' | 'utf-16le' | 'utf-16be';

/** What was decided for the date column (plain data). */
export interface DateLayout {
  column: string;
  /** The layout of its first valid value, e.g. `YYYY-MM-DD`, `D/M/YYYY`; null when none was valid. */
  layout: string | null;
  /** The day/month order of slashed dates; null when none was seen (or none decided). */
  order: DateOrder | null;
  decidedBy: DecidedBy | null;
}

/** Everything the read path decided about how values are written: `rfm inspect` prints it. */
export interface ValueLayouts {
  encoding: EncodingName;
  date: DateLayout | null;
  numbers: NumberLayout[];
}

/** Distinct date texts a DateColumn keeps the reading of. */
const FIXED_VALUES = 50_000;

export class DateColumn {
  /** The day/month order, once decided (or forced by --date-format). */
  order: DateOrder | undefined;
  private decidedBy: DecidedBy | null = null;
  private firstAmbiguous: { line: number; value: string } | undefined;
  private firstValue: string | undefined;
  private readonly forced: boolean;
  // The last value read (the general path has no FieldMemo: consecutive rows often repeat it).
  private lastText: string | undefined;
  private lastValue = NaN;
  /** The last value read could be either order, read before the order was decided. */
  private lastPending = false;
  /**
   * Values whose reading depends on the text alone (a layout with a fixed order, or any value once
   * the order is forced), read before: a log repeats its dates, mostly not on consecutive rows
   * (CDNOW's 69,659 rows have 546 days). At most FIXED_VALUES of them; when that many were met
   * with fewer hits than values (timestamps to the second, say), the Map is dropped and no longer
   * asked.
   */
  private fixed: Map<string, number> | undefined = new Map<string, number>();
  private fixedHits = 0;

  constructor(
    readonly column: string,
    /** 0-based field index, for error columns. */
    readonly index: number,
    private readonly file: string,
    forced: DateOrder | undefined,
    private readonly counter: WaitCounter,
    /** A known export's documented order (still verified: a value only the other order reads is an error). */
    known?: { order: DateOrder; layout: string },
  ) {
    this.forced = forced !== undefined;
    this.order = forced ?? known?.order;
    if (forced !== undefined) this.decidedBy = { by: 'flag' };
    else if (known !== undefined) this.decidedBy = { by: 'layout', layout: known.layout };
  }

  get waiting(): boolean {
    return this.firstAmbiguous !== undefined && this.order === undefined;
  }

  /** Reads one value (`line` for errors); NaN when it is not a valid date. */
  parse(text: string, line: number): number {
    if (text === this.lastText && !(this.lastPending && this.order !== undefined)) return this.lastValue;
    let ms = this.fixed?.get(text);
    if (ms !== undefined) {
      this.fixedHits++;
      this.lastText = text;
      this.lastValue = ms;
      this.lastPending = false;
      return ms;
    }
    let pending = false;
    if (this.forced) {
      ms = this.remember(text, parseTimestamp(text, this.order));
    } else {
      const evidence = orderEvidence(text);
      if (evidence === 'none') {
        ms = this.remember(text, parseTimestamp(text)); // a layout whose order is fixed
      } else if (evidence === 'neither') {
        ms = NaN;
      } else if (evidence === 'either') {
        if (this.order === undefined) {
          if (this.firstAmbiguous === undefined) {
            this.firstAmbiguous = { line, value: text };
            this.counter.waiting++;
          }
          pending = true;
        }
        // Provisional while pending (valid either way, since both fields are <= 12): re-read later.
        ms = parseTimestamp(text, this.order ?? 'mdy');
      } else {
        if (this.order === undefined) {
          if (this.firstAmbiguous !== undefined) this.counter.waiting--;
          this.order = evidence;
          this.decidedBy = { by: 'value', line, value: text };
        } else if (this.order !== evidence) {
          throw this.contradiction(text, line, evidence);
        }
        ms = parseTimestamp(text, evidence);
      }
    }
    if (this.firstValue === undefined && ms === ms) this.firstValue = text;
    this.lastText = text;
    this.lastValue = ms;
    this.lastPending = pending;
    return ms;
  }

  private remember(text: string, ms: number): number {
    const fixed = this.fixed;
    if (fixed === undefined) return ms;
    if (fixed.size < FIXED_VALUES) fixed.set(text, ms);
    else if (this.fixedHits < FIXED_VALUES) this.fixed = undefined;
    return ms;
  }

  private contradiction(text: string, line: number, evidence: DateOrder): Error {
    const decided = this.decidedBy!;
    const name = (o: DateOrder) => (o === 'dmy' ? 'day first (D/M/YYYY)' : 'month first (M/D/YYYY)');
    const first = decided.by === 'value' ? `"${decided.value}" on line ${decided.line} is` : decided.by === 'layout' ? `the ${decided.layout} layout is` : 'the order is';
    return dataError(
      `date column "${this.column}" mixes date orders: ${first} ${name(this.order!)}, "${text}" on line ${line} is ${name(evidence)}`,
      { file: this.file, line, column: this.index + 1, hint: 'give --date-format dmy or --date-format mdy (dates that do not fit are then dropped as invalid), or fix the column' },
    );
  }

  ambiguityError(within?: string): Error {
    const first = this.firstAmbiguous!;
    return dataError(
      `date column "${this.column}" has no date with a day above 12${within ?? ''}, so "${first.value}" on line ${first.line} may be day first or month first`,
      { file: this.file, line: first.line, column: this.index + 1, hint: 'say which with --date-format dmy (D/M/YYYY) or --date-format mdy (M/D/YYYY)' },
    );
  }

  describe(): DateLayout {
    return {
      column: this.column,
      layout: this.firstValue === undefined ? null : dateLayoutName(this.firstValue, this.order),
      order: this.order ?? null,
      decidedBy: this.decidedBy,
    };
  }
}


/**
 * The UCI Online Retail exports (I and II: StockCode and InvoiceDate) write slashed dates month
 * first (`12/1/2010 8:26`, the US export of the workbook, DESIGN.md §2): a sample of one that holds
 * only days 1-12 reads without a flag, as it always did. Still verified on every row.
 */
function knownDateOrder(header: string[]): { order: DateOrder; layout: string } | undefined {
  const names = new Set(header.map(normalizeName));
  return names.has('stockcode') && names.has('invoicedate') ? { order: 'mdy', layout: 'UCI Online Retail' } : undefined;
}

export interface ValueOptions {
  file: string;
  /** The file's delimiter, or 'xlsx'. */
  delimiter: string;
  /** --date-format; undefined = inferred. */
  dateOrder?: DateOrder;
  /** --decimal; undefined = inferred. */
  decimal?: DecimalMark;
}

/** The roles whose values are read here, with their 0-based column indexes (-1 = absent). */
export interface ValueColumns {
  date: number;
  quantity: number;
  price: number;
  amount: number;
}

/** The readers of one file's date and number columns. */
export class ValueReaders {
  /** How many columns wait for a decision (rows are held back while it is not 0). */
  readonly counter: WaitCounter = { waiting: 0 };
  readonly date: DateColumn;
  readonly quantity: NumberColumn | undefined;
  readonly price: NumberColumn | undefined;
  readonly amount: NumberColumn | undefined;

  constructor(header: string[], columns: ValueColumns, options: ValueOptions) {
    this.date = new DateColumn(header[columns.date], columns.date, options.file, options.dateOrder, this.counter, knownDateOrder(header));
    const numbers = { file: options.file, forced: options.decimal, delimiter: options.delimiter };
    const number = (role: NumberLayout['role'], i: number) => (i < 0 ? undefined : new NumberColumn(role, header[i], i, numbers, this.counter));
    this.quantity = number('quantity', columns.quantity);
    this.price = number('price', columns.price);
    this.amount = number('amount', columns.amount);
  }

  /** The error for the first column still waiting (`within`: e.g. " in its first 100,000 rows"). */
  ambiguityError(within?: string): Error {
    if (this.date.waiting) return this.date.ambiguityError(within);
    const column = [this.quantity, this.price, this.amount].find((c) => c?.waiting === true)!;
    return column.ambiguityError(within);
  }

  describe(encoding: EncodingName): ValueLayouts {
    return {
      encoding,
      date: this.date.describe(),
      numbers: [this.quantity, this.price, this.amount].filter((c) => c !== undefined).map((c) => c.describe()),
    };
  }
}
