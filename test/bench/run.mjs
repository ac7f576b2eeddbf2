#!/usr/bin/env node
/**
 * The pipeline benchmark of DESIGN.md §5 / issue 5, side by side with the original pandas +
 * scikit-learn pipeline (../shared/bench/pandas_baseline.py), in one run on this machine.
 *
 *   npm run bench                        (= npm run build && node test/bench/run.mjs)
 *   node test/bench/run.mjs --only 1,5 --runs 5
 *
 * Cases (each timed as whole processes, start-up included, unless said otherwise):
 *   1  rfm fit FILE -k auto  vs  pandas_baseline.py FILE --log, 1,067,371-row Online-Retail-II-shaped
 *      CSV: wall <= 0.4 x pandas, peak RSS <= 150 MB
 *   2  the same on 10x the rows with the same 8,546 customers (DESIGN.md: memory is bounded by customers,
 *      not rows): peak RSS < 1.3 x case 1's, time no worse than linear (<= 10x case 1's); and, for
 *      context (no target), 10x the rows with the generator's default customers, which grow 10x too
 *   3  k-means, 1,000,000 x 3, k = 4, n-init 10, vs scikit-learn KMeans(n_init=10): wall <= sklearn's,
 *      inertia <= +0.1 % (runs test/bench/kmeans-bench.mjs, which times both in-process)
 *   4  elbow k = 1..10 x 10 restarts (+ silhouette) on the sample's ~4,300 customers: compute < 0.5 s,
 *      timed in-process around the elbow (shared with worker threads as `rfm elbow` does) in a fresh process (whole `rfm elbow` for context)
 *   5  rfm segment on a 1,000,000-row RFM table (CSV out): >= 1,000,000 rows/s after start-up, i.e.
 *      1e6 / (median wall on 1M rows - median wall on a 1-row table)
 *   6  rfm rfm read + clean + RFM vs pandas and DuckDB (the same query), 1,067,371 rows
 *   7  rfm clv (BTYD summary + BG/NBD + Gamma-Gamma + predictions for every customer, CSV out) vs the
 *      same fit in scipy (test/bench/btyd_scipy_fit.py), on the CDNOW master log (23,570 customers:
 *      well under 1 s) and a generated 1,000,000-customer BTYD table (< 5 s, < 500 MB; the table comes
 *      from test/bench/clv-bench.mjs's generator, --clv-customers N for a smaller one); the two
 *      sides' CLV totals are compared, so that a benchmark of different work shows
 * Runs alternate between our side and the baseline; the table gives medians.
 *
 * Inputs are generated when missing, deterministically (git-ignored bench-data/):
 *   test/bench/generate-retail.mjs --rows 1067371 --seed 42, --rows 10673710 --customers 8546 --seed 42
 *   and --rows 10673710 --seed 42; an RFM table from a seeded generator below; a model fitted on
 *   fixtures/online_retail_sample.csv.
 * Peak RSS comes from /usr/bin/time -v (else from polling /proc/PID/status VmHWM, which can miss the
 * last few ms). Nothing is installed: without python3-pandas / python3-sklearn the script says how to
 * get them and runs our side alone.
 *
 * Writes the table (markdown) to stdout and every measurement to bench-data/bench-results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'rfm.js');
const DATA = join(ROOT, 'bench-data');
const BASELINE = resolve(ROOT, '../shared/bench/pandas_baseline.py');
const PYTHON = '/usr/bin/python3';
const SAMPLE = join(ROOT, 'fixtures', 'online_retail_sample.csv');

// ------------------------------------------------------------------ arguments
const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write('usage: node test/bench/run.mjs [--only 1,2,3,4,5,6,7] [--runs N] [--clv-customers N]\n');
  process.exit(0);
}
const RUNS = Number(flag('--runs') ?? 3);
const ONLY = new Set((flag('--only') ?? '1,2,3,4,5,6,7').split(',').map((s) => Number(s.trim())));
/** Customers in case 7's generated BTYD table (the target is for 1,000,000). */
const CLV_CUSTOMERS = Number(flag('--clv-customers') ?? 1_000_000);
if (!Number.isInteger(RUNS) || RUNS < 1 || [...ONLY].some((c) => !(c >= 1 && c <= 7)) || !Number.isInteger(CLV_CUSTOMERS) || CLV_CUSTOMERS < 1) {
  process.stderr.write('run.mjs: --runs N (N >= 1), --only a comma-separated subset of 1..7, --clv-customers N (N >= 1)\n');
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('run.mjs: dist/ is missing: run `npm run bench` (it builds first) or `npm run build`\n');
  process.exit(2);
}

