/**
 * k-means with scikit-learn's semantics (DESIGN.md §2 "k-means") on a typed-array kernel.
 *
 * - Seeding: scikit-learn's greedy k-means++ — every new centre is the best of 2 + floor(ln k)
 *   candidates drawn with probability proportional to D², "best" meaning the lowest potential.
 * - Iterations: Lloyd, accelerated with Hamerly's bounds (per point, an upper bound on the distance
 *   to its own centre and one lower bound on the distance to every other centre): once centres
 *   settle, most points are decided by one comparison instead of k distances. The bounds only
 *   skip work that cannot change a label, so the labels and centres are Lloyd's.
 * - Stopping: as scikit-learn, when an assignment step changes no label ("strict convergence"), or
 *   when the summed squared centre shift is <= tol × the mean per-feature variance of x. After a
 *   tol (or maxIter) stop the labels are recomputed against the final centres.
 * - Empty clusters take the point farthest from its centre (from a cluster of more than one point).
 * - Restarts: `nInit` runs drawing, in turn, from one seededRandom(seed) stream; the lowest inertia
 *   wins and the earliest run wins ties, so the same input and seed give an identical result.
 *   Each run draws a fixed number of values (drawsPerRun), so it enters the stream at its own
 *   place and the runs, seeding included, can be shared between threads (bestRun; the command
 *   line's kmeansParallelSteps) with the same result.
 * - Large inputs: above SEED_SAMPLE rows, each restart seeds on a systematic sample of that size.
 * - Point order: the runs see the rows in Z-order (see `spatialOrder`), purely for speed; it changes
 *   which rows the random draws pick, not the method. Labels are returned in input order.
 *
 * Cluster order: the order in which the winning run's k-means++ seeding picked the centres (as in
 * scikit-learn). It carries no meaning; callers put clusters in their own canonical order.
 *
 * Why not ml-kmeans (DESIGN.md's first choice): it has no restarts and no inertia, works on
 * `number[][]` and needs tens of seconds at 1,000,000 × 3; it stays in the tests as an oracle.
 *
 * Speed notes (V8, measured): every hot loop has a d = 3 path that keeps the point in locals (about
 * 2× the generic loop); loops live in top-level functions because variables captured by a closure
 * are reloaded on every use; Hamerly's bounds are stored relative to each centre's cumulative drift
 * so that a point that is skipped costs three loads and no stores.
 */
import { dataError, usageError } from './errors.js';
import { seededRandom, type Random } from './random.js';
import { runSteps, type Steps } from './steps.js';

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
  /** Sum of squared distances from the points to their just-assigned centres; never rises. */
  inertia: number;
  /** How many labels this assignment step changed (every point on the first step). */
  changed: number;
}

export interface KMeansResult {
  /** k centroids, d values each, in the space of x. */
  centroids: number[][];
  /** The cluster of each point, 0..k-1, in input order. */
  labels: Int32Array;
  /** Sum of squared Euclidean distances from each point to its centroid. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  iterations: number;
  /** 0-based index of the winning restart. */
  nInitBest: number;
}

// ---------------------------------------------------------------------------------------------
// Validation and small helpers

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw usageError(`${name} must be an integer >= ${min}, got ${value}`, `pass a whole number such as ${Math.max(min, 10)}`);
  }
}

function validateShape(x: Float64Array, n: number, d: number): void {
  if (!Number.isInteger(n) || n < 1) throw dataError('k-means needs at least one customer', { hint: 'the input has no rows left to cluster' });
  if (!Number.isInteger(d) || d < 1 || x.length !== n * d) {
    throw dataError(`the feature matrix has ${x.length} values, expected ${n} × ${d}`);
  }
}

function validate(x: Float64Array, n: number, d: number, options: Pick<KMeansOptions, 'k' | 'nInit' | 'maxIter' | 'tol'>): void {
  validateShape(x, n, d);
  checkInteger('k', options.k, 1);
  if (options.k > n) {
    throw usageError(`k must be <= the number of customers (${n}), got ${options.k}`, `choose a k between 1 and ${n}`);
  }
  checkInteger('n-init', options.nInit, 1);
  checkInteger('max-iter', options.maxIter, 1);
  if (!(options.tol >= 0) || !Number.isFinite(options.tol)) {
    throw usageError(`tol must be a finite number >= 0, got ${options.tol}`, 'the default is 1e-4');
  }
}

