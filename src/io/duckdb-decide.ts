/**
 * How `--engine duckdb` decides what the default engine decides row by row (value-layouts.ts): the
 * date column's day/month order and each number column's decimal mark, from counts of the value
 * classes over the whole file (duckdb-values.ts), with the same errors for a contradiction or a
 * column that never decides; and the values SQL leaves aside (`other`), checked with the default
 * engine's own parsers. Where the row-by-row decision could come out otherwise (a decision that
 * depends on rows the fast path skips, a wait longer than MAX_WAITING_ROWS, a value only the
 * default engine reads), it refuses instead.
 */
import { RfmError, dataError, usageError } from '../core/errors.js';
import type { ColumnMapping } from './columns.js';
import type { LoadOptions } from './customers.js';
import { orderEvidence, parseTimestamp, type DateOrder } from './dates.js';
import type { Delimiter } from './table.js';
import type { DuckSession } from './duckdb.js';
import { NumberColumn, type DecimalMark } from './number-layout.js';
import { MAX_WAITING_ROWS, ValueReaders, type ValueLayouts } from './value-layouts.js';

/** Distinct values of a class SQL does not read that are checked with the default engine's parsers. */
const OTHER_VALUES_CHECKED = 1000;

export const fallback = 'drop --engine duckdb to read it with the default engine';

export function refusal(name: string, why: string, hint = fallback): RfmError {
  return usageError(`--engine duckdb cannot read ${name} the way the default engine does: ${why}`, hint);
}


/** The SQL reading one role's column: its text (for CSV and text Parquet columns) or typed value. */
export type ColumnType = 'text' | 'number' | 'timestamp' | 'date';

export interface Relation {
  from: string;
  header: string[];
  /** The SQL expression of header column i (a CSV's positional name, a Parquet column's name). */
  column(i: number): string;
  type(i: number): ColumnType;
  delimiter: Delimiter | 'xlsx' | 'parquet';
  encoding: 'utf-8' | 'latin1';
  /** A FROM item of `columns` (a select list over `from`) and `rn`, each row's number in the file (from 1). */
  numbered(columns: string): string;
  /** True when `rn` counts rows only if the scan runs in file order (DuckSession.inFileOrder). */
  inFileOrder: boolean;
}


export interface Decisions {
  order: DateOrder;
  marks: Partial<Record<'quantity' | 'price' | 'amount', DecimalMark>>;
  layouts: ValueLayouts;
}

export const NUMBER_ROLES = ['quantity', 'price', 'amount'] as const;
export type NumberRole = (typeof NUMBER_ROLES)[number];


export interface ClassCount {
  hasCustomer: boolean;
  dateClass: string;
  evidence: string | null;
  classes: Partial<Record<NumberRole, string>>;
  n: number;
}

/** Evidence for one column: counts of each kind over every row and over rows with a customer. */
interface Evidence {
  all: Map<string, number>;
  customers: Map<string, number>;
}

const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);

function evidenceOf(counts: ClassCount[], key: (c: ClassCount) => string | null | undefined): Evidence {
  const e: Evidence = { all: new Map(), customers: new Map() };
  for (const c of counts) {
    const k = key(c);
    if (k === null || k === undefined) continue;
    add(e.all, k, c.n);
    if (c.hasCustomer) add(e.customers, k, c.n);
  }
  return e;
}

/**
 * The first row (1-based, in file order) where `condition` holds, with `columns` there; undefined
 * when none. `from` holds groups of rows (duckdb-customers.ts), each with `rn`, the number of its
 * first row in the file: the lowest one where the condition holds is that row.
 */
export async function firstRow(db: DuckSession, ctes: string, from: string, condition: string, columns: string): Promise<{ row: number; values: Record<string, unknown> } | undefined> {
  const [found] = await db.rows(`WITH ${ctes}\nSELECT rn, ${columns} FROM ${from} WHERE ${condition} ORDER BY rn LIMIT 1`);
  return found === undefined ? undefined : { row: Number(found.rn), values: found };
}

