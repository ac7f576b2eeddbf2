#!/usr/bin/env node
/**
 * rfm clv benchmark: BTYD summary + BG/NBD + Gamma-Gamma + predictions, whole process, on
 *  1. the CDNOW master log (23,570 customers; fixtures/cdnow/CDNOW_master.txt, calibration end 1997-09-30), and
 *  2. a generated 1,000,000-customer BTYD summary table (simulated from the BG/NBD and Gamma-Gamma
 *     models with the CDNOW estimates, on a whole-day grid in weeks, deterministic),
 * each next to the scipy implementation of the same fit (test/bench/btyd_scipy_fit.py), timed the
 * same way (wall clock and peak RSS from /usr/bin/time when there is one).
 *
 *   node test/bench/clv-bench.mjs [--customers N] [--runs R] [--no-scipy]
 * Build first (npm run build). Prints a JSON summary on stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'rfm.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CUSTOMERS = option('--customers', 1_000_000);
const RUNS = option('--runs', 3);
const SCIPY = !args.includes('--no-scipy');

/** mulberry32: a small deterministic PRNG. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) by Marsaglia–Tsang (with the shape < 1 boost). */
function gamma(rand, shape) {
  if (shape < 1) return gamma(rand, shape + 1) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x;
    let v;
    do {
      const u1 = rand();
      const u2 = rand();
      x = Math.sqrt(-2 * Math.log(u1 || 1e-300)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    if (Math.log(rand() || 1e-300) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A BTYD table simulated from BG/NBD (r 0.243, α 4.414, a 0.793, b 2.426 per week) and Gamma-Gamma spend. */
export function generateTable(path, n) {
  const rand = random(14);
  const chunks = ['customer_id,frequency,recency,T,monetary_value\n'];
  let lines = [];
  for (let i = 0; i < n; i++) {
    const T = Math.floor(rand() * 273) / 7; // first purchase on one of 273 days before the calibration end
    const lambda = gamma(rand, 0.243) / 4.414;
    const ga = gamma(rand, 0.793);
    const p = ga / (ga + gamma(rand, 2.426));
    let t = 0;
    let x = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(1 - rand()) / Math.max(lambda, 1e-12);
      if (t > T) break;
      x++;
      last = t;
      if (rand() < p) break;
    }
    const recency = x === 0 ? 0 : Math.min(Math.round(last * 7), Math.round(T * 7)) / 7;
    let monetary = 0;
    if (x > 0) {
      const nu = gamma(rand, 3.74) / 15.44;
      let sum = 0;
      for (let j = 0; j < x; j++) sum += gamma(rand, 6.25) / nu;
      monetary = Math.round((sum / x) * 100) / 100;
    }
    lines.push(`${i + 1},${x},${recency.toFixed(6)},${T.toFixed(6)},${monetary}`);
    if (lines.length === 10000) {
      chunks.push(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length > 0) chunks.push(lines.join('\n') + '\n');
  writeFileSync(path, chunks.join(''));
}

/** Wall seconds, and from /usr/bin/time (when there is one) CPU seconds (user + system, every thread) and peak RSS. */
function timed(command, argv) {
  const time = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const result = time
    ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed: ${result.stderr}`);
  const [user, system, rssKb] = time ? result.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  return { seconds, cpuSeconds: time ? user + system : null, peakMb: time ? rssKb / 1024 : null };
}

/** The median run (wall and CPU each), the largest peak RSS. CPU time is the figure to compare on a busy machine. */
function best(runs) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const cpu = runs.map((r) => r.cpuSeconds).filter((v) => v !== null);
  return {
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: cpu.length > 0 ? median(cpu) : null,
    peakMb: Math.max(...runs.map((r) => r.peakMb ?? 0)) || null,
    runs: runs.map((r) => r.seconds),
  };
}

function main() {
const dir = mkdtempSync(join(tmpdir(), 'rfm-clv-bench-'));
try {
  const table = join(dir, 'btyd-1m.csv');
  generateTable(table, CUSTOMERS);
  const master = join(ROOT, 'fixtures', 'cdnow', 'CDNOW_master.txt');
  const cases = [
    { name: `CDNOW master log (23,570 customers)`, rfm: ['clv', master, '--calibration-end', '1997-09-30', '--format', 'csv', '-o', join(dir, 'out-master.csv'), '-q'], scipy: ['log', master] },
    { name: `BTYD table (${CUSTOMERS.toLocaleString('en')} customers)`, rfm: ['clv', table, '--format', 'csv', '-o', join(dir, 'out-table.csv'), '-q'], scipy: ['table', table] },
  ];
  const results = [];
  for (const c of cases) {
    const rfm = best(Array.from({ length: RUNS }, () => timed(process.execPath, [BIN, ...c.rfm])));
    const scipy = SCIPY ? best(Array.from({ length: RUNS }, () => timed('/usr/bin/python3', [join(ROOT, 'test', 'bench', 'btyd_scipy_fit.py'), ...c.scipy, join(dir, 'out-scipy.csv')]))) : null;
    results.push({ case: c.name, rfm, scipy });
    process.stderr.write(`${c.name}: rfm ${rfm.seconds.toFixed(2)} s, ${rfm.cpuSeconds?.toFixed(2)} s CPU (${rfm.peakMb?.toFixed(0)} MB)${scipy ? `, scipy ${scipy.seconds.toFixed(2)} s, ${scipy.cpuSeconds?.toFixed(2)} s CPU (${scipy.peakMb?.toFixed(0)} MB)` : ''}\n`);
  }
  process.stdout.write(JSON.stringify({ runs: RUNS, results }, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
