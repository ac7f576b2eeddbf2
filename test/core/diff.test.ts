import { describe, expect, it } from 'vitest';
import { byName, forEachCustomer, migrationMatrix, type Snapshot } from '../../src/core/diff.js';
import type { RfmRow } from '../../src/core/rfm.js';

const SEGMENTS = ['Loyal', 'At Risk'];
const LOYAL = 0;
const AT_RISK = 1;

/** A snapshot from [id, segment, recency, monetary] rows (frequency 1: it plays no part). */
function snapshot(rows: [string, number, number, number][]): Snapshot {
  const customers: RfmRow[] = rows.map(([customerId, , recency, monetary]) => ({ customerId, recency, frequency: 1, monetary }));
  return { customers, labels: rows.map(([, label]) => label) };
}

// Hand-made: A stays Loyal (spends 50 more), B slips Loyal → At Risk (spends nothing more),
// C stays At Risk, D is new (Loyal, 30 spent), E is in the first snapshot only.
const FROM = snapshot([
  ['A', LOYAL, 5, 100],
  ['B', LOYAL, 10, 80],
  ['C', AT_RISK, 200, 10],
  ['E', AT_RISK, 300, 5],
]);
const TO = snapshot([
  ['A', LOYAL, 3, 150],
  ['B', AT_RISK, 190, 80],
  ['C', AT_RISK, 380, 10],
  ['D', LOYAL, 7, 30],
]);

const cell = (m: ReturnType<typeof migrationMatrix>, from: string | null, to: string | null) => m.cells.find((c) => c.from === from && c.to === to);

describe('migrationMatrix', () => {
  it('counts each customer once, with revenue in the period, new as a row and one-sided ids as lost', () => {
    const m = migrationMatrix({ segments: SEGMENTS, from: FROM, to: TO });
    expect(m.rows).toEqual(['Loyal', 'At Risk', null]);
    expect(m.columns).toEqual(['Loyal', 'At Risk', null]);
    expect(m.cells).toHaveLength(9);
    expect(cell(m, 'Loyal', 'Loyal')).toEqual({ from: 'Loyal', to: 'Loyal', customers: 1, revenue: 50 });
    expect(cell(m, 'Loyal', 'At Risk')).toEqual({ from: 'Loyal', to: 'At Risk', customers: 1, revenue: 0 });
    expect(cell(m, 'At Risk', 'At Risk')).toEqual({ from: 'At Risk', to: 'At Risk', customers: 1, revenue: 0 });
    expect(cell(m, 'At Risk', null)).toEqual({ from: 'At Risk', to: null, customers: 1, revenue: 0 });
    expect(cell(m, null, 'Loyal')).toEqual({ from: null, to: 'Loyal', customers: 1, revenue: 30 });
    expect(m.rowTotals).toEqual([
      { segment: 'Loyal', customers: 2, revenue: 50 },
      { segment: 'At Risk', customers: 2, revenue: 0 },
      { segment: null, customers: 1, revenue: 30 },
    ]);
    expect(m.columnTotals).toEqual([
      { segment: 'Loyal', customers: 2, revenue: 80 },
      { segment: 'At Risk', customers: 2, revenue: 0 },
      { segment: null, customers: 1, revenue: 0 },
    ]);
    // Stayed: A and C of the four earlier customers.
    expect(m.totals).toEqual({ customers: 5, revenue: 80, stayed: 2, stayedShare: 0.5, moved: 2, new: 1, lost: 1 });
  });

  it('has no lost column when every earlier customer is still there and --lost-after is not given', () => {
    const m = migrationMatrix({ segments: SEGMENTS, from: snapshot([['A', LOYAL, 5, 100]]), to: snapshot([['A', AT_RISK, 50, 100]]) });
    expect(m.columns).toEqual(['Loyal', 'At Risk']);
    expect(m.cells).toHaveLength(6);
    expect(m.totals).toMatchObject({ stayed: 0, moved: 1, lost: 0, stayedShare: 0 });
  });

  it('lostAfter: recency at the second date above it is lost, equal to it is not', () => {
    const m = migrationMatrix({ segments: SEGMENTS, from: FROM, to: TO, lostAfter: 190 });
    // C (380 days) is lost; B (190 days) is not; E is absent anyway.
    expect(cell(m, 'At Risk', null)?.customers).toBe(2);
    expect(cell(m, 'Loyal', 'At Risk')?.customers).toBe(1);
    expect(m.totals).toMatchObject({ stayed: 1, lost: 2, moved: 3, stayedShare: 0.25 });
  });

  it('sorts snapshots that are not in id order, and refuses a customer twice', () => {
    const shuffled = snapshot([
      ['C', AT_RISK, 380, 10],
      ['A', LOYAL, 3, 150],
      ['D', LOYAL, 7, 30],
      ['B', AT_RISK, 190, 80],
    ]);
    expect(migrationMatrix({ segments: SEGMENTS, from: FROM, to: shuffled })).toEqual(migrationMatrix({ segments: SEGMENTS, from: FROM, to: TO }));
    const twice = snapshot([
      ['A', LOYAL, 3, 150],
      ['A', LOYAL, 3, 150],
    ]);
    expect(() => migrationMatrix({ segments: SEGMENTS, from: FROM, to: twice })).toThrow('customer A appears twice in a snapshot');
  });

  it('refuses a label outside the segments', () => {
    const bad = snapshot([['A', 2, 3, 150]]);
    expect(() => migrationMatrix({ segments: SEGMENTS, from: bad, to: TO })).toThrow('segment index 2 is not one of the 2 segments');
  });

  it('stayedShare is null when the first snapshot is empty', () => {
    const m = migrationMatrix({ segments: SEGMENTS, from: snapshot([]), to: TO });
    expect(m.totals).toMatchObject({ customers: 4, new: 4, stayed: 0, stayedShare: null });
  });
});