/** Mean of the per-feature population variances: scikit-learn scales `tol` by it. */
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

const toRows = (flat: Float64Array, k: number, d: number): number[][] =>
  Array.from({ length: k }, (_, j) => Array.from(flat.subarray(j * d, (j + 1) * d)));

// ---------------------------------------------------------------------------------------------
// Point order

/** Spreads the low 10 bits of v to every third bit (bit b goes to bit 3b). */
function spread3(v: number): number {
  v = (v | (v << 16)) & 0x030000ff;
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  return (v | (v << 2)) & 0x09249249;
}

/**
 * A Z-order (Morton) ordering of the rows on their first three features. k-means runs on the rows
 * in this order: neighbours in space become neighbours in memory, so consecutive points mostly take
 * the same branch of the bound test and the CPU predicts it — Lloyd iterations at 1M × 3 run about
 * 1.8× faster than in input order. Each feature is cut into 1,024 levels; the 30-bit codes are
 * sorted by a stable LSD radix sort (3 × 10 bits), so equal codes keep input order.
 */
export function spatialOrder(x: Float64Array, n: number, d: number): Int32Array {
  return radixOrder(d === 3 ? mortonCodes3(x, n) : mortonCodes(x, n, d), n);
}

/** The level 0..1023 of v between lo and lo + span (0 when the span is 0). */
const level = (v: number, lo: number, span: number): number => (span > 0 ? Math.min(1023, Math.floor(((v - lo) / span) * 1024)) : 0);

/** The Morton code of each row of x on its first min(d, 3) features (any d). */
function mortonCodes(x: Float64Array, n: number, d: number): Int32Array<ArrayBuffer> {
  const dims = Math.min(d, 3);
  const lo = new Float64Array(dims).fill(Infinity);
  const hi = new Float64Array(dims).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < dims; f++) {
      lo[f] = Math.min(lo[f]!, x[i * d + f]!);
      hi[f] = Math.max(hi[f]!, x[i * d + f]!);
    }
  }
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let code = 0;
    for (let f = 0; f < dims; f++) {
      code |= spread3(level(x[i * d + f]!, lo[f]!, hi[f]! - lo[f]!)) << (2 - f);
    }
    codes[i] = code;
  }
  return codes;
}

/** mortonCodes for d = 3, the same codes with the bounds and the row in locals (~10× faster). */
function mortonCodes3(x: Float64Array, n: number): Int32Array<ArrayBuffer> {
  let lo0 = Infinity;
  let lo1 = Infinity;
  let lo2 = Infinity;
  let hi0 = -Infinity;
  let hi1 = -Infinity;
  let hi2 = -Infinity;
  for (let o = 0, end = 3 * n; o < end; o += 3) {
    const a = x[o]!;
    const b = x[o + 1]!;
    const c = x[o + 2]!;
    if (a < lo0) lo0 = a;
    if (a > hi0) hi0 = a;
    if (b < lo1) lo1 = b;
    if (b > hi1) hi1 = b;
    if (c < lo2) lo2 = c;
    if (c > hi2) hi2 = c;
  }
  const span0 = hi0 - lo0;
  const span1 = hi1 - lo1;
  const span2 = hi2 - lo2;
  const codes = new Int32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    codes[i] = (spread3(level(x[o]!, lo0, span0)) << 2) | (spread3(level(x[o + 1]!, lo1, span1)) << 1) | spread3(level(x[o + 2]!, lo2, span2));
  }
  return codes;
}

/**
 * The stable order of 30-bit codes: LSD radix sort, 3 passes of 10 bits. The keys move with the
 * rows, so each pass reads them in sequence instead of looking each one up at random. (The
 * columnar read's stableIntegerOrder sorts keys up to 2^52; on these codes it took ~40 ms more at
 * 1M points, on the fit's serial path.)
 */
