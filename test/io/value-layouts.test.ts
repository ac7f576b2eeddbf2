/**
 * Values decided per column, then verified on every row (EXPORTS-SPEC.md "Values"): the day/month
 * order of slashed dates, the decimal mark, thousands separators and currency of number columns.
 * Each case runs both readers of a delimited file (the fast byte reader through loadCustomers, and
 * the general rows() path through readTable without a fast sink), which must agree; expected RFM
 * values are worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING, type CleaningReport } from '../../src/core/clean.js';
import { RfmError } from '../../src/core/errors.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import type { InputSource } from '../../src/io/source.js';
import { readTable } from '../../src/io/table.js';
import { transactionScanner } from '../../src/io/transactions.js';
import { NumberColumn } from '../../src/io/number-layout.js';
import { MAX_WAITING_ROWS, type ValueLayouts } from '../../src/io/value-layouts.js';
import { valueNote } from '../../src/render/value-note.js';

const base: LoadOptions = { columns: {}, cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
const DAY = 86_400_000;

const sourceOf = (text: string, name = 'tx.csv'): InputSource => ({
  name,
  kind: 'text',
  bytes: (async function* () {
    yield Buffer.from(text, 'utf8');
  })(),
});

type Row = [string, number, number, number];

/** Both readers; returns RFM rows [id, recency, frequency, monetary (2 dp)], the report and the layouts. */
async function readBoth(text: string, options: Partial<LoadOptions> = {}) {
  const loaded = await loadCustomers(sourceOf(text), { ...base, ...options });
  const fast = loaded.customers.map((c): Row => [c.customerId, c.recency, c.frequency, Math.round(c.monetary * 100) / 100]);
  // The general path: rows(), kept rows' values collected in order.
  const kept: [string, number, number][] = [];
  const scanner = transactionScanner(sourceOf(text), { ...base, ...options }, (_fields, p) =>
    kept.push([p.customerId, p.time, p.hasAmount ? p.amount : p.quantity * p.price]),
  );
  await readTable(sourceOf(text), { header: (f, d) => void scanner.header(f, d), rows: (r, l) => scanner.rows(r, l) });
  const report = scanner.report();
  expect(report).toEqual({ ...loaded.report!, dropped: { ...loaded.report!.dropped, after_as_of: 0 } });
  expect(scanner.layouts()).toEqual(loaded.layouts);
  return { rfm: fast, report: loaded.report as CleaningReport, layouts: loaded.layouts as ValueLayouts, kept };
}

/** The RfmError both readers throw (they must throw the same one). */
async function errorOfBoth(text: string, options: Partial<LoadOptions> = {}): Promise<RfmError> {
  const errors: unknown[] = [];
  await loadCustomers(sourceOf(text), { ...base, ...options }).catch((e: unknown) => errors.push(e));
  const scanner = transactionScanner(sourceOf(text), { ...base, ...options }, () => undefined);
  await readTable(sourceOf(text), { header: (f, d) => void scanner.header(f, d), rows: (r, l) => scanner.rows(r, l) })
    .then(() => scanner.report())
    .catch((e: unknown) => errors.push(e));
  expect(errors).toHaveLength(2);
  expect(errors[0]).toBeInstanceOf(RfmError);
  const [a, b] = errors as RfmError[];
  expect([b.message, b.kind, b.line, b.column]).toEqual([a.message, a.kind, a.line, a.column]);
  return a;
}

const H = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n';

