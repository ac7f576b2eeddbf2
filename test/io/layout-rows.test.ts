/**
 * The per-row work of the export layouts through the real read path (loadCustomers), with answers
 * worked out by hand from the fixtures: Shopify's order-level fill-down and whole-order drops,
 * Stripe's refunds, the drop warnings with their first bad value, and RFM-table ids.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING, type CleaningOptions } from '../../src/core/clean.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import { warningText } from '../../src/io/drop-warnings.js';
import { openInput } from '../../src/io/source.js';
import { transactionScanner } from '../../src/io/transactions.js';
import { fixture } from '../cli/helpers.js';

const base: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
const cleaning = (over: Partial<CleaningOptions>) => ({ ...DEFAULT_CLEANING, ...over });

async function load(path: string, options: Partial<LoadOptions> = {}) {
  return loadCustomers(await openInput(path, new PassThrough()), { ...base, ...options });
}

async function loadText(text: string, options: Partial<LoadOptions> = {}) {
  const source = { name: 'tx.csv', kind: 'text' as const, bytes: (async function* () { yield Buffer.from(text); })() };
  return loadCustomers(source, { ...base, ...options });
}

const simple = (customers: { customerId: string; recency: number; frequency: number; monetary: number }[]) =>
  customers.map((c) => [c.customerId, c.recency, c.frequency, Math.round(c.monetary * 100) / 100]);

describe('Shopify: order-level fields filled down within an order', () => {
  it('a refunded order (status on its first line only) and a cancelled order (Cancelled at on its first line only) are dropped whole', async () => {
    const loaded = await load(fixture('io', 'shopify.csv'));
    // #1001 (2×10 + 5.50) and #1005 (12.00) for a; #1002 (20 + 3×1) for b; #1003 refunded (2 lines),
    // #1004 cancelled (2 lines), #1006 pending (1 line) dropped.
    expect(loaded.report!.dropped.status).toBe(5);
    expect(loaded.report!.dropped.invalid_number).toBe(0); // the blank Subtotal, Total, … of later lines
    expect(loaded.report!.rowsKept).toBe(5);
    // As-of: #1005 at 2024-01-11T04:30Z + 1 day; b's last purchase 2024-01-06T13:00Z is 5.6 days before.
    expect(simple(loaded.customers)).toEqual([
      ['a@example.com', 1, 2, 37.5],
      ['b@example.com', 5, 1, 23],
    ]);
  });

  it('--keep-status keeps every line (and the status of later lines no longer matters)', async () => {
    const loaded = await load(fixture('io', 'shopify.csv'), { cleaning: cleaning({ keepStatus: true }) });
    expect(loaded.report!.rowsKept).toBe(10);
    expect(simple(loaded.customers)).toEqual([
      ['a@example.com', 1, 3, 137.5],
      ['b@example.com', 5, 1, 23],
      ['c@example.com', 3, 1, 15],
      ['d@example.com', 1, 1, 9],
    ]);
  });
});

describe('the byte-level fast path stays for files without layout columns', () => {
  const scanner = (header: string) => {
    const source = { name: 'tx.csv', kind: 'text' as const, bytes: (async function* () {})() };
    const s = transactionScanner(source, { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING }, () => undefined);
    s.header(header.split(','), ',');
    return s;
  };

  it('UCI and Superstore: a fast sink; Shopify, Stripe, WooCommerce or any status column: the row path', () => {
    expect(scanner('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country').fastSink(() => undefined)).toBeDefined();
    expect(scanner('Row ID,Order ID,Order Date,Customer ID,Sales').fastSink(() => undefined)).toBeDefined();
    expect(scanner('Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem price').fastSink(() => undefined)).toBeUndefined();
    expect(scanner('id,Created date (UTC),Amount,Status,Customer ID').fastSink(() => undefined)).toBeUndefined();
    expect(scanner('Order ID,Order Status,Order Date,Customer Email,Order Total').fastSink(() => undefined)).toBeUndefined();
    expect(scanner('CustomerID,date,amount,status').fastSink(() => undefined)).toBeUndefined();
  });
});

describe('Stripe: Amount − Amount Refunded', () => {
  it('a partial refund is subtracted; a full refund, a Refunded or Failed status and a blank customer are dropped', async () => {
    const loaded = await load(fixture('io', 'stripe.csv'));
    expect(loaded.report!.dropped).toMatchObject({ missing_customer: 1, status: 3 });
    // cus_A 50 + (30 − 10); cus_B ch_8 10 (ch_3 Refunded, ch_4 refunded in full); cus_C ch_6 60 (ch_5 Failed).
    expect(simple(loaded.customers)).toEqual([
      ['cus_A', 6, 2, 70],
      ['cus_B', 1, 1, 10],
      ['cus_C', 3, 1, 60],
    ]);
  });

  it('--keep-refunds: amounts as exported (ch_4, Paid, kept at 25)', async () => {
    const loaded = await load(fixture('io', 'stripe.csv'), { cleaning: cleaning({ keepRefunds: true }) });
    expect(simple(loaded.customers)).toEqual([
      ['cus_A', 6, 2, 80],
      ['cus_B', 1, 2, 35],
      ['cus_C', 3, 1, 60],
    ]);
  });

  it('--keep-status: Failed kept, a full refund still dropped; with --keep-refunds too, everything', async () => {
    const status = await load(fixture('io', 'stripe.csv'), { cleaning: cleaning({ keepStatus: true }) });
    expect(simple(status.customers)).toEqual([
      ['cus_A', 6, 2, 70],
      ['cus_B', 1, 1, 10],
      ['cus_C', 3, 2, 75],
    ]);
    const both = await load(fixture('io', 'stripe.csv'), { cleaning: cleaning({ keepStatus: true, keepRefunds: true }) });
    expect(simple(both.customers)).toEqual([
      ['cus_A', 6, 2, 80],
      ['cus_B', 1, 3, 75],
      ['cus_C', 3, 2, 75],
    ]);
  });
});

describe('drop warnings: the column, the first bad value with its line, the flag', () => {
  const rows = [
    '1,2024-01-01,10',
    '2,2024-13-45,5',
    '3,2024-01-03,7',
    '4,2024-01-04,abc',
    '5,2024-01-05,3',
    '6,2024-01-06,4',
    '7,2024-01-07,2',
    '8,2024-01-08,1',
    '9,2024-01-09,1',
    '10,2024-01-10,1',
  ];
  const log = 'CustomerID,InvoiceDate,amount\n' + rows.join('\n') + '\n';

  it.each([
    ['the fast path', {}],
    ['the row path (--dedupe)', { cleaning: cleaning({ dedupe: true }) }],
  ])('an invalid date and an invalid number in columns that otherwise parse (%s)', async (_path, options) => {
    const loaded = await loadText(log, options);
    expect(loaded.warnings.map(warningText)).toEqual([
      '1 row (10.0 %) dropped for unparseable dates in column "InvoiceDate", which otherwise parses: first "2024-13-45" on line 3; give the order with --date-format dmy|mdy|ymd, or pick the column with --date-col NAME',
      '1 row (10.0 %) dropped for unparseable numbers in column "amount", which otherwise parses: first "abc" on line 5; give the decimal mark with --decimal ,|., or pick the column with --amount-col, --quantity-col or --price-col',
    ]);
  });

  it('a rule dropping more than 20 % of the rows', async () => {
    const text = 'CustomerID,InvoiceDate,amount\n' + ['1,2024-01-01,1', ',2024-01-02,1', 'NA,2024-01-03,1', '2,2024-01-04,1', '3,2024-01-05,1'].join('\n') + '\n';
    const loaded = await loadText(text);
    expect(loaded.warnings.map(warningText)).toEqual([
      'rule missing_customer dropped 2 of 5 rows (40.0 %) in column "CustomerID": first blank on line 3; pick the customer column with --customer-col NAME',
    ]);
  });

  it('counts with thousands separators', async () => {
    const text = 'CustomerID,InvoiceDate,amount\n' + Array.from({ length: 1500 }, (_, i) => (i < 1200 ? `,2024-01-01,1` : `${i},2024-01-01,1`)).join('\n') + '\n';
    expect((await loadText(text)).warnings.map(warningText)).toEqual([
      'rule missing_customer dropped 1,200 of 1,500 rows (80.0 %) in column "CustomerID": first blank on line 2; pick the customer column with --customer-col NAME',
    ]);
  });

  it('exactly 20 % is not loud; nothing to say on a clean file', async () => {
    const text = 'CustomerID,InvoiceDate,amount\n' + ['1,2024-01-01,1', ',2024-01-02,1', '2,2024-01-03,1', '3,2024-01-04,1', '4,2024-01-05,1'].join('\n') + '\n';
    expect((await loadText(text)).warnings).toEqual([]);
  });

  it('Shopify: the status drop names the status column and the first refunded order', async () => {
    const loaded = await load(fixture('io', 'shopify.csv'));
    expect(loaded.warnings.map(warningText)).toEqual([
      'rule status dropped 5 of 10 rows (50.0 %) in column "Financial Status": first "refunded" on line 6; keep them with --keep-status (a refund subtracted: --keep-refunds)',
    ]);
  });
});

describe('RFM tables: float ids normalised like logs', () => {
  it.each([
    ['comma-separated (the byte reader)', 'customer_id,recency,frequency,monetary\n12346.0,325,1,77183.6\n00007,1,2,3\n'],
    ['whitespace-separated (the row reader)', 'customer_id recency frequency monetary\n12346.0 325 1 77183.6\n00007 1 2 3\n'],
  ])('12346.0 becomes 12346, 00007 stays (%s)', async (_how, text) => {
    const loaded = await loadText(text);
    expect(loaded.kind).toBe('rfm');
    expect(loaded.customers.map((c) => c.customerId)).toEqual(['00007', '12346']);
  });
});
