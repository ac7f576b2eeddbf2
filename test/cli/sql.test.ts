/**
 * rfm sql rfm|btyd|segment through the built binary: the printed query, executed on embedded
 * DuckDB over the committed fixtures, gives what `rfm rfm` / `rfm segment` give and what
 * lifetimes published for CDNOW; the flags reach the query; bad flags are one-line usage errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdnowSampleTable, duckdbEngine, retailTable, type Engine } from '../sql/engines.js';
import { fixture, parseCsv, runRfm, tempDir } from './helpers.js';

const SAMPLE = fixture('online_retail_sample.csv');
const MODEL = fixture('models', 'sample-model.json');
const RETAIL_FLAGS = ['--customer-col', 'Customer ID', '--invoice-col', 'Invoice', '--date-col', 'InvoiceDate', '--quantity-col', 'Quantity', '--price-col', 'Price'];

type Row = Record<string, string>;
const rowsOf = (csv: string): Row[] => {
  const { header, rows } = parseCsv(csv);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
};

async function sql(args: string[]): Promise<string> {
  const r = await runRfm(['sql', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

let engine: Engine;
const tmp = tempDir();

beforeAll(async () => {
  engine = await duckdbEngine();
  await engine.load(retailTable());
  await engine.load(cdnowSampleTable());
}, 60_000);

afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('rfm sql rfm', () => {
  it('--as-of and the --keep flags reach the query: on DuckDB it gives the rows rfm rfm gives with the same flags', async () => {
    const flags = ['--as-of', '2011-06-01', '--keep-cancelled', '--keep-nonpositive-quantity'];
    const query = await sql(['rfm', '--dialect', 'duckdb', '--table', 'retail', ...RETAIL_FLAGS, ...flags, '--scores']);
    const got = await engine.query(query);
    const want = rowsOf((await runRfm(['rfm', SAMPLE, ...flags, '--scores', '-f', 'csv', '-q'])).stdout);
    expect(got.length).toBe(want.length);
    const bad = want.filter((w, i) => {
      const g = got[i];
      return g.customer_id !== w.customer_id || g.recency !== w.recency || g.frequency !== w.frequency || Math.abs(Number(g.monetary) - Number(w.monetary)) >= 0.005 || g.rfm_score !== w.rfm_score || g.score_segment !== w.score_segment;
    });
    expect(bad.slice(0, 3)).toEqual([]);
    // Cancellations kept: a customer's C-invoices count and their negative lines are summed.
    expect(got.some((g) => Number(g.monetary) < 0)).toBe(true);
  });

  it('-o writes the query to the file and nothing to stdout', async () => {
    const out = tmp.path('rfm.sql');
    const r = await runRfm(['sql', 'rfm', '--dialect', 'postgres', '--table', 'shop.sales', ...RETAIL_FLAGS, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(await sql(['rfm', '--dialect', 'postgres', '--table', 'shop.sales', ...RETAIL_FLAGS]));
    expect(readFileSync(out, 'utf8')).toMatch(/^WITH\n[\s\S]*\n  FROM "shop"\."sales"\n[\s\S]*ORDER BY customer_id COLLATE "C"\n$/);
  });
});

describe('rfm sql btyd', () => {
  const flags = ['--dialect', 'duckdb', '--table', 'cdnow_sample', '--customer-col', 'sample_id', '--date-col', 'date', '--quantity-col', 'number_of_cds', '--amount-col', 'dollar_value', '--calibration-end', '1997-09-30'];
  it('--period week (the default) and day: customer 0001 of the CDNOW sample, hand-worked', async () => {
    // 1997-01-01 first purchase, 1997-08-02 last before the end, 1997-09-30 the end: 213 and 272 days.
    const weeks = await engine.query(await sql(['btyd', ...flags]));
    const days = await engine.query(await sql(['btyd', ...flags, '--period', 'day']));
    expect(weeks[0]).toMatchObject({ customer_id: '0001', frequency: '2' });
    expect(Number(weeks[0].recency)).toBeCloseTo(213 / 7, 12);
    expect(Number(weeks[0].T)).toBeCloseTo(272 / 7, 12);
    expect(days[0]).toMatchObject({ customer_id: '0001', frequency: '2', recency: '213', T: '272' });
    // lifetimes' summary of the same customer: 2, 30.43, 38.86.
    const published = readFileSync(fixture('cdnow', 'cdnow_customers_summary.csv'), 'utf8').split('\n')[1];
    expect(published).toBe('1,2,30.43,38.86');
  });

  it('a --calibration-end that is not a date is a usage error', async () => {
    const r = await runRfm(['sql', 'btyd', ...flags.slice(0, -1), '1997-13-45']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: --calibration-end "1997-13-45" is not a date; use YYYY-MM-DD, e.g. --calibration-end 1997-09-30\n');
  });
});

describe('rfm sql segment', () => {
  it('-m MODEL: on DuckDB the query assigns the clusters rfm segment assigns', async () => {
    const rfmCsv = tmp.path('rfm.csv');
    expect((await runRfm(['rfm', SAMPLE, '-f', 'csv', '-q', '-o', rfmCsv])).code).toBe(0);
    await engine.load({ name: 'rfm table', columns: [['Customer', 'text'], ['R', 'bigint'], ['F', 'bigint'], ['M', 'double']], csv: readFileSync(rfmCsv, 'utf8') });
    const query = await sql(['segment', '-m', MODEL, '--dialect', 'duckdb', '--table', 'rfm table', '--customer-col', 'Customer', '--recency-col', 'R', '--frequency-col', 'F', '--monetary-col', 'M']);
    const got = await engine.query(query);
    const want = rowsOf((await runRfm(['segment', rfmCsv, '-m', MODEL, '-f', 'csv', '-q'])).stdout);
    const byId = new Map(got.map((g) => [g.customer_id, `${g.cluster}:${g.segment}`]));
    expect(got.length).toBe(want.length);
    expect(want.filter((w) => byId.get(w.customer_id) !== `${w.cluster}:${w.segment}`)).toEqual([]);
  });

  it('a missing model is the model error of every command (exit 5)', async () => {
    const r = await runRfm(['sql', 'segment', '-m', tmp.path('none.json'), '--dialect', 'duckdb', '--table', 't']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^rfm: error: no model at .*none\.json; make one with: rfm fit/);
  });
});

describe('usage errors (exit 2, one line, nothing on stdout)', () => {
  it.each([
    [['sql'], 'rfm: error: rfm sql: no query named; say which: rfm sql rfm|btyd|segment --dialect NAME --table NAME … (see rfm sql --help)'],
    [['sql', 'rfm', '--dialect', 'mysql', '--table', 't'], "rfm: error: option '--dialect <name>' argument 'mysql' is invalid. Allowed choices are duckdb, postgres, bigquery, snowflake, spark, trino; see rfm --help, or rfm <command> --help"],
    [['sql', 'rfm', '--dialect', 'duckdb', '--table', 't', '--date-col', 'd', '--amount-col', 'a'], "rfm: error: required option '--customer-col <name>' not specified; see rfm --help, or rfm <command> --help"],
    [['sql', 'rfm', '--dialect', 'duckdb', '--table', 't', '--customer-col', 'c', '--date-col', 'd', '--quantity-col', 'q'], 'rfm: error: the line value needs an amount column, or a quantity and a price column; give --amount-col, or --quantity-col and --price-col'],
    [['sql', 'rfm', '--dialect', 'duckdb', '--table', 'x\u0007', '--customer-col', 'c', '--date-col', 'd', '--amount-col', 'a'], 'rfm: error: the name "x\\u0007" holds a control character, which rfm does not put in SQL; rename it, or make a view with plain names'],
    [['sql', 'rfm', '--dialect', 'bigquery', '--table', 't', '--customer-col', 'c`', '--date-col', 'd', '--amount-col', 'a'], 'rfm: error: the name "c`" holds a backtick or backslash, which rfm does not put in BigQuery SQL; make a view with plain names'],
    [['sql', 'rfm', '--dialect', 'duckdb', '--table', 't', '--customer-col', 'c', '--date-col', 'd', '--amount-col', 'a', '--as-of', 'soon'], 'rfm: error: --as-of "soon" is not a date; use YYYY-MM-DD (midnight UTC) or an ISO timestamp'],
  ])('rfm %j', async (args, message) => {
    const out = tmp.path('never.sql');
    // (Bare `rfm sql` has no -o of its own.)
    const r = await runRfm(args.length > 1 ? [...args, '-o', out] : args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${message}\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
