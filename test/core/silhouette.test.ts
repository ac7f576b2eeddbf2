import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.js';
import { silhouette } from '../../src/core/silhouette.js';

const expected = JSON.parse(readFileSync(new URL('../../fixtures/sklearn/expected.json', import.meta.url), 'utf8'));

interface Case {
  points: number[][];
  labels: number[];
  k: number;
  score: number;
}

const flat = (points: number[][]) => Float64Array.from(points.flat());

/** n points in d dimensions around k well separated centres, labelled by centre. */
function blobs(n: number, d: number, k: number, seed: number): { x: Float64Array; labels: Int32Array } {
  const rng = seededRandom(seed);
  const x = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % k;
    for (let f = 0; f < d; f++) x[i * d + f] = (f === 0 ? 10 * labels[i]! : 0) + rng.next();
  }
  return { x, labels };
}

describe('silhouette', () => {
  it('matches scikit-learn silhouette_score on the fixture cases', () => {
    for (const c of expected.silhouette as Case[]) {
      const got = silhouette(flat(c.points), c.points.length, c.points[0]!.length, c.labels, c.k);
      expect(got).toBeCloseTo(c.score, 12);
    }
  });

  it('works out a hand example', () => {
    // Points 0, 1 | 10, 11: a = 1 for all; b = 10.5, 9.5, 9.5, 10.5.
    const want = (9.5 / 10.5 + 8.5 / 9.5) / 2;
    expect(silhouette(Float64Array.of(0, 1, 10, 11), 4, 1, [0, 0, 1, 1], 2)).toBeCloseTo(want, 14);
  });

  it('scores a point alone in its cluster 0', () => {
    // Points 0, 1 | 10: a = 1 for the pair, b = 10 and 9; the singleton adds 0.
    const s0 = (10 - 1) / 10;
    const s1 = (9 - 1) / 9;
    expect(silhouette(Float64Array.of(0, 1, 10), 3, 1, [0, 0, 1], 2)).toBeCloseTo((s0 + s1 + 0) / 3, 14);
  });

  it('is 0, not NaN, for duplicate points split across clusters and for a single cluster', () => {
    expect(silhouette(Float64Array.of(1, 1, 1, 1), 4, 1, [0, 0, 1, 1], 2)).toBe(0);
    expect(silhouette(Float64Array.of(1, 2, 3), 3, 1, [0, 0, 0], 2)).toBe(0);
  });

  it('does not depend on row order or on the label numbering (property)', () => {
    const { x, labels } = blobs(60, 3, 3, 9);
    const base = silhouette(x, 60, 3, labels, 3);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const rng = seededRandom(seed);
        const perm = Array.from({ length: 60 }, (_, i) => i);
        for (let i = 59; i > 0; i--) {
          const j = rng.int(i + 1);
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
        const xp = Float64Array.from(perm.flatMap((p) => Array.from(x.subarray(p * 3, p * 3 + 3))));
        const lp = perm.map((p) => (labels[p]! + 1) % 3); // rows shuffled, clusters renamed
        expect(silhouette(xp, 60, 3, lp, 3)).toBeCloseTo(base, 12);
      }),
      { numRuns: 20 },
    );
  });

  it('gives the same answer on the d = 3 fast path and the generic path', () => {
    const { x, labels } = blobs(50, 3, 4, 4);
    const padded = Float64Array.from({ length: 50 * 4 }, (_, i) => (i % 4 === 3 ? 0 : x[(i >> 2) * 3 + (i % 4)]!));
    expect(silhouette(padded, 50, 4, labels, 4)).toBeCloseTo(silhouette(x, 50, 3, labels, 4), 12);
  });

  it('is near 1 for tight, distant clusters', () => {
    const { x, labels } = blobs(90, 2, 3, 1);
    expect(silhouette(x, 90, 2, labels, 3)).toBeGreaterThan(0.85);
  });

  it('samples seeded subsets above sampleSize, close to the exact value', () => {
    const { x, labels } = blobs(3000, 3, 4, 2);
    const exact = silhouette(x, 3000, 3, labels, 4);
    const a = silhouette(x, 3000, 3, labels, 4, { sampleSize: 500, seed: 7 });
    const b = silhouette(x, 3000, 3, labels, 4, { sampleSize: 500, seed: 7 });
    const c = silhouette(x, 3000, 3, labels, 4, { sampleSize: 500, seed: 8 });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(Math.abs(a - exact)).toBeLessThan(0.02);
    expect(silhouette(x, 3000, 3, labels, 4, { sampleSize: 3000, seed: 99 })).toBe(exact);
  });

  it('refuses labels outside 0..k-1 and a bad sample size', () => {
    expect(() => silhouette(Float64Array.of(0, 1), 2, 1, [0, 2], 2)).toThrow(/outside/);
    expect(() => silhouette(Float64Array.of(0, 1), 2, 1, [0, 1], 2, { sampleSize: 1 })).toThrow(/sample size/);
    expect(() => silhouette(Float64Array.of(0, 1), 2, 1, [0], 2)).toThrow('silhouette needs 2 labels and 2 × 1 values');
  });
});