const log = (text) => process.stderr.write(text + '\n');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 3) => (x === null || x === undefined ? null : Number(x.toFixed(d)));

// ------------------------------------------------------------------ machine
function commandOutput(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
const machine = {
  date: new Date().toISOString(),
  dateU: commandOutput('date', ['-u']),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGB: round(totalmem() / 2 ** 30, 1),
  os: `${process.platform} ${release()}`,
  node: process.version,
  loadAverageStart: loadavg().map((x) => round(x, 2)),
};
const py = spawnSync(
  PYTHON,
  ['-c', 'import json, sys, numpy, pandas, sklearn; print(json.dumps({"python": sys.version.split()[0], "numpy": numpy.__version__, "pandas": pandas.__version__, "sklearn": sklearn.__version__}))'],
  { encoding: 'utf8' },
);
const python = py.status === 0 ? JSON.parse(py.stdout.trim()) : null;
Object.assign(machine, python ?? { python: null, pandas: null, sklearn: null });
if (python === null) {
  log(
    `pandas / scikit-learn not found for ${PYTHON}: install them with\n` +
      '  apt-get install -y python3-pandas python3-sklearn\n' +
      'running the rfm side alone (no baseline, no ratios).',
  );
}
if (!existsSync(BASELINE) && python !== null) log(`note: ${BASELINE} not found: no baseline.`);
const haveBaseline = python !== null && existsSync(BASELINE);
// Case 7's baseline needs scipy and pandas only.
const scipyVersion = commandOutput(PYTHON, ['-c', 'import scipy, pandas; print(scipy.__version__)']);
machine.scipy = scipyVersion;

// Peak RSS: /usr/bin/time -v when present.
const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME) && spawnSync(TIME, ['-v', 'true']).status === 0;
machine.rssMethod = haveTime ? '/usr/bin/time -v' : '/proc/PID/status VmHWM polled every 10 ms';
if (!haveTime) log(`note: ${TIME} not found (apt-get install -y time gives it); polling /proc for peak RSS instead.`);

/**
 * Runs a command to completion: wall seconds (spawn to exit), peak RSS in MB, stdout if captured.
 * Fails loudly on a non-zero exit: a benchmark of a failing run means nothing.
 */
async function measure(cmd, args, { capture = false, stdoutFile } = {}) {
  const full = haveTime ? [TIME, ['-v', cmd, ...args]] : [cmd, args];
  const out = stdoutFile === undefined ? undefined : openSync(stdoutFile, 'w');
  const t0 = performance.now();
  const child = spawn(full[0], full[1], { cwd: ROOT, stdio: ['ignore', out ?? (capture ? 'pipe' : 'ignore'), 'pipe'] });
  if (out !== undefined) closeSync(out);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let hwm = 0;
  const poll = haveTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          // exited
        }
      }, 10);
  const [code] = await once(child, 'close');
  const wall = (performance.now() - t0) / 1000;
  if (poll) clearInterval(poll);
  let status = code;
  let cpu = null;
  if (haveTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    hwm = m ? Number(m[1]) : 0;
    const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
    const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
    if (user && system) cpu = Number(user[1]) + Number(system[1]);
    const s = /Exit status: (\d+)/.exec(stderr);
    status = s ? Number(s[1]) : code;
  }
  if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${status}:\n${stderr.slice(-2000)}`);
  return { wall, rssMB: hwm / 1024, cpu, stdout };
}

// ------------------------------------------------------------------ inputs
mkdirSync(DATA, { recursive: true });

/** A generated Online-Retail-II-shaped log; `customers` defaults to the generator's (which scales with rows). */
function retailFile(rows, customers) {
  const path = join(DATA, customers === undefined ? `retail-${rows}.csv` : `retail-${rows}-c${customers}.csv`);
  if (!existsSync(path)) {
    log(`generating ${path} (deterministic, seed 42)...`);
    const extra = customers === undefined ? [] : ['--customers', String(customers)];
    const r = spawnSync(process.execPath, [join(ROOT, 'test/bench/generate-retail.mjs'), '--rows', String(rows), ...extra, '--seed', '42', '--out', path], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`generate-retail.mjs failed for ${rows} rows`);
  }
  return path;
}

/** A deterministic RFM table: customer_id,recency,frequency,monetary, retail-like distributions (generate-rfm.mjs, seed 5). */
function rfmTable(rows) {
  const path = join(DATA, `rfm-${rows}.csv`);
  if (existsSync(path)) return path;
  log(`generating ${path} (deterministic, seed 5)...`);
  const r = spawnSync(process.execPath, [join(ROOT, 'test/bench/generate-rfm.mjs'), '--rows', String(rows), '--seed', '5', '--out', path], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`generate-rfm.mjs failed for ${rows} rows`);
  return path;
}

/** Case 7's BTYD table: clv-bench.mjs's generator (BG/NBD + Gamma-Gamma simulation, seeded), cached. */
async function btydTable(customers) {
  const path = join(DATA, `btyd-${customers}.csv`);
  if (!existsSync(path)) {
    log(`generating ${path} (deterministic, test/bench/clv-bench.mjs's generator)...`);
    const { generateTable } = await import('./clv-bench.mjs');
    generateTable(path, customers);
  }
  return path;
}

