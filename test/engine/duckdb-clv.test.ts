/**
 * `rfm clv --engine duckdb` through the built binary: the same stdout bytes (CSV and JSON) and the
 * same stderr as the default engine on the committed sample, on CDNOW (rewritten as CSV with a
 * header: DuckDB does not read its space-separated text) with a calibration and holdout period, on
 * a .csv.gz copy and on Parquet files DuckDB itself wrote; hand-worked values where $0 lines and
 * the order of a customer's lines matter; `rfm fit --clv --engine duckdb`'s model file; and the
 * refusals, with exit code and message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixture, parseCsv, runRfm, tempDir } from '../cli/helpers.js';

vi.setConfig({ testTimeout: 240_000 });

const tmp = tempDir('rfm-engine-clv-');
afterAll(() => tmp.cleanup());

const SAMPLE = fixture('online_retail_sample.csv');
const CDNOW = tmp.path('cdnow.csv');
const HOLDOUT = ['--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30'];
const sqlPath = (p: string) => `'${p.replace(/'/g, "''")}'`;

beforeAll(async () => {
  // CDNOW_master.txt's fields (space-separated, YYYYMMDD dates) as CSV, ids kept as text.
  const lines = readFileSync(fixture('cdnow', 'CDNOW_master.txt'), 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim() !== '');
  const rows = lines.map((l) => {
    const [id, d, cds, dollars] = l.trim().split(/\s+/);
    return `${id},${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)},${cds},${dollars}`;
  });
  writeFileSync(CDNOW, `customer_id,date,number_of_cds,dollar_value\n${rows.join('\n')}\n`);
  writeFileSync(tmp.path('cdnow.csv.gz'), gzipSync(readFileSync(CDNOW)));
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(SAMPLE)})) TO ${sqlPath(tmp.path('sample.parquet'))} (FORMAT parquet)`);
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(CDNOW)}, types = {'customer_id': 'VARCHAR'})) TO ${sqlPath(tmp.path('cdnow.parquet'))} (FORMAT parquet)`);
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(fixture('cdnow', 'cdnow_customers_summary.csv'))})) TO ${sqlPath(tmp.path('summary.parquet'))} (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
});

/**
 * The default engine on `plainInput` and DuckDB on `duckInput` (the same data), same flags: both
 * succeed with the same stdout bytes, and the same stderr for the same file (a Parquet file has
 * rows, not lines: its warnings name row numbers).
 */
async function expectIdentical(plainInput: string, duckInput: string, args: string[]): Promise<string> {
  const [plain, duck] = await Promise.all([runRfm(['clv', plainInput, ...args]), runRfm(['clv', duckInput, ...args, '--engine', 'duckdb'])]);
  expect(plain.code, plain.stderr).toBe(0);
  expect(duck.code, duck.stderr).toBe(0);
  expect(duck.stdoutBytes.equals(plain.stdoutBytes)).toBe(true);
  if (duckInput === plainInput) expect(duck.stderr).toBe(plain.stderr);
  expect(duck.stdout.length).toBeGreaterThan(100);
  return duck.stdout;
}

describe('the same bytes on stdout (and the same stderr) as the default engine', () => {
  it('the committed sample: CSV and JSON', async () => {
    const csv = await expectIdentical(SAMPLE, SAMPLE, ['--format', 'csv']);
    expect(parseCsv(csv).rows.length).toBe(4339);
    await expectIdentical(SAMPLE, SAMPLE, ['--format', 'json']);
  });

  it('CDNOW with a calibration and a holdout period (the validation too), CSV and JSON; --as-of and days', async () => {
    const json = await expectIdentical(CDNOW, CDNOW, [...HOLDOUT, '--format', 'json']);
    expect(JSON.parse(json).validation.actualTotal).toBeGreaterThan(0);
    await expectIdentical(CDNOW, CDNOW, [...HOLDOUT, '--format', 'csv']);
    await expectIdentical(CDNOW, CDNOW, ['--as-of', '1998-01-01', '--period', 'day', '--model', 'pareto-nbd', '--format', 'csv']);
  });

  it('a .csv.gz copy of CDNOW, and Parquet files DuckDB wrote (typed columns: a DOUBLE customer id, TIMESTAMP dates)', async () => {
    await expectIdentical(CDNOW, tmp.path('cdnow.csv.gz'), ['--format', 'csv']);
    await expectIdentical(CDNOW, tmp.path('cdnow.parquet'), [...HOLDOUT, '--format', 'json']);
    await expectIdentical(SAMPLE, tmp.path('sample.parquet'), ['--format', 'csv']);
  });

  it('a CSV BTYD summary table is read by the default reader, with the same output', async () => {
    const table = fixture('cdnow', 'cdnow_customers_summary.csv');
    await expectIdentical(table, table, ['--format', 'csv']);
  });
});

