/**
 * The elbow and the silhouette on several cores, with the same bytes as one thread.
 * - Elbow: each k's k-means (and silhouette) is independent of the others and seeded the same
 *   way; threads take the next k, largest first, from a shared counter until none is left.
 * - Silhouette: its pair sums are split into two fixed blocks of rows (silhouetteBlocks), added in
 *   block order whichever thread computed them.
 *
 * - Lifetime value: the Gamma-Gamma spend fit, independent of the purchase model's, on a helper
 *   while this thread fits the purchase model (startSpendFit); and the second half of a long CSV
 *   or TSV output made there while this thread writes the first (startRecords).
 *
 * Helpers are started before the input is read (`startHelpers`), so that a worker's start-up
 * happens on an idle core while this thread parses.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { elbowKs, elbowPoint, elbowPointSteps, elbowResult, type ElbowOptions, type ElbowPoint, type ElbowResult } from '../core/elbow.js';
import { bestRun, betterRun, clusteringOf, kmeansSteps, preparedFor, preparePoints, type KMeansOptions, type KMeansResult, type PreparedPoints, type RunOutcome } from '../core/kmeans.js';
import { runSteps, type Steps } from '../core/steps.js';
import { fitSpendSteps, type GammaGammaParams, type SpendColumns } from '../core/clv/gamma-gamma.js';
import type { FitOptions } from '../core/clv/fit-common.js';
import { blockSums, silhouetteBlocks, silhouetteFromSums, silhouettePlan, type SilhouetteOptions, type SilhouettePlan } from '../core/silhouette.js';
import { formatRecords, type RecordsJob } from './clv-records.js';
import { runInterruptibly } from './shutdown.js';

/** Below this many points the work takes milliseconds: one thread does it. */
export const PARALLEL_MIN_POINTS = 2_000;

export interface ElbowJob {
  kind: 'elbow';
  x: Float64Array;
  n: number;
  d: number;
  /** The k values to compute, ascending. */
  ks: number[];
  options: ElbowOptions;
  /** How many k values are still unclaimed, shared by all threads of the job (see claim). */
  next: Int32Array;
}

export interface SilhouetteJob {
  kind: 'silhouette';
  plan: SilhouettePlan;
  /** The block the helper computes. */
  from: number;
  to: number;
  /** The other thread's block, which the helper also computes if it claims it first (see startSilhouette). */
  spare: [from: number, to: number];
  /** 0 while the spare block is unclaimed; the first thread to set it to 1 computes it. */
  spareClaim: Int32Array;
}

/** Pair sums of a silhouette job: the helper's block, and the spare block if the helper claimed it. */
export interface SilhouetteShare {
  own: Float64Array;
  spare?: Float64Array;
}

/** Claims a silhouette's spare block for the calling thread: true for the first caller only. */
const claimSpare = (claim: Int32Array): boolean => Atomics.compareExchange(claim, 0, 0, 1) === 0;

/** Restarts of one k-means shared with this thread: the helper claims runs from `next` too. */
export interface KMeansJob {
  kind: 'kmeans';
  /** The prepared points without x and order (only xs is read; it is in shared memory). */
  points: Pick<PreparedPoints, 'xs' | 'n' | 'd' | 'variance'>;
  runs: number;
  options: Pick<KMeansOptions, 'k' | 'maxIter' | 'tol' | 'seed'>;
  /** How many runs have been claimed, shared by both threads. */
  next: Int32Array;
}

/** The Gamma-Gamma fit of the repeat buyers' columns. */
export interface SpendJob {
  kind: 'spend';
  buyers: SpendColumns;
  options: FitOptions;
}

export type Job = ElbowJob | SilhouetteJob | KMeansJob | SpendJob | RecordsJob;
type Answer<J extends Job> = J extends ElbowJob
  ? ElbowPoint[]
  : J extends KMeansJob
    ? RunOutcome | undefined
    : J extends SpendJob
      ? GammaGammaParams
      : J extends RecordsJob
        ? Uint8Array[]
        : SilhouetteShare;

export interface Helper {
  /** Runs the job on the helper's thread. One job at a time: await its answer before the next. */
  run<J extends Job>(job: J): Promise<Answer<J>>;
  stop(): void;
}

/**
 * A worker with Node's flags. It inherits them, V8's included (`node --max-old-space-size=…`),
 * except under `node --input-type=module -e …`: a worker refuses --input-type, and a list given
 * explicitly may not hold V8 flags, so then it gets the others, or none if they are refused.
 */
