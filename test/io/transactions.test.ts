import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING, type CleaningOptions, type CleaningReport } from '../../src/core/clean.js';
import { RfmError } from '../../src/core/errors.js';
import type { InputSource } from '../../src/io/source.js';
import { readTable } from '../../src/io/table.js';
import { nothingKeptError, parseNumber, transactionScanner } from '../../src/io/transactions.js';

describe('parseNumber: strict decimal numbers', () => {
  it.each([
    ['12', 12],
    ['2.55', 2.55],
    ['-1', -1],
    ['+5', 5],
    ['.5', 0.5],
    ['12.', 12],
    ['1e3', 1000],
    ['1.5E-2', 0.015],
    ['0', 0],
    ['-0.00', -0],
    [' 7 ', 7],
  ])('%j → %d', (text, want) => {
    expect(parseNumber(text)).toBe(want);
  });

  it.each(['', '   ', '1,234.50', '€12', '£3.40', '12 EUR', 'Infinity', '-Infinity', 'NaN', '1e400', '-1e400', '0x10', '0x0', '0b11', '0o7', '1_000', '2,55', 'abc', '--1', '1.2.3'])(
    '%j is unparseable (NaN)',
    (text) => {
      expect(parseNumber(text)).toBeNaN();
    },
  );
});

/** Scans text through the cleaning rules; returns the report and the kept rows. */
async function scan(text: string, cleaning: Partial<CleaningOptions> = {}, name = 'tx.csv') {
  const source: InputSource = { name, kind: 'text', bytes: (async function* () { yield Buffer.from(text, 'utf8'); })() };
  const kept: { fields: string[]; customerId: string; time: number; value: number }[] = [];
  const scanner = transactionScanner(source, { columns: {}, dateOrder: 'mdy', cleaning: { ...DEFAULT_CLEANING, ...cleaning } }, (fields, p) => {
    kept.push({ fields: [...fields], customerId: p.customerId, time: p.time, value: p.hasAmount ? p.amount : p.quantity * p.price });
  });
  await readTable(source, { header: (f, d) => void scanner.header(f, d), rows: (r, l) => scanner.rows(r, l) });
  return { report: scanner.report(), kept };
}

async function scanError(text: string): Promise<RfmError> {
  try {
    await scan(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RfmError);
    return error as RfmError;
  }
  throw new Error('expected an RfmError');
}

const HEADER = 'Invoice,Quantity,InvoiceDate,Price,Customer ID\n';

