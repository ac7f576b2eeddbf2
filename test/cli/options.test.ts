/**
 * Options that change the result, each checked so that the test fails if the option were ignored
 * (issue 19): --date-format ymd against mdy and dmy, the k-means knobs of rfm fit, --input-kind.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from './helpers.js';

const tmp = tempDir('rfm-options-');
afterAll(() => tmp.cleanup());

describe('--date-format on slashed dates', () => {
  // 1/5/2024 is 5 January (mdy), 1 May (dmy), or no year-first date at all (ymd).
  const log = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n1,2024/01/05,1,10,A\n2,1/5/2024,1,10,B\n3,2024/01/20,1,10,A\n';
  const run = (order: string) => runRfm(['rfm', '-', '--date-format', order, '--as-of', '2024-06-01', '--format', 'csv'], { stdin: log });

  it('mdy, dmy and ymd give three different answers; year-first dates read the same under each', async () => {
    // A: last bought 2024-01-20, 133 days before 2024-06-01 (11 + 29 + 31 + 30 + 31 + 1).
    const mdy = await run('mdy');
    expect([mdy.code, mdy.stdout]).toEqual([0, 'customer_id,recency,frequency,monetary\nA,133,2,20\nB,148,1,10\n']);
    const dmy = await run('dmy');
    expect([dmy.code, dmy.stdout]).toEqual([0, 'customer_id,recency,frequency,monetary\nA,133,2,20\nB,31,1,10\n']);
    const ymd = await run('ymd');
    expect([ymd.code, ymd.stdout]).toEqual([0, 'customer_id,recency,frequency,monetary\nA,133,2,20\n']);
    expect(ymd.stderr).toContain('dropped for unparseable dates in column "InvoiceDate", which otherwise parses: first "1/5/2024" on line 3');
  });
});

describe('rfm fit: the k-means options reach k-means', () => {
  let table = '';
  beforeAll(async () => {
    const r = await runRfm(['rfm', fixture('online_retail_sample.csv'), '-q', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    table = r.stdout;
  });

  /** Fits k = 6 on the sample's RFM table; the model's inertia and the params it records. */
  const fit = async (...flags: string[]) => {
    const model = tmp.path(`m-${flags.join('_')}.json`);
    const r = await runRfm(['fit', '-', '-k', '6', '-q', '-m', model, '--format', 'json', ...flags], { stdin: table });
    expect(r.code, r.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved.inertia).toBe(JSON.parse(r.stdout).model.inertia);
    return { inertia: saved.inertia as number, params: saved.params };
  };

  it('--seed: another seed, another start, another local optimum; the same seed, the same model', async () => {
    const [one, two, oneAgain] = await Promise.all([fit('--n-init', '1', '--seed', '1'), fit('--n-init', '1', '--seed', '2'), fit('--n-init', '1', '--seed', '1', '--max-iter', '300')]);
    expect(one.params).toMatchObject({ seed: 1, nInit: 1 });
    expect(two.params.seed).toBe(2);
    expect(two.inertia).not.toBe(one.inertia);
    expect(oneAgain.inertia).toBe(one.inertia);
  });

  it('--n-init, --max-iter, --tol: more restarts never do worse, and here do better; one iteration or a loose tolerance stop early', async () => {
    const [base, tenRuns, oneStep, loose] = await Promise.all([
      fit('--n-init', '1', '--seed', '1'),
      fit('--n-init', '10', '--seed', '1'),
      fit('--n-init', '1', '--seed', '1', '--max-iter', '1'),
      fit('--n-init', '1', '--seed', '1', '--tol', '1'),
    ]);
    expect(tenRuns.params.nInit).toBe(10);
    expect(tenRuns.inertia).toBeLessThan(base.inertia);
    expect(oneStep.params.maxIter).toBe(1);
    expect(oneStep.inertia).toBeGreaterThan(base.inertia);
    expect(loose.params.tol).toBe(1);
    expect(loose.inertia).toBeGreaterThan(base.inertia);
  });
});

describe('--input-kind overrides what the header suggests', () => {
  const table = 'customer_id,recency,frequency,monetary\nA,3,2,10.5\n';
  const log = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n1,2024-01-05,1,10,A\n';

  it('auto and rfm read an RFM table; transactions looks for a date column in it', async () => {
    for (const kind of ['auto', 'rfm']) {
      const r = await runRfm(['rfm', '-', '--input-kind', kind, '--format', 'csv'], { stdin: table });
      expect([r.code, r.stdout]).toEqual([0, table]);
    }
    const r = await runRfm(['rfm', '-', '--input-kind', 'transactions'], { stdin: table });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^rfm: error: no date column in stdin:1; expected one of InvoiceDate, .*\(columns are: customer_id, recency, frequency, monetary\)\n$/);
    expect(r.stdout).toBe('');
  });

  it('rfm on a transaction log asks for the RFM columns', async () => {
    const r = await runRfm(['rfm', '-', '--input-kind', 'rfm'], { stdin: log });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('rfm: error: no recency column in stdin:1; an RFM table needs customer_id,recency,frequency,monetary\n');
    expect(r.stdout).toBe('');
  });
});
