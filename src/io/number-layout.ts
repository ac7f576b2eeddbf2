/**
 * How one number column is written, decided from its values and then verified on every row
 * (EXPORTS-SPEC.md "Values"): the decimal mark (`.` or `,`), a thousands separator, and a currency
 * symbol or ISO code that the column's values carry.
 *
 * - A comma-delimited file (and an .xlsx sheet, whose cells hold numbers) has a decimal point: a
 *   comma there can only group thousands (`"1,234.56"`), and `"5,74"` is not a number.
 * - Otherwise the first value that makes sense one way only decides: `5,74` or `1.234,56` a comma,
 *   `5.74` or `1,234.56` a point. Integers say nothing. `1.234` and `1,234` could be either (1.234
 *   or 1234): such a value waits for the decision (value-layouts.ts holds its row back), and a
 *   column that never decides is an error naming `--decimal`.
 * - After the decision, a value that makes sense only the other way is an error with its line
 *   (summing 5.74 and 5,74 as two different numbers would be silently wrong); a thousands separator
 *   other than the column's first one is the same error. A value that fits neither way (`1,23.4`,
 *   `12abc`) is an invalid number, dropped and counted by the cleaning rules.
 * - A currency (`$12.50`, `12,50 €`, `GBP 12.50`, `-£3`) is stripped; a second currency in the same
 *   column is an error (their sum would mean nothing). Values without one are read as they are:
 *   whichever order the rows come in, the column reads the same.
 * `--decimal` forces the mark: nothing is inferred, and values that do not fit are invalid numbers.
 */
import { dataError } from '../core/errors.js';

export type DecimalMark = '.' | ',';

/** Where a decision came from: a flag, the file's layout, or the value on a line. */
export type DecidedBy =
  | { by: 'flag' }
  | { by: 'delimiter' }
  | { by: 'xlsx' }
  | { by: 'layout'; layout: string }
  | { by: 'value'; line: number; value: string };

/** What was decided for one number column (plain data, for `rfm inspect` and the notes). */
export interface NumberLayout {
  role: 'quantity' | 'price' | 'amount';
  column: string;
  /** null while only integers were seen (either mark reads them the same). */
  decimal: DecimalMark | null;
  decidedBy: DecidedBy | null;
  /** The thousands separator the column uses, or null. */
  thousands: string | null;
  /** The currency symbol or code stripped from the values, or null. */
  currency: string | null;
}

/** Options shared by a file's number columns. */
export interface NumberLayoutOptions {
  file: string;
  /** --decimal. */
  forced?: DecimalMark;
  /** The file's delimiter: a comma (or an xlsx sheet) fixes the decimal point. */
  delimiter: string;
}

/** Counts the columns waiting for a decision (shared by a file's columns; value-layouts.ts). */
export interface WaitCounter {
  waiting: number;
}

const SYMBOLS = '$€£¥₹₩₽₺₪₫฿₴₦₱';
const CURRENCY_FIRST = new RegExp(`^(US\\$|A\\$|C\\$|R\\$|[${SYMBOLS}]|[A-Z]{3}(?=[\\s\\d.,+-]))\\s*`);
const CURRENCY_LAST = new RegExp(`\\s*([${SYMBOLS}]|[A-Z]{3})$`);

const PLAIN_INTEGER = /^\d+$/;
// A thousands separator between groups of three digits: `,` `.` or a (no-break, narrow) space.
const GROUPED = {
  '.': /^\d{1,3}([, \u00a0\u202f])\d{3}(?:\1\d{3})*(?:\.\d+)?$/,
  ',': /^\d{1,3}([. \u00a0\u202f])\d{3}(?:\1\d{3})*(?:,\d+)?$/,
} as const;
const UNGROUPED = { '.': /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/, ',': /^(?:\d+,?\d*|,\d+)$/ } as const;