describe('dates: the day/month order of a slashed column is decided by a value that can only be one', () => {
  it('D/M: ambiguous rows wait for the first day above 12, then are read day first', async () => {
    // 3/4 and 5/4 wait; 25/4 decides D/M: A buys 3 Apr and 25 Apr, B 5 Apr. As-of 26 Apr.
    // A: recency 1, F 2, M 20; B: recency 21, F 1, M 10. (Read M/D, 5/4 would be 4 May.)
    const { rfm, layouts, kept } = await readBoth(H + '1,3/4/2024,1,10,A\n2,5/4/2024,1,10,B\n3,25/4/2024 10:00,1,10,A\n');
    expect(rfm).toEqual([
      ['A', 1, 2, 20],
      ['B', 21, 1, 10],
    ]);
    // Kept rows go on in input order, with the decided reading.
    expect(kept.map(([id, t]) => [id, new Date(t).toISOString().slice(0, 10)])).toEqual([
      ['A', '2024-04-03'],
      ['B', '2024-04-05'],
      ['A', '2024-04-25'],
    ]);
    expect(layouts.date).toEqual({ column: 'InvoiceDate', layout: 'D/M/YYYY', order: 'dmy', decidedBy: { by: 'value', line: 4, value: '25/4/2024 10:00' } });
    expect(valueNote(layouts)).toBe('values: date "InvoiceDate" D/M/YYYY (day first: "25/4/2024 10:00" on line 4)');
  });

  it('M/D: a second field above 12 decides month first (Superstore-style 11/8/2016, date only)', async () => {
    // 11/8 = Nov 8, 1/8 = Jan 8, 11/28 decides. As-of Nov 29. A: Nov 28 → 1, F 2, M 30; B: Jan 8 → 326 days.
    const { rfm, layouts } = await readBoth(H + '1,11/8/2016,1,10,A\n2,1/8/2016,1,10,B\n3,11/28/2016,2,10,A\n');
    expect(rfm).toEqual([
      ['A', 1, 2, 30],
      ['B', 326, 1, 10],
    ]);
    expect(layouts.date?.order).toBe('mdy');
  });

  it('a column ambiguous throughout is an error naming --date-format dmy|mdy, with the first ambiguous line and column', async () => {
    const e = await errorOfBoth(H + '1,3/4/2024,1,10,A\n2,5/4/2024,1,10,B\n');
    expect(e.kind).toBe('data');
    expect(e.message).toBe('date column "InvoiceDate" has no date with a day above 12, so "3/4/2024" on line 2 may be day first or month first');
    expect([e.file, e.line, e.column]).toEqual(['tx.csv', 2, 2]);
    expect(e.hint).toBe('say which with --date-format dmy (D/M/YYYY) or --date-format mdy (M/D/YYYY)');
  });

  it('both orders in one column: an error with the line and column of the first contradiction', async () => {
    const e = await errorOfBoth(H + '1,25/4/2024,1,10,A\n2,3/4/2024,1,10,B\n3,4/25/2024,1,10,A\n4,4/26/2024,1,10,A\n');
    expect(e.kind).toBe('data');
    expect(e.message).toBe(
      'date column "InvoiceDate" mixes date orders: "25/4/2024" on line 2 is day first (D/M/YYYY), "4/25/2024" on line 4 is month first (M/D/YYYY)',
    );
    expect([e.line, e.column]).toEqual([4, 2]);
    expect(e.hint).toContain('--date-format dmy');
  });

  it('the contradiction is found after rows were held back, too', async () => {
    const e = await errorOfBoth(H + '1,3/4/2024,1,10,A\n2,4/25/2024,1,10,A\n3,25/4/2024,1,10,B\n');
    expect([e.line, e.message]).toEqual([4, expect.stringContaining('"4/25/2024" on line 3 is month first') as unknown]);
  });

  it('--date-format forces the order: nothing inferred, values only the other order reads are invalid dates', async () => {
    // dmy: 3/4 = 3 Apr, 4/25 is invalid (month 25); as-of 4 Apr.
    const dmy = await readBoth(H + '1,3/4/2024,1,10,A\n2,4/25/2024,1,10,A\n', { dateOrder: 'dmy' });
    expect(dmy.rfm).toEqual([['A', 1, 1, 10]]);
    expect(dmy.report.dropped.invalid_date).toBe(1);
    expect(dmy.layouts.date).toMatchObject({ order: 'dmy', decidedBy: { by: 'flag' } });
    expect(valueNote(dmy.layouts)).toBeUndefined();
    // mdy: 3/4 = 4 Mar, 4/25 = 25 Apr; as-of 26 Apr → recency 1, F 2.
    const mdy = await readBoth(H + '1,3/4/2024,1,10,A\n2,4/25/2024,1,10,A\n', { dateOrder: 'mdy' });
    expect(mdy.rfm).toEqual([['A', 1, 2, 20]]);
    // ymd: slashed D/M/Y values are not year-first dates.
    const ymd = await readBoth(H + '1,3/4/2024,1,10,A\n2,2024/04/25,1,10,A\n', { dateOrder: 'ymd' });
    expect(ymd.rfm).toEqual([['A', 1, 1, 10]]);
    expect(ymd.report.dropped.invalid_date).toBe(1);
  });

  it('layouts whose order is fixed need no decision: ISO, zone offsets (as UTC instants), D.M.YYYY, month names', async () => {
    // Shopify-style: 22:30 -0500 on Jan 5 is Jan 6 03:30 UTC. B's 5 Jan 2024 (month name) = Jan 5.
    // C: 6.1.2024 (D.M.YYYY) = Jan 6. As-of = Jan 7: A 1 day, B 2 days, C 1 day.
    const { rfm, layouts } = await readBoth(H + '1,2024-01-05 22:30:00 -0500,1,10,A\n2,5 January 2024,1,10,B\n3,6.1.2024,1,10,C\n');
    expect(rfm).toEqual([
      ['A', 1, 1, 10],
      ['B', 2, 1, 10],
      ['C', 1, 1, 10],
    ]);
    expect(layouts.date).toEqual({ column: 'InvoiceDate', layout: 'YYYY-MM-DD HH:MM ±zone', order: null, decidedBy: null });
  });

  it('the UCI Online Retail header is month first as published, and still verified', async () => {
    const UCI = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n';
    // Only days <= 12: read M/D without a flag. 12/1/2010 = Dec 1, 12/3/2010 = Dec 3; as-of Dec 4.
    const { rfm, layouts } = await readBoth(UCI + '536365,85123A,X,1,12/1/2010 8:26,2.55,17850,UK\n536366,22633,Y,1,12/3/2010 8:28,1.85,13047,UK\n');
    expect(rfm).toEqual([
      ['13047', 1, 1, 1.85],
      ['17850', 3, 1, 2.55],
    ]);
    expect(layouts.date).toMatchObject({ order: 'mdy', decidedBy: { by: 'layout', layout: 'UCI Online Retail' } });
    const e = await errorOfBoth(UCI + '536365,85123A,X,1,12/1/2010 8:26,2.55,17850,UK\n536366,22633,Y,1,13/1/2010 8:28,1.85,13047,UK\n');
    expect(e.message).toBe(
      'date column "InvoiceDate" mixes date orders: the UCI Online Retail layout is month first (M/D/YYYY), "13/1/2010 8:28" on line 3 is day first (D/M/YYYY)',
    );
    expect([e.line, e.column]).toEqual([3, 5]);
  });

  it(`rows are held back ${MAX_WAITING_ROWS} at most: beyond that, the same error`, async () => {
    const lines = Array.from({ length: MAX_WAITING_ROWS + 1 }, (_, i) => `${i},${(i % 12) + 1}/${(i % 11) + 1}/2024,1,10,A`);
    const e = await errorOfBoth(H + lines.join('\n') + '\n1,25/4/2024,1,10,A\n');
    expect(e.message).toContain(`in the 100,000 rows from line 2`);
    expect([e.line, e.column]).toEqual([2, 2]);
  });
});