function radixOrder(codes: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  let order = new Int32Array(n);
  let spare = new Int32Array(n);
  let keys = codes;
  let spareKeys = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const count = new Int32Array(1025);
  for (let shift = 0; shift < 30; shift += 10) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((keys[i]! >>> shift) & 1023) + 1]!++;
    for (let b = 0; b < 1024; b++) count[b + 1] += count[b]!;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const at = count[(key >>> shift) & 1023]!++;
      spare[at] = order[i]!;
      spareKeys[at] = key;
    }
    [order, spare] = [spare, order];
    [keys, spareKeys] = [spareKeys, keys];
  }
  return order;
}

/** x's rows in `order`, in memory another thread can share (parallel restarts read it in place). */
function permuteRows(x: Float64Array, n: number, d: number, order: Int32Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(n * d * Float64Array.BYTES_PER_ELEMENT));
  if (d === 3) {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const from = order[i]! * 3;
      out[o] = x[from]!;
      out[o + 1] = x[from + 1]!;
      out[o + 2] = x[from + 2]!;
    }
    return out;
  }
  for (let i = 0, o = 0; i < n; i++) {
    const from = order[i]! * d;
    for (let f = 0; f < d; f++) out[o++] = x[from + f]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Seeding

/**
 * pots[t] = Σ_i min(D²(i), |x_i - x_{cands[t]}|²): the potential if candidate t became a centre.
 * With d = 3, four candidates share one pass over x (each sum in its own local).
 */
function candidatePotentials(x: Float64Array, n: number, d: number, closest: Float64Array, cands: Int32Array, pots: Float64Array): void {
  const m = cands.length;
  if (d !== 3) {
    for (let t = 0; t < m; t++) {
      let pot = 0;
      for (let i = 0, o = 0; i < n; i++, o += d) pot += Math.min(sqDist(x, o, x, cands[t]! * d, d), closest[i]!);
      pots[t] = pot;
    }
    return;
  }
  for (let g = 0; g < m; g += 4) {
    // Unused slots repeat the last candidate. (No closure here: see the file comment.)
    const a = cands[g]! * 3;
    const b = cands[Math.min(g + 1, m - 1)]! * 3;
    const c = cands[Math.min(g + 2, m - 1)]! * 3;
    const e = cands[Math.min(g + 3, m - 1)]! * 3;
    const a0 = x[a]!, a1 = x[a + 1]!, a2 = x[a + 2]!;
    const b0 = x[b]!, b1 = x[b + 1]!, b2 = x[b + 2]!;
    const c0 = x[c]!, c1 = x[c + 1]!, c2 = x[c + 2]!;
    const e0 = x[e]!, e1 = x[e + 1]!, e2 = x[e + 2]!;
    let pa = 0;
    let pb = 0;
    let pc = 0;
    let pe = 0;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const x0 = x[o]!;
      const x1 = x[o + 1]!;
      const x2 = x[o + 2]!;
      const own = closest[i]!;
      pa += Math.min((x0 - a0) * (x0 - a0) + (x1 - a1) * (x1 - a1) + (x2 - a2) * (x2 - a2), own);
      pb += Math.min((x0 - b0) * (x0 - b0) + (x1 - b1) * (x1 - b1) + (x2 - b2) * (x2 - b2), own);
      pc += Math.min((x0 - c0) * (x0 - c0) + (x1 - c1) * (x1 - c1) + (x2 - c2) * (x2 - c2), own);
      pe += Math.min((x0 - e0) * (x0 - e0) + (x1 - e1) * (x1 - e1) + (x2 - e2) * (x2 - e2), own);
    }
    const sums = [pa, pb, pc, pe];
    for (let t = 0; t < 4 && g + t < m; t++) pots[g + t] = sums[t]!;
  }
}

/**
 * Lowers D² with the centre at offset c and, for each of the ascending `targets`, finds the first
 * point whose cumulative D² exceeds it (numpy's searchsorted; none → n - 1). Returns the potential,
 * summed in the same order and with the same arithmetic as candidatePotentials, so bit-identical.
 */
