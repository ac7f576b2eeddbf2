/**
 * Properties of the read path (issue 7), on random valid logs (test/property/log.ts): RFM equals a
 * tiny reference implementation; row order, quoting style and line ends change nothing; a log split
 * in two files and put back together gives the same RFM. In-process through loadCustomers (the
 * same code path the CLI takes, fast reader included), plus a few runs of the built binary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import { RfmError } from '../../src/core/errors.js';
import { loadCustomers, type LoadedCustomers, type LoadOptions } from '../../src/io/customers.js';
import type { InputSource } from '../../src/io/source.js';
import { rfmByCustomer, runRfm, runShell, tempDir } from '../cli/helpers.js';
import { closeMoney, csvRows, DAY, HEADER, logArb, referenceRfm, shuffled, toCsv, type Log, type RefResult } from './log.js';

const OPTIONS: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };

/** An in-memory input, delivered in chunks of `chunk` bytes (so records straddle chunk ends). */
function source(text: string, chunk = 1 << 20): InputSource {
  const bytes = Buffer.from(text, 'utf8');
  return {
    name: 'tx.csv',
    kind: 'text',
    bytes: (async function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  };
}

/** The tool's result, or null when it refuses the log with a data error (nothing kept). */
async function load(text: string, options: Partial<LoadOptions> = {}, chunk?: number): Promise<LoadedCustomers | null> {
  try {
    return await loadCustomers(source(text, chunk), { ...OPTIONS, ...options });
  } catch (error) {
    if (error instanceof RfmError && error.kind === 'data') return null;
    throw error;
  }
}

function expectMatchesReference(actual: LoadedCustomers | null, expected: RefResult | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  if (expected.customers.length === 0) return; // every kept row after --as-of: refused, checked above
  expect(actual!.asOf).toBe(expected.asOf);
  expect(actual!.report).toMatchObject({ rowsRead: expected.rowsRead, rowsKept: expected.rowsKept, dropped: expected.dropped });
  const got = actual!.customers.map((c) => ({ ...c, monetary: 0 }));
  expect(got).toEqual(expected.customers.map((c) => ({ ...c, monetary: 0 })));
  actual!.customers.forEach((c, i) => expect(closeMoney(c.monetary, expected.customers[i].monetary), `monetary of ${c.customerId}`).toBe(true));
}

const RUNS = { numRuns: 300 };

describe('rfm on random valid logs (in-process)', () => {
  it('equals the reference implementation', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, async (log) => {
        const expected = referenceRfm(log.rows);
        const actual = await load(toCsv(log));
        if (expected !== null && expected.customers.length === 0) expect(actual).toBeNull();
        else expectMatchesReference(actual, expected);
      }),
      RUNS,
    );
  });

  it('equals the reference with --as-of (later rows left out and counted)', async () => {
    const asOfArb = fc.integer({ min: Date.UTC(1960, 0, 1) / DAY, max: Date.UTC(2030, 0, 1) / DAY }).map((d) => d * DAY);
    await fc.assert(
      fc.asyncProperty(logArb, asOfArb, async (log, asOf) => {
        const expected = referenceRfm(log.rows, asOf);
        const actual = await load(toCsv(log), { asOf });
        if (expected !== null && expected.customers.length === 0) expect(actual).toBeNull();
        else expectMatchesReference(actual, expected);
      }),
      { numRuns: 80 },
    );
  });

  it('does not depend on row order, quoting style, line ends or how the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.integer(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 64 }), async (log, seed, crlf, quoteAll, chunk) => {
        const base = await load(toCsv(log));
        const other: Log = { rows: shuffled(log.rows, seed), crlf, quoteAll };
        const again = await load(toCsv(other), {}, chunk);
        // Exactly the same output: ids, days, counts, dates and every bit of each monetary sum. The
        // warnings name the first dropped row, which moves with the order: the same rules warn. (Not
        // how values were read, which names the line and layout of the first value that decided.)
        const comparable = (r: LoadedCustomers | null) => (r === null ? null : { ...r, layouts: null, warnings: r.warnings.map((w) => w.rule) });
        expect(comparable(again)).toEqual(comparable(base));
      }),
      RUNS,
    );
  });

  it('a log split into two files, each with its header, and put back together (tail -n +2) gives the same RFM', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.nat(), fc.boolean(), async (log, at, quoteSecond) => {
        const cut = log.rows.length === 0 ? 0 : at % (log.rows.length + 1);
        const eol = log.crlf ? '\r\n' : '\n';
        const first = toCsv(log, log.rows.slice(0, cut));
        const second = toCsv({ ...log, quoteAll: quoteSecond }, log.rows.slice(cut));
        const joined = first + second.slice(second.indexOf(eol) + eol.length);
        expect(await load(joined)).toEqual(await load(toCsv(log)));
      }),
      RUNS,
    );
  });
});

