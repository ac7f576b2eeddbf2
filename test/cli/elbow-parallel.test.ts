/**
 * The elbow shared with worker threads gives exactly the single-thread answer. Imported from
 * dist/ (built by `npm test`): the worker is a compiled .js file next to the module.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { elbow } from '../../src/core/elbow.js';
import { seededRandom } from '../../src/core/random.js';
import type * as Parallel from '../../src/cli/elbow-parallel.js';

const parallel = (await import(new URL('../../dist/cli/elbow-parallel.js', import.meta.url).href)) as typeof Parallel;
const { elbowParallel, shareKs, startElbowHelpers, PARALLEL_MIN_CUSTOMERS } = parallel;

/** Four loose groups of 3-D points, enough of them for the helpers to be used. */
function points(n: number): Float64Array {
  const rng = seededRandom(7);
  return Float64Array.from({ length: n * 3 }, (_, i) => 3 * (Math.floor(i / 3) % 4) * (i % 3 === 0 ? 1 : 0) + rng.next() + rng.next());
}

describe('shareKs', () => {
  it('gives every k to exactly one group, each in ascending order, with loads within the largest k', () => {
    const groups = shareKs([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2);
    expect(groups.flat().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const g of groups) expect(g).toEqual([...g].sort((a, b) => a - b));
    const loads = groups.map((g) => g.reduce((a, b) => a + b, 0));
    expect(Math.abs(loads[0]! - loads[1]!)).toBeLessThanOrEqual(1);
  });

  it('never makes empty groups', () => {
    expect(shareKs([3], 4)).toEqual([[3]]);
    expect(shareKs([1, 2], 5)).toHaveLength(2);
  });
});

describe('elbowParallel', () => {
  const n = PARALLEL_MIN_CUSTOMERS + 500;
  const x = points(n);
  const options = { kMin: 1, kMax: 8, nInit: 3, seed: 42, silhouetteSample: 1_000 };
  const helpers = startElbowHelpers(3);
  afterAll(() => helpers.forEach((h) => h.stop()));

  it('starts one helper per extra thread', () => {
    expect(helpers).toHaveLength(2);
    expect(startElbowHelpers(1)).toHaveLength(0);
  });

  it('gives exactly the single-thread points and knee, with helpers', async () => {
    const serial = elbow(x, n, 3, options);
    expect(await elbowParallel(x, n, 3, options, helpers)).toEqual(serial);
    // Again on the same helpers: they take more than one job.
    expect(await elbowParallel(x, n, 3, { ...options, silhouettes: false }, helpers)).toEqual(elbow(x, n, 3, { ...options, silhouettes: false }));
  });

  it('gives the helpers their share of k values, and none below the size threshold', async () => {
    const given: number[][] = [];
    const spy = [{ run: (job: Parallel.WorkerJob) => (given.push(job.ks), helpers[0]!.run(job)), stop: () => undefined }];
    await elbowParallel(x, n, 3, options, spy);
    expect(given).toHaveLength(1);
    expect(given[0]!.length).toBeGreaterThan(0);
    expect(given[0]!.length).toBeLessThan(8);
    given.length = 0;
    await elbowParallel(x.subarray(0, 300), 100, 3, options, spy);
    expect(given).toHaveLength(0);
  });

  it('recomputes a failed helper share on this thread', async () => {
    const broken = [{ run: () => Promise.reject(new Error('gone')), stop: () => undefined }];
    expect(await elbowParallel(x, n, 3, options, broken)).toEqual(elbow(x, n, 3, options));
  });

  it('throws the same usage error as elbow() for a bad range', async () => {
    await expect(elbowParallel(x, n, 3, { kMin: 5, kMax: 2 }, helpers)).rejects.toThrow(/k range 5..2/);
  });
});
