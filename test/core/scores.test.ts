import { describe, expect, it } from 'vitest';
import type { RfmRow } from '../../src/core/rfm.js';
import { ascendingScore, computeScores, quintileThresholds, scoreSegment } from '../../src/core/scores.js';

const rows = (values: [number, number, number][]): RfmRow[] =>
  values.map(([recency, frequency, monetary], i) => ({ customerId: String(i), recency, frequency, monetary }));

describe('scoreSegment: the standard R/F grid of DESIGN.md §2', () => {
  // Written out from the design text, cell by cell: GRID[r - 1][f - 1].
  const GRID = [
    /* R1 */ ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose Them"],
    /* R2 */ ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose Them"],
    /* R3 */ ['About to Sleep', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
    /* R4 */ ['Promising', 'Potential Loyalists', 'Potential Loyalists', 'Loyal', 'Loyal'],
    /* R5 */ ['New Customers', 'Potential Loyalists', 'Potential Loyalists', 'Champions', 'Champions'],
  ];
  const cells = GRID.flatMap((names, r) => names.map((name, f) => [r + 1, f + 1, name] as const));

  it.each(cells)('R%i F%i → %s', (r, f, name) => {
    expect(scoreSegment(r, f)).toBe(name);
  });

  it('covers all 25 cells with the ten names', () => {
    expect(cells).toHaveLength(25);
    expect(new Set(cells.map((c) => scoreSegment(c[0], c[1]))).size).toBe(10);
  });
});

describe('quintile scores', () => {
  const close = (got: number[], want: number[]) => {
    expect(got).toHaveLength(want.length);
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 12));
  };

  it('thresholds are the 20/40/60/80 % quantiles (linear interpolation, R type 7)', () => {
    close(quintileThresholds([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), [2.8, 4.6, 6.4, 8.2]);
    close(quintileThresholds([0, 100]), [20, 40, 60, 80]);
  });

  it('a score is 1 + the number of thresholds the value exceeds', () => {
    const t = [2.8, 4.6, 6.4, 8.2];
    expect([1, 2.8, 3, 4.6, 5, 7, 8.2, 9, 100].map((v) => ascendingScore(v, t))).toEqual([1, 1, 2, 2, 3, 4, 4, 5, 5]);
  });

  it('1..5 on each metric; recency reversed (recent = 5)', () => {
    const data = rows(Array.from({ length: 10 }, (_, i) => [i + 1, i + 1, (i + 1) * 100] as [number, number, number]));
    const { scores } = computeScores(data);
    expect(scores.map((s) => s.r)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    expect(scores.map((s) => s.f)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((s) => s.m)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores[0].rfmScore).toBe('511');
    expect(scores[0].segment).toBe('New Customers');
    expect(scores[9].rfmScore).toBe('155');
    expect(scores[9].segment).toBe("Can't Lose Them");
  });

  it('equal values always get equal scores, wherever the quintile boundary falls', () => {
    const values = [1, 2, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10];
    const data = rows(values.map((v) => [v, v, v] as [number, number, number]));
    const { scores } = computeScores(data);
    const byValue = new Map<number, Set<string>>();
    values.forEach((v, i) => {
      const set = byValue.get(v) ?? new Set<string>();
      set.add(scores[i].rfmScore);
      byValue.set(v, set);
    });
    for (const set of byValue.values()) expect(set.size).toBe(1);
  });

  it('scores are monotone in the value (recency reversed)', () => {
    const data = rows(Array.from({ length: 50 }, (_, i) => [(i * 7) % 23, (i * 5) % 11, (i * 13) % 37] as [number, number, number]));
    const { scores } = computeScores(data);
    for (let i = 0; i < data.length; i++) {
      for (let j = 0; j < data.length; j++) {
        if (data[i].recency < data[j].recency) expect(scores[i].r).toBeGreaterThanOrEqual(scores[j].r);
        if (data[i].frequency < data[j].frequency) expect(scores[i].f).toBeLessThanOrEqual(scores[j].f);
        if (data[i].monetary < data[j].monetary) expect(scores[i].m).toBeLessThanOrEqual(scores[j].m);
      }
    }
  });

  it('reports the realised thresholds', () => {
    const data = rows(Array.from({ length: 10 }, (_, i) => [i + 1, 1, i + 1] as [number, number, number]));
    const { thresholds } = computeScores(data);
    close(thresholds.recency, [2.8, 4.6, 6.4, 8.2]);
    expect(thresholds.frequency).toEqual([1, 1, 1, 1]);
  });

  it('names a metric whose bins collapse on ties (frequency mostly 1) and how many scores remain', () => {
    const freq = [1, 1, 1, 1, 1, 1, 1, 2, 3, 4];
    const data = rows(freq.map((f, i) => [i + 1, f, (i + 1) * 10] as [number, number, number]));
    const result = computeScores(data);
    close(result.thresholds.frequency, [1, 1, 1, 2.2]);
    expect(result.collapsed).toEqual([{ metric: 'frequency', distinctScores: 3 }]);
    // 1 (seven customers), then 2 → 4 and 3, 4 → 5: scores 2 and 3 cannot occur
    expect(result.scores.map((s) => s.f)).toEqual([1, 1, 1, 1, 1, 1, 1, 4, 5, 5]);
  });

  it('no warning when all five scores can occur', () => {
    const data = rows(Array.from({ length: 10 }, (_, i) => [i, i, i] as [number, number, number]));
    expect(computeScores(data).collapsed).toEqual([]);
  });

  it('a single customer: every metric collapses (all four thresholds equal)', () => {
    const result = computeScores(rows([[3, 2, 50]]));
    expect(result.scores[0]).toMatchObject({ r: 5, f: 1, m: 1 });
    expect(result.collapsed.map((c) => [c.metric, c.distinctScores])).toEqual([
      ['recency', 2],
      ['frequency', 2],
      ['monetary', 2],
    ]);
  });
});