/** Rows and the sum of one column of a CSV without quoted fields (both sides' clv output). */
function csvColumnSum(path, name) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const column = lines[0].split(',').indexOf(name);
  if (column === -1) throw new Error(`${path} has no ${name} column`);
  let sum = 0;
  let rows = 0;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    sum += Number(lines[i].split(',')[column]);
    rows++;
  }
  return { rows, sum };
}

// ------------------------------------------------------------------ cases
const results = { machine, runs: RUNS, cases: {} };
const rows = [];
const cpuNote = (r) =>
  r.ours.cpuMedian === null || r.ours.cpuMedian === undefined
    ? ''
    : `; CPU (user+sys) rfm ${r.ours.cpuMedian.toFixed(2)} s${r.baseline?.cpuMedian != null ? `, pandas ${r.baseline.cpuMedian.toFixed(2)} s` : ''}`;
const yes = (ok) => (ok === null ? 'n/a' : ok ? 'yes' : '**no**');
const s = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(2)} s`);
const mb = (x) => (x === null || x === undefined ? '—' : `${Math.round(x)} MB`);

/** Our command and the baseline, alternating (the first to go switches every run). */
async function sideBySide(ours, baseline) {
  const o = [];
  const b = [];
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 === 0 ? ['o', 'b'] : ['b', 'o'];
    for (const side of order) {
      if (side === 'o') o.push(await measure(...ours));
      else if (baseline) b.push(await measure(...baseline));
    }
    log(`  run ${r + 1}/${RUNS}: rfm ${o.at(-1).wall.toFixed(2)} s${b.length ? `, baseline ${b.at(-1).wall.toFixed(2)} s` : ''}`);
  }
  const sum = (xs) =>
    xs.length === 0
      ? null
      : {
          wallMedian: median(xs.map((x) => x.wall)),
          rssMedianMB: median(xs.map((x) => x.rssMB)),
          cpuMedian: xs[0].cpu === null ? null : median(xs.map((x) => x.cpu)),
          walls: xs.map((x) => round(x.wall)),
          rssMB: xs.map((x) => round(x.rssMB, 1)),
          cpu: xs.map((x) => round(x.cpu, 2)),
        };
  return { ours: sum(o), baseline: sum(b), oursStdout: o.at(-1).stdout, baselineStdout: b.at(-1)?.stdout };
}

const fitArgs = (file) => [process.execPath, [BIN, 'fit', file, '-k', 'auto', '-q', '-m', join(DATA, 'bench-fit-model.json'), '--format', 'json'], { capture: true }];
const pandasArgs = (file) => (haveBaseline ? [PYTHON, [BASELINE, file, '--log'], { capture: true }] : undefined);
const customersOf = (stdout) => {
  try {
    return JSON.parse(stdout.trim().split('\n').pop()).customers;
  } catch {
    return null;
  }
};
const modelCustomers = () => JSON.parse(readFileSync(join(DATA, 'bench-fit-model.json'), 'utf8')).training.customers;

async function fitCase(n, file, label, withBaseline = true) {
  log(`case ${n}: ${label}`);
  const r = await sideBySide(fitArgs(file), withBaseline ? pandasArgs(file) : undefined);
  r.customers = { rfm: modelCustomers(), pandas: r.baselineStdout ? customersOf(r.baselineStdout) : null };
  r.fileMB = round(statSync(file).size / 1e6, 1);
  delete r.oursStdout;
  delete r.baselineStdout;
  return r;
}

if (ONLY.has(1) || ONLY.has(2)) {
  const one = await fitCase(1, retailFile(1067371), 'rfm fit -k auto vs pandas_baseline.py --log, 1,067,371 rows');
  results.cases[1] = one;
  const ratio = one.baseline ? one.ours.wallMedian / one.baseline.wallMedian : null;
  if (ONLY.has(1)) {
    rows.push([
      '1',
      `\`rfm fit -k auto\` vs pandas, 1,067,371 rows (${one.fileMB} MB, ${one.customers.rfm} customers)${cpuNote(one)}`,
      s(one.ours.wallMedian),
      s(one.baseline?.wallMedian),
      ratio === null ? '—' : ratio.toFixed(2),
      mb(one.ours.rssMedianMB),
      mb(one.baseline?.rssMedianMB),
      'ratio ≤ 0.40, RSS ≤ 150 MB',
      ratio === null ? `n/a (no baseline; RSS ${one.ours.rssMedianMB <= 150 ? 'met' : '**not met**'})` : yes(ratio <= 0.4 && one.ours.rssMedianMB <= 150),
    ]);
  }
  if (ONLY.has(2)) {
    const ten = await fitCase(2, retailFile(10673710, 8546), 'the same at 10x the rows, the same 8,546 customers');
    results.cases[2] = ten;
    const growth = ten.ours.rssMedianMB / one.ours.rssMedianMB;
    const scale = ten.ours.wallMedian / one.ours.wallMedian;
    const ratio10 = ten.baseline ? ten.ours.wallMedian / ten.baseline.wallMedian : null;
    ten.rssGrowth = round(growth, 3);
    ten.timeScale = round(scale, 2);
    rows.push([
      '2',
      `the same at 10× rows, same customers (${ten.fileMB} MB, ${ten.customers.rfm} customers): time ×${scale.toFixed(2)} of case 1, RSS ${growth >= 1 ? '+' : ''}${((growth - 1) * 100).toFixed(0)} %${cpuNote(ten)}`,
      s(ten.ours.wallMedian),
      s(ten.baseline?.wallMedian),
      ratio10 === null ? '—' : ratio10.toFixed(2),
      mb(ten.ours.rssMedianMB),
      mb(ten.baseline?.rssMedianMB),
      'RSS growth < 30 %, time ≤ 10× case 1',
      yes(growth < 1.3 && scale <= 10),
    ]);
    // Context: the generator's default customer count grows with the rows (85,464 at 10x).
    const wide = await fitCase(2, retailFile(10673710), '10x the rows and 10x the customers (context, rfm only)', false);
    results.cases['2-10x-customers'] = wide;
    const wideGrowth = wide.ours.rssMedianMB / one.ours.rssMedianMB;
    wide.rssGrowth = round(wideGrowth, 3);
    wide.timeScale = round(wide.ours.wallMedian / one.ours.wallMedian, 2);
    rows.push([
      '2′',
      `context: 10× rows and 10× customers (${wide.fileMB} MB, ${wide.customers.rfm} customers, generator defaults): time ×${wide.timeScale.toFixed(2)}, RSS +${((wideGrowth - 1) * 100).toFixed(0)} %${cpuNote(wide)}`,
      s(wide.ours.wallMedian),
      '—',
      '—',
      mb(wide.ours.rssMedianMB),
      '—',
      '— (customers ×10: memory grows with them)',
      'n/a',
    ]);
  }
}

