#!/usr/bin/env node
// Deterministic generator of transaction logs shaped like the UCI "Online Retail II" CSV export.
//
// usage: node test/bench/generate-retail.mjs --rows N --seed S [--customers C] [--out FILE]
//   --rows N        exact number of data rows (the header line is extra)            default 541909
//   --seed S        integer seed; same arguments => byte-identical output          default 42
//   --customers C   customers that survive cleaning            default N * 4339 / 541909 (real ratio)
//   --out FILE      output file (streamed, flat memory); stdout when omitted
//
// Commands used for the project's data:
//   fixtures/online_retail_sample.csv (committed; README quick start and CLI tests):
//     node test/bench/generate-retail.mjs --rows 44000 --customers 4339 --seed 20111209 --out fixtures/online_retail_sample.csv
//   benchmark inputs (git-ignored bench-data/):
//     node test/bench/generate-retail.mjs --rows 1067371 --seed 42 --out bench-data/retail-1067371.csv
//     node test/bench/generate-retail.mjs --rows 10673710 --seed 42 --out bench-data/retail-10673710.csv
//
// Shape (calibrated against the original 541,909-row file, checked with pandas, see check_sample.py):
//   header  Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
//   InvoiceDate `2010-12-01 08:26:00` (2010-12-01 .. 2011-12-09, no Saturdays, Christmas and UK bank
//   holidays closed, the last day ends at 12:50); Price `2.55` / `18.0`; Customer ID `13085.0` (the
//   pandas float artefact) or empty; descriptions with commas are quoted, `"` is escaped as `""`,
//   some end with a space, some are empty.
//   Rows: ~24.9% without a customer id (guest invoices at retail prices, price-0 lines without a
//   description, negative-quantity stock adjustments such as "damaged" that are not cancellations,
//   and "A" bad-debt adjustments), ~1.7% cancellations (Invoice `C…`, negative quantity, mostly
//   reversing lines of an earlier invoice of the same customer, some `D` Discount lines), a few
//   price-0 lines inside customer invoices, ~73.4% rows that survive cleaning.
//   Invoices have several lines sharing Invoice, InvoiceDate, Customer ID and Country; invoice
//   numbers rise with time from 536365.
//   Customers belong to overlapping groups (loyal high-value incl. a few wholesalers, regular
//   buyers, recent newcomers, lapsed one-off buyers) whose after-cleaning R/F/M match the real file:
//   recency quartiles 18/51/142, frequency 1/2/5, monetary 307/674/1662 (mean ~2,050). Measured with
//   check_sample.py: sample 18/52/139.5, 1/2/5, 311/708/1795 (mean 2,280); 1,067,371 rows (8,546
//   customers) 18/52/141, 1/2/5, 309/708/1714 (mean 2,263); k=4 on log1p features gives four
//   segments of 800-1,400 customers per 4,339, not one giant cluster plus singletons.
//   The rows per invoice adapt to --rows / --customers (the sample uses ~2 lines per kept invoice
//   instead of ~21) while each customer's invoices, dates and spend keep the same distribution.
//
// Plain Node ESM, no dependencies, no Math.random: every random draw comes from mulberry32.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const opts = { rows: 541909, seed: 42, customers: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : a;
    const val = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    if (key === '--rows') opts.rows = Number(val());
    else if (key === '--seed') opts.seed = Number(val());
    else if (key === '--customers') opts.customers = Number(val());
    else if (key === '--out' || key === '-o') opts.out = val();
    else if (key === '--help' || key === '-h') {
      process.stdout.write('usage: node test/bench/generate-retail.mjs --rows N --seed S [--customers C] [--out FILE]\n');
      process.exit(0);
    } else {
      process.stderr.write(`generate-retail: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  const intOk = (v, min) => Number.isSafeInteger(v) && v >= min;
  if (!intOk(opts.rows, 1)) fail('--rows must be an integer >= 1');
  if (!intOk(opts.seed, -0x80000000) || opts.seed > 0xffffffff) fail('--seed must be a 32-bit integer');
  if (opts.customers !== undefined && !intOk(opts.customers, 1)) fail('--customers must be an integer >= 1');
  return opts;
}
function fail(msg) {
  process.stderr.write(`generate-retail: ${msg}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------- seeded randomness
function mulberry32(a) {
  a >>>= 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Mix two 32-bit values into a seed (murmur3 finaliser). */
function mix(a, b) {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ (b >>> 0)) >>> 0;
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
class Rng {
  constructor(seed) { this.u = mulberry32(seed); this.spare = null; }
  next() { return this.u(); }
  int(lo, hi) { return lo + Math.floor(this.u() * (hi - lo + 1)); } // inclusive
  chance(p) { return this.u() < p; }
  normal() {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u = 0; while (u === 0) u = this.u();
    const v = this.u();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  lognormal(median, sigma) { return median * Math.exp(sigma * this.normal()); }
  exp(mean) { let u = 0; while (u === 0) u = this.u(); return -mean * Math.log(u); }
  pick(arr) { return arr[Math.floor(this.u() * arr.length)]; }
  weighted(cum) { // cum: cumulative weights, last = total
    const x = this.u() * cum[cum.length - 1];
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > x) hi = mid; else lo = mid + 1; }
    return lo;
  }
}
const cumulative = (ws) => { const c = []; let s = 0; for (const w of ws) c.push((s += w)); return c; };

// ---------------------------------------------------------------- calendar
const START_MS = Date.UTC(2010, 11, 1); // day 0 = 2010-12-01 (a Wednesday)
const END_DAY = 373; // 2011-12-09 (a Friday)
const LAST_DAY_CLOSE = 12 * 60 + 50; // the real file ends at 2011-12-09 12:50
const CLOSED = new Set(['2010-12-24', '2010-12-25', '2010-12-26', '2010-12-27', '2010-12-28', '2010-12-29',
  '2010-12-30', '2010-12-31', '2011-01-01', '2011-01-02', '2011-01-03', '2011-04-22', '2011-04-25',
  '2011-04-29', '2011-05-02', '2011-05-30', '2011-08-29']);
const DAY_STR = [];
const OPEN = [];
for (let d = 0; d <= END_DAY; d++) {
  const dt = new Date(START_MS + d * 86400000);
  const s = dt.toISOString().slice(0, 10);
  DAY_STR.push(s);
  OPEN.push(dt.getUTCDay() !== 6 && !CLOSED.has(s));
}
const OPEN_DAYS = OPEN.map((o, d) => (o ? d : -1)).filter((d) => d >= 0);
function openOnOrBefore(d) {
  d = Math.min(END_DAY, Math.max(0, Math.floor(d)));
  while (d > 0 && !OPEN[d]) d--;
  if (!OPEN[d]) return openOnOrAfter(d);
  return d;
}
function openOnOrAfter(d) {
  d = Math.min(END_DAY, Math.max(0, Math.floor(d)));
  while (d < END_DAY && !OPEN[d]) d++;
  if (!OPEN[d]) return openOnOrBefore(d);
  return d;
}
/** Minute of day for a purchase: 07:00-19:59, peak around lunchtime; the last day closes at 12:50. */
function minuteOfDay(rng, day) {
  const max = day === END_DAY ? LAST_DAY_CLOSE : 19 * 60 + 59;
  let m = Math.round(12.6 * 60 + 130 * rng.normal());
  if (m < 7 * 60) m = 7 * 60 + rng.int(0, 120);
  if (m > max) m = max - rng.int(0, Math.min(180, max - 7 * 60));
  return m;
}
// Seasonality of guest (no customer id) traffic per month index from Dec 2010 (busy autumn).
const MONTH_WEIGHT = [1.3, 0.8, 0.7, 0.9, 0.8, 1.0, 0.9, 0.9, 1.0, 1.4, 1.6, 2.0, 0.9];
const DAY_CUM = cumulative(OPEN_DAYS.map((d) => {
  const dt = new Date(START_MS + d * 86400000);
  return MONTH_WEIGHT[(dt.getUTCFullYear() - 2010) * 12 + dt.getUTCMonth() - 11];
}));
const seasonalDay = (rng) => OPEN_DAYS[rng.weighted(DAY_CUM)];

// ---------------------------------------------------------------- catalogue (fixed, independent of --seed)
const csvField = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const PRICE_POINTS = [0.19, 0.21, 0.29, 0.36, 0.39, 0.42, 0.55, 0.65, 0.72, 0.79, 0.83, 0.85, 1.25, 1.45, 1.65,
  1.69, 1.95, 2.08, 2.1, 2.46, 2.55, 2.95, 3.25, 3.39, 3.75, 4.15, 4.25, 4.95, 5.45, 5.95, 6.35, 6.75, 7.95,
  8.25, 8.5, 9.95, 10.95, 12.75, 14.95, 16.95, 18.0, 24.95, 29.95, 39.95];
function buildCatalogue() {
  const rng = new Rng(0x5eed0715);
  const styles = ['RED RETROSPOT', 'PINK POLKADOT', 'BLUE POLKADOT', 'WHITE', 'IVORY', 'VINTAGE', 'REGENCY',
    'PAISLEY PARK', 'SPACEBOY', 'DOLLY GIRL', 'BLACK SKULL', 'UNION JACK', 'WOODLAND', 'CHRISTMAS', 'HEART',
    'STRAWBERRY', 'BIRD', 'FLORAL', 'ENGLISH ROSE', 'PANTRY', 'ANTIQUE SILVER', 'GOLD', 'GREEN', 'ZINC',
    'JUMBO', 'SWEETHEART', 'CHERRY BLOSSOM', 'VINTAGE LEAF', 'SKULLS', 'LOVE', 'HOME SWEET HOME', 'RABBIT',
    'CIRCUS PARADE', 'RETRO SPOT', 'DOILY', 'FAIRY CAKE', 'KEEP CALM', 'SCANDINAVIAN', 'FRENCH', 'MOROCCAN',
    'ROSES', 'GINGHAM', 'TEA TIME', 'PARIS', 'BAROQUE', 'CREAM', 'ASSORTED COLOUR', 'GLASS', 'WICKER', 'ENAMEL'];
  const objects = ['T-LIGHT HOLDER', 'CAKE CASES', 'LUNCH BAG', 'JUMBO BAG', 'TEACUP AND SAUCER',
    'CAKESTAND 3 TIER', 'PAPER NAPKINS', 'BUNTING', 'HOT WATER BOTTLE', 'ALARM CLOCK BAKELIKE', 'LANTERN',
    'PHOTO FRAME', 'DOORMAT', 'TRINKET BOX', 'MUG', 'PLATE', 'BOWL', 'TEA TOWELS', 'APRON', 'BAKING SET',
    'STORAGE JAR', 'NOTEBOOK', 'GIFT WRAP', 'CHALKBOARD', 'COAT HANGER', 'CANDLE', 'DRAWER KNOB',
    'JEWELLERY BOX', 'PURSE', 'CHARLOTTE BAG', 'SHOPPER', 'HANGING DECORATION', 'BIRD ORNAMENT', 'WALL CLOCK',
    'METAL SIGN', 'PARASOL', 'UMBRELLA', 'PENCILS', 'STICKERS', 'PARTY BAGS', 'TISSUES', 'LUNCH BOX',
    'WATER BOTTLE', 'CUSHION COVER', 'HAND WARMER', 'NIGHT LIGHT', 'PICNIC BASKET', 'BUILDING BLOCK WORD',
    'SPICE TINS', 'JELLY MOULDS', 'PEG BAG', 'SNACK BOXES', 'SEWING KIT', 'MINI PAINT SET', 'CAKE TINS',
    'DRAUGHT EXCLUDER', 'WASHBAG', 'BEAKER', 'MEMO BOARD', 'LIGHT GARLAND', 'FELT CRAFT KIT', 'BOTTLE OPENER'];
  const prefixes = ['', '', '', '', '', 'SET OF 3 ', 'SET OF 4 ', 'SET OF 6 ', 'SET/20 ', 'PACK OF 12 ',
    'PACK OF 72 ', 'SMALL ', 'LARGE ', 'MINI ', 'SET 2 ', 'SET/3 '];
  const variants = ['RED', 'BLUE', 'PINK', 'WHITE', 'GREEN', 'SMALL', 'LARGE', 'ASSORTED', 'IVORY', 'BLACK'];
  const popular = [ // a few real best-sellers in front, incl. a comma and a quote among the top ranks
    ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2.55], ['22423', 'REGENCY CAKESTAND 3 TIER', 12.75],
    ['85099B', 'JUMBO BAG RED RETROSPOT', 1.65], ['47566', 'PARTY BUNTING', 4.95],
    ['22720', 'SET 7 BABUSHKA NESTING BOXES, RED', 7.95], ['20725', 'LUNCH BAG RED RETROSPOT', 1.65],
    ['84879', 'ASSORTED COLOUR BIRD ORNAMENT', 1.69], ['22197', 'SMALL POPCORN HOLDER', 0.72],
    ['21212', 'PACK OF 72 RETROSPOT CAKE CASES', 0.55], ['22960', 'JAM MAKING SET WITH JARS', 3.75],
    ['23203', 'JUMBO BAG VINTAGE DOILY ', 2.08], ['22041', 'RECORD FRAME 7" SINGLE SIZE ', 2.1],
    ['22457', 'NATURAL SLATE HEART CHALKBOARD ', 2.95], ['22386', 'JUMBO BAG PINK POLKADOT', 1.65],
    ['21931', 'JUMBO STORAGE BAG SUKI', 1.95], ['22086', "PAPER CHAIN KIT 50'S CHRISTMAS ", 2.55],
    ['22469', 'HEART OF WICKER SMALL', 1.65], ['22111', 'SCOTTIE DOG HOT WATER BOTTLE', 4.95],
    ['21034', 'REX CASH+CARRY JUMBO SHOPPER', 0.95], ['22383', 'LUNCH BAG SUKI DESIGN ', 1.65],
  ];
  const seen = new Set(popular.map((p) => p[1]));
  const codes = new Set(popular.map((p) => p[0]));
  const items = popular.map(([code, desc, price]) => ({ code, desc: csvField(desc), price }));
  const SUFFIX = 'ABCDEFGLNPSW';
  while (items.length < 3684) {
    let desc = rng.pick(prefixes) + rng.pick(styles) + ' ' + rng.pick(objects);
    const r = rng.next();
    if (r < 0.035) desc += ', ' + rng.pick(variants); // quoted in the CSV
    else if (r < 0.045) desc = desc.replace(/^(SET OF \d |SMALL |LARGE |MINI )?/, `$1${rng.pick(['3', '4', '5', '7', '10'])}" `);
    else if (r < 0.06) desc += '.';
    if (rng.chance(0.08)) desc += ' ';
    if (seen.has(desc)) continue;
    seen.add(desc);
    let code;
    do {
      code = String(rng.int(10002, 90214));
      if (rng.chance(0.2)) code += SUFFIX[rng.int(0, SUFFIX.length - 1)];
    } while (codes.has(code));
    codes.add(code);
    const p = rng.lognormal(2.1, 0.85);
    let price = PRICE_POINTS[0];
    for (const pp of PRICE_POINTS) if (Math.abs(pp - p) < Math.abs(price - p)) price = pp;
    items.push({ code, desc: csvField(desc), price });
  }
  // popularity: Zipf over rank (position), best-sellers first
  const cum = cumulative(items.map((_, i) => 1 / Math.pow(i + 1, 0.85)));
  return { items, cum };
}
const CAT = buildCatalogue();

// ---------------------------------------------------------------- countries (per customer)
const COUNTRIES = [['United Kingdom', 3950], ['Germany', 95], ['France', 87], ['Spain', 31], ['Belgium', 25],
  ['Switzerland', 21], ['Portugal', 19], ['Italy', 15], ['Finland', 12], ['Austria', 11], ['Norway', 10],
  ['Netherlands', 9], ['Australia', 9], ['Denmark', 9], ['Channel Islands', 9], ['Cyprus', 8], ['Sweden', 8],
  ['Japan', 8], ['Poland', 6], ['USA', 4], ['Canada', 4], ['Unspecified', 4], ['Greece', 4], ['Israel', 4],
  ['EIRE', 3], ['Bahrain', 2], ['Malta', 2], ['United Arab Emirates', 2], ['Iceland', 1], ['Singapore', 1],
  ['Lithuania', 1], ['Brazil', 1], ['Czech Republic', 1], ['Lebanon', 1], ['RSA', 1], ['Saudi Arabia', 1],
  ['European Community', 1]];
const COUNTRY_CUM = cumulative(COUNTRIES.map((c) => c[1]));
const GUEST_COUNTRIES = [['United Kingdom', 97], ['EIRE', 1], ['France', 0.5], ['Hong Kong', 0.8], ['Switzerland', 0.3],
  ['Israel', 0.2], ['Portugal', 0.2]];
const GUEST_COUNTRY_CUM = cumulative(GUEST_COUNTRIES.map((c) => c[1]));

// ---------------------------------------------------------------- customer groups
// Each customer: when the last purchase was (recency, days before 2011-12-09), how many invoices
// (frequency), since when they buy (span), and how much an invoice is worth. The groups overlap,
// like real segments do; the shares and shapes are calibrated on the real file's quartiles.
const clampInt = (x, lo, hi) => Math.max(lo, Math.min(hi, Math.round(x)));
/** Identity up to `knee`, then bends smoothly towards `limit` (the real file's busiest customer has 210 invoices). */
const softCap = (x, knee, limit) => (x <= knee ? x : Math.floor(knee + (limit - knee) * (1 - Math.exp(-(x - knee) / (limit - knee)))));
const GROUPS = [
  { // wholesalers: a few dozen trade customers (per 4,339) with frequent, very large orders
    name: 'wholesale', share: 0.008,
    recency: (r) => Math.floor(r.exp(6)),
    frequency: (r) => 10 + Math.floor(r.lognormal(14, 0.6)),
    span: (r, last) => last - r.int(0, Math.min(last, 60)),
    basket: (r) => r.lognormal(2600, 0.45),
  },
  { // loyal, high value: recent, many invoices over a long span, good baskets; the most frequent
    // buyers place smaller orders, as in the real file (its busiest customer: 210 invoices, ~33,000)
    name: 'loyal', share: 0.165,
    recency: (r) => Math.floor(r.exp(15)),
    frequency: (r) => softCap(Math.floor(5.5 / Math.pow(1 - r.next(), 1 / 1.85)), 120, 210),
    span: (r, last) => last - r.int(0, Math.min(last, 110)),
    basket: (r, f) => r.lognormal(330, 0.55) * Math.min(1, Math.pow(10 / f, 0.4)),
  },
  { // regular / occasional: several invoices, last one weeks to months ago, good baskets
    name: 'regular', share: 0.26,
    recency: (r) => clampInt(r.lognormal(40, 0.75), 1, 340),
    frequency: (r) => 2 + Math.min(10, Math.floor(r.exp(3.3))),
    span: (r, last) => r.int(Math.min(20, last), last),
    basket: (r) => r.lognormal(265, 0.6),
  },
  { // recent newcomers: first bought in the last months, one to four invoices, small baskets
    name: 'new', share: 0.22,
    recency: (r) => clampInt(r.exp(32), 0, 90),
    frequency: (r) => { const u = r.next(); return u < 0.55 ? 1 : u < 0.77 ? 2 : u < 0.9 ? 3 : u < 0.97 ? 4 : 5; },
    span: (r, last) => Math.min(last, r.int(0, 70)),
    basket: (r) => r.lognormal(275, 0.6),
  },
  { // lapsed: bought once or a few times and did not come back
    name: 'lapsed', share: 0.365,
    recency: (r) => clampInt(82 + r.next() * 292 * Math.pow(r.next(), 0.45), 80, 374),
    frequency: (r) => { const u = r.next(); return u < 0.66 ? 1 : u < 0.83 ? 2 : u < 0.93 ? 3 : u < 0.98 ? 4 : 5; },
    span: (r, last) => Math.min(last, r.int(0, 120)),
    basket: (r) => r.lognormal(260, 0.65),
  },
];
const GROUP_CUM = cumulative(GROUPS.map((g) => g.share));

function planCustomer(rng) {
  const g = GROUPS[rng.weighted(GROUP_CUM)];
  const r = g.recency(rng);
  const last = openOnOrBefore(END_DAY - Math.min(END_DAY, r));
  const f = Math.max(1, g.frequency(rng));
  const span = Math.max(0, Math.min(last, g.span(rng, last)));
  const first = openOnOrAfter(last - span);
  const days = [last];
  if (f >= 2) days.push(first);
  for (let i = 2; i < f; i++) days.push(openOnOrBefore(first + rng.next() * (last - first + 1)));
  days.sort((a, b) => a - b);
  const basket = g.basket(rng, f);
  const values = days.map(() => basket * Math.exp(0.45 * rng.normal()));
  const country = rng.weighted(COUNTRY_CUM);
  return { days, values, country };
}

// ---------------------------------------------------------------- plan
// kinds of invoice
const KEPT = 0, CUST_CANCEL = 1, GUEST = 2, GUEST_CANCEL = 3, ADJUST = 4, ZERO_GUEST = 5, BAD_DEBT = 6;
const REAL_ROWS = 541909;

function rowBudget(n) {
  const big = n >= 2000; // the "a few of each quirk" minimums only make sense on non-toy files
  const prop = (count, min = 0) => Math.max(big ? min : 0, Math.round((n * count) / REAL_ROWS));
  const b = {
    custCancel: prop(8905, 20),
    guestCancel: prop(383, 3),
    adjust: prop(1336, 5),
    zeroGuest: prop(1139, 5),
    zeroCust: prop(40, 3),
    badDebt: n >= 10000 ? 3 * Math.max(1, Math.round(n / REAL_ROWS)) : 0,
  };
  b.guest = Math.max(0, prop(135080) - b.guestCancel - b.adjust - b.zeroGuest - b.badDebt);
  b.kept = n - b.custCancel - b.guestCancel - b.adjust - b.zeroGuest - b.badDebt - b.guest;
  return b;
}

/** Spread `total` rows over items with weights w (each item gets at least one row). */
function allocate(total, weights) {
  const n = weights.length;
  const out = new Int32Array(n).fill(1);
  const extra = total - n;
  if (n === 0 || extra <= 0) return out;
  let sum = 0;
  for (const w of weights) sum += w;
  let cum = 0, prev = 0;
  for (let i = 0; i < n; i++) {
    cum += (extra * weights[i]) / sum;
    const r = Math.round(cum);
    out[i] += r - prev;
    prev = r;
  }
  return out;
}

/**
 * The invoice plan: one entry per invoice (never per line), in typed arrays so that a 10-million-row
 * file needs a few tens of MB. Lines are generated from each invoice's own seed while streaming.
 */
class Invoices {
  constructor(cap) {
    this.n = 0;
    this.kind = new Uint8Array(cap);
    this.day = new Int16Array(cap);
    this.minute = new Int16Array(cap);
    this.cust = new Int32Array(cap); // -1: no customer id
    this.value = new Float64Array(cap); // basket value of a kept invoice (bad debt: which of the three)
    this.lines = new Int32Array(cap);
    this.ref = new Int32Array(cap); // cancellation: the invoice it reverses, or -1
    this.zeroLine = new Int32Array(cap); // kept invoice: the line sold at price 0, or -1
    this.seed = new Uint32Array(cap);
    this.number = new Int32Array(cap);
  }
  add(runSeed, kind, day, minute, cust, value = 0, ref = -1) {
    const i = this.n++;
    this.kind[i] = kind; this.day[i] = day; this.minute[i] = minute; this.cust[i] = cust;
    this.value[i] = value; this.lines[i] = 1; this.ref[i] = ref; this.zeroLine[i] = -1;
    this.seed[i] = mix(runSeed, 1000 + i);
    return i;
  }
  get(i) {
    return { kind: this.kind[i], day: this.day[i], minute: this.minute[i], cust: this.cust[i], value: this.value[i],
      lines: this.lines[i], ref: this.ref[i], zeroLine: this.zeroLine[i], seed: this.seed[i], number: this.number[i] };
  }
}

function plan(opts) {
  const n = opts.rows;
  const budget = rowBudget(n);
  let nCust = opts.customers ?? Math.max(1, Math.round((n * 4339) / REAL_ROWS));
  let customers;
  let kept;
  for (;;) {
    const rng = new Rng(mix(opts.seed, 1));
    customers = [];
    kept = 0;
    for (let i = 0; i < nCust; i++) {
      const c = planCustomer(rng);
      customers.push(c);
      kept += c.days.length;
    }
    if (kept + (budget.zeroCust > 0 ? 1 : 0) <= budget.kept || nCust === 1) break;
    const fewer = Math.max(1, Math.min(nCust - 1, Math.floor((nCust * budget.kept) / kept * 0.97)));
    process.stderr.write(`generate-retail: ${n} rows cannot hold ${nCust} customers' invoices; using ${fewer} customers\n`);
    nCust = fewer;
  }
  if (customers.length === 1 && customers[0].days.length > budget.kept) { // toy sizes: fewer invoices
    const c = customers[0];
    c.days = c.days.slice(-budget.kept);
    c.values = c.values.slice(-budget.kept);
    kept = c.days.length;
  }
  const rng = new Rng(mix(opts.seed, 2));
  const cancelOnly = Math.round(customers.length * 33 / 4339);
  const nCustCancel = Math.min(budget.custCancel, Math.round(kept * 0.197));
  const nGuest = Math.min(budget.guest, Math.max(budget.guest > 0 ? 1 : 0, Math.round(kept * 0.065)));
  const nGuestCancel = Math.min(budget.guestCancel, Math.max(budget.guestCancel > 0 ? 1 : 0, Math.round(kept * 0.01)));
  const inv = new Invoices(kept + nCustCancel + nGuest + nGuestCancel + budget.adjust + budget.zeroGuest + budget.badDebt);
  const S = opts.seed;

  // kept invoices: 0 .. kept-1, each customer's a contiguous range
  const custFirst = new Int32Array(customers.length);
  const custCount = new Int32Array(customers.length);
  customers.forEach((c, ci) => {
    custFirst[ci] = inv.n;
    custCount[ci] = c.days.length;
    c.days.forEach((day, k) => { inv.add(S, KEPT, day, minuteOfDay(rng, day), ci, c.values[k]); });
  });
  // customers that only ever cancel (they vanish after cleaning, as 33 do in the real file)
  const nAll = customers.length + cancelOnly;
  const country = new Uint8Array(nAll);
  customers.forEach((c, ci) => { country[ci] = c.country; });
  for (let i = 0; i < cancelOnly; i++) country[customers.length + i] = rng.weighted(COUNTRY_CUM);
  const custCum = nCustCancel > 0 ? cumulative(customers.map((c) => Math.pow(c.days.length, 0.9))) : null;
  customers = null; // the plan no longer needs the per-customer arrays

  // customer cancellations: a later invoice reversing some lines of an earlier one
  const cancelFirst = inv.n;
  for (let i = 0; i < nCustCancel; i++) {
    let ci, ref = -1, day, minute;
    if (i < cancelOnly) {
      ci = nAll - cancelOnly + i;
      day = seasonalDay(rng);
      minute = minuteOfDay(rng, day);
    } else {
      ci = rng.weighted(custCum);
      ref = custFirst[ci] + Math.floor(rng.next() * custCount[ci]);
      const od = inv.day[ref], om = inv.minute[ref];
      day = od + Math.floor(rng.exp(3));
      while (day <= END_DAY && !OPEN[day]) day++;
      if (day > END_DAY || day === od) {
        day = od;
        minute = Math.min(day === END_DAY ? LAST_DAY_CLOSE : 19 * 60 + 59, om + rng.int(1, 90));
      } else minute = minuteOfDay(rng, day);
    }
    inv.add(S, CUST_CANCEL, day, minute, ci, 0, ref);
  }
  const guestFirst = inv.n;
  for (let i = 0; i < nGuest; i++) { const day = seasonalDay(rng); inv.add(S, GUEST, day, minuteOfDay(rng, day), -1); }
  const guestCancelFirst = inv.n;
  for (let i = 0; i < nGuestCancel; i++) { const day = seasonalDay(rng); inv.add(S, GUEST_CANCEL, day, minuteOfDay(rng, day), -1); }
  for (let i = 0; i < budget.adjust; i++) { const day = seasonalDay(rng); inv.add(S, ADJUST, day, minuteOfDay(rng, day), -1); }
  for (let i = 0; i < budget.zeroGuest; i++) { const day = seasonalDay(rng); inv.add(S, ZERO_GUEST, day, minuteOfDay(rng, day), -1); }
  for (let i = 0; i < budget.badDebt; i += 3) {
    const day = seasonalDay(rng);
    const minute = Math.min(minuteOfDay(rng, day), (day === END_DAY ? LAST_DAY_CLOSE : 19 * 60 + 59) - 2);
    for (let j = 0; j < 3; j++) inv.add(S, BAD_DEBT, day, minute + j, -1, j); // +11062.06 then two reversals
  }

  // lines per invoice: bigger baskets get more lines
  const setLines = (first, count, rows, weight) => {
    const w = new Float64Array(count);
    for (let k = 0; k < count; k++) w[k] = weight(first + k);
    allocate(rows, w).forEach((l, k) => { inv.lines[first + k] = l; });
  };
  setLines(0, kept, budget.kept, (i) => Math.sqrt(inv.value[i]) * rng.lognormal(1, 0.5));
  // a few price-0 lines inside multi-line customer invoices (dropped by the price rule)
  const multi = [];
  for (let i = 0; i < kept; i++) if (inv.lines[i] >= 2) multi.push(i);
  for (let z = 0; z < budget.zeroCust && multi.length > 0; z++) {
    const i = multi.splice(rng.int(0, multi.length - 1), 1)[0];
    inv.zeroLine[i] = rng.int(1, inv.lines[i] - 1);
  }
  setLines(cancelFirst, nCustCancel, nCustCancel > 0 ? budget.custCancel : 0, () => rng.lognormal(1, 0.8));
  const guestRows = budget.guest + (nCustCancel > 0 ? 0 : budget.custCancel) + (nGuestCancel > 0 ? 0 : budget.guestCancel);
  setLines(guestFirst, nGuest, guestRows, () => rng.lognormal(1, 0.7));
  setLines(guestCancelFirst, nGuestCancel, budget.guestCancel, () => rng.lognormal(1, 0.6));
  if (nGuest === 0 && guestRows > 0) inv.lines[kept - 1] += guestRows; // toy sizes: leftover rows to a kept invoice

  // invoice numbers rise with time (ties keep plan order): sort keys time * 2^24 + index
  const order = new Float64Array(inv.n);
  for (let i = 0; i < inv.n; i++) order[i] = (inv.day[i] * 1440 + inv.minute[i]) * 16777216 + i;
  order.sort();
  let number = 536365;
  for (let k = 0; k < inv.n; k++) {
    const i = order[k] % 16777216;
    order[k] = i;
    inv.number[i] = number;
    number += rng.chance(0.3) ? 2 : 1;
  }

  // customer ids: a sorted sample of 12346.. (selection sampling), dealt out in a shuffled order
  const range = Math.max(nAll, Math.round(nAll * 1.37));
  const ids = new Int32Array(nAll);
  let got = 0;
  for (let v = 0; v < range && got < nAll; v++) {
    if (rng.next() * (range - v) < nAll - got) ids[got++] = 12346 + v;
  }
  for (let i = nAll - 1; i > 0; i--) { const j = rng.int(0, i); const t = ids[i]; ids[i] = ids[j]; ids[j] = t; }
  return { inv, order, custId: ids, custCountry: country };
}

// ---------------------------------------------------------------- lines
const QTY = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 18, 20, 24, 25, 30, 32, 36, 40, 48, 50, 60, 64, 72, 80, 96, 100,
  120, 144, 150, 160, 192, 200, 240, 250, 288, 300, 360, 384, 400, 432, 480, 500, 576, 600, 640, 720, 800, 960,
  1000, 1200, 1440, 1500, 1728, 2000, 2400, 2880, 3000, 3456, 4000, 4800];
