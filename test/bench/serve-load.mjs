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
 * Two mixes (issue 13), on the --quiet server:
 *   batch+health: --batch-connections (4) connections POST 10,000-customer batches for the run
 *     while one client sends GET /health one after another; /health p50/p99/max must stay < 10 ms.
 *   slow+segment: --slow-clients (500) connections send headers and 1 byte of a 1,000-byte body
 *     and stall, while the usual 50-connection POST /segment load runs; its req/s and p99 are
 *     reported next to the plain run's.
 *
 * --root DIR serves the build of another checkout (DIR/bin/rfm.js), to compare builds with the
 * same load; --only a,b picks runs among segment, summary, batch, slow; --no-log skips the runs
 * with the request log on.
 *
 *   npm run build && node test/bench/serve-load.mjs [--duration 10] [--connections 50] [--model FILE]
 *     [--root DIR] [--only segment,batch,slow] [--no-log]
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { listeningPort } from '../server/listening-port.mjs';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const ROOT = resolve(flag('--root', HERE));
const BIN = join(ROOT, 'bin', 'rfm.js');
const ONLY = new Set(flag('--only', 'segment,summary,batch,slow').split(','));
const WITH_LOG = !args.includes('--no-log');
const BATCH_CONNECTIONS = Number(flag('--batch-connections', '4'));
const SLOW_CLIENTS = Number(flag('--slow-clients', '500'));
const BATCH_SIZE = 10_000;
const DURATION = Number(flag('--duration', '10'));
const CONNECTIONS = Number(flag('--connections', '50'));
const WARMUP = Number(flag('--warmup', '2'));
const TARGETS = { segment: 11_470, summary: 1_540, p99: 10 };

const tmp = mkdtempSync(join(tmpdir(), 'rfm-serve-load-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

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

/** Servers started and not yet exited: killed if the bench fails, so that it ends. */
const servers = new Set();

let started = 0;
async function startServer(model, quiet) {
  const logFile = join(tmp, `server-${quiet ? 'quiet' : 'log'}-${++started}.log`);
  const fd = openSync(logFile, 'w');
  // Port 0: the server takes a free port itself, read back from its socket (no port picked
  // beforehand that another process could take in between).
  const child = spawn(process.execPath, [BIN, 'serve', '-m', model, '--host', HOST, '--port', '0', ...(quiet ? ['--quiet'] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', fd],
    env: { ...process.env, RFM_API_TOKEN: '' }, // empty: no token (whitespace only would be refused)
  });
  closeSync(fd);
  servers.add(child);
  child.on('close', () => servers.delete(child));
  const exited = new Promise((res) => child.on('close', (code, signal) => res({ code, signal })));
  const port = await listeningPort(child.pid);
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
  const fit = spawnSync(process.execPath, [join(HERE, 'bin', 'rfm.js'), 'fit', join(HERE, 'fixtures', 'cdnow', 'CDNOW_master.txt'), '-m', model, '-q', '--format', 'json'], {
    cwd: HERE,
    encoding: 'utf8',
  });
  if (fit.status !== 0) throw new Error(`rfm fit failed: ${fit.stderr}`);
  return model;
}

/** Percentiles (ms) of a list of latencies. */
function percentiles(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1] * 100) / 100 };
}

/** GET /health one after another on one keep-alive connection until `stop()`; resolves with the latencies. */
function healthProbe(base) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(base);
  const latencies = [];
  let running = true;
  const once = () =>
    new Promise((res, rej) => {
      const started = performance.now();
      const req = httpRequest({ host: hostname, port, path: '/health', agent }, (r) => {
        r.resume();
        r.on('end', () => {
          if (r.statusCode !== 200) rej(new Error(`/health: ${r.statusCode}`));
          latencies.push(performance.now() - started);
          res();
        });
      });
      req.on('error', rej);
      req.end();
    });
  const done = (async () => {
    while (running) await once();
    agent.destroy();
    return latencies;
  })();
  return { stop: () => ((running = false), done) };
}

function batchBody() {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return JSON.stringify(
    // No id field: the same body is valid for builds before issue 13 too (for --root comparisons).
    Array.from({ length: BATCH_SIZE }, () => ({ recency: Math.floor(next() * 500), frequency: 1 + Math.floor(next() * 30), monetary: Math.round(next() * 600000) / 100 })),
  );
}

/** Batches of 10,000 on BATCH_CONNECTIONS connections, /health probed meanwhile. */
async function measureBatchHealth(server) {
  const request = { url: `${server.base}/segment`, method: 'POST', headers: { 'content-type': 'application/json' }, body: batchBody() };
  const probe = await fetch(request.url, request);
  if (probe.status !== 200 || (await probe.json()).length !== BATCH_SIZE) throw new Error(`batch: status ${probe.status}`);
  await cannon({ ...request, connections: BATCH_CONNECTIONS, duration: WARMUP });
  const idle = healthProbe(server.base);
  await new Promise((res) => setTimeout(res, 1000));
  const idleHealth = percentiles(await idle.stop());
  const health = healthProbe(server.base);
  const r = await cannon({ ...request, connections: BATCH_CONNECTIONS, duration: DURATION, timeout: 30 });
  const underLoad = percentiles(await health.stop());
  return {
    mix: `batch+health: ${BATCH_CONNECTIONS} connections POST ${BATCH_SIZE.toLocaleString('en-US')}-customer batches, 1 client GET /health`,
    batchesPerSec: Math.round(r.requests.average * 10) / 10,
    customersPerSec: Math.round(r.requests.average * BATCH_SIZE),
    batchLatencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
    errors: r.errors + r.timeouts + r.non2xx,
    healthMs: underLoad,
    healthIdleMs: idleHealth,
    meetsTarget: underLoad.p99 < TARGETS.p99 && r.errors + r.timeouts + r.non2xx === 0,
  };
}