/** The trimmed text of a number column on a given row (1-based), read from the file. */
export type TextAt = (row: number, role: NumberRole) => Promise<string>;

/** The line of data row `row` (1-based) in a file with a header (a quoted field spanning lines would shift it). */
export const lineOf = (row: number) => row + 1;

/**
 * Decides the date order and each number column's mark from the class counts, as value-layouts.ts
 * decides them row by row; throws the default engine's kind of error for a contradiction or a
 * column that never decides, and refuses where the row-by-row decision could come out otherwise.
 */
export async function decide(
  db: DuckSession,
  ctes: string,
  name: string,
  r: Relation,
  m: ColumnMapping,
  options: LoadOptions,
  counts: ClassCount[],
  others: OtherValues,
  textAt: TextAt,
): Promise<Decisions> {
  const c = m.columns;
  const delimiter = r.delimiter === 'parquet' ? ',' : r.delimiter;
  const readers = new ValueReaders(r.header, c, { file: name, delimiter, dateOrder: options.dateOrder, decimal: options.decimal });
  const layouts = readers.describe(r.encoding);
  const windows: { first: number; decided: number; what: string }[] = [];

  // The date order.
  let order: DateOrder = readers.date.order ?? 'mdy';
  const dateEvidence = evidenceOf(counts, (x) => x.evidence);
  for (const [text, value] of others.date) {
    const e = orderEvidence(text);
    if (e !== 'none') {
      add(dateEvidence.all, e, value.all);
      add(dateEvidence.customers, e, value.customers);
    }
  }
  if (options.dateOrder === undefined) {
    const decision = (map: Map<string, number>) => {
      const dmy = (map.get('dmy') ?? 0) > 0;
      const mdy = (map.get('mdy') ?? 0) > 0;
      const known = readers.date.order;
      if (known !== undefined) return (known === 'dmy' ? mdy : dmy) ? 'contradiction' : known;
      if (dmy && mdy) return 'contradiction';
      if (dmy || mdy) return dmy ? 'dmy' : 'mdy';
      return (map.get('either') ?? 0) > 0 ? 'ambiguous' : 'none';
    };
    const byCustomers = decision(dateEvidence.customers);
    if (byCustomers !== decision(dateEvidence.all)) {
      throw refusal(name, `date column "${r.header[c.date]}" decides its day/month order differently with and without the rows that lack a customer id`, `give --date-format dmy or mdy, or ${fallback}`);
    }
    const column = `date column "${r.header[c.date]}"`;
    if (byCustomers === 'contradiction') {
      throw dataError(`${column} mixes date orders: some dates are day first (D/M/YYYY), others month first (M/D/YYYY)`, {
        file: name,
        column: c.date + 1,
        hint: 'give --date-format dmy or --date-format mdy (dates that do not fit are then dropped as invalid), or fix the column',
      });
    }
    if (byCustomers === 'ambiguous') {
      throw dataError(`${column} has no date with a day above 12, so its dates may be day first or month first`, {
        file: name,
        column: c.date + 1,
        hint: 'say which with --date-format dmy (D/M/YYYY) or --date-format mdy (M/D/YYYY)',
      });
    }
    if ((byCustomers === 'dmy' || byCustomers === 'mdy') && readers.date.order === undefined) {
      order = byCustomers;
      const decided = await firstRow(db, ctes, 'classed', `evidence = '${order}'`, 'date_text');
      if (decided === undefined) throw refusal(name, `the first date deciding the order of ${column} is in a layout SQL does not read`);
      const either = await firstRow(db, ctes, 'classed', `evidence = 'either'`, 'date_text');
      layouts.date = { ...layouts.date!, order, decidedBy: { by: 'value', line: lineOf(decided.row), value: String(decided.values.date_text) } };
      if (either !== undefined && either.row < decided.row) windows.push({ first: either.row, decided: decided.row, what: `the day/month order of ${column}` });
    } else {
      layouts.date = { ...layouts.date!, order: readers.date.order ?? null };
    }
  }

  // The decimal mark of each number column.
  const marks: Decisions['marks'] = {};
  for (const role of NUMBER_ROLES) {
    const i = c[role];
    if (i < 0) continue;
    const reader = readers[role]!;
    if (reader.mark !== undefined || r.type(i) === 'number') {
      marks[role] = reader.mark ?? '.';
      continue;
    }
    const kind = (cls: string | undefined) =>
      cls === 'point' || cls === 'point-grouped' ? 'point' : cls === 'comma' || cls === 'comma-grouped' ? 'comma' : cls === 'point?' || cls === 'comma?' ? 'ambiguous' : null;
    const e = evidenceOf(counts, (x) => kind(x.classes[role]));
    const decision = (map: Map<string, number>) => {
      const point = (map.get('point') ?? 0) > 0;
      const comma = (map.get('comma') ?? 0) > 0;
      if (point && comma) return 'contradiction';
      if (point || comma) return point ? '.' : ',';
      return (map.get('ambiguous') ?? 0) > 0 ? 'ambiguous' : 'none';
    };
    const byCustomers = decision(e.customers);
    const column = `${role} column "${r.header[i]}"`;
    if (byCustomers !== decision(e.all)) throw refusal(name, `${column} decides its decimal mark differently with and without the rows that lack a customer id`, `give --decimal . or --decimal ,, or ${fallback}`);
    if (byCustomers === 'contradiction') {
      throw dataError(`${column} mixes decimal marks: some values have a decimal point, others a decimal comma`, {
        file: name,
        column: i + 1,
        hint: 'give --decimal . or --decimal , (values that do not fit are then dropped as invalid numbers), or fix the column',
      });
    }
    if (byCustomers === 'ambiguous') {
      throw dataError(`${column} has no value that tells a decimal point from a thousands separator (values like 1.234 or 1,234)`, {
        file: name,
        column: i + 1,
        hint: 'say which with --decimal . or --decimal ,',
      });
    }
    const mark: DecimalMark = byCustomers === ',' ? ',' : '.';
    marks[role] = mark;
    const layout = layouts.numbers.find((n) => n.role === role)!;
    if (byCustomers === '.' || byCustomers === ',') {
      const decisive = mark === '.' ? `${role}_class IN ('point', 'point-grouped')` : `${role}_class IN ('comma', 'comma-grouped')`;
      const decided = (await firstRow(db, ctes, 'classed', decisive, `${role}_class`))!;
      const either = await firstRow(db, ctes, 'classed', `${role}_class IN ('point?', 'comma?')`, `${role}_class`);
      layout.decimal = mark;
      layout.decidedBy = { by: 'value', line: lineOf(decided.row), value: await textAt(decided.row, role) };
      if (either !== undefined && either.row < decided.row) windows.push({ first: either.row, decided: decided.row, what: `the decimal mark of ${column}` });
    }
    const grouped = counts.some((x) => x.classes[role] === (mark === '.' ? 'point-grouped' : 'comma-grouped') || x.classes[role] === (mark === '.' ? 'comma?' : 'point?'));
    if (grouped) layout.thousands = mark === '.' ? ',' : '.';
  }
  for (const role of NUMBER_ROLES) {
    const i = c[role];
    if (i < 0 || readers[role]?.mark === undefined) continue;
    const mark = readers[role]!.mark!;
    const grouped = counts.some((x) => x.classes[role] === (mark === '.' ? 'point-grouped' : 'comma-grouped') || x.classes[role] === (mark === '.' ? 'comma?' : 'point?'));
    if (grouped) layouts.numbers.find((n) => n.role === role)!.thousands = mark === '.' ? ',' : '.';
  }
  // Rows wait while a column is undecided (value-layouts.ts): at most MAX_WAITING_ROWS of them.
  if (windows.length > 0) {
    const first = Math.min(...windows.map((w) => w.first));
    const decided = Math.max(...windows.map((w) => w.decided));
    if (decided - first >= MAX_WAITING_ROWS - 1) {
      throw refusal(name, `${windows[0].what} is decided only on line ${lineOf(decided)}, more than ${MAX_WAITING_ROWS} rows after an ambiguous value on line ${lineOf(first)}`, 'give --date-format or --decimal');
    }
  }
  return { order, marks, layouts };
}