function snapQty(rng, q) {
  if (q < 1) return 1;
  if (rng.chance(0.12)) return Math.max(1, Math.round(q));
  if (q > 4800) return Math.round(q / 100) * 100;
  let lo = 0, hi = QTY.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (QTY[mid] >= q) hi = mid; else lo = mid + 1; }
  if (lo > 0 && q - QTY[lo - 1] < QTY[lo] - q) lo--;
  return QTY[lo];
}
const round2 = (x) => Math.round(x * 100) / 100;
const fmtPrice = (p) => (Number.isInteger(p) ? `${p}.0` : String(p));

/** Product for a line worth about `target`: popular first, but not one whose unit price exceeds it. */
function pickProduct(rng, target) {
  let best = -1;
  for (let t = 0; t < 8; t++) {
    const i = rng.weighted(CAT.cum);
    if (CAT.items[i].price <= target * 1.25) return CAT.items[i];
    if (best < 0 || CAT.items[i].price < CAT.items[best].price) best = i;
  }
  return CAT.items[best];
}

/** The lines of a kept invoice as [item code, csv description, quantity, price]; reproducible from its seed. */
function keptLines(o, country) {
  const rng = new Rng(o.seed);
  const n = o.lines;
  const w = [];
  let sum = 0;
  for (let j = 0; j < n; j++) { const x = Math.exp(0.8 * rng.normal()); w.push(x); sum += x; }
  const out = [];
  const postage = country !== 'United Kingdom' && n >= 3 && rng.chance(0.6);
  let remaining = o.value; // what is left of the basket; keeps the invoice total on target at any line count
  for (let j = 0; j < n; j++) {
    const target = (Math.max(0, remaining) * w[j]) / sum;
    sum -= w[j];
    if (postage && j === 0) {
      const line = ['POST', 'POSTAGE', rng.int(1, 3), country === 'Germany' || country === 'France' ? 18.0 : 40.0];
      remaining -= line[2] * line[3];
      out.push(line);
      continue;
    }
    const item = pickProduct(rng, target);
    let price = item.price;
    if (target >= 100 * price && price > 0.3) price = round2(price * 0.85); // volume price
    const qty = snapQty(rng, target / price);
    if (j === o.zeroLine) price = 0;
    remaining -= qty * price;
    out.push([item.code, item.desc, qty, price]);
  }
  return out;
}