/** SLOW_CLIENTS stalled half-sent bodies, and the usual POST /segment load beside them. */
async function measureSlowSegment(server) {
  const partial = 'POST /segment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{';
  const { hostname, port } = new URL(server.base);
  const sockets = await Promise.all(
    Array.from(
      { length: SLOW_CLIENTS },
      () =>
        new Promise((res, rej) => {
          const s = connect(Number(port), hostname, () => s.write(partial, () => res(s)));
          s.on('error', rej);
        }),
    ),
  );
  let closedEarly = 0;
  for (const s of sockets) s.on('close', () => closedEarly++);
  const run = await measure(server, 'segment');
  for (const s of sockets) s.destroy();
  return { mix: `slow+segment: ${SLOW_CLIENTS} stalled half-sent bodies, ${CONNECTIONS} connections POST /segment`, ...run, slowClientsClosedDuringRun: closedEarly };
}

async function main() {
  const model = flag('--model', undefined) ?? fitModel();
  const runs = [];
  const routes = ['segment', 'summary'].filter((r) => ONLY.has(r));
  for (const quiet of WITH_LOG ? [true, false] : [true]) {
    if (routes.length === 0) break;
    const server = await startServer(model, quiet);
    for (const route of routes) {
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
  const mixes = [];
  if (ONLY.has('batch') || ONLY.has('slow')) {
    const server = await startServer(model, true);
    if (ONLY.has('batch')) {
      mixes.push(await measureBatchHealth(server));
      process.stderr.write(`${mixes.at(-1).mix}: /health p99 ${mixes.at(-1).healthMs.p99} ms, ${mixes.at(-1).batchesPerSec} batches/s\n`);
    }
    if (ONLY.has('slow')) {
      mixes.push(await measureSlowSegment(server));
      process.stderr.write(`${mixes.at(-1).mix}: ${mixes.at(-1).reqPerSec} req/s, p99 ${mixes.at(-1).latencyMs.p99} ms\n`);
    }
    server.child.kill('SIGTERM');
    await server.exited;
  }

  const pass = (run) => run.errors === 0 && run.latencyMs.p99 < TARGETS.p99 && run.reqPerSec >= (run.route === 'POST /segment' ? TARGETS.segment : TARGETS.summary);
  const report = {
    bench: 'rfm serve load',
    date: new Date().toISOString(),
    build: ROOT,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform },
    connections: CONNECTIONS,
    durationS: DURATION,
    warmupS: WARMUP,
    targets: TARGETS,
    runs: runs.map((r) => ({ ...r, meetsTarget: pass(r) })),
    mixes: mixes.map((m) => (m.route === undefined ? m : { ...m, meetsTarget: pass(m) })),
  };
  console.log(JSON.stringify(report));
  console.log();
  if (report.runs.length > 0) {
    console.log(`| route | request log | req/s | p50 ms | p99 ms | max ms | errors | requests | server CPU µs/req | RSS before → peak → after (MB) | load avg | target met |`);
    console.log(`|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|`);
    for (const r of report.runs) {
      console.log(
        `| ${r.route} | ${r.logging} | ${r.reqPerSec.toLocaleString('en-US')} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.errors} | ${r.requests.toLocaleString('en-US')} | ${r.serverCpuUsPerRequest} | ${r.rssMb.before} → ${r.rssMb.peak} → ${r.rssMb.after} | ${r.loadAvg1m} | ${r.meetsTarget ? 'yes' : 'no'} |`,
      );
    }
  }
  for (const m of report.mixes) {
    if (m.healthMs !== undefined) {
      console.log(`\n${m.mix}: ${m.batchesPerSec} batches/s (${m.customersPerSec.toLocaleString('en-US')} customers/s), batch p50/p99 ${m.batchLatencyMs.p50}/${m.batchLatencyMs.p99} ms, ${m.errors} errors; /health under load p50/p99/max ${m.healthMs.p50}/${m.healthMs.p99}/${m.healthMs.max} ms over ${m.healthMs.n} probes (idle ${m.healthIdleMs.p50}/${m.healthIdleMs.p99}/${m.healthIdleMs.max}); target met: ${m.meetsTarget ? 'yes' : 'no'}`);
    } else {
      console.log(`\n${m.mix}: ${m.reqPerSec.toLocaleString('en-US')} req/s, p50/p99/max ${m.latencyMs.p50}/${m.latencyMs.p99}/${m.latencyMs.max} ms, ${m.errors} errors, slow clients closed during the run: ${m.slowClientsClosedDuringRun}`);
    }
  }
  process.exitCode = [...report.runs, ...report.mixes].every((r) => r.meetsTarget) ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  for (const child of servers) child.kill('SIGKILL');
  process.exitCode = 1;
});