/** Distinct texts SQL does not read, per column: how often each occurs over all rows and customer rows. */
export interface OtherValues {
  date: Map<string, { all: number; customers: number }>;
  numbers: Partial<Record<NumberRole, Map<string, { all: number; customers: number }>>>;
}

export async function otherValues(db: DuckSession, ctes: string, name: string, m: ColumnMapping, counts: ClassCount[]): Promise<OtherValues> {
  const result: OtherValues = { date: new Map(), numbers: {} };
  const fetch = async (textColumn: string, classColumn: string, what: string) => {
    // In file order (first occurrence): a refusal names the value the default engine would meet first,
    // the same one on every run (a GROUP BY alone comes back in whatever order the threads finish).
    const map = new Map<string, { all: number; customers: number }>();
    // (`classed` holds groups of rows: `n` rows each, the first on row `rn`.)
    const rows = await db.rows(
      `WITH ${ctes}\nSELECT ${textColumn} AS v, CAST(sum(n) AS DOUBLE) AS n, CAST(coalesce(sum(n) FILTER (WHERE customer_id <> ''), 0) AS DOUBLE) AS nc FROM classed WHERE ${classColumn} = 'other' GROUP BY ALL ORDER BY min(rn) LIMIT ${OTHER_VALUES_CHECKED + 1}`,
    );
    if (rows.length > OTHER_VALUES_CHECKED) {
      throw refusal(name, `${what} has more than ${OTHER_VALUES_CHECKED} distinct values in layouts SQL does not read`);
    }
    for (const row of rows) map.set(String(row.v), { all: Number(row.n), customers: Number(row.nc) });
    return map;
  };
  if (counts.some((x) => x.dateClass === 'other')) result.date = await fetch('date_text', 'date_class', `date column`);
  for (const role of NUMBER_ROLES) {
    if (m.columns[role] >= 0 && counts.some((x) => x.classes[role] === 'other')) result.numbers[role] = await fetch(`${role}_other`, `${role}_class`, `${role} column`);
  }
  return result;
}

