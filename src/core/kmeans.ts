/**
 * k-means with scikit-learn's semantics (DESIGN.md §2 "k-means") on a typed-array kernel.
 *
 * - Seeding: scikit-learn's greedy k-means++ — every new centre is the best of 2 + floor(ln k)
 *   candidates drawn proportionally to D², "best" meaning the lowest resulting potential.
 * - Iterations: Lloyd, accelerated with Hamerly's bounds (one upper bound to the own centre and one
 *   lower bound to every other centre per point): once centres settle, most points are settled by a
 *   comparison instead of k distance computations. The labels and centres are exactly Lloyd's.
 * - Stopping: as scikit-learn, when an assignment step changes no label ("strict convergence"), or
 *   when the summed squared centre shift is <= tol × the mean per-feature variance of x. After a
 *   tol stop the labels are recomputed against the final centres, so labels and centres agree.
 * - Empty clusters take the point farthest from its centre (only from clusters with > 1 point).
 * - Restarts: `nInit` runs drawing, in turn, from one seededRandom(seed) stream; the lowest inertia
 *   wins and the earliest run wins ties, so the same seed gives an identical result.
 *
 * Cluster order: the order in which the winning run's k-means++ seeding picked the centres (as
 * scikit-learn). It carries no meaning; callers name clusters from the centroids.
 *
 * ml-kmeans (the engine DESIGN.md suggests first) has no restarts, no inertia and works on
 * `number[][]`; at 1,000,000 × 3 it is far slower than scikit-learn, so it is kept as a test oracle.
 */
import { dataError, usageError } from './errors.js';
import { seededRandom, type Random } from './random.js';

export interface KMeansOptions {
  k: number;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
  /** Called after every assignment step of every run (costs one extra pass over x per call). */
  onIteration?: (step: IterationInfo) => void;
}

export interface IterationInfo {
  /** 0-based restart. */
  run: number;
  /** 1-based Lloyd iteration within the run. */
  iteration: number;
  /** Sum of squared distances of the points to their (just assigned) centres. */
  inertia: number;
  /** How many labels this assignment step changed (every point on the first step). */
  changed: number;
}

export interface KMeansResult {
  /** k centroids, d values each, in the space of x. */
  centroids: number[][];
  /** The cluster of each point, 0..k-1. */
  labels: Int32Array;
  /** Sum of squared Euclidean distances from each point to its centroid. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
  /** 0-based index of the winning restart. */
  nInitBest: number;
}

/** Reusable buffers: one allocation per `kmeans` call however many restarts it makes. */
interface Workspace {
  labels: Int32Array;
  upper: Float64Array; // upper bound on the distance to the own centre
  lower: Float64Array; // lower bound on the distance to every other centre
  sums: Float64Array; // k × d running sums of the members of each cluster
  counts: Float64Array;
  next: Float64Array; // k × d centres being computed
  shift: Float64Array; // how far each centre moved in the last update
  half: Float64Array; // half the distance from each centre to its nearest other centre
  drop: Float64Array; // how much the lower bounds of each cluster's members must drop
  scan: Float64Array; // nearestTwo's result
}

const workspace = (n: number, d: number, k: number): Workspace => ({
  labels: new Int32Array(n),
  upper: new Float64Array(n),
  lower: new Float64Array(n),
  sums: new Float64Array(k * d),
  counts: new Float64Array(k),
  next: new Float64Array(k * d),
  shift: new Float64Array(k),
  half: new Float64Array(k),
  drop: new Float64Array(k),
  scan: new Float64Array(3),
});

function sqDist(x: Float64Array, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) {
    const t = x[i + f]! - c[j + f]!;
    s += t * t;
  }
  return s;
}

function sqDist3(x: Float64Array, i: number, c: Float64Array, j: number): number {
  const p = x[i]! - c[j]!;
  const q = x[i + 1]! - c[j + 1]!;
  const r = x[i + 2]! - c[j + 2]!;
  return p * p + q * q + r * r;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw usageError(`${name} must be an integer >= ${min}, got ${value}`, `pass a whole number such as ${Math.max(min, 10)}`);
  }
}