const S = 'Invoice;InvoiceDate;Quantity;Price;Customer ID\n';

describe('numbers: decimal mark, thousands and currency decided per column', () => {
  it('a decimal comma is inferred when the delimiter is not a comma (5,74; 1.234,50)', async () => {
    // A: 2 × 5,74 = 11.48; B: 1 × 1.234,50 = 1234.5.
    const { rfm, layouts } = await readBoth(S + '1;2024-01-05;2;5,74;A\n2;2024-01-06;1;1.234,50;B\n');
    expect(rfm).toEqual([
      ['A', 2, 1, 11.48],
      ['B', 1, 1, 1234.5],
    ]);
    expect(layouts.numbers.find((n) => n.role === 'price')).toEqual({
      role: 'price',
      column: 'Price',
      decimal: ',',
      decidedBy: { by: 'value', line: 2, value: '5,74' },
      thousands: '.',
      currency: null,
    });
    expect(valueNote(layouts)).toBe('values: price "Price" decimal comma ("5,74" on line 2), thousands separator "."');
  });

  it('refused when the delimiter is a comma: "5,74" is then not a number, "1,234.50" is 1234.5', async () => {
    const { rfm, report, layouts } = await readBoth(H + '1,2024-01-05,1,"5,74",A\n2,2024-01-06,1,"1,234.50",B\n');
    expect(rfm).toEqual([['B', 1, 1, 1234.5]]);
    expect(report.dropped.invalid_number).toBe(1);
    expect(layouts.numbers.find((n) => n.role === 'price')).toMatchObject({ decimal: '.', decidedBy: { by: 'delimiter' }, thousands: ',' });
  });

  it('a value that could be either (1.234) waits for the column to decide', async () => {
    // Line 2's 1.234 waits; 5,5 on line 3 decides a comma: 1.234 is 1234. A: 1234 + 5.5.
    const { rfm } = await readBoth(S + '1;2024-01-05;1;1.234;A\n2;2024-01-05;1;5,5;A\n');
    expect(rfm).toEqual([['A', 1, 2, 1239.5]]);
    // ... or a point: 2.5 decides, 1.234 is 1.234 (A: 1.234 + 2.5 = 3.734).
    const point = await readBoth(S + '1;2024-01-05;1;1.234;A\n2;2024-01-05;1;2.5;A\n');
    expect(point.rfm).toEqual([['A', 1, 2, 3.73]]);
    expect(point.layouts.numbers.find((n) => n.role === 'price')?.decimal).toBe('.');
  });

  it('a column never deciding between 1.234 and 1234 is an error naming --decimal', async () => {
    const e = await errorOfBoth(S + '1;2024-01-05;1;1.234;A\n2;2024-01-05;2;7;A\n');
    expect(e.message).toBe('price column "Price" has no value that tells a decimal point from a thousands separator: "1.234" on line 2 may be 1.234 or 1234');
    expect([e.kind, e.line, e.column, e.hint]).toEqual(['data', 2, 4, 'say which with --decimal . or --decimal ,']);
  });

  it('both marks in one column: an error with the line of the first contradiction', async () => {
    const e = await errorOfBoth(S + '1;2024-01-05;1;5,74;A\n2;2024-01-05;1;7;A\n3;2024-01-05;1;2.50;A\n');
    expect(e.message).toBe('price column "Price" mixes decimal marks: "5,74" on line 2 has a decimal comma, "2.50" on line 4 a decimal point');
    expect([e.line, e.column]).toEqual([4, 4]);
  });

  it('thousands separators used inconsistently: an error (two separators) or an invalid number (bad grouping)', async () => {
    const e = await errorOfBoth(S + '1;2024-01-05;1;1.234,50;A\n2;2024-01-05;1;1 234,50;A\n');
    expect(e.message).toBe('price column "Price" mixes thousands separators: "1.234,50" on line 2 uses ".", "1 234,50" on line 3 uses space');
    expect([e.line, e.column]).toEqual([3, 4]);
    const grouping = await readBoth(S + '1;2024-01-05;1;1.234,50;A\n2;2024-01-05;1;12.34,50;A\n3;2024-01-05;1;1234,50;A\n');
    // 12.34,50 groups wrong (dropped); 1234,50 has no separator (kept): A = 1234.5 + 1234.5.
    expect(grouping.rfm).toEqual([['A', 1, 2, 2469]]);
    expect(grouping.report.dropped.invalid_number).toBe(1);
  });

  it('space thousands separators (1 234,56)', async () => {
    const { rfm } = await readBoth(S + '1;2024-01-05;1;1 234,56;A\n2;2024-01-05;1;2\u00a0000,44;A\n');
    expect(rfm).toEqual([['A', 1, 2, 3235]]);
  });

  it('--decimal forces the mark: nothing inferred, values that do not fit are invalid', async () => {
    // --decimal ,: 1.234 is 1234 at once; 2.50 does not fit (dropped). A: 1234.
    const comma = await readBoth(S + '1;2024-01-05;1;1.234;A\n2;2024-01-05;1;2.50;A\n', { decimal: ',' });
    expect(comma.rfm).toEqual([['A', 1, 1, 1234]]);
    expect(comma.report.dropped.invalid_number).toBe(1);
    expect(comma.layouts.numbers.find((n) => n.role === 'price')).toMatchObject({ decimal: ',', decidedBy: { by: 'flag' } });
    // --decimal .: 5,74 does not fit (dropped), 1.234 is 1.234.
    const point = await readBoth(S + '1;2024-01-05;1;5,74;A\n2;2024-01-05;1;1.234;A\n', { decimal: '.' });
    expect(point.rfm).toEqual([['A', 1, 1, 1.23]]);
    expect(point.report.dropped.invalid_number).toBe(1);
  });

  it('a currency the column carries is stripped and reported once ($12.50, -$3 → -3 is a non-positive price)', async () => {
    const { rfm, report, layouts } = await readBoth(H + '1,2024-01-05,2,$12.50,A\n2,2024-01-05,1,$3,A\n3,2024-01-05,1,-$3,A\n');
    expect(rfm).toEqual([['A', 1, 2, 28]]);
    expect(report.dropped.nonpositive_price).toBe(1);
    expect(layouts.numbers.find((n) => n.role === 'price')?.currency).toBe('$');
    expect(valueNote(layouts)).toBe('values: price "Price" currency $ stripped');
  });

  it.each([
    ['12,50 €', '7,25 €', '€', 19.75],
    ['€12.50', '€7.25', '€', 19.75],
    ['GBP 12.50', 'GBP 7.25', 'GBP', 19.75],
    ['£3', '£4', '£', 7],
    ['12.50 EUR', '7.25 EUR', 'EUR', 19.75],
  ])('currency %s, %s → %s stripped', async (first, second, code, total) => {
    const { rfm, layouts } = await readBoth(S + `1;2024-01-05;1;${first};A\n2;2024-01-05;1;${second};A\n`);
    expect(rfm).toEqual([['A', 1, 2, total]]);
    expect(layouts.numbers.find((n) => n.role === 'price')?.currency).toBe(code);
  });

  it('two currencies in one column are an error; values without one are read as they are, in any order', async () => {
    const e = await errorOfBoth(H + '1,2024-01-05,1,$12.50,A\n2,2024-01-05,1,€3,A\n');
    expect(e.message).toBe('price column "Price" mixes currencies: "$12.50" on line 2 and "€3" on line 3');
    expect([e.line, e.column, e.hint]).toEqual([3, 4, 'convert the amounts to one currency first: RFM sums them']);
    // 12.50 + $3 = 15.5 whichever comes first.
    const late = await readBoth(H + '1,2024-01-05,1,12.50,A\n2,2024-01-05,1,$3,A\n');
    const early = await readBoth(H + '1,2024-01-05,1,$3,A\n2,2024-01-05,1,12.50,A\n');
    expect(late.rfm).toEqual([['A', 1, 2, 15.5]]);
    expect(early.rfm).toEqual(late.rfm);
    expect(late.layouts.numbers.find((n) => n.role === 'price')?.currency).toBe('$');
  });

  it('plain columns of a comma file stay plain (no note), and exponents still read as before', async () => {
    const { rfm, layouts } = await readBoth(H + '1,2024-01-05,1e1,2.5,A\n');
    expect(rfm).toEqual([['A', 1, 1, 25]]);
    expect(valueNote(layouts)).toBeUndefined();
    expect(layouts.encoding).toBe('utf-8');
  });
});

