import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { elbow } from '../../src/core/elbow.js';
import { RfmError } from '../../src/core/errors.js';
import { kmeans } from '../../src/core/kmeans.js';
import { DEFAULT_PARAMS, fitSegments, scaledFeatures } from '../../src/core/fit.js';
import { kneedle } from '../../src/core/knee.js';
import { seededRandom } from '../../src/core/random.js';
import { silhouette } from '../../src/core/silhouette.js';
import { applyScaler, featureMatrix, fitScaler } from '../../src/core/scale.js';

/** Every 6th customer of the CDNOW fixture (3,917 of 23,502), log features, z-scored. */
function cdnowSample(): { x: Float64Array; n: number } {
  const rows = readFileSync(new URL('../../fixtures/sklearn/cdnow_rfm.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .filter((_, i) => i % 6 === 0)
    .map((line) => {
      const [, recency, frequency, monetary] = line.split(',').map(Number);
      return { recency: recency!, frequency: frequency!, monetary: monetary! };
    });
  const raw = featureMatrix(rows, 'log');
  return { x: applyScaler(raw, rows.length, 3, fitScaler(raw, rows.length, 3)), n: rows.length };
}

/** Three tight, far-apart blobs of 50 points in 3-D. */
function threeBlobs(): Float64Array {
  const rng = seededRandom(11);
  return Float64Array.from({ length: 150 * 3 }, (_, i) => 20 * (Math.floor(i / 3) % 3) * (i % 3 === 1 ? 1 : 0) + rng.next());
}

describe('elbow', () => {
  const { x, n } = cdnowSample();
  const result = elbow(x, n, 3, { nInit: 10, seed: 42 });

  it('reports k = 1..10 with the inertia of kmeans and the silhouette for k >= 2', () => {
    expect(result.points.map((p) => p.k)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.points[0]!.silhouette).toBeNull();
    for (const p of result.points) {
      const fit = kmeans(x, n, 3, { k: p.k, nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 });
      expect(p.inertia).toBe(fit.inertia);
      if (p.k >= 2) {
        expect(p.silhouette).toBe(silhouette(x, n, 3, fit.labels, p.k, { seed: 42 }));
        expect(p.silhouette! > -1 && p.silhouette! < 1).toBe(true);
      }
    }
    // k = 1 is the total sum of squares: n × 3 for z-scored features.
    expect(result.points[0]!.inertia).toBeCloseTo(n * 3, 6);
  });

  it('suggests the Kneedle knee of inertia against k', () => {
    const knee = kneedle(
      result.points.map((p) => p.k),
      result.points.map((p) => p.inertia),
      { curve: 'convex', direction: 'decreasing' },
    );
    expect(result.suggestedK).toBe(knee);
    expect(result.suggestedK).not.toBeNull();
  });

  it('finds k = 3 for three clear blobs', () => {
    const r = elbow(threeBlobs(), 150, 3, { nInit: 5 });
    expect(r.suggestedK).toBe(3);
    expect(r.points[2]!.silhouette).toBeGreaterThan(0.9);
  });

  it('clips k-max to the number of customers and honours k-min', () => {
    const small = Float64Array.of(0, 1, 5, 6, 20);
    expect(elbow(small, 5, 1).points.map((p) => p.k)).toEqual([1, 2, 3, 4, 5]);
    expect(elbow(small, 5, 1, { kMin: 2, kMax: 3 }).points.map((p) => p.k)).toEqual([2, 3]);
  });

  it('refuses a k-min above the number of customers, and an empty range', () => {
    const small = Float64Array.of(0, 1);
    for (const options of [{ kMin: 3 }, { kMin: 4, kMax: 2 }, { kMin: 0 }]) {
      try {
        elbow(small, 2, 1, options);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(RfmError);
        expect((e as RfmError).kind).toBe('usage');
      }
    }
  });
});

describe('elbow clusterings reused by fit -k auto', () => {
  const rng = seededRandom(5);
  const rows = Array.from({ length: 300 }, (_, i) => ({
    customerId: String(i),
    recency: Math.floor(rng.next() * 300),
    frequency: 1 + Math.floor(rng.next() * 12),
    monetary: Math.round(rng.next() * 500000) / 100,
  }));
  const params = { ...DEFAULT_PARAMS, k: 3, nInit: 4 };
  const { x } = scaledFeatures(rows, params.transform);
  const options = { kMin: 1, kMax: 5, nInit: params.nInit, maxIter: params.maxIter, tol: params.tol, seed: params.seed, silhouettes: false };

  it('keeps each k-means result only when asked, equal to running k-means for that k', () => {
    expect(elbow(x, rows.length, 3, options).points.every((p) => p.clustering === undefined)).toBe(true);
    const kept = elbow(x, rows.length, 3, { ...options, keepClusterings: true });
    const three = kept.points.find((p) => p.k === 3)!.clustering!;
    expect(three).toEqual(kmeans(x, rows.length, 3, { k: 3, nInit: params.nInit, maxIter: params.maxIter, tol: params.tol, seed: params.seed }));
  });

  it('fitSegments with the kept clustering gives exactly the model it computes itself; a clustering for another k is ignored', () => {
    const kept = elbow(x, rows.length, 3, { ...options, keepClusterings: true });
    const own = fitSegments(rows, params);
    expect(fitSegments(rows, params, { clustering: kept.points.find((p) => p.k === 3)!.clustering })).toEqual(own);
    expect(fitSegments(rows, params, { clustering: kept.points.find((p) => p.k === 4)!.clustering })).toEqual(own);
  });
});