function validate(x: Float64Array, n: number, d: number, options: KMeansOptions): void {
  if (!Number.isInteger(n) || n < 1) throw dataError('k-means needs at least one customer', { hint: 'the input has no rows left to cluster' });
  if (!Number.isInteger(d) || d < 1 || x.length !== n * d) {
    throw dataError(`the feature matrix has ${x.length} values, expected ${n} × ${d}`);
  }
  checkInteger('k', options.k, 1);
  if (options.k > n) {
    throw usageError(`k must be <= the number of customers (${n}), got ${options.k}`, `choose -k between 1 and ${n}`);
  }
  checkInteger('n-init', options.nInit, 1);
  checkInteger('max-iter', options.maxIter, 1);
  if (!(options.tol >= 0) || !Number.isFinite(options.tol)) {
    throw usageError(`tol must be a finite number >= 0, got ${options.tol}`, 'the default is 1e-4');
  }
}

/** Mean of the per-feature population variances (scikit-learn scales `tol` by it). */
export function meanVariance(x: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let f = 0; f < d; f++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i * d + f]!;
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const t = x[i * d + f]! - mean;
      sq += t * t;
    }
    total += sq / n;
  }
  if (!Number.isFinite(total)) throw dataError('the feature matrix contains a value that is not a finite number');
  return total / d;
}

/**
 * Σ min(D²(i), |x_i - x_c|²): the potential if the point at offset c became a centre; with
 * `update`, D² is lowered too. Like every hot loop here it has a d = 3 path that keeps the centre
 * in registers: about twice as fast as the generic loop in V8.
 */
function potentialWith(x: Float64Array, n: number, d: number, closest: Float64Array, c: number, update: boolean): number {
  let pot = 0;
  if (d === 3) {
    const c0 = x[c]!;
    const c1 = x[c + 1]!;
    const c2 = x[c + 2]!;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const p = x[o]! - c0;
      const q = x[o + 1]! - c1;
      const r = x[o + 2]! - c2;
      const v = Math.min(p * p + q * q + r * r, closest[i]!);
      if (update) closest[i] = v;
      pot += v;
    }
    return pot;
  }
  for (let i = 0, o = 0; i < n; i++, o += d) {
    const v = Math.min(sqDist(x, o, x, c, d), closest[i]!);
    if (update) closest[i] = v;
    pot += v;
  }
  return pot;
}

/** For each draw, the first point whose cumulative D² exceeds it (numpy's searchsorted; past the end = n - 1). */
function searchCumulative(closest: Float64Array, n: number, draws: readonly number[], out: Int32Array): void {
  const order = draws.map((_, t) => t).sort((a, b) => draws[a]! - draws[b]! || a - b);
  out.fill(n - 1);
  let cum = 0;
  for (let i = 0, r = 0; i < n && r < order.length; i++) {
    cum += closest[i]!;
    while (r < order.length && cum > draws[order[r]!]!) out[order[r++]!] = i;
  }
}

/**
 * scikit-learn's greedy k-means++: centre 0 uniformly at random; each later centre the best of
 * `2 + floor(ln k)` candidates sampled with probability D(x)² (D = distance to the nearest chosen
 * centre), "best" being the lowest resulting potential (the first candidate wins ties).
 * `closest` is scratch of length n. The loops live in small top-level functions on purpose: a
 * variable captured by a closure is reloaded on every use in V8, which made this 2-3× slower.
 */
export function seedPlusPlus(x: Float64Array, n: number, d: number, k: number, rng: Random, closest = new Float64Array(n)): Float64Array {
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const candidates = new Int32Array(trials);
  let chosen = rng.int(n) * d;
  centres.set(x.subarray(chosen, chosen + d), 0);
  closest.fill(Infinity);
  for (let c = 1; c < k; c++) {
    const potential = potentialWith(x, n, d, closest, chosen, true);
    const draws = Array.from({ length: trials }, () => rng.next() * potential);
    searchCumulative(closest, n, draws, candidates);
    let best = 0;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      const pot = potentialWith(x, n, d, closest, candidates[t]! * d, false);
      if (pot < bestPot) {
        bestPot = pot;
        best = t;
      }
    }
    chosen = candidates[best]! * d;
    centres.set(x.subarray(chosen, chosen + d), c * d);
  }
  return centres;
}

