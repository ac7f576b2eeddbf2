/**
 * k-means with its restarts shared with a helper thread gives exactly the one-thread kmeans():
 * same centroids, labels, inertia, iterations and winning run. Imported from dist/ (built by
 * `npm test`): the worker is a compiled .js file next to the module.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { kmeans } from '../../src/core/kmeans.js';
import { seededRandom } from '../../src/core/random.js';
import { runSteps } from '../../src/core/steps.js';
import type * as Parallel from '../../src/cli/parallel.js';
import type * as Shutdown from '../../src/cli/shutdown.js';

const { kmeansParallelSteps, startHelpers, PARALLEL_MIN_POINTS } = (await import(new URL('../../dist/cli/parallel.js', import.meta.url).href)) as typeof Parallel;
const { runInterruptibly } = (await import(new URL('../../dist/cli/shutdown.js', import.meta.url).href)) as typeof Shutdown;

/** Loose groups of 3-D points that overlap, so that restarts end in different local optima. */
function points(n: number, seed: number): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: n * 3 }, (_, i) => (Math.floor(i / 3) % 5) * (i % 3 === 1 ? 0.8 : 0.3) + rng.next() + rng.next());
}

describe('kmeansParallelSteps', () => {
  const helpers = startHelpers(1, 2);
  afterAll(() => helpers.forEach((h) => h.stop()));

  it('equals kmeans() for several k, seeds and restart counts, on either side of the seeding sample', async () => {
    expect(helpers).toHaveLength(1);
    const cases = [
      { n: PARALLEL_MIN_POINTS + 100, k: 4, nInit: 10, seed: 42 },
      { n: PARALLEL_MIN_POINTS + 100, k: 7, nInit: 3, seed: 1 },
      { n: 70_000, k: 5, nInit: 4, seed: 9 }, // above SEED_SAMPLE: each run seeds on a sample
    ];
    for (const { n, k, nInit, seed } of cases) {
      const x = points(n, seed);
      const options = { k, nInit, maxIter: 300, tol: 1e-4, seed };
      const alone = kmeans(x, n, 3, options);
      const shared = await runInterruptibly(kmeansParallelSteps(x, n, 3, options, helpers));
      expect(shared.nInitBest).toBe(alone.nInitBest);
      expect(shared.iterations).toBe(alone.iterations);
      expect(shared.inertia).toBe(alone.inertia);
      expect(shared.centroids).toEqual(alone.centroids);
      expect(Array.from(shared.labels)).toEqual(Array.from(alone.labels));
    }
  });

  it('without a helper (or below PARALLEL_MIN_POINTS) runs on this thread, with the same answer', async () => {
    const n = 500;
    const x = points(n, 3);
    const options = { k: 3, nInit: 5, maxIter: 300, tol: 1e-4, seed: 3 };
    const alone = kmeans(x, n, 3, options);
    expect(runSteps(kmeansParallelSteps(x, n, 3, options, []))).toEqual(alone);
    expect(await runInterruptibly(kmeansParallelSteps(x, n, 3, options, helpers))).toEqual(alone);
  });

  it('checks its arguments as kmeans() does', async () => {
    const x = points(PARALLEL_MIN_POINTS, 5);
    const message = await runInterruptibly(kmeansParallelSteps(x, PARALLEL_MIN_POINTS, 3, { k: 0, nInit: 10, maxIter: 300, tol: 1e-4, seed: 1 }, helpers)).catch((e: Error) => e.message);
    expect(message).toBe('k must be an integer >= 1, got 0');
  });
});
