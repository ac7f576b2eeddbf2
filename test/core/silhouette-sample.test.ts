/**
 * The silhouette's sample above sampleSize rows: the sparse partial Fisher–Yates (only the moved
 * places kept) picks exactly the rows of the plain one over an array of all n row numbers, so the
 * sampled silhouette is the exact silhouette of those rows.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.js';
import { silhouette } from '../../src/core/silhouette.js';

/** The textbook partial Fisher–Yates over 0..n-1 with the same draws. */
function denseSample(n: number, m: number, seed: number): number[] {
  const rows = Array.from({ length: n }, (_, i) => i);
  const rng = seededRandom(seed);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return rows.slice(0, m);
}

describe('silhouette on a sample', () => {
  it('is the exact silhouette of the rows a dense Fisher–Yates draws', () => {
    const rng = seededRandom(11);
    for (const [n, m, seed, k] of [
      [5_000, 300, 42, 3],
      [2_001, 2_000, 7, 4],
      [10_000, 2, 1, 2],
    ] as const) {
      const x = Float64Array.from({ length: n * 2 }, () => rng.next());
      const labels = Int32Array.from({ length: n }, (_, i) => (x[i * 2]! * k) | 0);
      const rows = denseSample(n, m, seed);
      const sx = Float64Array.from(rows.flatMap((r) => [x[r * 2]!, x[r * 2 + 1]!]));
      const sl = Int32Array.from(rows, (r) => labels[r]!);
      expect(silhouette(x, n, 2, labels, k, { sampleSize: m, seed })).toBe(silhouette(sx, m, 2, sl, k, { sampleSize: m }));
    }
  });
});