describe('rfm fit --clv --engine duckdb', () => {
  it('writes the model file the default engine writes, byte for byte (the sample; CDNOW to 1997-10-01)', async () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    for (const [name, args] of [['sample', [SAMPLE]], ['cdnow', [CDNOW, '--as-of', '1997-10-01']]] as const) {
      const paths = [tmp.path(`${name}-plain.json`), tmp.path(`${name}-duck.json`)];
      const runs = await Promise.all(paths.map((m, i) => runRfm(['fit', ...args, '--clv', '-m', m, '-q', '-f', 'json', ...(i === 1 ? ['--engine', 'duckdb'] : [])], { env })));
      expect(runs.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, '']]);
      const [plain, duck] = paths.map((p) => readFileSync(p));
      expect(duck.equals(plain)).toBe(true);
      expect((JSON.parse(plain.toString()) as { clv: { segments: unknown[] } }).clv.segments.length).toBe(4);
    }
  });
});

describe('hand-worked: $0 lines are purchases, a customer’s line values are added in file order', () => {
  it('frequency counts the $0 day; monetary_value is (0.1 + 0.2 + 0.1 − 0.1) / 2 as doubles add it', async () => {
    const lines = ['customer_id,date,amount', 'A,2024-01-01,0.1', 'A,2024-01-05,0.2', 'A,2024-01-09,0.1', 'B,2024-01-02,5', 'B,2024-01-03,0', 'C,2024-01-04,-3', 'C,2024-01-08,7'];
    // Enough other repeat buyers for the Gamma-Gamma fit.
    for (let i = 0; i < 30; i++) for (let j = 0; j <= i % 4; j++) lines.push(`R${i},2024-01-${String(1 + j * 5 + (i % 3)).padStart(2, '0')},${(3 + ((i * 7 + j * 3) % 11)) / 4}`);
    const file = tmp.path('tiny.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const json = JSON.parse(await expectIdentical(file, file, ['--format', 'json', '--period', 'day'])) as { customers: Record<string, number | string>[] };
    const byId = new Map(json.customers.map((c) => [c.customer_id, c]));
    // The calibration period ends on the latest purchase day, 2024-01-18.
    expect([byId.get('A')!.frequency, byId.get('A')!.recency, byId.get('A')!.T]).toEqual([2, 8, 17]);
    // B's $0 day is a repeat purchase; C's negative line is dropped: a one-time buyer.
    expect([byId.get('B')!.frequency, byId.get('C')!.frequency]).toEqual([1, 0]);
    // The doubles of the default engine's definition (core/clv/summary.ts), not the exact 0.15 a DECIMAL sum gives.
    expect((0.1 + 0.2 + 0.1 - 0.1) / 2).toBe(0.15000000000000002);
    expect(byId.get('A')!.monetary_value).toBe(0.15000000000000002);
  });
});

describe('refusals', () => {
  it('CDNOW’s own space-separated file: exit 2, the refusal --engine duckdb gives on every command', async () => {
    const r = await runRfm(['clv', fixture('cdnow', 'CDNOW_master.txt'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--engine duckdb cannot read');
    expect(r.stderr).toContain('its columns are separated by spaces (a CDNOW-style text file); drop --engine duckdb');
    expect(r.stdout).toBe('');
  });

  it('a headerless file (--no-header --columns): exit 2', async () => {
    const r = await runRfm(['clv', fixture('cdnow', 'CDNOW_sample.txt'), '--no-header', '--columns', '_,id,date,quantity,amount', '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it has no header line (--no-header); drop --engine duckdb');
  });

  it('stdin: exit 2', async () => {
    const r = await runRfm(['clv', '-', '--engine', 'duckdb'], { stdin: 'customer_id,date,amount\nA,2024-01-01,1\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--engine duckdb reads a file, not stdin');
  });

  it('a BTYD summary table in Parquet: exit 2, saying to give it as CSV', async () => {
    const r = await runRfm(['clv', tmp.path('summary.parquet'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it is a BTYD summary table, which rfm clv reads from CSV; give it as CSV, or drop --engine duckdb');
  });

  it('a calibration end before every purchase: the data error the default engine gives (exit 4)', async () => {
    const args = ['clv', CDNOW, '--calibration-end', '1990-01-01'];
    const [plain, duck] = await Promise.all([runRfm(args), runRfm([...args, '--engine', 'duckdb'])]);
    expect(plain.code).toBe(4);
    expect([duck.code, duck.stderr]).toEqual([plain.code, plain.stderr]);
  });
});