function addCentre(x: Float64Array, n: number, d: number, closest: Float64Array, c: number, targets: Float64Array, found: Int32Array): number {
  found.fill(n - 1);
  const m = targets.length;
  let pot = 0;
  let t = 0;
  const c0 = d === 3 ? x[c]! : 0;
  const c1 = d === 3 ? x[c + 1]! : 0;
  const c2 = d === 3 ? x[c + 2]! : 0;
  for (let i = 0, o = 0; i < n; i++, o += d) {
    let dd: number;
    if (d === 3) {
      const x0 = x[o]!;
      const x1 = x[o + 1]!;
      const x2 = x[o + 2]!;
      dd = (x0 - c0) * (x0 - c0) + (x1 - c1) * (x1 - c1) + (x2 - c2) * (x2 - c2);
    } else dd = sqDist(x, o, x, c, d);
    const v = Math.min(dd, closest[i]!);
    closest[i] = v;
    pot += v;
    while (t < m && pot > targets[t]!) found[t++] = i;
  }
  return pot;
}

/** The search half of addCentre, on D² as it is. */
function searchCumulative(closest: Float64Array, n: number, targets: Float64Array, found: Int32Array): void {
  found.fill(n - 1);
  let pot = 0;
  for (let i = 0, t = 0; i < n && t < targets.length; i++) {
    pot += closest[i]!;
    while (t < targets.length && pot > targets[t]!) found[t++] = i;
  }
}

/** `trials` draws on [0, potential), sorted, remembering which draw each one was. */
function drawTargets(rng: Random, trials: number, potential: number): { targets: Float64Array; order: number[] } {
  const draws = Array.from({ length: trials }, () => rng.next() * potential);
  const order = draws.map((_, t) => t).sort((a, b) => draws[a]! - draws[b]! || a - b);
  return { targets: Float64Array.from(order, (t) => draws[t]!), order };
}

/**
 * scikit-learn's greedy k-means++: centre 0 uniformly at random; then for each further centre,
 * `2 + floor(ln k)` candidates drawn with probability D(x)² / potential (D = distance to the nearest
 * chosen centre), keeping the one that leaves the lowest potential (the first draw wins ties).
 * Two passes over x per centre: one scores the candidates, one adds the winner to D² while finding
 * the next candidates. `closest` is scratch of length n.
 */
export function seedPlusPlus(x: Float64Array, n: number, d: number, k: number, rng: Random, closest = new Float64Array(n)): Float64Array {
  return runSteps(seedSteps(x, n, d, k, rng, closest));
}

/** seedPlusPlus as steps: one per centre chosen (a large k makes seeding alone take seconds). */
function* seedSteps(x: Float64Array, n: number, d: number, k: number, rng: Random, closest: Float64Array): Steps<Float64Array> {
  const centres = new Float64Array(k * d);
  const trials = 2 + Math.floor(Math.log(k));
  const candidates = new Int32Array(trials);
  const found = new Int32Array(trials);
  const pots = new Float64Array(trials);
  let chosen = rng.int(n) * d;
  centres.set(x.subarray(chosen, chosen + d), 0);
  if (k === 1) return centres;
  closest.fill(Infinity);
  // The first potential is only known after the first D² pass, so its draws need a second scan.
  const potential = addCentre(x, n, d, closest, chosen, new Float64Array(0), found);
  let { targets, order } = drawTargets(rng, trials, potential);
  searchCumulative(closest, n, targets, found);
  for (let c = 1; c < k; c++) {
    order.forEach((t, r) => (candidates[t] = found[r]!));
    candidatePotentials(x, n, d, closest, candidates, pots);
    let best = 0;
    for (let t = 1; t < trials; t++) if (pots[t]! < pots[best]!) best = t;
    chosen = candidates[best]! * d;
    centres.set(x.subarray(chosen, chosen + d), c * d);
    if (c + 1 === k) break;
    ({ targets, order } = drawTargets(rng, trials, pots[best]!));
    addCentre(x, n, d, closest, chosen, targets, found);
    yield;
  }
  return centres;
}

