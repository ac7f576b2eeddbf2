/**
 * Mean silhouette coefficient (Rousseeuw 1987), as scikit-learn's `silhouette_score`:
 * for each point, a = mean distance to the other members of its cluster, b = the lowest mean
 * distance to the members of another cluster, s = (b - a) / max(a, b); a point alone in its
 * cluster has s = 0. Euclidean distances.
 *
 * Exact when n <= sampleSize; above, computed on a seeded random sample of sampleSize points
 * (cluster sizes then count sample members only), like `silhouette_score(sample_size, random_state)`
 * — the sample differs from scikit-learn's because the generator does.
 *
 * Cost: O(m² · d) for m = min(n, sampleSize) points — every pair once (the distance is added to
 * both ends), with the points grouped by cluster so that one end's sum stays in a register.
 * 10,000 points (the default cap) are 50M pairs, in two fixed blocks of rows that two threads
 * can share (see silhouetteBlocks).
 */
import { usageError } from './errors.js';
import { seededRandom } from './random.js';

export interface SilhouetteOptions {
  /** Points used at most (default 10,000). */
  sampleSize?: number;
  /** Seed of the sample (default 0); unused when n <= sampleSize. */
  seed?: number;
}

/**
 * Which rows to use: all of them, or a seeded sample without replacement (partial Fisher–Yates
 * over the row numbers 0..n-1). The shuffled array is kept sparse — only the places a swap moved
 * a number to — so a sample of 10,000 from 10,000,000 rows costs 10,000 entries, not n.
 */
function sampleRows(n: number, sampleSize: number, seed: number): Int32Array {
  if (n <= sampleSize) {
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
    return rows;
  }
  const rng = seededRandom(seed);
  const moved = new Map<number, number>();
  const sample = new Int32Array(sampleSize);
  for (let i = 0; i < sampleSize; i++) {
    const j = i + rng.int(n - i);
    sample[i] = moved.get(j) ?? j;
    // Place i is never read again (later draws are above it); j now holds what i held.
    moved.set(j, moved.get(i) ?? i);
  }
  return sample;
}

/**
 * Adds the distance of every pair (i, j > i) with i in [from, to) to both ends:
 * sums[c * m + i] += distance from point i to the members j of cluster c (cluster-major, so that
 * the inner loop adds to consecutive places: ~6 % faster than point-major).
 * Points are ordered by cluster; `start[c]` is where cluster c begins.
 */
function pairSums(p: Float64Array, d: number, lab: Int32Array, start: Int32Array, k: number, from: number, to: number, sums: Float64Array): void {
  const m = lab.length;
  for (let i = from; i < to; i++) {
    const li = lab[i]!;
    const io = i * d;
    const own = li * m; // where the sums towards cluster li begin
    for (let c = li; c < k; c++) {
      const first = Math.max(start[c]!, i + 1);
      const end = start[c + 1]!;
      let acc = 0;
      if (d === 3) {
        const x0 = p[io]!;
        const x1 = p[io + 1]!;
        const x2 = p[io + 2]!;
        for (let j = first, jo = first * 3; j < end; j++, jo += 3) {
          const a = x0 - p[jo]!;
          const b = x1 - p[jo + 1]!;
          const e = x2 - p[jo + 2]!;
          const dist = Math.sqrt(a * a + b * b + e * e);
          acc += dist;
          sums[own + j] += dist;
        }
      } else {
        for (let j = first; j < end; j++) {
          let s = 0;
          for (let f = 0; f < d; f++) {
            const t = p[io + f]! - p[j * d + f]!;
            s += t * t;
          }
          const dist = Math.sqrt(s);
          acc += dist;
          sums[own + j] += dist;
        }
      }
      sums[c * m + i] += acc;
    }
  }
}

/** The sampled points sorted by cluster, ready for the pair sums. */
export interface SilhouettePlan {
  /** m × d points, grouped by cluster. */
  p: Float64Array;
  m: number;
  d: number;
  k: number;
  lab: Int32Array;
  /** Where each cluster's points begin in `p` (k + 1 values). */
  start: Int32Array;
}

