/**
 * The columnar read of an RFM table (`columnar`, what `rfm fit` uses: typed columns, ids kept as
 * numbers while they are digit strings) against the object read (one RfmRow per customer, sorted
 * with Array.prototype.sort, what the tool did before): the same customers in the same order, and
 * a fit on the columns that is identical, to the last bit, to a fit on the rows. The reference is
 * the object path, which the rest of the suite checks against pandas and hand-worked numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import { DEFAULT_PARAMS, fitSegments } from '../../src/core/fit.js';
import type { RfmRow } from '../../src/core/rfm.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import { stableIntegerOrder } from '../../src/io/id-column.js';
import { logArb, shuffled, toCsv } from './log.js';

const base: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };

function source(text: string, chunk: number) {
  const bytes = Buffer.from(text);
  return {
    name: 'rfm.csv',
    kind: 'text' as const,
    bytes: (async function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  };
}

const load = (text: string, options: Partial<LoadOptions> = {}, chunk = 1 << 16) => loadCustomers(source(text, chunk), { ...base, ...options });

const field = (value: string) => (/[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value);

function rfmCsv(rows: readonly RfmRow[]): string {
  return 'customer_id,recency,frequency,monetary\n' + rows.map((r) => `${field(r.customerId)},${r.recency},${r.frequency},${r.monetary}\n`).join('');
}

// Ids that take every branch: digit strings (leading zeros, empty, longer than the 15 digits kept
// as a number), pandas' `17850.0`, missing markers, and text whose UTF-16 order differs from its
// code-point order (an astral emoji sorts before U+E000 as code units).
const idArb = fc.oneof(
  fc.string({ unit: fc.constantFrom('0', '1', '2', '9'), maxLength: 18 }),
  fc.nat({ max: 99_999 }).map(String),
  fc.constantFrom('17850.0', '017850', '17850', 'NA', '', '999999999999999', '1000000000000000'),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', ' ', 'é', '\uE000', '\uFFFF', '😀', ','), maxLength: 6 }),
);

const rowArb: fc.Arbitrary<RfmRow> = fc.record({
  customerId: idArb,
  recency: fc.nat({ max: 3000 }),
  frequency: fc.integer({ min: 1, max: 60 }),
  monetary: fc.oneof(fc.nat({ max: 10_000_000 }).map((cents) => cents / 100), fc.double({ min: 0, max: 1e9, noNaN: true })),
});

/** What the columns hold, as rows (for comparing with the object read). */
function rowsOf(columns: { ids: string[]; recency: Float64Array; frequency: Float64Array; monetary: Float64Array }): RfmRow[] {
  return columns.ids.map((customerId, i) => ({ customerId, recency: columns.recency[i]!, frequency: columns.frequency[i]!, monetary: columns.monetary[i]! }));
}

/** The fit's result or its error message: two paths must agree on either. */
function outcome(fit: () => unknown): unknown {
  try {
    return { result: fit() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('the columnar read of an RFM table', () => {
  it('gives the customers of the object read, in the same order (ids sorted as strings, ties in input order)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 64 }), async (rows, chunk) => {
        const text = rfmCsv(rows);
        const objects = await load(text);
        const columnar = await load(text, { columnar: { ids: true } }, chunk);
        expect(columnar.customers).toEqual([]);
        expect(rowsOf(columnar.columns!)).toEqual(objects.customers);
        const withoutIds = await load(text, { columnar: { ids: false } });
        expect(withoutIds.columns!.ids).toEqual([]);
        expect(Array.from(withoutIds.columns!.monetary)).toEqual(objects.customers.map((c) => c.monetary));
      }),
      { numRuns: 300 },
    );
  });

  it('sorts many digit ids (one native sort of codes) as Array.prototype.sort sorts the strings', async () => {
    // 3,000 ids of 1-7 digits in a scrambled order, with repeats: the packed-key sort.
    const rows: RfmRow[] = Array.from({ length: 3000 }, (_, i) => ({ customerId: String((i * 7919) % 2741).padStart(1 + (i % 7), '0'), recency: i % 97, frequency: 1 + (i % 5), monetary: i }));
    const text = rfmCsv(rows);
    const expected = [...rows].sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
    expect(rowsOf((await load(text, { columnar: { ids: true } })).columns!)).toEqual(expected);
  });

  it('is refused with the same error as the object read (line, column, value)', async () => {
    for (const bad of ['a,1,1,1\nb,x,1,1\n', 'a,1,1,1\nb,1,-2,1\n', 'a,1,1,1\nb,1,1\n']) {
      const text = `customer_id,recency,frequency,monetary\n${bad}`;
      const objects = await load(text).catch((error: Error) => error.message);
      const columnar = await load(text, { columnar: { ids: false } }).catch((error: Error) => error.message);
      expect(typeof objects).toBe('string');
      expect(columnar).toBe(objects);
    }
  });
});

describe('a fit on the columns', () => {
  it('equals the fit on the rows, bit for bit, on the RFM tables of the property-test logs', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.integer({ min: 2, max: 4 }), fc.nat(), async (log, k, seed) => {
        const fromLog = await loadCustomers(source(toCsv(log), 1 << 16), base).catch(() => null);
        if (fromLog === null) return;
        // The log's customers as an RFM table, rows in a scrambled order: the read must sort them.
        const text = rfmCsv(shuffled(fromLog.customers.map(({ customerId, recency, frequency, monetary }) => ({ customerId, recency, frequency, monetary })), seed));
        const objects = await load(text);
        const columnar = await load(text, { columnar: { ids: false } });
        const params = { ...DEFAULT_PARAMS, k, nInit: 2 };
        expect(outcome(() => fitSegments(columnar.columns!, params))).toEqual(outcome(() => fitSegments(objects.customers, params)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('stableIntegerOrder (the id sort of the columnar read)', () => {
  it('orders integers below 2^52 as a stable comparison sort does, with every pass count', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat({ max: 5 }), fc.nat({ max: 2 ** 26 - 1 }), fc.integer({ min: 0, max: 2 ** 52 - 1 })), { maxLength: 300 }), (values) => {
        const keys = Float64Array.from(values);
        const below = Math.max(2, ...values) + 1;
        const expected = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
        expect(Array.from(stableIntegerOrder(keys, below))).toEqual(expected);
      }),
    );
  });
});