if (ONLY.has(3)) {
  const script = join(ROOT, 'test/bench/kmeans-bench.mjs');
  log('case 3: k-means 1M x 3, k = 4, n-init 10 vs scikit-learn (test/bench/kmeans-bench.mjs)');
  if (!existsSync(script)) {
    rows.push(['3', 'k-means 1M × 3 vs scikit-learn', '—', '—', '—', '—', '—', 'wall ≤ sklearn, inertia ≤ +0.1 %', 'not run: test/bench/kmeans-bench.mjs is missing']);
  } else if (python === null) {
    rows.push(['3', 'k-means 1M × 3 vs scikit-learn', '—', '—', '—', '—', '—', 'wall ≤ sklearn, inertia ≤ +0.1 %', 'not run: needs scikit-learn']);
  } else {
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const m = await measure(process.execPath, [script], { capture: true });
      runs.push(JSON.parse(m.stdout.trim().split('\n').pop()));
      log(`  run ${r + 1}/${RUNS}: ours ${runs.at(-1).ours.seconds} s, sklearn ${runs.at(-1).sklearn.seconds} s`);
    }
    const ours = median(runs.map((x) => x.ours.seconds));
    const sk = median(runs.map((x) => x.sklearn.seconds));
    const inertia = Math.max(...runs.map((x) => x.inertiaRatio));
    results.cases[3] = { oursSecondsMedian: ours, sklearnSecondsMedian: sk, worstInertiaRatio: inertia, runs };
    rows.push([
      '3',
      `k-means 1,000,000 × 3, k = 4, n-init 10 (in-process; inertia ×${inertia.toFixed(5)} of sklearn's)`,
      s(ours),
      s(sk),
      (ours / sk).toFixed(2),
      '—',
      '—',
      'wall ≤ sklearn, inertia ≤ +0.1 %',
      yes(ours <= sk && inertia <= 1.001),
    ]);
  }
}

