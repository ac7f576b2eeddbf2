#!/usr/bin/env node
/**
 * Load test of `rfm serve` (issue 6), loopback only and bounded in time.
 *
 * Starts the BUILT server (`node bin/rfm.js serve`) on a free 127.0.0.1 port with a model fitted
 * on the committed CDNOW fixture (or --model FILE), and for each route × log mode runs autocannon
 * with 50 connections for 10 s after a 2 s warm-up:
 *   POST /segment {"recency":30,"frequency":4,"monetary":2500}   and   GET /clusters/summary,
 * the server once with --quiet and once logging every request (JSON lines to a file on disk).
 * Records requests/s (mean), p50/p99 latency, errors (socket errors + timeouts + non-2xx), and the
 * server's RSS before, at its peak during, and after each run. Prints one JSON line and a
 * markdown table, and says whether the targets hold:
 *   >= 11,470 req/s on POST /segment, >= 1,540 req/s on GET /clusters/summary, p99 < 10 ms, 0 errors.
 *
 *   npm run build && node test/bench/serve-load.mjs [--duration 10] [--connections 50] [--model FILE]
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'rfm.js');
const HOST = '127.0.0.1';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const DURATION = Number(flag('--duration', '10'));
const CONNECTIONS = Number(flag('--connections', '50'));
const WARMUP = Number(flag('--warmup', '2'));
const TARGETS = { segment: 11_470, summary: 1_540, p99: 10 };

const tmp = mkdtempSync(join(tmpdir(), 'rfm-serve-load-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function freePort() {
  return new Promise((res, rej) => {
    const server = createServer();
    server.on('error', rej);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => res(port));
    });
  });
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Resident set size of a process in MB (Linux /proc). */
function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

async function waitForHealth(base) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startServer(model, quiet) {
  const port = await freePort();
  const logFile = join(tmp, `server-${quiet ? 'quiet' : 'log'}-${port}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [BIN, 'serve', '-m', model, '--host', HOST, '--port', String(port), ...(quiet ? ['--quiet'] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', fd],
    env: { ...process.env, RFM_API_TOKEN: '' },
  });
  closeSync(fd);
  const exited = new Promise((res) => child.on('close', (code, signal) => res({ code, signal })));
  const base = `http://${HOST}:${port}`;
  await waitForHealth(base);
  return { child, base, logFile, exited };
}

function cannon(options) {
  return new Promise((res, rej) => {
    autocannon(options, (error, result) => (error ? rej(error) : res(result)));
  });
}

async function measure(server, route) {
  const request =
    route === 'segment'
      ? { url: `${server.base}/segment`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recency: 30, frequency: 4, monetary: 2500 }) }
      : { url: `${server.base}/clusters/summary`, method: 'GET' };
  // A check that the route answers what it should before timing it.
  const probe = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
  if (probe.status !== 200) throw new Error(`${route}: status ${probe.status}`);
  await probe.text();

  await cannon({ ...request, connections: CONNECTIONS, duration: WARMUP });
  const pid = server.child.pid;
  const before = rssMb(pid);
  let peak = before ?? 0;
  const sampler = setInterval(() => {
    const now = rssMb(pid);
    if (now !== null && now > peak) peak = now;
  }, 250);
  const load = loadavg()[0];
  const cpuBefore = cpuMs(pid);
  const r = await cannon({ ...request, connections: CONNECTIONS, duration: DURATION });
  const cpuAfter = cpuMs(pid);
  clearInterval(sampler);
  await new Promise((res) => setTimeout(res, 500));
  const after = rssMb(pid);
  const errors = r.errors + r.timeouts + r.non2xx;
  return {
    route: route === 'segment' ? 'POST /segment' : 'GET /clusters/summary',
    requests: r.requests.total,
    reqPerSec: Math.round(r.requests.average),
    latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    errors,
    // Server CPU per request: independent of what else the machine was doing.
    serverCpuUsPerRequest: cpuBefore === null ? null : Math.round(((cpuAfter - cpuBefore) * 1000) / r.requests.total),
    detail: { socketErrors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx },
    rssMb: { before, peak, after },
    // The 1-minute load average as the run began: other work on the machine shows here.
    loadAvg1m: Math.round(load * 100) / 100,
  };
}

function fitModel() {
  const model = join(tmp, 'model.json');
  const fit = spawnSync(process.execPath, [BIN, 'fit', join(ROOT, 'fixtures', 'cdnow', 'CDNOW_master.txt'), '-m', model, '-q', '--format', 'json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (fit.status !== 0) throw new Error(`rfm fit failed: ${fit.stderr}`);
  return model;
}

async function main() {
  const model = flag('--model', undefined) ?? fitModel();
  const runs = [];
  for (const quiet of [true, false]) {
    const server = await startServer(model, quiet);
    for (const route of ['segment', 'summary']) {
      const run = { logging: quiet ? 'off (--quiet)' : 'on (JSON lines to a file)', ...(await measure(server, route)) };
      runs.push(run);
      process.stderr.write(`${run.route}, log ${run.logging}: ${run.reqPerSec} req/s, p99 ${run.latencyMs.p99} ms, ${run.errors} errors\n`);
    }
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    if (code !== 0) throw new Error(`the server exited ${code} on SIGTERM`);
    if (!quiet) {
      // One log line per request, warm-ups and probes included.
      const lines = readFileSync(server.logFile, 'utf8').split('\n').filter((l) => l.startsWith('{')).length;
      runs.at(-1).logLines = lines;
    }
  }

  const pass = (run) => run.errors === 0 && run.latencyMs.p99 < TARGETS.p99 && run.reqPerSec >= (run.route === 'POST /segment' ? TARGETS.segment : TARGETS.summary);
  const report = {
    bench: 'rfm serve load',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform },
    connections: CONNECTIONS,
    durationS: DURATION,
    warmupS: WARMUP,
    targets: TARGETS,
    runs: runs.map((r) => ({ ...r, meetsTarget: pass(r) })),
  };
  console.log(JSON.stringify(report));
  console.log();
  console.log(`| route | request log | req/s | p50 ms | p99 ms | max ms | errors | requests | server CPU µs/req | RSS before → peak → after (MB) | load avg | target met |`);
  console.log(`|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|`);
  for (const r of report.runs) {
    console.log(
      `| ${r.route} | ${r.logging} | ${r.reqPerSec.toLocaleString('en-US')} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.errors} | ${r.requests.toLocaleString('en-US')} | ${r.serverCpuUsPerRequest} | ${r.rssMb.before} → ${r.rssMb.peak} → ${r.rssMb.after} | ${r.loadAvg1m} | ${r.meetsTarget ? 'yes' : 'no'} |`,
    );
  }
  process.exitCode = report.runs.every((r) => r.meetsTarget) ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