/** Refuses when the default engine reads one of the values SQL leaves aside: the engines would differ. */
export function checkOthers(name: string, r: Relation, m: ColumnMapping, options: LoadOptions, others: OtherValues): void {
  for (const text of others.date.keys()) {
    const orders: DateOrder[] = options.dateOrder !== undefined ? [options.dateOrder] : ['mdy', 'dmy'];
    if (orders.some((o) => !Number.isNaN(parseTimestamp(text, o)))) {
      throw refusal(name, `date "${text}" in column "${r.header[m.columns.date]}" is in a layout --engine duckdb does not read (it reads YYYY-MM-DD[ HH:MM[:SS]][ zone], YYYY/MM/DD, YYYYMMDD, D/M/YYYY or M/D/YYYY, D.M.YYYY, DD-MM-YYYY)`);
    }
  }
  const delimiter = r.delimiter === 'parquet' ? ',' : r.delimiter;
  for (const role of NUMBER_ROLES) {
    const values = others.numbers[role];
    if (values === undefined) continue;
    const i = m.columns[role];
    for (const text of values.keys()) {
      const fresh = new NumberColumn(role, r.header[i], i, { file: name, forced: options.decimal, delimiter }, { waiting: 0 });
      let read: number;
      try {
        read = fresh.parse(text, 0);
      } catch {
        read = 0;
      }
      if (!Number.isNaN(read) || fresh.waiting || fresh.describe().currency !== null) {
        throw refusal(name, `${role} "${text}" in column "${r.header[i]}" is written in a way --engine duckdb does not read (it reads plain numbers like 1234.50, 1,234.50 or 1234,50)`);
      }
    }
  }
}