// ---------------------------------------------------------------------------------------------
// Lloyd iterations with Hamerly's bounds

/**
 * Per-run state, allocated once per `kmeans` call. Bounds are stored relative to drift so that
 * they never need a per-point update when centres move:
 *   upper bound of point i = upper[i] + drift[labels[i]]   (drift[j]: total distance centre j moved)
 *   lower bound of point i = lower[i] - drift[k]           (drift[k]: Σ over updates of the largest move)
 */
interface Workspace {
  labels: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  drift: Float64Array; // k + 1 values, see above
  sums: Float64Array; // k × d running sums of each cluster's members
  counts: Float64Array;
  next: Float64Array; // k × d centres being computed
  half: Float64Array; // half the distance from each centre to its nearest other centre
  scan: Float64Array; // nearestTwo's result
}

const workspace = (n: number, d: number, k: number): Workspace => ({
  labels: new Int32Array(n),
  upper: new Float64Array(n),
  lower: new Float64Array(n),
  drift: new Float64Array(k + 1),
  sums: new Float64Array(k * d),
  counts: new Float64Array(k),
  next: new Float64Array(k * d),
  half: new Float64Array(k),
  scan: new Float64Array(3),
});

/** The nearest and second-nearest centre of the point at offset o: writes [index, d1², d2²] to `out` (lowest index wins ties). */
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

/** Assigns every point from scratch: labels, exact bounds, sums and counts; drift restarts at 0. */
function fullAssign(x: Float64Array, n: number, d: number, k: number, centres: Float64Array, ws: Workspace): void {
  const { labels, upper, lower, sums, counts, scan } = ws;
  sums.fill(0);
  counts.fill(0);
  ws.drift.fill(0);
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
 * One Hamerly assignment step. A point whose upper bound is at most max(lower bound, half the gap
 * from its centre to the nearest other centre) keeps its label without a distance; otherwise the
 * upper bound is made exact and re-tested; otherwise all k distances are computed. Sums and counts
 * follow the moves. Returns the number of labels changed.
 */
function boundedAssign(x: Float64Array, n: number, d: number, k: number, centres: Float64Array, ws: Workspace): number {
  const { labels, upper, lower, drift, sums, counts, half, scan } = ws;
  for (let j = 0; j < k; j++) {
    let m = Infinity;
    for (let j2 = 0; j2 < k; j2++) if (j2 !== j) m = Math.min(m, sqDist(centres, j * d, centres, j2 * d, d));
    half[j] = Math.sqrt(m) / 2;
  }
  const fall = drift[k]!;
  let changed = 0;
  for (let i = 0, o = 0; i < n; i++, o += d) {
    const a = labels[i]!;
    const bound = Math.max(half[a]!, lower[i]! - fall);
    if (upper[i]! + drift[a]! <= bound) continue;
    const u = Math.sqrt(d === 3 ? sqDist3(x, o, centres, a * 3) : sqDist(x, o, centres, a * d, d));
    if (u <= bound) {
      upper[i] = u - drift[a]!;
      continue;
    }
    nearestTwo(x, o, d, centres, k, scan);
    const b = scan[0]!;
    upper[i] = Math.sqrt(scan[1]!) - drift[b]!;
    lower[i] = Math.sqrt(scan[2]!) + fall;
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
  }
  return changed;
}

/** Gives each empty cluster the point farthest from its centre, taken from a cluster of more than one point. */
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
    upper[pick] = Infinity; // no valid bounds yet: look at this point exactly next step
    lower[pick] = -Infinity;
  }
}

/** Moves each centre to the mean of its members, advances the drift, returns the summed squared shift. */
function updateCentres(d: number, k: number, centres: Float64Array, ws: Workspace): number {
  const { sums, counts, next, drift } = ws;
  let total = 0;
  let largest = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let f = 0; f < d; f++) {
      const v = sums[j * d + f]! / counts[j]!;
      const t = v - centres[j * d + f]!;
      s += t * t;
      next[j * d + f] = v;
    }
    const shift = Math.sqrt(s);
    drift[j] += shift;
    largest = Math.max(largest, shift);
    total += s;
  }
  drift[k] += largest;
  centres.set(next);
  return total;
}