describe('forEachCustomer', () => {
  it('visits every id of either side once, in id order, with both rows', () => {
    const seen: [string, number, number, number][] = [];
    forEachCustomer({ segments: SEGMENTS, from: FROM, to: TO }, (m) => seen.push([m.customerId, m.from, m.to, m.revenue]));
    expect(seen).toEqual([
      ['A', LOYAL, LOYAL, 50],
      ['B', LOYAL, AT_RISK, 0],
      ['C', AT_RISK, AT_RISK, 0],
      ['D', -1, LOYAL, 30],
      ['E', AT_RISK, -1, 0],
    ]);
  });
});

describe('byName', () => {
  const rows = (...ids: string[]): RfmRow[] => ids.map((customerId) => ({ customerId, recency: 1, frequency: 1, monetary: 1 }));

  it('orders segments by the first snapshot\'s cluster numbers, then those only in the second, and labels by name', () => {
    const { input, renamed } = byName(
      { customers: rows('A', 'B'), names: ['At Risk', 'Loyal'], clusters: [1, 0] },
      { customers: rows('A', 'C'), names: ['Champions', 'Loyal'], clusters: [2, 0] },
      30,
    );
    expect(input.segments).toEqual(['Loyal', 'At Risk', 'Champions']);
    expect(Array.from(input.from.labels)).toEqual([1, 0]);
    expect(Array.from(input.to.labels)).toEqual([2, 0]);
    expect(input.lostAfter).toBe(30);
    expect(renamed).toEqual([]);
  });

  it('without cluster numbers keeps the order names first appear in (id order); names a cluster renamed between files', () => {
    expect(byName({ customers: rows('A', 'B'), names: ['Z', 'Y'], clusters: null }, { customers: rows('A'), names: ['X'], clusters: null }).input.segments).toEqual(['Z', 'Y', 'X']);
    const { renamed } = byName({ customers: rows('A', 'B'), names: ['Loyal', 'Lapsed'], clusters: [0, 3] }, { customers: rows('A', 'B'), names: ['Champions', 'Lapsed'], clusters: [0, 3] });
    expect(renamed).toEqual([0]);
  });
});
