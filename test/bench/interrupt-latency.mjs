#!/usr/bin/env node
// How long `rfm fit` takes to exit after SIGINT while k-means runs (issue 13: within 200 ms).
//
// usage: npx tsc -p tsconfig.json && node test/bench/interrupt-latency.mjs [--runs 10] [--rows 2000000] [--customers 400000]
//
// Generates a transaction log with test/bench/generate-retail.mjs (seed 5) into a temp dir, then
// runs `rfm fit LOG -k 8 --n-init 50` --runs times. Each run waits for the cleaning summary on
// stderr (reading is over, k-means has started), waits a further 100 + 137 × i ms so that the
// signal lands at a different point of the restarts and iterations each time, sends SIGINT and
// measures from the kill to the child's exit. Prints one JSON line: the runs' latencies in ms,
// their median and max, and the exit codes seen.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 10);
const rows = arg('rows', 2_000_000);
const customers = arg('customers', 400_000);

const dir = mkdtempSync(join(tmpdir(), 'rfm-interrupt-bench-'));
const log = join(dir, 'log.csv');
execFileSync(process.execPath, [join(root, 'test/bench/generate-retail.mjs'), '--rows', String(rows), '--customers', String(customers), '--seed', '5', '--out', log], { stdio: ['ignore', 'ignore', 'inherit'] });

function once(i) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin/rfm.js'), 'fit', log, '-k', '8', '--n-init', '50', '-m', join(dir, 'model.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killedAt = 0;
    child.stderr.on('data', (b) => {
      const before = stderr;
      stderr += b.toString();
      if (!/^read [\d,]+ rows/m.test(before) && /^read [\d,]+ rows/m.test(stderr)) {
        setTimeout(() => {
          killedAt = performance.now();
          child.kill('SIGINT');
        }, 100 + 137 * i);
      }
    });
    child.on('close', (code) => {
      if (killedAt === 0) return reject(new Error(`run ${i} ended (code ${code}) before the signal: ${stderr}`));
      resolve({ ms: performance.now() - killedAt, code });
    });
  });
}

try {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(i));
  const ms = results.map((r) => Math.round(r.ms * 10) / 10);
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  console.log(JSON.stringify({ runs, rows, latencyMs: ms, medianMs: median, maxMs: sorted.at(-1), exitCodes: [...new Set(results.map((r) => r.code))] }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
