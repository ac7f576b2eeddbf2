/**
 * `--engine duckdb` through the built binary: the same bytes on stdout as the default engine on the
 * committed sample, the export corpus, a gzip copy and Parquet copies (written by DuckDB itself,
 * typed and all-text); the pandas tables where the corpus has them; and the refusals, each with its
 * exact exit code and message, where DuckDB could read a file differently.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
  // Parquet written by DuckDB's own writer: once with the types it infers, once all text.
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(SAMPLE)})) TO ${sqlPath(tmp.path('typed.parquet'))} (FORMAT parquet)`);
  await c.run(`COPY (SELECT * FROM read_csv(${sqlPath(SAMPLE)}, all_varchar = true)) TO ${sqlPath(tmp.path('text.parquet'))} (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
});

describe('the same bytes on stdout as the default engine', () => {
  it('rfm on the committed sample (CSV, JSON), and the pandas RFM table customer for customer', async () => {
    const csv = await expectIdentical(['rfm', SAMPLE, '--format', 'csv']);
    await expectIdentical(['rfm', SAMPLE, '--format', 'json']);
    const pandas = rfmByCustomer(readFileSync(fixture('golden', 'rfm-online-retail-pandas.csv'), 'utf8'));
    const ours = rfmByCustomer(csv);
    expect(ours.size).toBe(pandas.size);
    const wrong = [...pandas].filter(([id, w]) => {
      const g = ours.get(id);
      return g === undefined || g.recency !== w.recency || g.frequency !== w.frequency || !(Math.abs((g.monetary as number) - (w.monetary as number)) <= 0.005 + 1e-9);
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  for (const name of ['european.csv', 'superstore.csv', 'latin1-late.csv']) {
    it(`rfm on fixtures/exports/${name}, equal to pandas too`, async () => {
      const csv = await expectIdentical(['rfm', fixture('exports', name), '--format', 'csv']);
      const pandas = rfmByCustomer(readFileSync(fixture('exports', 'expected', `${name}.rfm.csv`), 'utf8'));
      const ours = rfmByCustomer(csv);
      expect([...ours.keys()].sort()).toEqual([...pandas.keys()].sort());
      for (const [id, w] of pandas) {
        const g = ours.get(id)!;
        expect([id, g.recency, g.frequency]).toEqual([id, w.recency, w.frequency]);
        expect(Math.abs((g.monetary as number) - (w.monetary as number))).toBeLessThanOrEqual(0.005 + 1e-9);
      }
    });
  }

  it('superstore.csv: the day/month order decided from a later date, said the same way on stderr', async () => {
    const { plain, duck } = await bothEngines(['rfm', fixture('exports', 'superstore.csv'), '--format', 'csv']);
    const note = (s: string) => s.split('\n').find((l) => l.startsWith('values: '));
    expect(note(duck.stderr)).toBe('values: date "Order Date" M/D/YYYY (month first: "9/19/2016" on line 2)');
    expect(note(duck.stderr)).toBe(note(plain.stderr));
  });

});

describe('lines named in warnings are the file\'s lines, on a file DuckDB reads in parallel chunks', () => {
  it('the first unparseable date and number of 300,000 rows: lines 200,002 and 123,458, as the default engine says', async () => {
    // Each value is bad twice, the later one in another chunk: a line taken from a reordered
    // scan (rows in the order threads finish) would name the wrong one.
    const lines = ['customer_id,invoice,date,quantity,price'];
    for (let row = 1; row <= 300_000; row++) {
      const date = row === 200_001 || row === 299_000 ? '2024-02-30' : `2024-01-${String((row % 28) + 1).padStart(2, '0')}`;
      const quantity = row === 123_457 || row === 250_000 ? 'x' : '1';
      lines.push(`C${row % 1000},${row},${date},${quantity},1.5`);
    }
    writeFileSync(tmp.path('late-bad.csv'), lines.join('\n') + '\n');
    const { plain, duck } = await bothEngines(['rfm', tmp.path('late-bad.csv'), '--format', 'csv']);
    expect(duck.code, duck.stderr).toBe(0);
    const warnings = (text: string) => text.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings(duck.stderr)).toEqual([
      'warning: 2 rows (0.0 %) dropped for unparseable dates in column "date", which otherwise parses: first "2024-02-30" on line 200002; ' + warnings(plain.stderr)[0].split('; ').slice(1).join('; '),
      'warning: 2 rows (0.0 %) dropped for unparseable numbers in column "quantity", which otherwise parses: first "x" on line 123458; ' + warnings(plain.stderr)[1].split('; ').slice(1).join('; '),
    ]);
    expect(warnings(duck.stderr)).toEqual(warnings(plain.stderr));
    expect(duck.stdoutBytes.equals(plain.stdoutBytes)).toBe(true);
  });
});

describe('the line values are summed exactly, as the default engine sums them', () => {
  it('ten lines of 0.10 make 1 (a plain double sum makes 0.9999999999999999)', async () => {
    const lines = ['customer_id,invoice,date,amount', ...Array.from({ length: 10 }, (_, i) => `A,${i + 1},2024-01-0${(i % 9) + 1},0.1`)];
    writeFileSync(tmp.path('tenths.csv'), lines.join('\n') + '\n');
    const out = await expectIdentical(['rfm', tmp.path('tenths.csv'), '--format', 'csv'], undefined, 10);
    expect(out).toBe('customer_id,recency,frequency,monetary\nA,1,10,1\n');
  });
});

describe('refusals and errors', () => {
  it('a Parquet file without --engine duckdb: exit 2, naming the flag', async () => {
    const r = await runRfm(['rfm', tmp.path('typed.parquet')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is a Parquet file, which only --engine duckdb reads; add --engine duckdb`);
  });

  it('a layout read row by row (Shopify): exit 2, saying why and what to do', async () => {
    const r = await runRfm(['rfm', fixture('exports', 'shopify-orders.csv'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--engine duckdb cannot read');
    expect(r.stderr).toContain('it is a Shopify orders export, whose status, refund or order-level columns are read row by row in file order; drop --engine duckdb');
    expect(r.stdout).toBe('');
  });

  it('a value SQL does not read but the default engine does (a currency): exit 2, naming the value', async () => {
    const r = await runRfm(['rfm', fixture('exports', 'european-totals.csv'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('amount "933,20 €" in column "Total" is written in a way --engine duckdb does not read');
  });

  it('a date layout SQL does not read (month names): exit 2', async () => {
    writeFileSync(tmp.path('names.csv'), 'customer_id,date,amount\nA,2024-01-05,3\nB,"Jan 6, 2024",4\n');
    const r = await runRfm(['rfm', tmp.path('names.csv'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('date "Jan 6, 2024" in column "date" is in a layout --engine duckdb does not read');
  });

  it('values the default engine reads as invalid too are dropped alike (exit 0, same table)', async () => {
    writeFileSync(tmp.path('bad-values.csv'), 'customer_id,date,amount\nA,2024-01-05,3\nA,2024-02-30,4\nB,2024-01-06,abc\nB,2024-01-07,2.5\nC,2024-13-01,1\n');
    const { plain, duck } = await bothEngines(['rfm', tmp.path('bad-values.csv'), '--format', 'csv']);
    expect([plain.code, duck.code]).toEqual([0, 0]);
    expect(duck.stdout).toBe(plain.stdout);
    expect(duck.stdout).toBe('customer_id,recency,frequency,monetary\nA,3,1,3\nB,1,1,2.5\n');
    const summary = (s: string) => s.split('\n').find((l) => l.startsWith('read '));
    expect(summary(duck.stderr)).toBe(summary(plain.stderr));
  });

  it('dates whose order only rows without a customer decide: refused (the default reader may not see them)', async () => {
    writeFileSync(tmp.path('order.csv'), 'customer_id,date,amount\nA,1/2/2024,3\n,13/2/2024,4\nB,3/4/2024,5\n');
    const r = await runRfm(['rfm', tmp.path('order.csv'), '--engine', 'duckdb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('decides its day/month order differently with and without the rows that lack a customer id');
  });

  it('dates that never decide their order: the data error naming --date-format (exit 4), as the default engine', async () => {
    writeFileSync(tmp.path('either.csv'), 'customer_id,date,amount\nA,1/2/2024,3\nB,3/4/2024,5\n');
    const { plain, duck } = await bothEngines(['rfm', tmp.path('either.csv')]);
    expect([plain.code, duck.code]).toEqual([4, 4]);
    expect(duck.stderr).toContain('--date-format dmy');
  });

  it('-o x.parquet without --engine duckdb: exit 2, nothing written', async () => {
    const r = await runRfm(['rfm', fixture('exports', 'superstore.csv'), '-o', tmp.path('no.parquet')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write .parquet files without --engine duckdb (Parquet is written through DuckDB); add --engine duckdb');
    expect(tmp.files().filter((f) => f.startsWith('no.parquet') || f.includes('.no.parquet'))).toEqual([]);
  });

  it('RFM_DUCKDB_THREADS and RFM_DUCKDB_MEMORY set but empty are unset (the default settings); a bad value is still refused', async () => {
    const plain = await runRfm(['rfm', SAMPLE, '--engine', 'duckdb', '--format', 'csv']);
    const empty = await runRfm(['rfm', SAMPLE, '--engine', 'duckdb', '--format', 'csv'], { env: { RFM_DUCKDB_THREADS: '', RFM_DUCKDB_MEMORY: ' ' } });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe(plain.stdout);
    const bad = await runRfm(['rfm', SAMPLE, '--engine', 'duckdb'], { env: { RFM_DUCKDB_THREADS: 'many' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('DuckDB refused its settings');
  });

  it('stdin: exit 2', async () => {
    const r = await runRfm(['rfm', '-', '--engine', 'duckdb'], { stdin: readFileSync(SAMPLE) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--engine duckdb reads a file, not stdin');
  });
});