if (ONLY.has(4)) {
  log('case 4: elbow k = 1..10 x 10 restarts on the sample (~4,300 customers)');
  // The computation `rfm elbow` does after reading, timed around the call, cold (a fresh process),
  // on as many cores as the machine has (the result is the same on any number).
  const probe = `
    import { PassThrough } from 'node:stream';
    import { openInput } from ${JSON.stringify(join(ROOT, 'dist/io/source.js'))};
    import { loadCustomers } from ${JSON.stringify(join(ROOT, 'dist/io/customers.js'))};
    import { DEFAULT_CLEANING } from ${JSON.stringify(join(ROOT, 'dist/core/clean.js'))};
    import { DEFAULT_PARAMS, scaledFeatures, SILHOUETTE_SAMPLE } from ${JSON.stringify(join(ROOT, 'dist/core/fit.js'))};
    import { elbowParallel, startHelpers } from ${JSON.stringify(join(ROOT, 'dist/cli/parallel.js'))};
    // As \`rfm elbow\` does: helpers start before the read, the elbow is shared with them.
    const helpers = startHelpers(9);
    const loaded = await loadCustomers(await openInput(${JSON.stringify(SAMPLE)}, new PassThrough()), { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' });
    const rows = loaded.customers;
    const t = performance.now();
    const { x } = scaledFeatures(rows, DEFAULT_PARAMS.transform);
    const result = await elbowParallel(x, rows.length, 3, { kMin: 1, kMax: 10, nInit: DEFAULT_PARAMS.nInit, maxIter: DEFAULT_PARAMS.maxIter, tol: DEFAULT_PARAMS.tol, seed: DEFAULT_PARAMS.seed, silhouetteSample: SILHOUETTE_SAMPLE }, helpers);
    for (const helper of helpers) helper.stop();
    console.log(JSON.stringify({ customers: rows.length, seconds: (performance.now() - t) / 1000, suggestedK: result.suggestedK }));`;
  const compute = [];
  const whole = [];
  for (let r = 0; r < RUNS; r++) {
    const m = await measure(process.execPath, ['--input-type=module', '-e', probe], { capture: true });
    compute.push(JSON.parse(m.stdout.trim()));
    whole.push(await measure(process.execPath, [BIN, 'elbow', SAMPLE, '-q', '--format', 'json']));
    log(`  run ${r + 1}/${RUNS}: elbow ${compute.at(-1).seconds.toFixed(3)} s, whole rfm elbow ${whole.at(-1).wall.toFixed(2)} s`);
  }
  const c = median(compute.map((x) => x.seconds));
  const w = median(whole.map((x) => x.wall));
  results.cases[4] = { computeSecondsMedian: c, wholeProcessSecondsMedian: w, customers: compute[0].customers, suggestedK: compute[0].suggestedK, compute, wholeWalls: whole.map((x) => round(x.wall)), wholeRssMB: whole.map((x) => round(x.rssMB, 1)) };
  rows.push([
    '4',
    `elbow k = 1..10 × 10 restarts + silhouette, ${compute[0].customers} customers: elbow in-process, cold, all cores (whole \`rfm elbow\`: ${w.toFixed(2)} s)`,
    s(c),
    '—',
    '—',
    mb(median(whole.map((x) => x.rssMB))),
    '—',
    'compute < 0.5 s',
    yes(c < 0.5),
  ]);
}