/**
 * The nearest and second-nearest centre of the point at offset o: writes [index, d1², d2²] into
 * `out` (the lowest index wins ties). d = 3, the RFM case, keeps the point in registers: about
 * 1.7× faster than the generic loop.
 */
function nearestTwo(x: Float64Array, o: number, d: number, centres: Float64Array, k: number, out: Float64Array): void {
  let b = 0;
  let d1 = Infinity;
  let d2 = Infinity;
  if (d === 3) {
    const x0 = x[o]!;
    const x1 = x[o + 1]!;
    const x2 = x[o + 2]!;
    for (let j = 0, c = 0; j < k; j++, c += 3) {
      const p = x0 - centres[c]!;
      const q = x1 - centres[c + 1]!;
      const r = x2 - centres[c + 2]!;
      const dd = p * p + q * q + r * r;
      if (dd < d1) {
        d2 = d1;
        d1 = dd;
        b = j;
      } else if (dd < d2) d2 = dd;
    }
  } else {
    for (let j = 0; j < k; j++) {
      const dd = sqDist(x, o, centres, j * d, d);
      if (dd < d1) {
        d2 = d1;
        d1 = dd;
        b = j;
      } else if (dd < d2) d2 = dd;
    }
  }
  out[0] = b;
  out[1] = d1;
  out[2] = d2;
}

/** Assign every point from scratch; sets labels, bounds, sums and counts. */
function fullAssign(x: Float64Array, n: number, d: number, k: number, centres: Float64Array, ws: Workspace): void {
  const { labels, upper, lower, sums, counts, scan } = ws;
  sums.fill(0);
  counts.fill(0);
  for (let i = 0, o = 0; i < n; i++, o += d) {
    nearestTwo(x, o, d, centres, k, scan);
    const b = scan[0]!;
    labels[i] = b;
    upper[i] = Math.sqrt(scan[1]!);
    lower[i] = Math.sqrt(scan[2]!);
    counts[b]!++;
    for (let f = 0; f < d; f++) sums[b * d + f] += x[o + f]!;
  }
}

/**
 * One Hamerly assignment step against `centres`, first widening every bound by how far the centres
 * moved in the last update (`ws.shift`). A point whose upper bound is below both its lower bound
 * and half the gap from its centre to the nearest other centre cannot change cluster and costs no
 * distance. Sums and counts follow the moves. Returns the number of labels changed.
 */
function boundedAssign(x: Float64Array, n: number, d: number, k: number, centres: Float64Array, ws: Workspace): number {
  const { labels, upper, lower, sums, counts, shift, half, drop, scan } = ws;
  let far = -1;
  let p1 = 0;
  let p2 = 0;
  for (let j = 0; j < k; j++) {
    const p = shift[j]!;
    if (p > p1) {
      p2 = p1;
      p1 = p;
      far = j;
    } else if (p > p2) p2 = p;
    let m = Infinity;
    for (let j2 = 0; j2 < k; j2++) {
      if (j2 !== j) m = Math.min(m, sqDist(centres, j * d, centres, j2 * d, d));
    }
    half[j] = Math.sqrt(m) / 2;
  }
  // A lower bound (to the nearest *other* centre) drops by the largest shift of any other centre.
  for (let j = 0; j < k; j++) drop[j] = j === far ? p2 : p1;
  let changed = 0;
  for (let i = 0, o = 0; i < n; i++, o += d) {
    const a = labels[i]!;
    let u = upper[i]! + shift[a]!;
    const l = lower[i]! - drop[a]!;
    const bound = Math.max(half[a]!, l);
    if (u > bound) {
      u = Math.sqrt(d === 3 ? sqDist3(x, o, centres, a * 3) : sqDist(x, o, centres, a * d, d)); // tighten, re-test
      if (u > bound) {
        nearestTwo(x, o, d, centres, k, scan);
        const b = scan[0]!;
        u = Math.sqrt(scan[1]!);
        upper[i] = u;
        lower[i] = Math.sqrt(scan[2]!);
        if (b !== a) {
          labels[i] = b;
          changed++;
          counts[a]!--;
          counts[b]!++;
          for (let f = 0; f < d; f++) {
            sums[a * d + f] -= x[o + f]!;
            sums[b * d + f] += x[o + f]!;
          }
        }
        continue;
      }
    }
    upper[i] = u;
    lower[i] = l;
  }
  return changed;
}

