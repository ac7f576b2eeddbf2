import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { kmeans as mlKmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { assign, drawsPerRun, kmeans, lloyd, nearest, preparePoints, SEED_SAMPLE, seedPlusPlus, spatialOrder, type IterationInfo } from '../../src/core/kmeans.js';
import { seededRandom } from '../../src/core/random.js';
import { applyScaler, featureMatrix, fitScaler } from '../../src/core/scale.js';

const DEFAULTS = { nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 };
const fixture = (name: string) => new URL(`../../fixtures/sklearn/${name}`, import.meta.url);
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8'));

/** The scaled CDNOW features the scikit-learn oracle was fitted on. */
function cdnow(transform: 'log' | 'none'): { x: Float64Array; n: number } {
  const rows = readFileSync(fixture('cdnow_rfm.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, recency, frequency, monetary] = line.split(',').map(Number);
      return { recency: recency!, frequency: frequency!, monetary: monetary! };
    });
  const raw = featureMatrix(rows, transform);
  return { x: applyScaler(raw, rows.length, 3, fitScaler(raw, rows.length, 3)), n: rows.length };
}

const sqDist = (x: Float64Array, i: number, c: readonly number[]) => c.reduce((s, v, f) => s + (x[i * c.length + f]! - v) ** 2, 0);

function inertiaOf(x: Float64Array, n: number, centroids: number[][], labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += sqDist(x, i, centroids[labels[i]!]!);
  return s;
}

function catchError(f: () => unknown): RfmError {
  try {
    f();
  } catch (e) {
    return e as RfmError;
  }
  throw new Error('expected an error');
}

describe('kmeans on worked examples', () => {
  it("reproduces scikit-learn's KMeans docstring example: inertia exactly 16", () => {
    const { points, k, inertia } = expected.docstring;
    const x = Float64Array.from((points as number[][]).flat());
    const r = kmeans(x, 6, 2, { k, ...DEFAULTS });
    expect(r.inertia).toBe(16);
    expect(inertia).toBe(16);
    expect(r.labels[0]).toBe(r.labels[1]);
    expect(r.labels[1]).toBe(r.labels[2]);
    expect(r.labels[3]).toBe(r.labels[4]);
    expect(r.labels[4]).toBe(r.labels[5]);
    expect(r.labels[0]).not.toBe(r.labels[3]);
    expect([...r.centroids].sort((a, b) => a[0]! - b[0]!)).toEqual([
      [1, 2],
      [10, 2],
    ]);
  });

  it('splits 0, 1 | 10, 11 with inertia 1', () => {
    const r = kmeans(Float64Array.of(0, 1, 10, 11), 4, 1, { k: 2, ...DEFAULTS });
    expect(r.inertia).toBe(1);
  });

  it('puts the one centroid of k = 1 at the mean', () => {
    const r = kmeans(Float64Array.of(1, 1, 3, 5, 5, 3), 3, 2, { k: 1, ...DEFAULTS });
    expect(r.centroids).toEqual([[3, 3]]);
    expect(r.inertia).toBe(16);
  });

  it('gives every point its own cluster when k = n', () => {
    const r = kmeans(Float64Array.of(0, 3, 7, 20), 4, 1, { k: 4, ...DEFAULTS });
    expect(r.inertia).toBe(0);
    expect(new Set(r.labels).size).toBe(4);
  });

  it('fills clusters that would be empty (identical points, k > distinct values)', () => {
    const r = kmeans(Float64Array.of(2, 2, 2, 2, 2), 5, 1, { k: 3, ...DEFAULTS });
    expect(r.inertia).toBe(0);
    expect(new Set(r.labels)).toEqual(new Set([0, 1, 2]));
  });

  it('is deterministic for a seed', () => {
    const { x, n } = cdnow('log');
    const a = kmeans(x, n, 3, { k: 4, ...DEFAULTS });
    const b = kmeans(x, n, 3, { k: 4, ...DEFAULTS });
    expect(b.inertia).toBe(a.inertia);
    expect(b.centroids).toEqual(a.centroids);
    expect(b.labels).toEqual(a.labels);
    expect(b.nInitBest).toBe(a.nInitBest);
  });

  it('seeds on a sample above SEED_SAMPLE rows and still finds the clusters', () => {
    const n = SEED_SAMPLE + 5000;
    const rng = seededRandom(3);
    const x = Float64Array.from({ length: n * 3 }, (_, i) => 8 * (Math.floor(i / 3) % 3) + rng.next());
    const r = kmeans(x, n, 3, { k: 3, ...DEFAULTS, nInit: 2 });
    // Uniform noise on [0, 1)³ around each centre: inertia ≈ n × 3 × 1/12.
    expect(r.inertia / n).toBeCloseTo(0.25, 1);
    expect(new Set(r.labels).size).toBe(3);
  });
});

describe('kmeans properties', () => {
  const matrix = fc
    .record({ n: fc.integer({ min: 1, max: 40 }), d: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 6 }), seed: fc.nat() })
    .chain(({ n, d, k, seed }) =>
      fc.record({
        n: fc.constant(n),
        d: fc.constant(d),
        k: fc.constant(Math.min(k, n)),
        seed: fc.constant(seed),
        // Few distinct values on purpose: ties and duplicates are where k-means code breaks.
        values: fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n * d, maxLength: n * d }),
      }),
    );

  it('labels every point with a cluster in 0..k-1 whose centroid is nearest, and reports the true inertia', () => {
    fc.assert(
      fc.property(matrix, ({ n, d, k, seed, values }) => {
        const x = Float64Array.from(values);
        const r = kmeans(x, n, d, { k, nInit: 3, maxIter: 300, tol: 1e-4, seed });
        expect(r.labels.length).toBe(n);
        expect(r.centroids.length).toBe(k);
        for (let i = 0; i < n; i++) {
          const l = r.labels[i]!;
          expect(l >= 0 && l < k).toBe(true);
          const own = sqDist(x, i, r.centroids[l]!);
          for (const c of r.centroids) expect(own).toBeLessThanOrEqual(sqDist(x, i, c) + 1e-9);
        }
        expect(r.inertia).toBeCloseTo(inertiaOf(x, n, r.centroids, r.labels), 9);
        expect(r.iterations).toBeGreaterThanOrEqual(1);
        expect(r.nInitBest).toBeLessThan(3);
      }),
      { numRuns: 200 },
    );
  });

  it('never lets the inertia rise from one Lloyd step to the next', () => {
    fc.assert(
      fc.property(matrix, ({ n, d, k, seed, values }) => {
        const steps: IterationInfo[] = [];
        kmeans(Float64Array.from(values), n, d, { k, nInit: 2, maxIter: 300, tol: 0, seed, onIteration: (s) => steps.push(s) });
        for (let i = 1; i < steps.length; i++) {
          if (steps[i]!.run !== steps[i - 1]!.run) continue;
          expect(steps[i]!.iteration).toBe(steps[i - 1]!.iteration + 1);
          expect(steps[i]!.inertia).toBeLessThanOrEqual(steps[i - 1]!.inertia * (1 + 1e-12) + 1e-12);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never lets the inertia rise on real data either', () => {
    const { x, n } = cdnow('none');
    const steps: IterationInfo[] = [];
    kmeans(x, n, 3, { k: 6, ...DEFAULTS, nInit: 2, onIteration: (s) => steps.push(s) });
    expect(steps.length).toBeGreaterThan(4);
    expect(steps[0]!.changed).toBe(n);
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]!.run === steps[i - 1]!.run) expect(steps[i]!.inertia).toBeLessThanOrEqual(steps[i - 1]!.inertia * (1 + 1e-12));
    }
  });
});

