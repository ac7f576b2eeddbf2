import { describe, expect, it } from 'vitest';
import { describe as describeSegment, nameByGrid, nameFour, type CentroidView } from '../../src/core/naming.js';

const view = (recency: number, frequency: number, monetary: number, scaled: number[]): CentroidView => ({ recency, frequency, monetary, scaled });

describe('nameFour (the k = 4 rule)', () => {
  it('names by highest recency, then highest scaled F+M, then lowest recency', () => {
    const centroids = [
      view(40, 3, 900, [0, 0.2, 0.1]), // remaining after churn and loyal: recency 40
      view(250, 1, 300, [1.5, -0.8, -0.7]), // highest recency → Churn Risk
      view(10, 12, 6000, [-1, 1.5, 1.6]), // highest mean(F, M) → Loyal High-Value
      view(20, 2, 500, [-0.5, -0.1, -0.3]), // lowest recency of the remaining two → Potential Loyalists
    ];
    expect(nameFour(centroids)).toEqual(['Occasional Buyers', 'Churn Risk', 'Loyal High-Value', 'Potential Loyalists']);
  });

  it('does not let the churn cluster be Loyal High-Value even if it spends the most', () => {
    const centroids = [
      view(300, 20, 90000, [2, 3, 3]),
      view(5, 10, 5000, [-1, 1, 1]),
      view(30, 2, 400, [0, 0, 0]),
      view(60, 3, 800, [0.5, 0.1, 0.1]),
    ];
    expect(nameFour(centroids)).toEqual(['Churn Risk', 'Loyal High-Value', 'Potential Loyalists', 'Occasional Buyers']);
  });
});

describe('nameByGrid (other k)', () => {
  const thresholds = { recency: [10, 30, 60, 120], frequency: [1, 2, 4, 8], monetary: [100, 300, 700, 1500] };

  it('applies the R/F grid to each centroid', () => {
    const names = nameByGrid([view(5, 12, 5000, []), view(200, 1, 100, [])], thresholds);
    expect(names).toEqual(['Champions', 'Hibernating']);
  });

  it('makes repeated names unique with a spend qualifier, never a bare number', () => {
    const names = nameByGrid([view(200, 1, 100, []), view(300, 1, 900, []), view(250, 1, 400, [])], thresholds);
    expect(names).toEqual(['Hibernating (low spend)', 'Hibernating (high spend)', 'Hibernating (mid spend)']);
    for (const name of names) expect(name).not.toMatch(/\s\d+$/);
  });
});

describe('segment descriptions', () => {
  it('gives each of the four original segments its suggested action', () => {
    expect(describeSegment('Loyal High-Value').action).toMatch(/rewards.*VIP.*early access/i);
    expect(describeSegment('Potential Loyalists').action).toMatch(/personalised offers/i);
    expect(describeSegment('Occasional Buyers').action).toMatch(/cross-sell/i);
    expect(describeSegment('Churn Risk').action).toMatch(/win-back/i);
    expect(describeSegment('Loyal (high spend)').description).toBe(describeSegment('Loyal').description);
  });
});