/** The body (no sign, no currency) read with `mark` as the decimal mark; NaN when it does not fit. */
function readAs(body: string, mark: DecimalMark): { value: number; thousands: string | null } {
  let plain: string;
  let thousands: string | null = null;
  if (UNGROUPED[mark].test(body)) {
    plain = body;
  } else {
    const grouped = GROUPED[mark].exec(body);
    if (grouped === null) return { value: NaN, thousands: null };
    thousands = grouped[1];
    plain = body.split(thousands).join('');
  }
  const value = Number(mark === ',' ? plain.replace(',', '.') : plain);
  // 1e400 is Infinity: no sale is that large, and parseNumber refuses it too.
  return { value: Number.isFinite(value) ? value : NaN, thousands };
}

const separatorName = (s: string) => (s === ' ' || s === '\u00a0' || s === '\u202f' ? 'space' : `"${s}"`);

export class NumberColumn {
  /** The decimal mark, once decided (or forced). */
  mark: DecimalMark | undefined;
  private decidedBy: DecidedBy | null = null;
  private thousands: { separator: string; line: number; value: string } | undefined;
  /** The column's currency, from the first value that carries one. */
  private currency: { code: string; line: number; value: string } | undefined;
  private firstAmbiguous: { line: number; value: string; point: number; comma: number } | undefined;
  private readonly forced: boolean;

  constructor(
    readonly role: NumberLayout['role'],
    readonly column: string,
    /** 0-based field index, for error columns. */
    readonly index: number,
    private readonly options: NumberLayoutOptions,
    private readonly counter: WaitCounter,
  ) {
    this.forced = options.forced !== undefined;
    if (options.forced !== undefined) {
      this.mark = options.forced;
      this.decidedBy = { by: 'flag' };
    } else if (options.delimiter === ',' || options.delimiter === 'xlsx') {
      this.mark = '.';
      this.decidedBy = { by: options.delimiter === ',' ? 'delimiter' : 'xlsx' };
    }
  }

  /**
   * True when plain decimals (`-?digits[.digits]`) mean what they say, so that the fast path may
   * read them from the bytes (view.decimalInto) without this reader: the mark is a point. (Plain
   * values decide nothing else: a currency or thousands separator is never plain.)
   */
  get plainDecimals(): boolean {
    return this.mark === '.';
  }

  /** Reads one value (`line` for errors and notes); NaN when it is not a number. */
  parse(text: string, line: number): number {
    let t = text.trim();
    if (t.length === 0) return NaN;
    let negative = false;
    if (t.charCodeAt(0) === 45 || t.charCodeAt(0) === 43) {
      negative = t.charCodeAt(0) === 45;
      t = t.slice(1);
    }
    const first = CURRENCY_FIRST.exec(t);
    if (first !== null) {
      this.sawCurrency(first[1], text, line);
      t = t.slice(first[0].length);
      if (t.charCodeAt(0) === 45 || t.charCodeAt(0) === 43) {
        if (negative || t.length === 1) return NaN;
        negative = t.charCodeAt(0) === 45;
        t = t.slice(1);
      }
    } else {
      const last = CURRENCY_LAST.exec(t);
      if (last !== null && last.index > 0) {
        this.sawCurrency(last[1], text, line);
        t = t.slice(0, last.index);
      }
    }
    const value = this.readBody(t, text, line);
    return negative ? -value : value;
  }