describe('lloyd', () => {
  // The docstring points: (1,2) (1,4) (1,0) | (10,2) (10,4) (10,0). Worked by hand.
  it('iterates from centroids either side of the two columns to the docstring optimum: inertia 16', () => {
    const x = Float64Array.from((expected.docstring.points as number[][]).flat());
    const r = lloyd(x, 6, 2, [[0, 2], [11, 2]]);
    // x = 1 is nearer (0,2), x = 10 nearer (11,2); the means are (1,2) and (10,2), and each
    // column adds 0 + 2² + 2² = 8.
    expect([...r.labels]).toEqual([0, 0, 0, 1, 1, 1]);
    expect(r.centroids).toEqual([[1, 2], [10, 2]]);
    expect(r.inertia).toBe(16);
  });

  it('from (1,0) and (1,4) stops in the local optimum split by height (inertia 125.5), never rising', () => {
    const x = Float64Array.from((expected.docstring.points as number[][]).flat());
    const seen: number[] = [];
    const r = lloyd(x, 6, 2, [[1, 0], [1, 4]], { onIteration: (s) => seen.push(s.inertia) });
    // (1,2) and (10,2) are as far from both and go to the lower index: {(1,2) (1,0) (10,2) (10,0)}
    // with mean (5.5,1) and {(1,4) (10,4)} with mean (5.5,4), which reassigns nobody.
    // 4 × (4.5² + 1²) + 2 × 4.5² = 85 + 40.5.
    expect([...r.labels]).toEqual([0, 1, 0, 0, 1, 0]);
    expect(r.centroids).toEqual([[5.5, 1], [5.5, 4]]);
    expect(r.inertia).toBe(125.5);
    expect(seen.length).toBeGreaterThan(0);
    seen.forEach((v, i) => i > 0 && expect(v).toBeLessThanOrEqual(seen[i - 1]!));
  });

  it('moves a point into a centroid that attracted none', () => {
    const r = lloyd(Float64Array.of(0, 1, 2, 10), 4, 1, [[0], [1], [1000]]);
    expect(new Set(r.labels).size).toBe(3);
    expect(r.centroids.map((c) => c[0])).toContain(10);
  });

  it('refuses centroids of the wrong width', () => {
    expect(() => lloyd(Float64Array.of(0, 1), 2, 1, [[0, 1]])).toThrow(RfmError);
  });
});