describe('rfm on random valid logs (the built binary)', () => {
  // Made in beforeAll, so that a run filtered to other tests leaves no directory behind.
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('rfm-prop-');
  });
  afterAll(() => tmp?.cleanup());
  const few = { numRuns: 4 };
  // Logs with at least one kept row: the CLI then succeeds.
  const usableLog = logArb.filter((log) => {
    const r = referenceRfm(log.rows);
    return r !== null && r.customers.length > 0;
  });

  it('rfm rfm FILE equals the reference, and so does the log piped to stdin', async () => {
    await fc.assert(
      fc.asyncProperty(usableLog, async (log) => {
        const path = tmp.path('log.csv');
        writeFileSync(path, toCsv(log));
        const r = await runRfm(['rfm', path, '-q', '--format', 'csv', '--date-format', 'mdy']);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe('');
        const expected = referenceRfm(log.rows)!;
        const got = rfmByCustomer(r.stdout);
        expect([...got.keys()]).toEqual(expected.customers.map((c) => c.customerId));
        for (const c of expected.customers) {
          const row = got.get(c.customerId)!;
          expect([row.recency, row.frequency]).toEqual([c.recency, c.frequency]);
          expect(closeMoney(row.monetary as number, c.monetary)).toBe(true);
        }
        const piped = await runRfm(['rfm', '-', '-q', '--format', 'csv', '--date-format', 'mdy'], { stdin: readFileSync(path) });
        expect(piped.stdout).toBe(r.stdout);
      }),
      few,
    );
  });

  it('cleaning two halves separately and concatenating (tail -n +2) gives the RFM of the whole log', async () => {
    await fc.assert(
      fc.asyncProperty(usableLog, fc.nat(), async (log, at) => {
        const cut = at % (log.rows.length + 1);
        const eol = log.crlf ? '\r\n' : '\n';
        const header = HEADER.join(',') + eol;
        writeFileSync(tmp.path('all.csv'), toCsv(log));
        writeFileSync(tmp.path('a.csv'), header + csvRows(log.rows.slice(0, cut), log.quoteAll, eol));
        writeFileSync(tmp.path('b.csv'), header + csvRows(log.rows.slice(cut), !log.quoteAll, eol));
        const whole = await runRfm(['rfm', tmp.path('all.csv'), '-q', '--format', 'csv', '--date-format', 'mdy']);
        const cat = await runShell(`cd '${tmp.dir}' && { cat a.csv; tail -n +2 b.csv; } | rfm rfm - -q --format csv --date-format mdy`);
        // clean may refuse a half in which nothing survives: then that half contributes nothing.
        const parts = await runShell(
          `cd '${tmp.dir}' && { rfm clean a.csv -q --format csv --date-format mdy 2>/dev/null || echo '${HEADER.join(',')}'; rfm clean b.csv -q --format csv --date-format mdy 2>/dev/null | tail -n +2; } | rfm rfm - -q --format csv --date-format mdy`,
        );
        expect(whole.code).toBe(0);
        expect(cat.stdout).toBe(whole.stdout);
        expect(parts.stderr).toBe('');
        expect(parts.stdout).toBe(whole.stdout);
      }),
      few,
    );
  });
});
