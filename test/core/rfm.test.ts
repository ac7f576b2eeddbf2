import { describe, expect, it } from 'vitest';
import { DAY_MS, RfmAccumulator } from '../../src/core/rfm.js';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

function aggregate(lines: [string, string, string, number][], asOf?: string, byInvoice = true) {
  const acc = new RfmAccumulator(asOf === undefined ? undefined : at(asOf), byInvoice);
  for (const [id, invoice, time, value] of lines) acc.add(id, invoice, at(time), value);
  return acc.finish();
}

describe('recency: whole days to the as-of date, floored (pandas Timedelta.days)', () => {
  const asOf = '2011-12-10T00:00:00Z';

  it.each([
    ['2011-12-08T01:00:00Z', 1], // 1 day 23 h before → 1
    ['2011-12-09T00:00:01Z', 0], // 23:59:59 before → 0
    ['2011-12-09T00:00:00Z', 1], // exactly 1 day → 1
    ['2011-12-10T00:00:00Z', 0], // at the as-of instant → 0 (kept)
    ['2011-12-07T23:59:59Z', 2], // 2 days and a second → 2
    ['2010-12-10T00:00:00Z', 365],
  ])('last purchase %s → %i', (time, recency) => {
    expect(aggregate([['A', '1', time, 1]], asOf).customers[0].recency).toBe(recency);
  });

  it('uses the LAST purchase, whatever the input order', () => {
    const t = aggregate(
      [
        ['A', '1', '2011-12-01T10:00:00Z', 1],
        ['A', '2', '2011-12-05T10:00:00Z', 1],
        ['A', '3', '2011-11-01T10:00:00Z', 1],
      ],
      asOf,
    );
    expect(t.customers[0].recency).toBe(4);
    expect(t.customers[0].firstPurchase).toBe(at('2011-11-01T10:00:00Z'));
    expect(t.customers[0].lastPurchase).toBe(at('2011-12-05T10:00:00Z'));
  });
});

describe('as-of date', () => {
  it('defaults to the latest kept timestamp + 1 day (so the latest buyer has recency 1)', () => {
    const t = aggregate([
      ['A', '1', '2011-12-09T12:50:00Z', 10],
      ['B', '2', '2011-12-07T12:51:00Z', 10],
      ['C', '3', '2011-12-07T12:49:00Z', 10],
    ]);
    expect(t.asOf).toBe(at('2011-12-10T12:50:00Z'));
    expect(t.customers.map((c) => [c.customerId, c.recency])).toEqual([
      ['A', 1],
      ['B', 2], // 2 days 23:59 → 2
      ['C', 3], // 3 days 00:01 → 3
    ]);
  });

  it('--as-of: rows after it are left out and counted; rows at it are kept', () => {
    const acc = new RfmAccumulator(at('2011-06-01T00:00:00Z'), true);
    expect(acc.add('A', '1', at('2011-05-01T00:00:00Z'), 5)).toBe(true);
    expect(acc.add('A', '2', at('2011-06-01T00:00:00Z'), 7)).toBe(true);
    expect(acc.add('A', '3', at('2011-06-01T00:00:00.001Z'), 100)).toBe(false);
    expect(acc.add('B', '4', at('2011-07-01T00:00:00Z'), 100)).toBe(false);
    const t = acc.finish();
    expect(t.asOf).toBe(at('2011-06-01T00:00:00Z'));
    expect(t.afterAsOf).toBe(2);
    expect(t.customers).toHaveLength(1);
    expect(t.customers[0]).toMatchObject({ customerId: 'A', recency: 0, frequency: 2, monetary: 12 });
  });

  it('--as-of before every row leaves no customers', () => {
    const t = aggregate([['A', '1', '2011-12-01T00:00:00Z', 1]], '2011-01-01T00:00:00Z');
    expect(t.customers).toEqual([]);
    expect(t.afterAsOf).toBe(1);
  });
});

describe('frequency', () => {
  it('= distinct invoices, however their lines are interleaved', () => {
    const t = aggregate([
      ['A', '536365', '2010-12-01T08:26:00Z', 1],
      ['A', '536365', '2010-12-01T08:26:00Z', 1],
      ['A', '536366', '2010-12-01T08:28:00Z', 1],
      ['A', '536365', '2010-12-01T08:26:00Z', 1],
      ['A', '536367', '2010-12-01T08:28:00Z', 1],
      ['B', '536365', '2010-12-01T08:26:00Z', 1],
    ]);
    expect(t.customers.map((c) => c.frequency)).toEqual([3, 1]);
  });

  it('without an invoice column = distinct purchase days (UTC)', () => {
    const t = aggregate(
      [
        ['A', '', '1997-01-12T00:00:00Z', 12],
        ['A', '', '1997-01-12T00:00:00Z', 77],
        ['A', '', '1997-01-12T23:59:00Z', 1],
        ['A', '', '1997-01-13T00:01:00Z', 1],
        ['A', '', '1997-03-30T00:00:00Z', 1],
        ['A', '', '1997-01-12T05:00:00Z', 1],
      ],
      undefined,
      false,
    );
    expect(t.customers[0].frequency).toBe(3);
  });

  it('purchase days are UTC days: 23:30 and 00:30 UTC on different dates are two days', () => {
    const acc = new RfmAccumulator(undefined, false);
    const midnight = Date.UTC(2011, 0, 2);
    acc.add('A', '', midnight - HOUR / 2, 1);
    acc.add('A', '', midnight + HOUR / 2, 1);
    expect(acc.finish().customers[0].frequency).toBe(2);
  });
});