describe('kmeans validation', () => {
  const x = Float64Array.of(1, 2, 3);

  it('refuses k greater than the number of customers, as a usage error with a hint', () => {
    const e = catchError(() => kmeans(x, 3, 1, { k: 4, ...DEFAULTS }));
    expect(e).toBeInstanceOf(RfmError);
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(/k must be <= the number of customers \(3\)/);
    expect(e.hint).toMatch(/between 1 and 3/);
  });

  it('refuses a k, n-init or max-iter that is not a positive integer, and a negative tol', () => {
    for (const bad of [{ k: 0 }, { k: 1.5 }, { k: NaN }, { nInit: 0 }, { maxIter: 0 }, { tol: -1 }, { tol: NaN }]) {
      expect(catchError(() => kmeans(x, 3, 1, { k: 2, ...DEFAULTS, ...bad })).kind).toBe('usage');
    }
  });

  it('refuses an empty matrix, a wrong shape and non-finite values as data errors', () => {
    expect(catchError(() => kmeans(new Float64Array(0), 0, 3, { k: 1, ...DEFAULTS })).kind).toBe('data');
    expect(catchError(() => kmeans(x, 2, 2, { k: 1, ...DEFAULTS })).kind).toBe('data');
    expect(catchError(() => kmeans(Float64Array.of(1, NaN, 3), 3, 1, { k: 2, ...DEFAULTS })).kind).toBe('data');
  });
});

describe('prepared points', () => {
  it('give exactly the result of a call that prepares them itself, for every k', () => {
    const rng = seededRandom(3);
    const n = 600;
    const x = Float64Array.from({ length: n * 3 }, () => rng.next() + rng.next());
    const prepared = preparePoints(x, n, 3);
    for (let k = 1; k <= 6; k++) expect(kmeans(x, n, 3, { k, ...DEFAULTS }, prepared)).toEqual(kmeans(x, n, 3, { k, ...DEFAULTS }));
  });

  it('must be those of the call', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    const prepared = preparePoints(x, 4, 1);
    expect(catchError(() => kmeans(Float64Array.of(1, 2, 3, 4), 4, 1, { k: 2, ...DEFAULTS }, prepared)).kind).toBe('usage');
    expect(catchError(() => kmeans(x, 2, 2, { k: 2, ...DEFAULTS }, prepared)).kind).toBe('usage');
    expect(catchError(() => preparePoints(x, 3, 1)).kind).toBe('data');
    expect(catchError(() => preparePoints(Float64Array.of(1, Infinity), 2, 1)).kind).toBe('data');
  });
});