function guestLines(rng, n, sign) {
  const out = [];
  for (let j = 0; j < n; j++) {
    if (sign > 0 && j === n - 1 && n >= 4 && rng.chance(0.35)) {
      out.push(['DOT', 'DOTCOM POSTAGE', 1, round2(rng.lognormal(150, 1.0))]);
      continue;
    }
    const item = CAT.items[rng.weighted(CAT.cum)];
    const qty = rng.chance(0.8) ? rng.int(1, 3) : snapQty(rng, rng.lognormal(6, 0.8));
    const price = round2(item.price * (1.6 + rng.next() * 0.8)); // retail price for guests
    out.push([item.code, item.desc, sign * qty, price]);
  }
  return out;
}

const ADJUST_DESC = ['damaged', 'Damaged', 'check', '?', 'damages', 'wet damaged', 'thrown away', 'missing',
  'lost', 'sold as set on dotcom', '"Unsaleable, destroyed."', '', '', '', 'incorrect stock entry.', 'mixed up',
  'crushed', 'smashed', 'had been put aside.', 'counted', 'wrongly marked'];

function invoiceRows(p, i) {
  const o = p.inv.get(i);
  const rng = new Rng(mix(o.seed, 7));
  const country = o.cust >= 0 ? COUNTRIES[p.custCountry[o.cust]][0] : GUEST_COUNTRIES[rng.weighted(GUEST_COUNTRY_CUM)][0];
  let lines;
  let prefix = '';
  switch (o.kind) {
    case KEPT: lines = keptLines(o, country); break;
    case CUST_CANCEL: {
      prefix = 'C';
      if (rng.chance(0.04)) {
        lines = [['D', 'Discount', -1, round2(rng.lognormal(20, 0.9))]];
        while (lines.length < o.lines) lines.push(...guestLines(rng, 1, -1).map((l) => [l[0], l[1], l[2], round2(l[3] / 2)]));
        break;
      }
      const orig = o.ref >= 0 ? keptLines(p.inv.get(o.ref), country).filter((l) => l[3] > 0 && l[0] !== 'POST') : [];
      lines = [];
      for (let j = 0; j < o.lines; j++) {
        if (orig.length > 0) {
          const l = orig[(j + rng.int(0, orig.length - 1)) % orig.length];
          const q = rng.chance(0.65) ? l[2] : Math.max(1, Math.round(l[2] * rng.next()));
          lines.push([l[0], l[1], -q, l[3]]);
        } else {
          const l = guestLines(rng, 1, -1)[0];
          lines.push([l[0], l[1], l[2], round2(l[3] / 2)]);
        }
      }
      break;
    }
    case GUEST: lines = guestLines(rng, o.lines, 1); break;
    case GUEST_CANCEL: prefix = 'C'; lines = guestLines(rng, o.lines, -1); break;
    case ADJUST: {
      const item = CAT.items[rng.weighted(CAT.cum)];
      lines = [[item.code, rng.pick(ADJUST_DESC), -snapQty(rng, rng.lognormal(10, 1.2)), 0]];
      break;
    }
    case ZERO_GUEST: {
      const item = CAT.items[rng.weighted(CAT.cum)]; // a real stock code, mostly with an empty description
      lines = [[item.code, rng.chance(0.8) ? '' : item.desc, snapQty(rng, rng.lognormal(12, 1.0)), 0]];
      break;
    }
    case BAD_DEBT: prefix = 'A'; lines = [['B', 'Adjust bad debt', 1, o.value === 0 ? 11062.06 : -11062.06]]; break;
    default: throw new Error('unknown invoice kind');
  }
  const head = `${prefix}${o.number},`;
  const hh = String(Math.floor(o.minute / 60)).padStart(2, '0');
  const mm = String(o.minute % 60).padStart(2, '0');
  const tail = `,${DAY_STR[o.day]} ${hh}:${mm}:00,`;
  const end = `,${o.cust >= 0 ? `${p.custId[o.cust]}.0` : ''},${country}\n`;
  let s = '';
  for (const [code, desc, qty, price] of lines) s += `${head}${code},${desc},${qty}${tail}${fmtPrice(price)}${end}`;
  return s;
}

// ---------------------------------------------------------------- main
/** Backpressure: resolves when the stream wants more, or is gone (a closed pipe must not hang us). */
function drained(out) {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done); out.off('close', done); out.off('error', done);
      resolve();
    };
    out.on('drain', done); out.on('close', done); out.on('error', done);
  });
}
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const p = plan(opts);
  const out = opts.out ? createWriteStream(opts.out) : process.stdout;
  let closed = false;
  out.on('error', (e) => {
    if (e.code === 'EPIPE') { closed = true; return; }
    process.stderr.write(`generate-retail: ${e.message}\n`);
    process.exit(3);
  });
  let buf = 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n';
  for (const i of p.order) {
    if (closed) return;
    buf += invoiceRows(p, i);
    if (buf.length >= 1 << 16) {
      const ok = out.write(buf);
      buf = '';
      if (!ok) await drained(out);
    }
  }
  if (!closed) out.write(buf);
  if (opts.out) { out.end(); await once(out, 'finish'); }
}
await main();
