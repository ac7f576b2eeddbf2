#!/usr/bin/env node
// Deterministic generator of RFM tables (customer_id,recency,frequency,monetary) with retail-like
// distributions; run.mjs makes its tables with it (seed 5), so its 1,000,000-row table is
// byte-identical to bench-data/rfm-1000000.csv, and any size can be made for the big-fit figures.
//
// usage: node test/bench/generate-rfm.mjs --rows N [--seed S] [--out FILE]
//   node test/bench/generate-rfm.mjs --rows 1000000 --out bench-data/rfm-1000000.csv
//   node test/bench/generate-rfm.mjs --rows 10000000 --out bench-data/rfm-10000000.csv
//
// Plain Node ESM, no dependencies, no Math.random: every draw comes from mulberry32. Streamed.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

function parseArgs(argv) {
  const opts = { rows: 1_000_000, seed: 5, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rows') opts.rows = Number(argv[++i]);
    else if (a === '--seed') opts.seed = Number(argv[++i]);
    else if (a === '--out' || a === '-o') opts.out = argv[++i];
    else {
      process.stderr.write(`generate-rfm: unknown argument ${a}\nusage: node test/bench/generate-rfm.mjs --rows N [--seed S] [--out FILE]\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.rows) || opts.rows < 1) {
    process.stderr.write('generate-rfm: --rows must be a whole number >= 1\n');
    process.exit(2);
  }
  return opts;
}

/** mulberry32, as in generate-retail.mjs and run.mjs. */
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const { rows, seed, out: path } = parseArgs(process.argv.slice(2));
const out = path === undefined ? process.stdout : createWriteStream(path);
const rnd = mulberry32(seed);
// 35 % recently active customers (recency within 60 days, geometric frequency with mean 5), the
// rest spread over two years and mostly one-off; monetary log-normal around e^3 × frequency^0.9.
let block = 'customer_id,recency,frequency,monetary\n';
for (let i = 0; i < rows; i++) {
  const active = rnd() < 0.35;
  const recency = Math.floor(active ? 60 * rnd() ** 2 : 730 * rnd());
  const frequency = 1 + Math.floor(Math.log(1 - rnd()) / Math.log(active ? 0.8 : 0.45));
  const monetary = Math.round(100 * Math.exp(3 + 0.9 * Math.log(frequency) + 0.8 * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()))) / 100;
  block += `${100000 + i},${recency},${frequency},${monetary}\n`;
  if (block.length > 1 << 20) {
    if (!out.write(block)) await once(out, 'drain');
    block = '';
  }
}
if (path === undefined) out.write(block);
else {
  out.end(block);
  await once(out, 'finish');
}