  private readBody(body: string, text: string, line: number): number {
    if (PLAIN_INTEGER.test(body)) return Number(body);
    if (this.mark !== undefined) {
      const read = readAs(body, this.mark);
      if (read.value === read.value) {
        if (read.thousands !== null) this.sawThousands(read.thousands, text, line);
        return read.value;
      }
      // Sense only the other way round, in a column whose mark was inferred: the contradiction.
      if (this.decidedBy?.by === 'value' && !Number.isNaN(readAs(body, this.other()).value)) {
        throw this.contradiction(text, line);
      }
      return NaN;
    }
    const point = readAs(body, '.');
    const comma = readAs(body, ',');
    const pointOk = point.value === point.value;
    const commaOk = comma.value === comma.value;
    if (pointOk && commaOk && point.value !== comma.value) {
      // `1.234` or `1,234`: 1.234 one way, 1234 the other. The row waits for the column's decision.
      if (this.firstAmbiguous === undefined) {
        this.firstAmbiguous = { line, value: text, point: point.value, comma: comma.value };
        this.counter.waiting++;
      }
      return point.value;
    }
    if (pointOk !== commaOk) {
      const mark: DecimalMark = pointOk ? '.' : ',';
      const read = pointOk ? point : comma;
      this.decide(mark, text, line);
      if (read.thousands !== null) this.sawThousands(read.thousands, text, line);
      return read.value;
    }
    // The same either way (`1 234`) or no number at all.
    if (pointOk && point.thousands !== null) this.sawThousands(point.thousands, text, line);
    return pointOk ? point.value : NaN;
  }

  /** This column met an ambiguous value and has not decided yet. */
  get waiting(): boolean {
    return this.firstAmbiguous !== undefined && this.mark === undefined;
  }

  private decide(mark: DecimalMark, text: string, line: number): void {
    if (this.firstAmbiguous !== undefined) this.counter.waiting--;
    this.mark = mark;
    this.decidedBy = { by: 'value', line, value: text };
  }

  private other(): DecimalMark {
    return this.mark === '.' ? ',' : '.';
  }

  private contradiction(text: string, line: number): Error {
    const decided = this.decidedBy as { line: number; value: string };
    const name = (m: DecimalMark) => (m === '.' ? 'a decimal point' : 'a decimal comma');
    return dataError(
      `${this.role} column "${this.column}" mixes decimal marks: "${decided.value}" on line ${decided.line} has ${name(this.mark!)}, "${text}" on line ${line} ${name(this.other())}`,
      { file: this.options.file, line, column: this.index + 1, hint: 'give --decimal . or --decimal , (values that do not fit are then dropped as invalid numbers), or fix the column' },
    );
  }

  private sawThousands(separator: string, text: string, line: number): void {
    if (this.thousands === undefined) {
      this.thousands = { separator, line, value: text };
      return;
    }
    const mine = this.thousands.separator;
    const same = mine === separator || (separatorName(mine) === 'space' && separatorName(separator) === 'space');
    if (!same && !this.forced) {
      throw dataError(
        `${this.role} column "${this.column}" mixes thousands separators: "${this.thousands.value}" on line ${this.thousands.line} uses ${separatorName(mine)}, "${text}" on line ${line} uses ${separatorName(separator)}`,
        { file: this.options.file, line, column: this.index + 1, hint: 'fix the column so that it groups thousands one way (or not at all), or give --decimal' },
      );
    }
  }

  private sawCurrency(code: string, text: string, line: number): void {
    if (this.currency === undefined) {
      this.currency = { code, line, value: text };
      return;
    }
    if (this.currency.code !== code) {
      throw dataError(
        `${this.role} column "${this.column}" mixes currencies: "${this.currency.value}" on line ${this.currency.line} and "${text}" on line ${line}`,
        { file: this.options.file, line, column: this.index + 1, hint: 'convert the amounts to one currency first: RFM sums them' },
      );
    }
  }

  /** The error for a column still waiting at the end (or after too many rows). */
  ambiguityError(within?: string): Error {
    const first = this.firstAmbiguous!;
    return dataError(
      `${this.role} column "${this.column}" has no value that tells a decimal point from a thousands separator${within ?? ''}: "${first.value}" on line ${first.line} may be ${first.point} or ${first.comma}`,
      { file: this.options.file, line: first.line, column: this.index + 1, hint: 'say which with --decimal . or --decimal ,' },
    );
  }

  describe(): NumberLayout {
    return {
      role: this.role,
      column: this.column,
      decimal: this.mark ?? null,
      decidedBy: this.decidedBy,
      thousands: this.thousands?.separator ?? null,
      currency: this.currency?.code ?? null,
    };
  }
}