describe('NumberColumn on its own', () => {
  const column = (delimiter: string, forced?: ',' | '.') => new NumberColumn('price', 'Price', 3, { file: 'f.csv', delimiter, forced }, { waiting: 0 });

  it('an xlsx sheet has a decimal point (its cells hold numbers): 1.234 is 1.234 at once', () => {
    const c = column('xlsx');
    expect(c.parse('1.234', 2)).toBe(1.234);
    expect(c.describe()).toMatchObject({ decimal: '.', decidedBy: { by: 'xlsx' } });
    expect(c.parse('5,74', 3)).toBeNaN();
  });

  it.each([
    ['12', 12],
    [' 7 ', 7],
    ['+5', 5],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1,234,567.5', 1234567.5],
    ['$-3', -3],
    ['-$3', -3],
  ])('comma-delimited: %j → %d (what parseNumber reads, plus thousands and currency)', (text, want) => {
    expect(column(',').parse(text, 2)).toBe(want);
  });

  it.each(['', 'abc', '1e400', 'Infinity', '0x10', '--1', '1,23.5', '1.2.3', '5,74', '$', '- 5'])('comma-delimited: %j is not a number', (text) => {
    expect(column(',').parse(text, 2)).toBeNaN();
  });

  it('a semicolon file: integers decide nothing; 1.234.567 can only group thousands (a comma)', () => {
    const c = column(';');
    expect(c.parse('7', 2)).toBe(7);
    expect(c.describe().decimal).toBeNull();
    expect(c.parse('1.234.567', 3)).toBe(1234567);
    expect(c.describe()).toMatchObject({ decimal: ',', thousands: '.' });
  });
});

describe('dates and numbers waiting together', () => {
  it('rows wait until every waiting column decided, and go on in order', async () => {
    // Line 2 waits on both; line 3 decides the date (D/M) but the price still waits; line 4 decides the comma.
    // A: 3 Apr 1234 + 25 Apr 1 + 26 Apr 2,5 → as-of 27 Apr, recency 1, F 3, M 1237.5.
    const text = S + '1;3/4/2024;1;1.234;A\n2;25/4/2024;1;1;A\n3;26/4/2024;1;2,5;A\n';
    const { rfm, kept } = await readBoth(text);
    expect(rfm).toEqual([['A', 1, 3, 1237.5]]);
    expect(kept.map(([, t, v]) => [(t - Date.UTC(2024, 3, 3)) / DAY, v])).toEqual([
      [0, 1234],
      [22, 1],
      [23, 2.5],
    ]);
  });
});
