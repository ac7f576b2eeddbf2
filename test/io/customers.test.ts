/**
 * The whole read path (open → decode → split → detect columns → clean → aggregate) on the tiny
 * fixtures under fixtures/io, with answers worked out by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import { RfmError } from '../../src/core/errors.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import { openInput } from '../../src/io/source.js';
import { fixture, tempDir } from '../cli/helpers.js';

const base: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };

async function load(path: string, options: Partial<LoadOptions> = {}) {
  return loadCustomers(await openInput(path, new PassThrough()), { ...base, ...options });
}

async function loadText(text: string | Buffer, options: Partial<LoadOptions> = {}, name = 'tx.csv') {
  const source = { name, kind: 'text' as const, bytes: (async function* () { yield Buffer.from(text); })() };
  return loadCustomers(source, { ...base, ...options });
}

const simple = (customers: { customerId: string; recency: number; frequency: number; monetary: number }[]) =>
  customers.map((c) => [c.customerId, c.recency, c.frequency, Math.round(c.monetary * 100) / 100]);

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// uci.csv and retail2.csv hold the same 8 lines: as-of = 12/3/2010 8:45 + 1 day.
//   17850: lines 6×2.55 + 6×3.39 (536365) + 6×1.85 (536366), last 12/1 8:28 → 3 d 0:17 → 3, F 2, M 46.74
//   13047: 32×1.69 = 54.08, last 12/1 8:34 → 3, F 1
//   12583: 24×3.75 = 90, last 12/3 8:45 → 1, F 1
//   dropped: cancellation C536379, missing customer (536414), quantity -1 (536381)
const RETAIL_RFM = [
  ['12583', 1, 1, 90],
  ['13047', 3, 1, 54.08],
  ['17850', 3, 2, 46.74],
];

describe('loadCustomers on the real layouts', () => {
  it('UCI Online Retail (M/D/YYYY H:MM, InvoiceNo/UnitPrice/CustomerID)', async () => {
    const loaded = await load(fixture('io', 'uci.csv'));
    expect(loaded.kind).toBe('transactions');
    expect(simple(loaded.customers)).toEqual(RETAIL_RFM);
    expect(loaded.asOf).toBe(Date.UTC(2010, 11, 4, 8, 45));
    expect(loaded.report).toMatchObject({ rowsRead: 8, rowsKept: 5, dropped: { cancelled: 1, missing_customer: 1, nonpositive_quantity: 1 } });
  });

  it('Online Retail II (ISO dates, Invoice/Price/Customer ID) gives the same table', async () => {
    expect(simple((await load(fixture('io', 'retail2.csv'))).customers)).toEqual(RETAIL_RFM);
  });

  it('the same log gzipped', async () => {
    const path = tmp.path('retail2.csv.gz');
    writeFileSync(path, gzipSync(readFileSync(fixture('io', 'retail2.csv'))));
    expect(simple((await load(path)).customers)).toEqual(RETAIL_RFM);
  });

  it.each([
    ['semicolons', ';'],
    ['tabs', '\t'],
  ])('the same log with %s', async (_name, delimiter) => {
    const text = readFileSync(fixture('io', 'retail2.csv'), 'utf8').replace('"HAND WARMER, UNION JACK"', 'HAND WARMER UNION JACK').replace(/,/g, delimiter);
    expect(simple((await loadText(text)).customers)).toEqual(RETAIL_RFM);
  });

  it('the same log with CRLF and a BOM', async () => {
    const text = '\ufeff' + readFileSync(fixture('io', 'retail2.csv'), 'utf8').replace(/\n/g, '\r\n');
    expect(simple((await loadText(text)).customers)).toEqual(RETAIL_RFM);
  });

  it('CDNOW (whitespace, YYYYMMDD, dollar_value, ids with leading zeros, frequency = purchase days)', async () => {
    // as-of 1997-04-03. 00001: Jan 1 → 92 days. 00002: two lines on Jan 12 → 81 days, F 1, 89.
    // 00003: Jan 2, Mar 30, Apr 2 → 1 day, F 3, 61.06. 00004: amount 0.00 → dropped.
    const loaded = await load(fixture('io', 'cdnow.txt'));
    expect(simple(loaded.customers)).toEqual([
      ['00001', 92, 1, 11.77],
      ['00002', 81, 1, 89],
      ['00003', 1, 3, 61.06],
    ]);
    expect(loaded.asOf).toBe(Date.UTC(1997, 3, 3));
    expect(loaded.report!.dropped.nonpositive_price).toBe(1);
    const kept = await load(fixture('io', 'cdnow.txt'), { cleaning: { ...DEFAULT_CLEANING, keepNonpositivePrice: true } });
    expect(simple(kept.customers).map((c) => c[0])).toEqual(['00001', '00002', '00003', '00004']);
  });

  it('latin1 file: read correctly (the £ is in a description, not a number)', async () => {
    const loaded = await load(fixture('io', 'latin1.csv'));
    expect(simple(loaded.customers)).toEqual([
      ['12680', 1, 2, 22.3],
      ['12681', 1, 1, 5.9],
    ]);
  });

  it('quoted commas, quotes and newlines do not shift columns', async () => {
    // 17850: 2×4.95 + 1×1.25 = 11.15, two invoices, last 12/1 08:28; 13047: 3×0.85 + 2 = 4.55, last 12/3 10:00
    const loaded = await load(fixture('io', 'quoted.csv'));
    expect(simple(loaded.customers)).toEqual([
      ['13047', 1, 2, 4.55],
      ['17850', 3, 2, 11.15],
    ]);
  });

  it('BOM file: the first column (CustomerID) is still detected', async () => {
    const loaded = await load(fixture('io', 'bom.csv'));
    expect(simple(loaded.customers)).toEqual([
      ['17850', 2, 1, 15.3],
      ['17851', 1, 1, 10],
    ]);
  });

  it('.xlsx: first sheet by default; --sheet picks another', async () => {
    // first sheet: 13085 lines on 12/1 07:45 (12×6.95 + 12×6.75 = 164.4), 13078 on 12/2 09:06 (59.5);
    // the row without a customer (12/3) is dropped, so as-of = 12/3 09:06
    const first = await load(fixture('io', 'retail.xlsx'));
    expect(simple(first.customers)).toEqual([
      ['13078', 1, 1, 59.5],
      ['13085', 2, 1, 164.4],
    ]);
    expect(first.report!.dropped.missing_customer).toBe(1);
    const second = await load(fixture('io', 'retail.xlsx'), { sheet: 'Year 2010-2011' });
    expect(simple(second.customers)).toEqual([['12680', 1, 2, 26.4]]);
    expect(second.report!.dropped.cancelled).toBe(1);
  });
});

describe('loadCustomers: as-of and date order', () => {
  it('--as-of leaves later rows out and counts them', async () => {
    const loaded = await load(fixture('io', 'uci.csv'), { asOf: Date.UTC(2010, 11, 2) });
    expect(simple(loaded.customers)).toEqual([
      ['13047', 0, 1, 54.08],
      ['17850', 0, 2, 46.74],
    ]);
    expect(loaded.report).toMatchObject({ rowsKept: 4, dropped: { after_as_of: 1 } });
  });

  it('--date-format dmy', async () => {
    const text = 'InvoiceNo,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,1,1/12/2010 10:00,1,A\n2,1,3/12/2010 10:00,1,B\n';
    const dmy = await loadText(text, { dateOrder: 'dmy' });
    expect(simple(dmy.customers)).toEqual([
      ['A', 3, 1, 1],
      ['B', 1, 1, 1],
    ]);
    const mdy = await loadText(text);
    expect(mdy.asOf).toBe(Date.UTC(2010, 2, 13, 10));
  });

  it('only invalid dates: the all-dropped error names the rule', async () => {
    const error = await loadText('CustomerID,InvoiceDate,amount\nA,2011-02-30,5\nB,2011-13-01,5\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RfmError);
    expect((error as RfmError).kind).toBe('data');
    expect((error as RfmError).message).toBe('no rows of tx.csv survive cleaning (2 read; dropped: invalid_date 2)');
  });
});

describe('loadCustomers: RFM tables', () => {
  it('a customer_id,recency,frequency,monetary header is read as an RFM table', async () => {
    const loaded = await loadText('customer_id,recency,frequency,monetary\nb,3,1,10.5\na,1,2,20\n');
    expect(loaded.kind).toBe('rfm');
    expect(simple(loaded.customers)).toEqual([
      ['a', 1, 2, 20],
      ['b', 3, 1, 10.5],
    ]);
  });
});