function inertiaOf(x: Float64Array, n: number, d: number, centres: Float64Array, labels: Int32Array): number {
  let s = 0;
  for (let i = 0, o = 0; i < n; i++, o += d) {
    s += d === 3 ? sqDist3(x, o, centres, labels[i]! * 3) : sqDist(x, o, centres, labels[i]! * d, d);
  }
  return s;
}

interface RunResult {
  iterations: number;
  inertia: number;
}

type Report = (iteration: number, inertia: number, changed: number) => void;

/**
 * Lloyd iterations from `centres` (updated in place to the final centres); labels end in
 * `ws.labels`. `tolAbs` is already scaled by the mean feature variance.
 */
function* runLloyd(x: Float64Array, n: number, d: number, k: number, centres: Float64Array, ws: Workspace, maxIter: number, tolAbs: number, report?: Report): Steps<RunResult> {
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
    yield;
  }
  if (!strict) boundedAssign(x, n, d, k, centres, ws); // labels for the final centres, as scikit-learn
  return { iterations: it, inertia: inertiaOf(x, n, d, centres, ws.labels) };
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Above this many rows each restart seeds on a sample of this many rows instead of all of them (as
 * scikit-learn's MiniBatchKMeans does with `init_size`): seeding costs k × (2 + ln k) passes over
 * the data, at 1M rows as much as all the Lloyd iterations, while 65,536 rows place k <= 10 seeds
 * as well (the bench compares the final inertia with scikit-learn's). Below it, seeding is exactly
 * scikit-learn's.
 */
export const SEED_SAMPLE = 65_536;

/**
 * A systematic sample of the (Z-ordered) rows: a random start, then every (n / m)-th row. In
 * Z-order that spreads the sample evenly over the feature space, and reading rows in order is
 * ~10× faster than m random reads from a large matrix.
 */
function sampleRows(x: Float64Array, n: number, d: number, rng: Random, out: Float64Array, m: number): void {
  const stride = n / m;
  const start = rng.next() * stride;
  for (let r = 0; r < m; r++) {
    const from = Math.floor(start + r * stride) * d;
    for (let f = 0; f < d; f++) out[r * d + f] = x[from + f]!;
  }
}

/**
 * What every k-means run on the same points starts with: their spatial order, the rows in that
 * order, and the mean feature variance that scales `tol`. The elbow runs k-means ten times on the
 * same matrix; preparing it once saves nine copies of this work (~5 ms each on 8,546 points, most
 * of it before the code is compiled).
 */
export interface PreparedPoints {
  x: Float64Array;
  n: number;
  d: number;
  order: Int32Array;
  xs: Float64Array;
  variance: number;
}

/** @throws data error when the shape is wrong or x holds a non-finite value. */
export function preparePoints(x: Float64Array, n: number, d: number): PreparedPoints {
  validateShape(x, n, d);
  const variance = meanVariance(x, n, d);
  const order = spatialOrder(x, n, d);
  return { x, n, d, order, xs: permuteRows(x, n, d, order), variance };
}

/**
 * Clusters the n × d row-major matrix `x` into k groups (see the file comment for the semantics).
 * `prepared` (from preparePoints on this same x, n and d, unchanged since) skips that step.
 *
 * @example kmeans(Float64Array.of(1,2, 1,4, 1,0, 10,2, 10,4, 10,0), 6, 2, { k: 2, nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 }).inertia // 16
 * @throws usage error when k, nInit or maxIter is not a positive integer, tol is negative, or k > n;
 *   data error when n < 1 or x holds a non-finite value.
 */
export function kmeans(x: Float64Array, n: number, d: number, options: KMeansOptions, prepared?: PreparedPoints): KMeansResult {
  return runSteps(kmeansSteps(x, n, d, options, prepared));
}

/**
 * How many values one restart draws: one for its sample (above SEED_SAMPLE rows), one for its first
 * centre, then `trials` for each of the k - 1 further centres (seedSteps, drawTargets). A fixed
 * count: restart r's draws are the stream's values r × drawsPerRun onwards (seededRandom's skip).
 */
export function drawsPerRun(n: number, k: number): number {
  return (n > SEED_SAMPLE ? 1 : 0) + 1 + (k >= 2 ? (k - 1) * (2 + Math.floor(Math.log(k))) : 0);
}

/** Scratch for seeding restarts: the sample of rows and its D². */
interface SeedScratch {
  pool: Float64Array;
  closest: Float64Array;
}

function seedScratch(prepared: Pick<PreparedPoints, 'xs' | 'n' | 'd'>): SeedScratch {
  const m = Math.min(prepared.n, SEED_SAMPLE);
  return { pool: m < prepared.n ? new Float64Array(m * prepared.d) : prepared.xs, closest: new Float64Array(m) };
}

/**
 * The initial centres of restart `run`: its sample of the rows (above SEED_SAMPLE rows), then its
 * k-means++ draws, from the seededRandom(seed) stream at the run's own place in it — the values
 * it would draw if every restart drew in turn from one stream. Lloyd iterations draw nothing.
 */
function* seedRun(prepared: Pick<PreparedPoints, 'xs' | 'n' | 'd'>, k: number, seed: number, run: number, scratch: SeedScratch): Steps<Float64Array> {
  const { n, d, xs } = prepared;
  const rng = seededRandom(seed, run * drawsPerRun(n, k));
  const m = scratch.closest.length;
  if (m < n) sampleRows(xs, n, d, rng, scratch.pool, m);
  return yield* seedSteps(scratch.pool, m, d, k, rng, scratch.closest);
}

/** A finished restart: its final centres, labels (in the prepared Z-order) and inertia. */
export interface RunOutcome {
  index: number;
  centres: Float64Array;
  labels: Int32Array;
  iterations: number;
  inertia: number;
}

/** The better of two restarts: the lower inertia, the earlier run on a tie (as one thread picks). */
export function betterRun<R extends Pick<RunOutcome, 'index' | 'inertia'>>(a: R | undefined, b: R | undefined): R | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.inertia < a.inertia || (b.inertia === a.inertia && b.index < a.index) ? b : a;
}

export interface RunsOptions extends Pick<KMeansOptions, 'k' | 'maxIter' | 'tol' | 'seed' | 'onIteration'> {
  /** The next run to do (0-based), or undefined when none is left. */
  claim: () => number | undefined;
}

/**
 * The runs that `claim` hands out, one after another — each seeded (seedRun), then Lloyd
 * iterations — keeping the best (betterRun). Several threads can share the restarts of one fit,
 * each with its own claim on a shared counter: each run's result depends only on its index, so
 * the best of the threads' bests is the run one thread doing them all would keep.
 */
export function* bestRun(prepared: Pick<PreparedPoints, 'xs' | 'n' | 'd' | 'variance'>, options: RunsOptions): Steps<RunOutcome | undefined> {
  const { xs, n, d } = prepared;
  const { k, maxIter } = options;
  const tolAbs = options.tol * prepared.variance;
  const ws = workspace(n, d, k);
  const scratch = seedScratch(prepared);
  const labels = new Int32Array(n); // the best run's so far
  let best: RunOutcome | undefined;
  for (let run = options.claim(); run !== undefined; run = options.claim()) {
    const centres = yield* seedRun(prepared, k, options.seed, run, scratch);
    const on = options.onIteration;
    const report: Report | undefined = on ? (iteration, inertia, changed) => on({ run, iteration, inertia, changed }) : undefined;
    const result = yield* runLloyd(xs, n, d, k, centres, ws, maxIter, tolAbs, report);
    yield;
    const outcome = { index: run, centres, labels, iterations: result.iterations, inertia: result.inertia };
    if (betterRun(best, outcome) === outcome) {
      best = outcome;
      labels.set(ws.labels);
    }
  }
  return best;
}

/** The k-means result of the best restart, labels back in input order. */
export function clusteringOf(prepared: PreparedPoints, best: RunOutcome): KMeansResult {
  const { n, d, order } = prepared;
  const k = best.centres.length / d;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[order[i]!] = best.labels[i]!;
  return { centroids: toRows(best.centres, k, d), labels, inertia: best.inertia, iterations: best.iterations, nInitBest: best.index };
}

/** kmeansSteps's checks of its arguments and prepared points; the prepared points to use. */
export function preparedFor(x: Float64Array, n: number, d: number, options: KMeansOptions, prepared?: PreparedPoints): PreparedPoints | undefined {
  validate(x, n, d, options);
  if (prepared !== undefined && (prepared.x !== x || prepared.n !== n || prepared.d !== d)) {
    throw usageError('the prepared points are not those of this call', 'prepare them with preparePoints(x, n, d)');
  }
  return prepared;
}

/**
 * `kmeans` as steps (see steps.ts): one per k-means++ centre and per Lloyd iteration. Checks its
 * arguments when the first step runs.
 */
export function* kmeansSteps(x: Float64Array, n: number, d: number, options: KMeansOptions, prepared?: PreparedPoints): Steps<KMeansResult> {
  const given = preparedFor(x, n, d, options, prepared);
  const points = given ?? preparePoints(x, n, d);
  if (given === undefined) yield;
  let next = 0;
  const claim = () => (next < options.nInit ? next++ : undefined);
  const best = yield* bestRun(points, { ...options, claim });
  return clusteringOf(points, best!);
}

/**
 * Lloyd iterations from given centroids: no seeding, no restarts, rows in input order. The
 * testable core of `kmeans` (its `onIteration` sees an inertia that never rises).
 */
export function lloyd(
  x: Float64Array,
  n: number,
  d: number,
  initial: readonly (readonly number[])[],
  options: { maxIter?: number; tol?: number; onIteration?: (step: IterationInfo) => void } = {},
): Omit<KMeansResult, 'nInitBest'> {
  const k = initial.length;
  const { maxIter = 300, tol = 1e-4, onIteration: on } = options;
  validate(x, n, d, { k, nInit: 1, maxIter, tol });
  if (initial.some((c) => c.length !== d || !c.every(Number.isFinite))) {
    throw usageError(`every initial centroid needs ${d} finite values`);
  }
  const centres = Float64Array.from(initial.flat());
  const ws = workspace(n, d, k);
  const report: Report | undefined = on ? (iteration, inertia, changed) => on({ run: 0, iteration, inertia, changed }) : undefined;
  const result = runSteps(runLloyd(x, n, d, k, centres, ws, maxIter, tol * meanVariance(x, n, d), report));
  return { centroids: toRows(centres, k, d), labels: ws.labels, inertia: result.inertia, iterations: result.iterations };
}

/** The nearest centroid of every row of x (squared Euclidean; the lowest index wins ties). */
export function assign(x: Float64Array, n: number, d: number, centroids: readonly (readonly number[])[]): Int32Array {
  const k = centroids.length;
  const flat = Float64Array.from(centroids.flat());
  if (flat.length !== k * d) throw usageError(`every centroid needs ${d} values`);
  const labels = new Int32Array(n);
  const scan = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    nearestTwo(x, i * d, d, flat, k, scan);
    labels[i] = scan[0]!;
  }
  return labels;
}

/** One point's nearest centroid and its Euclidean distance to every centroid (for `segment --explain`). */
export function nearest(point: readonly number[], centroids: readonly (readonly number[])[]): { cluster: number; distances: number[] } {
  // Compared squared, as batchAssigner and assign() do: two squared distances that differ can have
  // the same square root, and the single and batch paths must not then pick different clusters.
  const squared = centroids.map((c) => c.reduce((s, v, f) => s + (point[f]! - v) ** 2, 0));
  let cluster = 0;
  squared.forEach((d2, j) => {
    if (d2 < squared[cluster]!) cluster = j;
  });
  return { cluster, distances: squared.map(Math.sqrt) };
}