/**
 * The sample (all points when n <= sampleSize), counting-sorted by cluster.
 * @throws usage error for a bad sample size, mismatched lengths or a label outside 0..k-1.
 */
export function silhouettePlan(x: Float64Array, n: number, d: number, labels: ArrayLike<number>, k: number, options: SilhouetteOptions = {}): SilhouettePlan {
  const { sampleSize = 10_000, seed = 0 } = options;
  if (!Number.isInteger(sampleSize) || sampleSize < 2) {
    throw usageError(`the silhouette sample size must be an integer >= 2, got ${sampleSize}`, 'the default is 10000');
  }
  if (labels.length !== n || x.length !== n * d) throw usageError(`silhouette needs ${n} labels and ${n} × ${d} values`);
  const rows = sampleRows(n, sampleSize, seed);
  const m = rows.length;
  const start = new Int32Array(k + 1);
  for (const r of rows) {
    const l = labels[r]!;
    if (!Number.isInteger(l) || l < 0 || l >= k) throw usageError(`label ${l} is outside 0..${k - 1}`);
    start[l + 1]!++;
  }
  for (let c = 0; c < k; c++) start[c + 1] += start[c]!;
  const next = start.slice(0, k);
  const p = new Float64Array(m * d);
  const lab = new Int32Array(m);
  for (const r of rows) {
    const l = labels[r]!;
    const at = next[l]!++;
    lab[at] = l;
    p.set(x.subarray(r * d, r * d + d), at * d);
  }
  return { p, m, d, k, lab, start };
}

/**
 * The two fixed blocks of rows whose pair sums are computed separately (and may be computed on
 * two threads): row i has m - 1 - i pairs, so the first block ends at m(1 - 1/√2) for about half
 * the pairs each. Fixed, so that the result is the same whether one thread or two do the work.
 */
export function silhouetteBlocks(m: number): [from: number, to: number][] {
  const split = Math.round(m * (1 - Math.SQRT1_2));
  return [
    [0, split],
    [split, m],
  ];
}

/** The pair sums of the rows [from, to) of the plan: a k × m array (see pairSums). */
export function blockSums(plan: SilhouettePlan, from: number, to: number): Float64Array {
  const sums = new Float64Array(plan.m * plan.k);
  pairSums(plan.p, plan.d, plan.lab, plan.start, plan.k, from, to, sums);
  return sums;
}

/** The mean silhouette from the blocks' pair sums, added in block order. */
export function silhouetteFromSums(plan: SilhouettePlan, blocks: readonly Float64Array[]): number {
  const { m, k, lab, start } = plan;
  const sums = new Float64Array(m * k);
  for (const block of blocks) for (let i = 0; i < sums.length; i++) sums[i] += block[i]!;
  let total = 0;
  for (let i = 0; i < m; i++) {
    const li = lab[i]!;
    const own = start[li + 1]! - start[li]!;
    if (own <= 1) continue; // a singleton scores 0
    const a = sums[li * m + i]! / (own - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) {
      const size = start[c + 1]! - start[c]!;
      if (c !== li && size > 0) b = Math.min(b, sums[c * m + i]! / size);
    }
    if (b === Infinity) continue; // only one cluster present
    const denom = Math.max(a, b);
    if (denom > 0) total += (b - a) / denom;
  }
  return total / m;
}

/**
 * @param x n × d row-major points; labels their clusters, 0..k-1.
 * @returns the mean silhouette in [-1, 1]; 0 when the (sampled) points span fewer than 2 clusters.
 * @example silhouette(Float64Array.of(0, 1, 10, 11), 4, 1, Int32Array.of(0, 0, 1, 1), 2) // ≈ 0.9
 */
export function silhouette(
  x: Float64Array,
  n: number,
  d: number,
  labels: ArrayLike<number>,
  k: number,
  options: SilhouetteOptions = {},
): number {
  const plan = silhouettePlan(x, n, d, labels, k, options);
  return silhouetteFromSums(plan, silhouetteBlocks(plan.m).map(([from, to]) => blockSums(plan, from, to)));
}