if (ONLY.has(5)) {
  log('case 5: rfm segment on a 1,000,000-row RFM table');
  const big = await rfmTable(1_000_000);
  const tiny = join(DATA, 'rfm-1.csv');
  writeFileSync(tiny, 'customer_id,recency,frequency,monetary\n100000,30,4,2500\n');
  const model = join(DATA, 'bench-model.json');
  await measure(process.execPath, [BIN, 'fit', SAMPLE, '-k', '4', '-q', '-m', model, '--format', 'json']);
  const full = [];
  const startup = [];
  for (let r = 0; r < RUNS; r++) {
    full.push(await measure(process.execPath, [BIN, 'segment', big, '-m', model, '-q', '--format', 'csv']));
    startup.push(await measure(process.execPath, [BIN, 'segment', tiny, '-m', model, '-q', '--format', 'csv']));
    log(`  run ${r + 1}/${RUNS}: 1M rows ${full.at(-1).wall.toFixed(2)} s, 1 row ${startup.at(-1).wall.toFixed(2)} s`);
  }
  const f = median(full.map((x) => x.wall));
  const st = median(startup.map((x) => x.wall));
  const rate = 1e6 / (f - st);
  results.cases[5] = { wallMedian: f, startupMedian: st, rowsPerSecond: Math.round(rate), walls: full.map((x) => round(x.wall)), startupWalls: startup.map((x) => round(x.wall)), rssMB: full.map((x) => round(x.rssMB, 1)) };
  rows.push([
    '5',
    `\`rfm segment\` 1,000,000-row RFM table → CSV: ${(rate / 1e6).toFixed(2)} M rows/s after start-up (${st.toFixed(2)} s, 1-row run)`,
    s(f),
    '—',
    '—',
    mb(median(full.map((x) => x.rssMB))),
    '—',
    '≥ 1,000,000 rows/s',
    yes(rate >= 1e6),
  ]);
}

