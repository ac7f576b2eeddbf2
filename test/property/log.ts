/**
 * Random valid transaction logs for the property tests, and a tiny reference implementation of
 * cleaning + RFM (DESIGN.md §2) that works from the generated values, never from the text, so that
 * the tool's parsing, cleaning and aggregation are all checked against it.
 */
import fc from 'fast-check';

export const DAY = 86_400_000;

export interface Tx {
  invoice: string;
  description: string;
  /** A number, or text that is not one. */
  quantity: number | string;
  /** Price in cents, or text that is not a number. */
  priceCents: number | string;
  /** The instant the date text stands for (ms, UTC). */
  time: number;
  /** The date as written. */
  dateText: string;
  /** The customer id as written ('' or a missing marker for none). */
  customerText: string;
}

export interface Log {
  rows: Tx[];
  crlf: boolean;
  /** Quote every field (some exporters do), or only those that need it. */
  quoteAll: boolean;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Formats `ms` in one of the accepted layouts; returns the text and the instant it stands for. */
function formatDate(ms: number, layout: number, offsetMinutes: number): { text: string; time: number } {
  const d = new Date(ms);
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  switch (layout) {
    case 0:
      return { text: `${ymd} ${hms}`, time: ms };
    case 1:
      return { text: `${ymd}T${hms}Z`, time: ms };
    case 2: {
      // M/D/YYYY H:MM (the Online Retail CSV export): no seconds.
      const text = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${d.getUTCHours()}:${pad(d.getUTCMinutes())}`;
      return { text, time: ms - d.getUTCSeconds() * 1000 };
    }
    case 3:
      return { text: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`, time: Math.floor(ms / DAY) * DAY };
    default: {
      // ISO with a zone offset: the same instant written in local time.
      const local = new Date(ms + offsetMinutes * 60_000);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const text =
        `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T` +
        `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
      return { text, time: ms };
    }
  }
}

const MIN_TIME = Date.UTC(1960, 0, 1) / 1000;
const MAX_TIME = Date.UTC(2030, 0, 1) / 1000;

/** Customer ids as exporters write them: plain, with the pandas `.0` artefact, with leading zeros, needing quotes. */
const customerArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('17850', '12583', '00001', 'A-7', 'b2b 44', 'Ünïcode', 'a,b', 'say "hi"') },
  { weight: 2, arbitrary: fc.constantFrom('17850.0', '12583.00', '00001.0') },
  { weight: 1, arbitrary: fc.constantFrom('', 'NA', 'NULL', 'nan') },
);

const descriptionArb = fc.string({ unit: fc.constantFrom('a', 'B', ' ', ',', '"', '\n', 'é', '1'), maxLength: 12 });

export const txArb: fc.Arbitrary<Tx> = fc
  .record({
    invoiceNo: fc.integer({ min: 536_365, max: 536_380 }),
    cancelled: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('C', 'c') }),
    description: descriptionArb,
    quantity: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -3, max: 40 }) }, { weight: 1, arbitrary: fc.constantFrom('', 'abc', 'NaN', '1,5', '0x10') }),
    priceCents: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 20_000 }) }, { weight: 1, arbitrary: fc.constantFrom('', '3,5', 'Infinity', '1e400') }),
    seconds: fc.integer({ min: MIN_TIME, max: MAX_TIME }),
    layout: fc.integer({ min: 0, max: 4 }),
    offset: fc.integer({ min: -14 * 4, max: 14 * 4 }).map((q) => q * 15),
    validDate: fc.oneof({ weight: 19, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    customerText: customerArb,
  })
  .map((r) => {
    const { text, time } = r.validDate ? formatDate(r.seconds * 1000, r.layout, r.offset) : { text: '2011-02-30 10:00:00', time: NaN };
    return {
      invoice: `${r.cancelled}${r.invoiceNo}`,
      description: r.description,
      quantity: r.quantity,
      priceCents: r.priceCents,
      time,
      dateText: text,
      customerText: r.customerText,
    };
  });

export const logArb: fc.Arbitrary<Log> = fc.record({
  rows: fc.array(txArb, { minLength: 0, maxLength: 40 }),
  crlf: fc.boolean(),
  quoteAll: fc.boolean(),
});

export const HEADER = ['Invoice', 'Description', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID'];

const priceText = (p: number | string) => (typeof p === 'number' ? (p % 100 === 0 && p % 200 === 0 ? String(p / 100) : (p / 100).toFixed(2)) : p);

function field(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRows(rows: readonly Tx[], quoteAll: boolean, eol: string): string {
  return rows
    .map((t) =>
      [t.invoice, t.description, String(t.quantity), t.dateText, priceText(t.priceCents), t.customerText].map((v) => field(v, quoteAll)).join(',') + eol,
    )
    .join('');
}

/** The log as a CSV file. */
export function toCsv(log: Log, rows: readonly Tx[] = log.rows): string {
  const eol = log.crlf ? '\r\n' : '\n';
  return HEADER.map((h) => field(h, log.quoteAll)).join(',') + eol + csvRows(rows, log.quoteAll, eol);
}

// ------------------------------------------------------------------ the reference implementation

const MISSING = new Set(['', 'NA', 'NULL', 'nan']);

function customerId(text: string): string {
  const id = text.trim();
  if (MISSING.has(id)) return '';
  return /^\d+\.0+$/.test(id) ? id.slice(0, id.indexOf('.')) : id;
}

export interface RefCustomer {
  customerId: string;
  recency: number;
  frequency: number;
  monetary: number;
  firstPurchase: number;
  lastPurchase: number;
}

export interface RefResult {
  asOf: number;
  customers: RefCustomer[];
  rowsRead: number;
  rowsKept: number;
  dropped: Record<string, number>;
}

/** Cleaning, as-of and RFM by the book; null when no row is kept (the tool must then fail). */
export function referenceRfm(rows: readonly Tx[], asOfOption?: number): RefResult | null {
  const dropped: Record<string, number> = {
    missing_customer: 0,
    cancelled: 0,
    status: 0,
    invalid_date: 0,
    invalid_number: 0,
    nonpositive_quantity: 0,
    nonpositive_price: 0,
    duplicate: 0,
    after_as_of: 0,
  };
  const kept: { id: string; invoice: string; time: number; value: number }[] = [];
  for (const t of rows) {
    const id = customerId(t.customerText);
    if (id === '') dropped.missing_customer++;
    else if (/^C\d+$/.test(t.invoice)) dropped.cancelled++; // a lower-case c is not a cancellation
    else if (Number.isNaN(t.time)) dropped.invalid_date++;
    else if (typeof t.quantity !== 'number' || typeof t.priceCents !== 'number') dropped.invalid_number++;
    else if (t.quantity <= 0) dropped.nonpositive_quantity++;
    else if (t.priceCents <= 0) dropped.nonpositive_price++;
    else kept.push({ id, invoice: t.invoice, time: t.time, value: t.quantity * (t.priceCents / 100) });
  }
  if (kept.length === 0) return null;
  const asOf = asOfOption ?? Math.max(...kept.map((k) => k.time)) + DAY;
  const inRange = kept.filter((k) => k.time <= asOf);
  dropped.after_as_of = kept.length - inRange.length;
  const byCustomer = new Map<string, typeof kept>();
  for (const k of inRange) byCustomer.set(k.id, [...(byCustomer.get(k.id) ?? []), k]);
  const customers = [...byCustomer.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, lines]) => {
      const last = Math.max(...lines.map((l) => l.time));
      return {
        customerId: id,
        recency: Math.floor((asOf - last) / DAY),
        frequency: new Set(lines.map((l) => l.invoice)).size,
        monetary: lines.reduce((s, l) => s + l.value, 0),
        firstPurchase: Math.min(...lines.map((l) => l.time)),
        lastPurchase: last,
      };
    });
  return { asOf, customers, rowsRead: rows.length, rowsKept: inRange.length, dropped };
}

/** Equal up to the rounding of a sum of at most a few dozen money values. */
export function closeMoney(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

/** A permutation of `items` drawn from `seed` (mulberry32), for order properties. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