/** Give each empty cluster the point farthest from its centre, taken from a cluster of size > 1. */
function relocateEmpty(x: Float64Array, n: number, d: number, k: number, centres: Float64Array, ws: Workspace): void {
  const { labels, upper, lower, sums, counts } = ws;
  let dist: Float64Array | undefined;
  for (let e = 0; e < k; e++) {
    if (counts[e]! > 0) continue;
    if (!dist) {
      dist = new Float64Array(n);
      for (let i = 0; i < n; i++) dist[i] = sqDist(x, i * d, centres, labels[i]! * d, d);
    }
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (counts[labels[i]!]! > 1 && dist[i]! >= 0 && (pick < 0 || dist[i]! > dist[pick]!)) pick = i;
    }
    const from = labels[pick]!;
    dist[pick] = -1; // taken
    labels[pick] = e;
    counts[from]!--;
    counts[e] = 1;
    for (let f = 0; f < d; f++) {
      sums[from * d + f] -= x[pick * d + f]!;
      sums[e * d + f] = x[pick * d + f]!;
    }
    upper[pick] = Infinity; // force an exact look at this point next step
    lower[pick] = 0;
  }
}

/** Move each centre to the mean of its members; records the shifts and returns their squared sum. */
function updateCentres(d: number, k: number, centres: Float64Array, ws: Workspace): number {
  const { sums, counts, next, shift } = ws;
  let total = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let f = 0; f < d; f++) {
      const v = sums[j * d + f]! / counts[j]!;
      const t = v - centres[j * d + f]!;
      s += t * t;
      next[j * d + f] = v;
    }
    shift[j] = Math.sqrt(s);
    total += s;
  }
  centres.set(next);
  return total;
}

function inertiaOf(x: Float64Array, n: number, d: number, centres: Float64Array, labels: Int32Array): number {
  let s = 0;
  if (d === 3) {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const c = labels[i]! * 3;
      const p = x[o]! - centres[c]!;
      const q = x[o + 1]! - centres[c + 1]!;
      const r = x[o + 2]! - centres[c + 2]!;
      s += p * p + q * q + r * r;
    }
    return s;
  }
  for (let i = 0; i < n; i++) s += sqDist(x, i * d, centres, labels[i]! * d, d);
  return s;
}

interface RunResult {
  iterations: number;
  inertia: number;
}

/**
 * Lloyd iterations from `centres` (updated in place to the final centres), labels in `ws.labels`.
 * `tolAbs` is already scaled by the mean feature variance.
 */
function runLloyd(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
  centres: Float64Array,
  ws: Workspace,
  maxIter: number,
  tolAbs: number,
  report?: (iteration: number, inertia: number, changed: number) => void,
): RunResult {
  let strict = false;
  let it = 0;
  while (it < maxIter) {
    let changed = n;
    if (it === 0) fullAssign(x, n, d, k, centres, ws);
    else changed = boundedAssign(x, n, d, k, centres, ws);
    it++;
    report?.(it, inertiaOf(x, n, d, centres, ws.labels), changed);
    relocateEmpty(x, n, d, k, centres, ws);
    const moved = updateCentres(d, k, centres, ws);
    if (changed === 0) {
      strict = true;
      break;
    }
    if (moved <= tolAbs) break;
  }
  // Stopped on tol or maxIter: relabel against the final centres (scikit-learn does the same).
  if (!strict) boundedAssign(x, n, d, k, centres, ws);
  return { iterations: it, inertia: inertiaOf(x, n, d, centres, ws.labels) };
}

