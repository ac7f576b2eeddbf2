#!/usr/bin/env node
// k-means at DESIGN.md §5 target 3: 1,000,000 customers × 3 features, k = 4, n-init 10, ours
// against scikit-learn's KMeans(n_clusters=4, n_init=10, random_state=42) on the same matrix.
//
// usage: npx tsc -p tsconfig.json && node test/bench/kmeans-bench.mjs [--n 1000000] [--seed 7]
// Prints one JSON line: n, the wall seconds and inertia of each side, their ratio, and the
// OPENBLAS_CORETYPE / thread environment python ran with. Needs /usr/bin/python3 with numpy and
// scikit-learn (Debian: apt-get install -y python3-sklearn).
//
// The matrix is log-RFM-like and deterministic: recency uniform over two years with a recent
// bulge, frequency geometric, monetary log-normal growing with frequency; log1p of each, then
// z-scored, i.e. what `rfm fit --transform log` feeds k-means. It is written to /tmp as raw
// little-endian float64 (row-major) so python reads exactly the same numbers.
import { execFileSync } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kmeans } from '../../dist/core/kmeans.js';
import { seededRandom } from '../../dist/core/random.js';
import { applyScaler, featureMatrix, fitScaler } from '../../dist/core/scale.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const n = arg('n', 1_000_000);
const seed = arg('seed', 7);

function generate(n, seed) {
  const rng = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const recency = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const active = rng.next() < 0.35;
    recency[i] = Math.floor(active ? 60 * rng.next() ** 2 : 730 * rng.next());
    frequency[i] = 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(active ? 0.8 : 0.45));
    monetary[i] = Math.round(100 * Math.exp(3 + 0.9 * Math.log(frequency[i]) + 0.8 * normal())) / 100;
  }
  const raw = featureMatrix({ recency, frequency, monetary }, 'log');
  return applyScaler(raw, n, 3, fitScaler(raw, n, 3));
}

const x = generate(n, seed);
const file = join(tmpdir(), `rfm-kmeans-bench-${process.pid}.f64`);
writeFileSync(file, Buffer.from(x.buffer, x.byteOffset, x.byteLength));

const t0 = performance.now();
const ours = kmeans(x, n, 3, { k: 4, nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 });
const oursSeconds = (performance.now() - t0) / 1000;

const python = `
import sys, time, json, numpy as np, sklearn
from sklearn.cluster import KMeans
X = np.fromfile(sys.argv[1], dtype='<f8').reshape(-1, 3)
t = time.perf_counter()
km = KMeans(n_clusters=4, n_init=10, random_state=42).fit(X)
print(json.dumps({"seconds": time.perf_counter() - t, "inertia": float(km.inertia_), "iterations": int(km.n_iter_), "version": sklearn.__version__}))
`;
let sk;
try {
  sk = JSON.parse(execFileSync('/usr/bin/python3', ['-c', python, file], { encoding: 'utf8' }).trim().split('\n').pop());
} finally {
  rmSync(file, { force: true });
}

console.log(
  JSON.stringify({
    n,
    k: 4,
    nInit: 10,
    ours: { seconds: +oursSeconds.toFixed(3), inertia: ours.inertia, iterations: ours.iterations },
    sklearn: { seconds: +sk.seconds.toFixed(3), inertia: sk.inertia, iterations: sk.iterations, version: sk.version },
    inertiaRatio: ours.inertia / sk.inertia,
    speedup: +(sk.seconds / oursSeconds).toFixed(2),
    env: {
      OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null,
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? null,
      cpus: (await import('node:os')).cpus().length,
      node: process.version,
    },
  }),
);