function newWorker(url: URL): Worker {
  if (!process.execArgv.some((flag) => flag.startsWith('--input-type'))) return new Worker(url);
  try {
    return new Worker(url, { execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')) });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(url, { execArgv: [] });
  }
}

function startHelper(): Helper {
  const worker = newWorker(new URL('./worker.js', import.meta.url));
  // An idle helper never keeps the process alive; it is held only while it has a job.
  worker.unref();
  let failure: Error | undefined;
  worker.once('error', (error) => (failure = error));
  return {
    run<J extends Job>(job: J) {
      if (failure) return Promise.reject(failure);
      worker.ref();
      return new Promise<Answer<J>>((resolve, reject) => {
        const onMessage = (answer: Answer<J>) => settle(() => resolve(answer));
        const onError = (error: Error) => settle(() => reject(error));
        const onExit = (code: number) => settle(() => reject(new Error(`worker exited with code ${code}`)));
        const settle = (then: () => void) => {
          worker.off('message', onMessage).off('error', onError).off('exit', onExit);
          worker.unref();
          then();
        };
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        worker.postMessage(job);
      });
    },
    stop: () => void worker.terminate(),
  };
}

/** One helper per core beyond this one (none on a single core), at most `most`. Stop them when done. */
export function startHelpers(most: number, threads = availableParallelism()): Helper[] {
  return Array.from({ length: Math.max(0, Math.min(threads - 1, most)) }, startHelper);
}

/** The shared count of a job of `count` k values, none claimed yet (see claim). */
export const unclaimed = (count: number): Int32Array => {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  counter[0] = count;
  return counter;
};

/**
 * Takes the next k of the job, the largest first, whichever thread asks: the costliest k are
 * shared out first and the cheapest last, so the threads finish within a small k of each other
 * (measured on the bench file: 6-11 ms apart, against up to 72 ms when this thread took the small
 * k from one end and the helper the large ones from the other).
 */
export function claim(job: ElbowJob): number | undefined {
  const index = Atomics.sub(job.next, 0, 1) - 1;
  return index >= 0 ? job.ks[index] : undefined;
}

/** Computes the points of the k values this thread claims from `job` (see claim), as steps. */
export function* claimPoints(job: ElbowJob): Steps<ElbowPoint[]> {
  const points: ElbowPoint[] = [];
  let prepared: PreparedPoints | undefined;
  for (let k = claim(job); k !== undefined; k = claim(job)) {
    if (prepared === undefined) {
      prepared = preparePoints(job.x, job.n, job.d);
      yield;
    }
    points.push(yield* elbowPointSteps(job.x, job.n, job.d, k, job.options, prepared));
  }
  return points;
}

/**
 * What a helper's thread does with a job, in one go: a helper is stopped by terminating it
 * (main.ts exits, which ends its threads), so it has no signal to look out for.
 */
export function work(job: Job): ElbowPoint[] | SilhouetteShare | RunOutcome | GammaGammaParams | Promise<Uint8Array[]> | undefined {
  if (job.kind === 'records') return formatRecords(job);
  if (job.kind === 'spend') return runSteps(fitSpendSteps(job.buyers, job.options));
  if (job.kind === 'kmeans') return runSteps(bestRun(job.points, { ...job.options, claim: claimRun(job.next, job.runs) }));
  if (job.kind === 'elbow') return runSteps(claimPoints(job));
  const own = blockSums(job.plan, job.from, job.to);
  return claimSpare(job.spareClaim) ? { own, spare: blockSums(job.plan, ...job.spare) } : { own };
}

/** The next unclaimed restart of a k-means shared between threads, in run order. */
const claimRun = (next: Int32Array, runs: number) => (): number | undefined => {
  const run = Atomics.add(next, 0, 1);
  return run < runs ? run : undefined;
};

/**
 * `kmeansSteps()` with its restarts shared with a helper: both threads take the next run until
 * none is left, each seeding its runs from its own place in the one random stream (drawsPerRun),
 * and the better of their bests wins (betterRun: the run one thread would keep). Same result as
 * kmeansSteps, about twice as fast on two cores. While the helper finishes its last run, this
 * thread sleeps a millisecond a step (Atomics.wait), so that it neither takes the helper's core
 * nor stops the event loop's turns (runInterruptibly) that deliver the helper's answer or a
 * signal. A helper that fails (it should not) has the whole k-means recomputed here. Run it with
 * runInterruptibly: it waits for a turn of the event loop, which runSteps never gives.
 */
export function* kmeansParallelSteps(x: Float64Array, n: number, d: number, options: KMeansOptions, helpers: readonly Helper[]): Steps<KMeansResult> {
  const helper = n >= PARALLEL_MIN_POINTS && options.nInit > 1 ? helpers[0] : undefined;
  if (helper === undefined) return yield* kmeansSteps(x, n, d, options);
  preparedFor(x, n, d, options);
  const prepared = preparePoints(x, n, d);
  yield;
  const next = new Int32Array(new SharedArrayBuffer(4));
  const { xs, variance } = prepared;
  const { k, maxIter, tol, seed, nInit: runs } = options;
  let theirs: RunOutcome | undefined;
  let answered = false;
  let failed = false;
  helper.run({ kind: 'kmeans', points: { xs, n, d, variance }, runs, options: { k, maxIter, tol, seed }, next }).then(
    (outcome) => void ((theirs = outcome), (answered = true)),
    () => void ((failed = true), (answered = true)),
  );
  const mine = yield* bestRun(prepared, { k, maxIter, tol, seed, claim: claimRun(next, runs) });
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!answered) {
    Atomics.wait(nap, 0, 0, 1);
    yield;
  }
  if (failed) return yield* kmeansSteps(x, n, d, options, prepared);
  return clusteringOf(prepared, betterRun(mine, theirs)!);
}

/**
 * `elbow()` with its k values shared between this thread and the helpers. A k
 * whose helper failed (it should not) is recomputed here, so the answer never depends on threads.
 */
export async function elbowParallel(x: Float64Array, n: number, d: number, options: ElbowOptions, helpers: readonly Helper[]): Promise<ElbowResult> {
  const ks = elbowKs(n, options);
  const used = n >= PARALLEL_MIN_POINTS ? helpers.slice(0, ks.length - 1) : [];
  const job: ElbowJob = { kind: 'elbow', x, n, d, ks, options, next: unclaimed(ks.length) };
  const helping = used.map((helper) => helper.run(job).catch(() => [] as ElbowPoint[]));
  // This thread's share gives the event loop a turn now and then, so that a signal stops it.
  const points = await runInterruptibly(claimPoints(job));
  for (const share of await Promise.all(helping)) points.push(...share);
  for (const k of ks) if (!points.some((p) => p.k === k)) points.push(elbowPoint(x, n, d, k, options));
  return elbowResult(points.sort((a, b) => a.k - b.k));
}

/**
 * `silhouette()` with its second block of pair sums on a helper (recomputed here if it fails), in
 * two steps: the helper starts at once, and the returned function computes this thread's block
 * and the value — so that this thread can do other work in between. If the helper is done with
 * its block before this thread comes back for its own, it computes that one too (whoever claims
 * it first): the blocks are the same and are added in the same order, so the value is too.
 */
export function startSilhouette(
  x: Float64Array,
  n: number,
  d: number,
  labels: ArrayLike<number>,
  k: number,
  options: SilhouetteOptions,
  helpers: readonly Helper[],
): () => Promise<number> {
  const plan = silhouettePlan(x, n, d, labels, k, options);
  const [[from0, to0], [from1, to1]] = silhouetteBlocks(plan.m) as [[number, number], [number, number]];
  const helper = plan.m >= PARALLEL_MIN_POINTS ? helpers[0] : undefined;
  const spareClaim = new Int32Array(new SharedArrayBuffer(4));
  const theirs = helper?.run({ kind: 'silhouette', plan, from: from1, to: to1, spare: [from0, to0], spareClaim }).catch(() => undefined);
  return async () => {
    const mine = claimSpare(spareClaim) ? blockSums(plan, from0, to0) : undefined;
    const share = await theirs;
    const first = mine ?? share?.spare ?? blockSums(plan, from0, to0);
    const second = share?.own ?? blockSums(plan, from1, to1);
    return silhouetteFromSums(plan, [first, second]);
  };
}

// rfm clv's jobs, started from cli/clv-records.ts (which needs no worker of its own to fall back on).
export { PARALLEL_MIN_BUYERS, PARALLEL_MIN_ROWS, startRecords, startSpendFit } from './clv-records.js';