describe('assign, nearest, seeding and point order', () => {
  it('assigns each row to its nearest centroid, the lowest index on ties', () => {
    expect(Array.from(assign(Float64Array.of(0, 5, 10, 4.9), 4, 1, [[0], [10], [0]]))).toEqual([0, 0, 1, 0]);
    expect(assign(Float64Array.of(5), 1, 1, [[4], [6]])[0]).toBe(0);
  });

  it('gives Euclidean distances to every centroid', () => {
    const r = nearest([0, 0, 0], [
      [3, 4, 0],
      [1, 0, 0],
      [0, 0, 2],
    ]);
    expect(r).toEqual({ cluster: 1, distances: [5, 1, 2] });
  });

  it('seeds k distinct rows of the data (a chosen row has D² = 0 and cannot be drawn again)', () => {
    const { x, n } = cdnow('log');
    const c = seedPlusPlus(x, n, 3, 8, seededRandom(1));
    const rows = new Set<string>();
    for (let i = 0; i < n; i++) rows.add(Array.from(x.subarray(i * 3, i * 3 + 3)).join());
    const seeds = Array.from({ length: 8 }, (_, j) => Array.from(c.subarray(j * 3, j * 3 + 3)).join());
    seeds.forEach((s) => expect(rows.has(s)).toBe(true));
    expect(new Set(seeds).size).toBe(8);
  });

  it('enters the random stream anywhere: seededRandom(seed, skip) draws what the stream draws after skip values', () => {
    for (const seed of [0, 42, 2 ** 32 - 1]) {
      const stream = seededRandom(seed);
      const drawn = Array.from({ length: 300 }, () => stream.next());
      for (const skip of [0, 1, 7, 123, 299]) expect(seededRandom(seed, skip).next(), `seed ${seed}, skip ${skip}`).toBe(drawn[skip]);
    }
    // A skip of 2^32 draws is the whole period: the stream starts over.
    expect(seededRandom(5, 2 ** 32).next()).toBe(seededRandom(5).next());
  });

  it('draws exactly drawsPerRun values per restart (what lets each restart enter the stream at its own place)', () => {
    const { x, n } = cdnow('log');
    for (const k of [1, 2, 3, 4, 7, 8, 12, 20]) {
      let draws = 0;
      const inner = seededRandom(k);
      const counting = { next: () => (draws++, inner.next()), int: (m: number) => (draws++, inner.int(m)) };
      seedPlusPlus(x, n, 3, k, counting);
      // n <= SEED_SAMPLE: no sample draw.
      expect(draws, `k = ${k}`).toBe(drawsPerRun(n, k));
      expect(drawsPerRun(SEED_SAMPLE + 1, k)).toBe(draws + 1);
    }
  });

  it('orders rows by their Z-order code, equal codes in input order, for d = 3 and d = 2', () => {
    // Reference: each feature cut into 1,024 levels between its min and max, the bits of the
    // levels interleaved (feature 0 highest), then a comparison sort by (code, row).
    const reference = (x: Float64Array, n: number, d: number): number[] => {
      const dims = Math.min(d, 3);
      const lo = Array.from({ length: dims }, (_, f) => Math.min(...Array.from({ length: n }, (_, i) => x[i * d + f]!)));
      const hi = Array.from({ length: dims }, (_, f) => Math.max(...Array.from({ length: n }, (_, i) => x[i * d + f]!)));
      const code = (i: number) => {
        const levels = lo.map((l, f) => (hi[f]! > l ? Math.min(1023, Math.floor(((x[i * d + f]! - l) / (hi[f]! - l)) * 1024)) : 0));
        let c = 0;
        // Three bit slots per level whatever d is (an unused feature's slot stays 0).
        for (let bit = 9; bit >= 0; bit--) for (let f = 0; f < 3; f++) c = c * 2 + (f < dims ? (levels[f]! >> bit) & 1 : 0);
        return c;
      };
      const codes = Array.from({ length: n }, (_, i) => code(i));
      return Array.from({ length: n }, (_, i) => i).sort((a, b) => codes[a]! - codes[b]! || a - b);
    };
    const random = seededRandom(7);
    for (const d of [3, 2]) {
      const n = 3_000;
      // Few distinct values in one feature (ties in the code) and a wide range in another.
      const x = Float64Array.from({ length: n * d }, (_, i) => (i % d === 0 ? Math.floor(random.next() * 4) : i % d === 1 ? random.next() * 1e6 : random.next()));
      expect(Array.from(spatialOrder(x, n, d)), `d = ${d}`).toEqual(reference(x, n, d));
    }
  });

  it('orders rows by a permutation of 0..n-1', () => {
    const { x, n } = cdnow('none');
    const order = spatialOrder(x, n, 3);
    expect(new Set(order).size).toBe(n);
    expect(Math.min(...order)).toBe(0);
    expect(Math.max(...order)).toBe(n - 1);
  });
});

describe('oracles on the CDNOW RFM table (23,502 customers)', () => {
  for (const transform of ['log', 'none'] as const) {
    it(`reaches scikit-learn's KMeans(n_init=10) inertia within +0.1% for k = 1..10, transform ${transform}`, () => {
      const { x, n } = cdnow(transform);
      const sk: number[] = expected.transforms[transform].inertia;
      for (let k = 1; k <= 10; k++) {
        const ours = kmeans(x, n, 3, { k, ...DEFAULTS }).inertia;
        expect(ours, `k = ${k}`).toBeLessThanOrEqual(sk[k - 1]! * 1.001);
      }
    });

    // ml-kmeans with its defaults (k-means++, tolerance 1e-6, 100 iterations); k = 2..5 keeps
    // this file near 10 s — ml-kmeans on number[][] is the slow part.
    it(`does at least as well as ml-kmeans's best of 10 seeds (+0.1%) for k = 2..5, transform ${transform}`, () => {
      const { x, n } = cdnow(transform);
      const points = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * 3, i * 3 + 3)));
      for (let k = 2; k <= 5; k++) {
        let best = Infinity;
        for (let seed = 0; seed < 10; seed++) {
          const ml = mlKmeans(points, k, { seed, initialization: 'kmeans++' });
          best = Math.min(best, inertiaOf(x, n, ml.centroids, ml.clusters));
        }
        const ours = kmeans(x, n, 3, { k, ...DEFAULTS }).inertia;
        expect(ours, `k = ${k}`).toBeLessThanOrEqual(best * 1.001);
      }
    });
  }
});