const toRows = (flat: Float64Array, k: number, d: number): number[][] =>
  Array.from({ length: k }, (_, j) => Array.from(flat.subarray(j * d, (j + 1) * d)));

/**
 * Cluster the n × d row-major matrix `x` into k groups. See the file comment for the semantics.
 *
 * @example kmeans(Float64Array.of(1,2, 1,4, 1,0, 10,2, 10,4, 10,0), 6, 2, { k: 2, nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 }).inertia // 16
 * @throws usage error when k, nInit or maxIter is not a positive integer, or k > n; data error when n < 1.
 */
export function kmeans(x: Float64Array, n: number, d: number, options: KMeansOptions): KMeansResult {
  validate(x, n, d, options);
  const { k, nInit, maxIter } = options;
  const tolAbs = options.tol * meanVariance(x, n, d);
  const rng = seededRandom(options.seed);
  const ws = workspace(n, d, k);
  const closest = new Float64Array(n);
  let best: { centres: Float64Array; labels: Int32Array; run: RunResult; index: number } | undefined;
  for (let run = 0; run < nInit; run++) {
    const centres = seedPlusPlus(x, n, d, k, rng, closest);
    const report = options.onIteration
      ? (iteration: number, inertia: number, changed: number) => options.onIteration!({ run, iteration, inertia, changed })
      : undefined;
    const result = runLloyd(x, n, d, k, centres, ws, maxIter, tolAbs, report);
    if (!best || result.inertia < best.run.inertia) {
      best = { centres, labels: best ? best.labels : new Int32Array(n), run: result, index: run };
      best.labels.set(ws.labels);
    }
  }
  return {
    centroids: toRows(best!.centres, k, d),
    labels: best!.labels,
    inertia: best!.run.inertia,
    iterations: best!.run.iterations,
    nInitBest: best!.index,
  };
}

/**
 * Lloyd iterations from given centroids, no seeding and no restarts (the testable core of kmeans:
 * `onIteration` sees the inertia after each assignment step, which never rises).
 */
export function lloyd(
  x: Float64Array,
  n: number,
  d: number,
  initial: readonly (readonly number[])[],
  options: { maxIter?: number; tol?: number; onIteration?: (step: IterationInfo) => void } = {},
): Omit<KMeansResult, 'nInitBest'> {
  const k = initial.length;
  const { maxIter = 300, tol = 1e-4 } = options;
  validate(x, n, d, { k, nInit: 1, maxIter, tol, seed: 0 });
  const centres = new Float64Array(k * d);
  initial.forEach((c, j) => centres.set(c.slice(0, d), j * d));
  const ws = workspace(n, d, k);
  const on = options.onIteration;
  const report = on ? (iteration: number, inertia: number, changed: number) => on({ run: 0, iteration, inertia, changed }) : undefined;
  const result = runLloyd(x, n, d, k, centres, ws, maxIter, tol * meanVariance(x, n, d), report);
  return { centroids: toRows(centres, k, d), labels: ws.labels, inertia: result.inertia, iterations: result.iterations };
}

/** The nearest centroid of every row of x (squared Euclidean; the lowest index wins ties). */
export function assign(x: Float64Array, n: number, d: number, centroids: readonly (readonly number[])[]): Int32Array {
  const k = centroids.length;
  const flat = new Float64Array(k * d);
  centroids.forEach((c, j) => flat.set(c.slice(0, d), j * d));
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0;
    let bd = Infinity;
    for (let j = 0; j < k; j++) {
      const dd = sqDist(x, i * d, flat, j * d, d);
      if (dd < bd) {
        bd = dd;
        b = j;
      }
    }
    labels[i] = b;
  }
  return labels;
}

/** One point's nearest centroid and its Euclidean distance to every centroid (`segment --explain`). */
export function nearest(point: readonly number[], centroids: readonly (readonly number[])[]): { cluster: number; distances: number[] } {
  const distances = centroids.map((c) => Math.sqrt(c.reduce((s, v, f) => s + (point[f]! - v) ** 2, 0)));
  let cluster = 0;
  distances.forEach((dist, j) => {
    if (dist < distances[cluster]!) cluster = j;
  });
  return { cluster, distances };
}
