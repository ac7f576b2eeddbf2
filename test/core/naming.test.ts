import { describe, expect, it } from 'vitest';
import { baseDistribution, profileSegment, type SegmentProfile } from '../../src/core/describe-segment.js';
import { actionFor, baseName, disambiguate, gridName, nameFour, nameSegments, type CentroidView } from '../../src/core/naming.js';

const view = (recency: number, frequency: number, monetary: number, scaled: number[]): CentroidView => ({ recency, frequency, monetary, scaled });

describe('nameFour (the k = 4 rule of DESIGN.md §2)', () => {
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
    const centroids = [view(300, 20, 90000, [2, 3, 3]), view(5, 10, 5000, [-1, 1, 1]), view(30, 2, 400, [0, 0, 0]), view(60, 3, 800, [0.5, 0.1, 0.1])];
    expect(nameFour(centroids)).toEqual(['Churn Risk', 'Loyal High-Value', 'Potential Loyalists', 'Occasional Buyers']);
  });
});

describe('gridName: the R/F grid of DESIGN.md §2, R 1 with F 1-2 as Lost', () => {
  // Rows R 5..1, columns F 1..5, copied from the README's grid table; R 1 F 1-2 is Lost.
  const grid: Record<number, string[]> = {
    5: ['New Customers', 'Potential Loyalists', 'Potential Loyalists', 'Champions', 'Champions'],
    4: ['Promising', 'Potential Loyalists', 'Potential Loyalists', 'Loyal', 'Loyal'],
    3: ['About to Sleep', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
    2: ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose Them"],
    1: ['Lost', 'Lost', 'At Risk', 'At Risk', "Can't Lose Them"],
  };
  it.each([5, 4, 3, 2, 1])('row R %i', (r) => {
    expect([1, 2, 3, 4, 5].map((f) => gridName(r, f))).toEqual(grid[r]);
  });
});

/** A base of 100 customers with recency 1..100, frequency 1..100 and monetary 10..1000. */
const base = baseDistribution(Array.from({ length: 100 }, (_, i) => ({ customerId: String(i), recency: i + 1, frequency: i + 1, monetary: 10 * (i + 1) })));
const profile = (recency: number, frequency: number, monetary: number): SegmentProfile =>
  profileSegment({ recency, frequency, monetary }, base);

describe('nameSegments', () => {
  // Centroids in the order that makes nameFour give Loyal High-Value, Potential Loyalists, Occasional Buyers, Churn Risk.
  const centroids = [view(5, 90, 900, [-1, 1.5, 1.5]), view(10, 20, 200, [-0.9, -0.5, -0.5]), view(50, 40, 400, [0, 0, 0]), view(90, 10, 100, [1.5, -1, -1])];

  it('keeps the four names when every profile fits them', () => {
    // recency 5 → R 5; frequency 90 → F 5, 20 → F 1, 40 → F 2; recency 50 → R 3, 90 → R 1.
    const profiles = [profile(5, 90, 900), profile(10, 20, 200), profile(50, 40, 400), profile(90, 10, 100)];
    expect(nameSegments(centroids, profiles)).toEqual(['Loyal High-Value', 'Potential Loyalists', 'Occasional Buyers', 'Churn Risk']);
  });

  it('gives a misfitting k = 4 segment its grid name: a "Potential Loyalist" that already buys often is Loyal', () => {
    // Cluster 1: recency 30 (R 4) and frequency 85 (F 5), as on CDNOW: the grid says Loyal.
    const profiles = [profile(5, 90, 900), profile(30, 85, 200), profile(50, 40, 400), profile(90, 10, 100)];
    expect(nameSegments(centroids, profiles)).toEqual(['Loyal High-Value', 'Loyal', 'Occasional Buyers', 'Churn Risk']);
  });

  it('does not call a segment Churn Risk when most customers bought longer ago than it', () => {
    // Cluster 3's mean recency 45 is R 3 (mid-rank 44.5 %), F 1: About to Sleep.
    const profiles = [profile(5, 90, 900), profile(10, 20, 200), profile(30, 40, 400), profile(45, 5, 100)];
    expect(nameSegments(centroids, profiles)[3]).toBe('About to Sleep');
  });

  it('uses the grid for other k, and "All customers" for k = 1', () => {
    expect(nameSegments(centroids.slice(0, 2), [profile(5, 90, 900), profile(95, 3, 50)])).toEqual(['Champions', 'Lost']);
    expect(nameSegments(centroids.slice(0, 1), [profile(50, 50, 500)])).toEqual(['All customers']);
  });
});

describe('disambiguate: repeated names get a qualifier that is true, never a bare number', () => {
  it('by spend: comparatives for two, superlatives and ordinals for more', () => {
    const two = disambiguate(['Loyal', 'Loyal'], [profile(50, 90, 300), profile(50, 90, 900)]);
    expect(two).toEqual(['Loyal (lower spend)', 'Loyal (higher spend)']);
    const four = disambiguate(['Lost', 'Lost', 'Lost', 'Lost'], [profile(95, 1, 300), profile(95, 1, 900), profile(95, 1, 100), profile(95, 1, 500)]);
    expect(four).toEqual(['Lost (3rd-highest spend)', 'Lost (highest spend)', 'Lost (lowest spend)', 'Lost (2nd-highest spend)']);
  });

  it('by orders where the printed spends tie, then by recency', () => {
    expect(disambiguate(['Loyal', 'Loyal'], [profile(50, 80, 500), profile(50, 90, 500.2)])).toEqual(['Loyal (fewer orders)', 'Loyal (more orders)']);
    expect(disambiguate(['Loyal', 'Loyal', 'Champions'], [profile(40, 90, 500), profile(30, 90, 500), profile(1, 99, 990)])).toEqual(['Loyal (less recent)', 'Loyal (more recent)', 'Champions']);
  });

  it('by cluster number, in words, only where everything printed ties', () => {
    expect(disambiguate(['Loyal', 'Loyal'], [profile(50, 90, 500), profile(50, 90, 500)])).toEqual(['Loyal (cluster 0)', 'Loyal (cluster 1)']);
  });
});

describe('suggested actions follow the name', () => {
  it('gives each of the four original segments its action (DESIGN.md §2)', () => {
    expect(actionFor('Loyal High-Value')).toMatch(/rewards.*VIP.*early access/i);
    expect(actionFor('Potential Loyalists')).toMatch(/personalised offers/i);
    expect(actionFor('Occasional Buyers')).toMatch(/cross-sell/i);
    expect(actionFor('Churn Risk')).toMatch(/win-back/i);
  });

  it('ignores a qualifier, and knows no action for a name outside the vocabulary', () => {
    expect(baseName('Loyal (higher spend)')).toBe('Loyal');
    expect(actionFor('Loyal (higher spend)')).toBe(actionFor('Loyal'));
    expect(actionFor('VIP')).toBeUndefined();
    expect(actionFor('constructor')).toBeUndefined();
  });
});
