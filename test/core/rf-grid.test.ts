import { describe, expect, it } from 'vitest';
import { rfGrid } from '../../src/core/rf-grid.js';

describe('rfGrid', () => {
  // Customers 1..10 with recency = frequency = i days/orders and monetary 100·i. The quintile
  // thresholds of 1..10 are 2.8, 4.6, 6.4, 8.2 (linear interpolation at (n − 1)·p, as numpy's
  // default), so i = 1,2 score 1; 3,4 score 2; … 9,10 score 5, and
  // recency is reversed: R = 6 − that score.
  const rows = Array.from({ length: 10 }, (_, j) => ({ customerId: `c${j + 1}`, recency: j + 1, frequency: j + 1, monetary: 100 * (j + 1) }));
  const grid = rfGrid(rows);
  const cell = (r: number, f: number) => grid.cells.find((c) => c.r === r && c.f === f)!;

  it('lists all 25 cells, R 5 first, F 1..5 within each', () => {
    expect(grid.cells).toHaveLength(25);
    expect(grid.cells.slice(0, 6).map((c) => [c.r, c.f])).toEqual([[5, 1], [5, 2], [5, 3], [5, 4], [5, 5], [4, 1]]);
    grid.thresholds.recency.forEach((t, i) => expect(t).toBeCloseTo([2.8, 4.6, 6.4, 8.2][i], 12));
  });

  it('counts the customers of each cell and their mean monetary value (hand-worked)', () => {
    expect(cell(5, 1)).toEqual({ r: 5, f: 1, customers: 2, meanMonetary: 150, segment: 'New Customers' });
    expect(cell(4, 2)).toEqual({ r: 4, f: 2, customers: 2, meanMonetary: 350, segment: 'Potential Loyalists' });
    expect(cell(3, 3)).toEqual({ r: 3, f: 3, customers: 2, meanMonetary: 550, segment: 'Need Attention' });
    expect(cell(2, 4)).toEqual({ r: 2, f: 4, customers: 2, meanMonetary: 750, segment: 'At Risk' });
    expect(cell(1, 5)).toEqual({ r: 1, f: 5, customers: 2, meanMonetary: 950, segment: "Can't Lose Them" });
  });

  it('leaves the other cells empty, with a null mean', () => {
    const empty = grid.cells.filter((c) => c.r + c.f !== 6);
    expect(empty).toHaveLength(20);
    for (const c of empty) expect([c.customers, c.meanMonetary]).toEqual([0, null]);
    expect(grid.customers).toBe(10);
  });
});