describe('monetary', () => {
  it('sums the line values to the cent, at full precision', () => {
    const lines: [string, string, string, number][] = [];
    for (let i = 0; i < 10; i++) lines.push(['A', String(i), '2011-01-01T00:00:00Z', 0.1]);
    const m = aggregate(lines).customers[0].monetary;
    expect(m).toBe(1); // naive summation gives 0.9999999999999999
  });

  it('is compensated: large and small values do not swallow each other', () => {
    const t = aggregate([
      ['A', '1', '2011-01-01T00:00:00Z', 1e16],
      ['A', '2', '2011-01-01T00:00:00Z', 1],
      ['A', '3', '2011-01-01T00:00:00Z', -1e16],
    ]);
    expect(t.customers[0].monetary).toBe(1);
  });

  it('a hand-worked customer: 6 × 2.55 + 6 × 3.39 + 6 × 1.85 = 46.74', () => {
    const t = aggregate([
      ['17850', '536365', '2010-12-01T08:26:00Z', 6 * 2.55],
      ['17850', '536365', '2010-12-01T08:26:00Z', 6 * 3.39],
      ['17850', '536366', '2010-12-01T08:28:00Z', 6 * 1.85],
    ]);
    expect(t.customers[0].monetary).toBeCloseTo(46.74, 9);
    expect(t.customers[0]).toMatchObject({ recency: 1, frequency: 2 });
  });

  it('is rounded to 9 decimals, so sums equal in decimal are the same number (CDNOW customers 01480, 01921, 01020)', () => {
    // Three CDNOW customers who each spent $29.73 by 1998-01-01 (CDNOW_master.txt): 15.96 + 13.77,
    // 14.37 + 15.36, and one line of 29.73. Summed in doubles, the second is 29.729999999999997.
    expect(14.37 + 15.36).not.toBe(29.73);
    const t = aggregate([
      ['01020', '', '1997-01-05T00:00:00Z', 29.73],
      ['01480', '', '1997-01-06T00:00:00Z', 15.96],
      ['01480', '', '1997-01-27T00:00:00Z', 13.77],
      ['01921', '', '1997-01-08T00:00:00Z', 14.37],
      ['01921', '', '1997-08-23T00:00:00Z', 15.36],
    ], undefined, false);
    expect(t.customers.map((c) => c.monetary)).toEqual([29.73, 29.73, 29.73]);
  });

  it('rounding keeps what a double can hold: sub-cent prices, negatives, large totals; never -0', () => {
    const one = (value: number) => aggregate([['A', '1', '2011-01-01T00:00:00Z', value]]).customers[0].monetary;
    expect(one(0.000000001)).toBe(1e-9);
    expect(one(0.0000000004)).toBe(0);
    expect(Object.is(one(-0.0000000004), 0)).toBe(true);
    expect(one(-12.345678912)).toBe(-12.345678912);
    expect(one(123456789.123)).toBe(123456789.123); // beyond 2^53 / 10^9: already exact as a double
  });
});

describe('customers', () => {
  it('one row each, sorted by customer id in code-unit order (as pandas groupby on text)', () => {
    const ids = ['b', 'A', 'a', '10', '9', '00001', '17850', '1785'];
    const t = aggregate(ids.map((id, i) => [id, String(i), '2011-01-01T00:00:00Z', 1]));
    expect(t.customers.map((c) => c.customerId)).toEqual(['00001', '10', '1785', '17850', '9', 'A', 'a', 'b']);
  });

  it('ids are text: 00001 and 1 are different customers', () => {
    const t = aggregate([
      ['00001', '1', '2011-01-01T00:00:00Z', 1],
      ['1', '2', '2011-01-01T00:00:00Z', 2],
    ]);
    expect(t.customers.map((c) => [c.customerId, c.monetary])).toEqual([
      ['00001', 1],
      ['1', 2],
    ]);
  });

  it('customerCount counts distinct customers', () => {
    const acc = new RfmAccumulator(undefined, true);
    acc.add('A', '1', 0, 1);
    acc.add('A', '2', DAY_MS, 1);
    acc.add('B', '3', DAY_MS, 1);
    expect(acc.customerCount).toBe(2);
  });
});