if (ONLY.has(6)) {
  // Read + clean + RFM on the 1M-row log: rfm rfm (both engines) beside pandas and DuckDB itself
  // (test/bench/duckdb-rfm.mjs: the query `rfm sql rfm --dialect duckdb` prints, whole process
  // through @duckdb/node-api). Each run alternates the four; the ratios are rfm rfm's.
  const file = retailFile(1067371);
  log('case 6: rfm rfm vs pandas read + clean + RFM vs DuckDB (the same query through @duckdb/node-api), 1,067,371 rows');
  const sides = {
    rfm: [process.execPath, [BIN, 'rfm', file, '-q', '--format', 'csv']],
    rfmDuckdb: [process.execPath, [BIN, 'rfm', file, '-q', '--format', 'csv', '--engine', 'duckdb']],
    duckdb: [process.execPath, [join(ROOT, 'test/bench/duckdb-rfm.mjs'), file]],
    pandas: python !== null ? [PYTHON, [join(ROOT, 'test/bench/pandas_rfm.py'), file]] : undefined,
  };
  const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let r = 0; r < RUNS; r++) {
    const order = Object.keys(sides).filter((k) => sides[k] !== undefined);
    // Who goes first rotates from run to run (a warm page cache favours the later ones).
    for (let i = 0; i < order.length; i++) {
      const k = order[(i + r) % order.length];
      // Every side writes to a file of its own: DuckDB's COPY TO '/dev/stdout' takes a file lock,
      // which fails on a /dev/null another process holds one on (seen with dockerd running), and
      // cannot open the socket Node gives a child as a pipe.
      runs[k].push(await measure(sides[k][0], sides[k][1], { stdoutFile: join(DATA, `case6-${k}.csv`) }));
    }
    log(`  run ${r + 1}/${RUNS}: ${Object.entries(runs).filter(([, v]) => v.length > 0).map(([k, v]) => `${k} ${v.at(-1).wall.toFixed(2)} s / ${Math.round(v.at(-1).rssMB)} MB`).join(', ')}`);
  }
  const sum = (xs) => (xs.length === 0 ? null : { wallMedian: median(xs.map((x) => x.wall)), rssMedianMB: median(xs.map((x) => x.rssMB)), walls: xs.map((x) => round(x.wall)), rssMB: xs.map((x) => round(x.rssMB, 1)) });
  const c6 = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, sum(v)]));
  results.cases[6] = c6;
  const ratio = (a, b) => (a && b ? a.wallMedian / b.wallMedian : null);
  const vsDuck = ratio(c6.rfm, c6.duckdb);
  const vsPandas = ratio(c6.rfm, c6.pandas);
  const memoryShare = c6.rfm && c6.duckdb ? c6.rfm.rssMedianMB / c6.duckdb.rssMedianMB : null;
  rows.push([
    '6',
    `\`rfm rfm\` read + clean + RFM, 1,067,371 rows: vs DuckDB (same query, @duckdb/node-api) ${vsDuck === null ? '—' : `${vsDuck.toFixed(2)}×`}, memory ${memoryShare === null ? '—' : `${memoryShare.toFixed(2)}×`} of DuckDB's (DuckDB ${s(c6.duckdb.wallMedian)} / ${mb(c6.duckdb.rssMedianMB)}); \`--engine duckdb\` ${s(c6.rfmDuckdb.wallMedian)} / ${mb(c6.rfmDuckdb.rssMedianMB)}`,
    s(c6.rfm.wallMedian),
    c6.pandas ? s(c6.pandas.wallMedian) : '—',
    vsPandas === null ? '—' : vsPandas.toFixed(2),
    mb(c6.rfm.rssMedianMB),
    c6.pandas ? mb(c6.pandas.rssMedianMB) : '—',
    '≤ 1.0× DuckDB at ≤ 1/3 of its memory',
    vsDuck === null ? '—' : yes(vsDuck <= 1 && memoryShare <= 1 / 3),
  ]);
}

