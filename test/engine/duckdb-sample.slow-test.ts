/**
 * The slow half of test/engine/duckdb-cli.test.ts (run by .ci/engine.sh with
 * test/engine/vitest.slow.config.ts, not by npm test): `--engine duckdb` through the built binary: the same bytes on stdout as the default engine on the
 * committed sample, the export corpus, a gzip copy and Parquet copies (written by DuckDB itself,
 * typed and all-text); the pandas tables where the corpus has them; and the refusals, each with its
 * exact exit code and message, where DuckDB could read a file differently.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixture, rfmByCustomer, runRfm, tempDir } from '../cli/helpers.js';

// Each DuckDB run starts a database and reads the file several times: slow on a shared machine.
vi.setConfig({ testTimeout: 240_000 });

const tmp = tempDir('rfm-engine-');
afterAll(() => tmp.cleanup());

const SAMPLE = fixture('online_retail_sample.csv');
const sqlPath = (p: string) => `'${p.replace(/'/g, "''")}'`;

/** Both engines on the same arguments: their exit codes, stdout bytes and stderr. */
async function bothEngines(args: string[], env?: Record<string, string>) {
  const [plain, duck] = await Promise.all([runRfm(args, { env }), runRfm([...args, '--engine', 'duckdb'], { env })]);
  return { plain, duck };
}

async function expectIdentical(args: string[], env?: Record<string, string>, minLength = 100): Promise<string> {
  const { plain, duck } = await bothEngines(args, env);
  expect(plain.code, plain.stderr).toBe(0);
  expect(duck.code, duck.stderr).toBe(0);
  expect(duck.stdoutBytes.equals(plain.stdoutBytes)).toBe(true);
  expect(duck.stdout.length).toBeGreaterThan(minLength);
  return duck.stdout;
}

beforeAll(async () => {
  writeFileSync(tmp.path('sample.csv.gz'), gzipSync(readFileSync(SAMPLE)));
  // Parquet written by DuckDB's own writer: once with the types it infers, once all text.
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(SAMPLE)})) TO ${sqlPath(tmp.path('typed.parquet'))} (FORMAT parquet)`);
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(SAMPLE)}, all_varchar = true)) TO ${sqlPath(tmp.path('text.parquet'))} (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
});

describe('the same bytes on stdout as the default engine (slow)', () => {
  it('rfm --scores --extended --as-of (rows after it counted out), and a gzip copy', async () => {
    await expectIdentical(['rfm', SAMPLE, '--scores', '--extended', '--as-of', '2011-06-01', '--format', 'csv']);
    const { plain, duck } = await bothEngines(['rfm', SAMPLE, '--as-of', '2011-06-01', '--format', 'csv']);
    // The cleaning summary, after-as-of drops included, is the same line.
    const summary = (s: string) => s.split('\n').find((l) => l.startsWith('read '));
    expect(summary(duck.stderr)).toBe(summary(plain.stderr));
    expect(summary(duck.stderr)).toMatch(/after the as-of date [\d,]+/);
    const gz = await runRfm(['rfm', tmp.path('sample.csv.gz'), '--engine', 'duckdb', '--format', 'csv']);
    expect(gz.code, gz.stderr).toBe(0);
    const plainCsv = await runRfm(['rfm', SAMPLE, '--format', 'csv']);
    expect(gz.stdoutBytes.equals(plainCsv.stdoutBytes)).toBe(true);
  });

  it('fit (report and model), elbow and segment', async () => {
    const env = { SOURCE_DATE_EPOCH: '1767225600' };
    const [a, b] = [tmp.path('plain-model.json'), tmp.path('duck-model.json')];
    const plain = await runRfm(['fit', SAMPLE, '-k', '4', '-m', a, '--format', 'json'], { env });
    const duck = await runRfm(['fit', SAMPLE, '-k', '4', '-m', b, '--format', 'json', '--engine', 'duckdb'], { env });
    expect([plain.code, duck.code]).toEqual([0, 0]);
    // The report names the model file it wrote; everything else is the same.
    expect(duck.stdout.replace(b, 'MODEL')).toBe(plain.stdout.replace(a, 'MODEL'));
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
    await expectIdentical(['elbow', SAMPLE, '--k-max', '6', '--format', 'json']);
    await expectIdentical(['segment', SAMPLE, '-m', fixture('models', 'sample-model.json'), '--format', 'csv']);
  });

  it('Parquet copies of the sample (typed columns, text columns) give the CSV table', async () => {
    const csv = await runRfm(['rfm', SAMPLE, '--format', 'csv']);
    for (const file of ['typed.parquet', 'text.parquet']) {
      const r = await runRfm(['rfm', tmp.path(file), '--engine', 'duckdb', '--format', 'csv']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdoutBytes.equals(csv.stdoutBytes)).toBe(true);
    }
  });
  it('-o x.parquet: the table with typed columns, read back the same as the CSV output; no temp file left', async () => {
    const out = tmp.path('out.parquet');
    const r = await runRfm(['rfm', SAMPLE, '--scores', '-o', out, '--engine', 'duckdb', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const csv = await runRfm(['rfm', SAMPLE, '--scores', '--format', 'csv']);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const types = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(out)})`)).getRowObjectsJS().map((x) => `${x.column_name}:${x.column_type}`);
    expect(types).toEqual(['customer_id:VARCHAR', 'recency:BIGINT', 'frequency:BIGINT', 'monetary:DOUBLE', 'r_score:BIGINT', 'f_score:BIGINT', 'm_score:BIGINT', 'rfm_score:VARCHAR', 'score_segment:VARCHAR']);
    // Read back and printed with the tool's own number formatting: the same bytes as its CSV.
    const rows = (await c.runAndReadAll(`SELECT * FROM read_parquet(${sqlPath(out)})`)).getRowsJS();
    c.closeSync();
    db.closeSync();
    const { csvLine } = await import('../../src/io/records.js');
    const back = csvLine(['customer_id', 'recency', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'rfm_score', 'score_segment']) + rows.map((row) => csvLine(row.map((v) => (typeof v === 'bigint' ? Number(v) : (v as string | number))))).join('');
    expect(back).toBe(csv.stdout);
    expect(tmp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