describe('transactionScanner: each cleaning rule is counted', () => {
  const log =
    HEADER +
    [
      '1,2,2011-01-01 10:00,1.5,100', // kept
      '2,1,2011-01-01 10:00,1,', // missing customer (empty)
      '3,1,2011-01-01 10:00,1,NaN', // missing customer (pandas NA string)
      '4,1,2011-01-01 10:00,1,NULL', // missing customer
      'C5,-1,2011-01-01 10:00,1,100', // cancellation
      '6,0,2011-01-01 10:00,1,100', // quantity 0
      '7,-3,2011-01-01 10:00,1,100', // quantity < 0
      '8,1,2011-01-01 10:00,0,100', // price 0
      '9,1,2011-01-01 10:00,-2,100', // price < 0
      '10,1,2011-02-30 10:00,1,100', // invalid date (Feb 30)
      '11,1,2011-13-01 10:00,1,100', // invalid date (month 13)
      '12,1,not a date,1,100', // invalid date
      '13,"1,23.50",2011-01-01 10:00,1,100', // unparseable number (thousands grouped wrong)
      '14,1,2011-01-01 10:00,12€3,100', // unparseable number
      '15,Infinity,2011-01-01 10:00,1,100', // unparseable number
      '16,1,2011-01-01 10:00,1e400,100', // unparseable number
      '17,1,2011-01-02 10:00,3,200.0', // kept, id 200
    ].join('\n') +
    '\n';

  it('counts every rule and keeps the rest', async () => {
    const { report, kept } = await scan(log);
    expect(report).toEqual<CleaningReport>({
      source: 'tx.csv',
      rowsRead: 17,
      rowsKept: 2,
      dropped: {
        missing_customer: 3,
        cancelled: 1,
        status: 0,
        invalid_date: 3,
        invalid_number: 4,
        nonpositive_quantity: 2,
        nonpositive_price: 2,
        duplicate: 0,
        after_as_of: 0,
      },
    });
    expect(kept.map((k) => [k.customerId, k.value])).toEqual([
      ['100', 3],
      ['200', 3],
    ]);
  });

  it('--keep-cancelled, --keep-nonpositive-quantity, --keep-nonpositive-price each turn one rule off', async () => {
    const c = await scan(log, { keepCancelled: true });
    expect(c.report.dropped.cancelled).toBe(0);
    // the cancellation has quantity -1: the quantity rule catches it instead
    expect(c.report.dropped.nonpositive_quantity).toBe(3);
    const q = await scan(log, { keepNonpositiveQuantity: true });
    expect(q.report.dropped.nonpositive_quantity).toBe(0);
    expect(q.report.rowsKept).toBe(4);
    const p = await scan(log, { keepNonpositivePrice: true });
    expect(p.report.dropped.nonpositive_price).toBe(0);
    expect(p.report.rowsKept).toBe(4);
    const all = await scan(log, { keepCancelled: true, keepNonpositiveQuantity: true, keepNonpositivePrice: true });
    expect(all.report.rowsKept).toBe(7);
    expect(all.report.dropped).toMatchObject({ missing_customer: 3, invalid_date: 3, invalid_number: 4 });
  });

  it('an amount column: amount <= 0 is dropped as nonpositive_price', async () => {
    const { report } = await scan('customer_id date dollar_value\n1 19970101 0.00\n1 19970102 -3\n2 19970101 5\n3 19970101 5$5\n');
    expect(report.dropped).toMatchObject({ nonpositive_price: 2, invalid_number: 1 });
    expect(report.rowsKept).toBe(1);
  });

  it('a blank or hex number is unparseable, not 0 or 16', async () => {
    const { report } = await scan(HEADER + '1, ,2011-01-01,1,100\n2,1,2011-01-01, ,100\n3,0x10,2011-01-01,1,100\n');
    expect(report.dropped).toMatchObject({ invalid_number: 3, nonpositive_quantity: 0, nonpositive_price: 0 });
  });

  it('--dedupe drops exact duplicate lines (off by default)', async () => {
    const text = HEADER + '1,2,2011-01-01 10:00,1.5,100\n1,2,2011-01-01 10:00,1.5,100\n1,3,2011-01-01 10:00,1.5,100\n1,2,2011-01-01 10:00,1.5,100\n';
    expect((await scan(text)).report.rowsKept).toBe(4);
    const d = await scan(text, { dedupe: true });
    expect(d.report.rowsKept).toBe(2);
    expect(d.report.dropped.duplicate).toBe(2);
  });

  it('customer ids are text: 17850.0 → 17850, 00001 stays 00001', async () => {
    const { kept } = await scan(HEADER + '1,1,2011-01-01,1,17850.0\n2,1,2011-01-01,1,00001\n3,1,2011-01-01,1,17850\n');
    expect(kept.map((k) => k.customerId)).toEqual(['17850', '00001', '17850']);
    // the row itself is passed on as read
    expect(kept[0].fields[4]).toBe('17850.0');
  });

  it('dates are parsed as UTC in every layout', async () => {
    const { kept } = await scan(
      'Invoice,Quantity,InvoiceDate,Price,Customer ID\n' +
        '1,1,2011-01-02 03:04:05,1,a\n2,1,2011-01-02T03:04:05Z,1,a\n3,1,2011-01-02T05:04:05+02:00,1,a\n4,1,1/2/2011 3:04:05,1,a\n',
    );
    expect(new Set(kept.map((k) => k.time))).toEqual(new Set([Date.UTC(2011, 0, 2, 3, 4, 5)]));
  });
});

describe('transactionScanner: errors', () => {
  it('a row with the wrong number of fields names its line', async () => {
    const error = await scanError(HEADER + '1,2,2011-01-01,1.5,100\n2,2,2011-01-01,1.5\n');
    expect(error.kind).toBe('data');
    expect(error.line).toBe(3);
    expect(error.message).toBe('line 3 has 4 fields but the header has 5');
  });

  it('the line number counts the lines of a quoted newline before it', async () => {
    const error = await scanError('Invoice,Description,Quantity,InvoiceDate,Price,Customer ID\n1,"two\nlines",1,2011-01-01,1,5\n2,x,1,2011-01-01,1,5,extra\n');
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/^line 4 has 7 fields/);
  });

  it('a missing column is a data error (exit 4) naming the file', async () => {
    const error = await scanError('Invoice,Quantity,InvoiceDate,Price\n1,1,2011-01-01,1\n');
    expect(error.kind).toBe('data');
    expect(error.message).toBe('no customer column in tx.csv');
  });

  it('nothingKeptError says which rules removed what', () => {
    const error = nothingKeptError({
      source: 'tx.csv',
      rowsRead: 5,
      rowsKept: 0,
      dropped: { missing_customer: 3, cancelled: 0, invalid_date: 2, invalid_number: 0, nonpositive_quantity: 0, nonpositive_price: 0, duplicate: 0, after_as_of: 0 },
    });
    expect(error.kind).toBe('data');
    expect(error.message).toBe('no rows of tx.csv survive cleaning (5 read; dropped: missing_customer 3, invalid_date 2)');
  });

  it('a header with no rows is its own error', () => {
    const error = nothingKeptError({ source: 'tx.csv', rowsRead: 0, rowsKept: 0, dropped: {} as CleaningReport['dropped'] });
    expect(error.message).toBe('tx.csv has a header but no rows');
  });
});
