import { medianSorted } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.js';
import { segmentStats } from '../../src/core/segments.js';

describe('segmentStats', () => {
  it('gives each segment its size, shares, revenue and mean/median/min/max (hand-worked)', () => {
    const columns = {
      recency: Float64Array.from([10, 1, 7, 3, 5]),
      frequency: Float64Array.from([1, 4, 1, 2, 9]),
      monetary: Float64Array.from([5, 40, 15, 20, 100]),
    };
    const [a, b] = segmentStats(columns, [0, 1, 0, 1, 1], 2);
    expect(a).toEqual({
      size: 2, share: 0.4, revenue: 20, revenueShare: 20 / 180,
      recency: { mean: 8.5, median: 8.5, min: 7, max: 10 },
      frequency: { mean: 1, median: 1, min: 1, max: 1 },
      monetary: { mean: 10, median: 10, min: 5, max: 15 },
    });
    expect(b!.recency).toEqual({ mean: 3, median: 3, min: 1, max: 5 });
    expect(b!.monetary).toEqual({ mean: 160 / 3, median: 40, min: 20, max: 100 });
  });

  it('interpolates an even median as simple-statistics does (7.19 and 39.38: 23.285, not 23.284999999999997)', () => {
    const values = Float64Array.from([39.379999999999995, 100, 7.19, 1]);
    const [s] = segmentStats({ recency: values, frequency: values, monetary: values }, [0, 0, 0, 0], 1);
    expect(s!.monetary!.median).toBe(23.285);
    expect(medianSorted([1, 7.19, 39.379999999999995, 100])).toBe(23.285);
  });

  it('takes the median of a selection, equal to the double simple-statistics gives on the sorted values', () => {
    // Odd and even group sizes, many ties (frequency-like values) and spread values.
    const random = seededRandom(11);
    for (const n of [1, 2, 3, 4, 601, 602, 5_000, 5_001]) {
      const values = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? Math.floor(random.next() * 3) : random.next() * 1000));
      const labels = Int32Array.from({ length: n }, () => Math.floor(random.next() * 3));
      const stats = segmentStats({ recency: values, frequency: values, monetary: values }, labels, 3);
      for (let g = 0; g < 3; g++) {
        const members = Array.from(values).filter((_, i) => labels[i] === g).sort((x, y) => x - y);
        const s = stats[g]!.recency;
        if (members.length === 0) {
          expect(s).toBeNull();
          continue;
        }
        expect(s, `n = ${n}, segment ${g}`).toEqual({
          mean: expect.any(Number),
          median: medianSorted(members),
          min: members[0],
          max: members[members.length - 1],
        });
      }
    }
  });
});