if (ONLY.has(7)) {
  // Whole processes, alternating, as in case 1: `rfm clv` writes its CSV, btyd_scipy_fit.py writes
  // the same columns with pandas. CDNOW's log has a header line; the calibration end is the one the
  // literature uses.
  const master = join(ROOT, 'fixtures', 'cdnow', 'CDNOW_master.txt');
  const table = await btydTable(CLV_CUSTOMERS);
  const scipyScript = join(ROOT, 'test/bench/btyd_scipy_fit.py');
  if (scipyVersion === null) log(`case 7: scipy / pandas not found for ${PYTHON} (apt-get install -y python3-scipy python3-pandas): rfm side alone`);
  const inputs = [
    { id: '7a', key: '7-cdnow-master', label: 'CDNOW master log, 69,659 rows', file: master, rfm: ['--calibration-end', '1997-09-30'], kind: 'log', targetSeconds: 0.8, targetText: 'well under 1 s (counted as ≤ 0.8 s)' },
    {
      id: '7b',
      key: '7-btyd-table',
      label: 'generated BTYD table (clv-bench.mjs generator)',
      file: table,
      rfm: [],
      kind: 'table',
      targetSeconds: CLV_CUSTOMERS === 1_000_000 ? 5 : null,
      targetText: CLV_CUSTOMERS === 1_000_000 ? '< 5 s, < 500 MB' : '— (the target is for 1,000,000 customers)',
    },
  ];
  for (const input of inputs) {
    log(`case 7: rfm clv vs scipy (btyd_scipy_fit.py), ${input.label}`);
    const ours = join(DATA, `clv-out-rfm-${input.kind}.csv`);
    const theirs = join(DATA, `clv-out-scipy-${input.kind}.csv`);
    const r = await sideBySide(
      [process.execPath, [BIN, 'clv', input.file, ...input.rfm, '--format', 'csv', '-o', ours, '-q']],
      scipyVersion === null ? undefined : [PYTHON, [scipyScript, input.kind, input.file, theirs]],
    );
    delete r.oursStdout;
    delete r.baselineStdout;
    // The same work: as many customers and the same total CLV (the fits stop at slightly different points).
    const mine = csvColumnSum(ours, 'clv');
    const other = r.baseline ? csvColumnSum(theirs, 'clv') : null;
    r.customers = mine.rows;
    r.clvTotal = { rfm: round(mine.sum, 4), scipy: other === null ? null : round(other.sum, 4) };
    r.clvTotalRelativeDifference = other === null ? null : Math.abs(mine.sum - other.sum) / Math.abs(other.sum);
    if (other !== null && (other.rows !== mine.rows || !(r.clvTotalRelativeDifference < 1e-4))) {
      throw new Error(`case 7 (${input.label}): rfm and scipy disagree: ${mine.rows} vs ${other.rows} customers, total CLV ${mine.sum} vs ${other.sum}`);
    }
    results.cases[input.key] = r;
    const ratio = r.baseline ? r.ours.wallMedian / r.baseline.wallMedian : null;
    const cpu = r.ours.cpuMedian == null ? '' : `; CPU (user+sys) rfm ${r.ours.cpuMedian.toFixed(2)} s${r.baseline?.cpuMedian != null ? `, scipy ${r.baseline.cpuMedian.toFixed(2)} s` : ''}`;
    const agree = r.clvTotalRelativeDifference === null ? '' : `; total CLV equal to ${r.clvTotalRelativeDifference.toExponential(1)}`;
    const met =
      input.targetSeconds === null
        ? 'n/a'
        : yes((input.kind === 'log' ? r.ours.wallMedian <= input.targetSeconds : r.ours.wallMedian < input.targetSeconds) && (input.kind === 'log' || r.ours.rssMedianMB < 500));
    rows.push([
      input.id,
      `\`rfm clv\` BTYD summary + BG/NBD + Gamma-Gamma + predictions → CSV vs scipy (btyd_scipy_fit.py), ${input.label} (${mine.rows.toLocaleString('en-US')} customers)${cpu}${agree}`,
      s(r.ours.wallMedian),
      s(r.baseline?.wallMedian),
      ratio === null ? '—' : ratio.toFixed(2),
      mb(r.ours.rssMedianMB),
      mb(r.baseline?.rssMedianMB),
      input.targetText,
      met,
    ]);
  }
}

// ------------------------------------------------------------------ report
machine.loadAverageEnd = loadavg().map((x) => round(x, 2));
rows.sort((a, b) => parseFloat(a[0]) - parseFloat(b[0]));
const header = ['#', 'case', 'rfm (median)', 'pandas / sklearn / scipy (median)', 'ratio', 'peak RSS rfm', 'peak RSS baseline', 'target', 'met'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const about = [
  `${machine.dateU ?? machine.date} · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB · ${machine.os} · Node ${machine.node}` +
    (python ? ` · Python ${machine.python}, pandas ${machine.pandas}, scikit-learn ${machine.sklearn}, numpy ${machine.numpy}` : ' · no pandas/scikit-learn (rfm side only)') +
    (scipyVersion ? `, scipy ${scipyVersion}` : ''),
  `${RUNS} run(s) per side, alternating; medians. Peak RSS: ${machine.rssMethod}. Load average at start ${machine.loadAverageStart.join(' / ')}, at end ${machine.loadAverageEnd.join(' / ')}.`,
];
writeFileSync(join(DATA, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
process.stdout.write(`${about.join('\n')}\n\n${table}\n\n(all measurements: bench-data/bench-results.json)\n`);
