/**
 * The elbow on several cores. Each k's k-means (and silhouette) is independent of the others and
 * seeded the same way, so the points can be computed on worker threads and the result is the same
 * bytes as `elbow()` in one thread, whatever the number of cores — only sooner.
 *
 * Helpers are started before the input is read (`startElbowHelpers`), so that a worker's start-up
 * and the compilation of the k-means code happen on the idle core while this thread parses.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { elbowKs, elbowPoint, elbowResult, type ElbowOptions, type ElbowPoint, type ElbowResult } from '../core/elbow.js';

/** Below this many customers the elbow takes a few milliseconds: one thread does it. */
export const PARALLEL_MIN_CUSTOMERS = 2_000;

export interface WorkerJob {
  x: Float64Array;
  n: number;
  d: number;
  ks: number[];
  options: ElbowOptions;
}

export interface ElbowHelper {
  /** The elbow points of `job.ks`, computed on the helper's thread. */
  run(job: WorkerJob): Promise<ElbowPoint[]>;
  stop(): void;
}

function startHelper(): ElbowHelper {
  const worker = new Worker(new URL('./elbow-worker.js', import.meta.url));
  // An idle helper never keeps the process alive; it is held only while it has a job.
  worker.unref();
  let failure: Error | undefined;
  worker.once('error', (error) => (failure = error));
  return {
    run(job) {
      if (failure) return Promise.reject(failure);
      worker.ref();
      return new Promise<ElbowPoint[]>((resolve, reject) => {
        worker.once('message', (points: ElbowPoint[]) => resolve(points));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`elbow worker exited with code ${code}`)));
        worker.postMessage(job);
      }).finally(() => worker.unref());
    },
    stop: () => void worker.terminate(),
  };
}

/** One helper per core beyond this one (none on a single core). Stop them when done. */
export function startElbowHelpers(threads = availableParallelism()): ElbowHelper[] {
  return Array.from({ length: Math.max(0, Math.min(threads, 10) - 1) }, startHelper);
}

/**
 * Splits the k values into `bins` groups of about equal work (largest k first, each to the least
 * loaded group; a k-means run costs roughly in proportion to k), each group in ascending k.
 */
export function shareKs(ks: readonly number[], bins: number): number[][] {
  const groups = Array.from({ length: bins }, () => ({ ks: [] as number[], load: 0 }));
  for (const k of [...ks].sort((a, b) => b - a)) {
    const least = groups.reduce((a, b) => (b.load < a.load ? b : a));
    least.ks.push(k);
    least.load += k;
  }
  return groups.map((g) => g.ks.sort((a, b) => a - b)).filter((g) => g.length > 0);
}

/**
 * `elbow()` with its k values shared between this thread and the helpers. A helper that fails
 * (it should not) has its share recomputed here, so the answer never depends on threads.
 */
export async function elbowParallel(x: Float64Array, n: number, d: number, options: ElbowOptions, helpers: readonly ElbowHelper[]): Promise<ElbowResult> {
  const ks = elbowKs(n, options);
  const used = n >= PARALLEL_MIN_CUSTOMERS ? helpers.slice(0, ks.length - 1) : [];
  const [mine, ...theirs] = shareKs(ks, used.length + 1);
  const pending = theirs.map((share, i) => {
    const points = used[i]!.run({ x, n, d, ks: share, options });
    points.catch(() => undefined); // awaited below, or never when this thread's own share throws
    return { share, points };
  });
  const points = mine!.map((k) => elbowPoint(x, n, d, k, options));
  for (const p of pending) {
    points.push(...(await p.points.catch(() => p.share.map((k) => elbowPoint(x, n, d, k, options)))));
  }
  return elbowResult(points.sort((a, b) => a.k - b.k));
}
