import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectGolden } from './golden.js';
import { fixture, parseCsv, runRfm, runShell, tempDir } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const SAMPLE = fixture('online_retail_sample.csv');
const model = JSON.parse(readFileSync(MODEL, 'utf8'));
const tmp = tempDir('rfm-segment-');
afterAll(() => tmp.cleanup());

const one = (...flags: string[]) => runRfm(['segment', '-m', MODEL, ...flags]);

describe('rfm segment, one customer', () => {
  it("prints the original API's shape", async () => {
    const r = await one('--recency', '15', '--frequency', '2', '--monetary', '800');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"cluster":1,"segment":"Potential Loyalists"}\n');
    expect(r.stderr).toBe('');
  });

  it('--explain adds the scaled features and the distance to every centroid', async () => {
    const r = await one('--recency', '30', '--frequency', '4', '--monetary', '2500', '--explain');
    expectGolden('segment-explain.json', r.stdout);
    const result = JSON.parse(r.stdout);
    expect(result.distances).toHaveLength(4);
    const nearest = result.distances.reduce((a: { distance: number }, b: { distance: number }) => (b.distance < a.distance ? b : a));
    expect(nearest.cluster).toBe(result.cluster);
  });

  it('--format table is for people', async () => {
    const r = await one('--recency', '30', '--frequency', '4', '--monetary', '2500', '--explain', '--format', 'table');
    expectGolden('segment-explain.txt', r.stdout);
  });

  it.each([
    [['--recency', '-1', '--frequency', '1', '--monetary', '1'], /--recency must be >= 0/],
    [['--recency', 'NaN', '--frequency', '1', '--monetary', '1'], /--recency must be a finite number/],
    [['--recency', '1', '--frequency', 'abc', '--monetary', '1'], /--frequency must be a finite number \(got "abc"\)/],
    [['--recency', '1', '--frequency', '0', '--monetary', '1'], /--frequency must be >= 1/],
    [['--recency', '1', '--frequency', '1', '--monetary', 'Infinity'], /--monetary must be a finite number/],
    [['--recency', '1', '--frequency', '1'], /--monetary is required/],
  ])('rejects %j as a usage error naming the flag', async (flags, message) => {
    const r = await one(...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('finds the model through $RFM_MODEL, and explains how to make one when there is none', async () => {
    const viaEnv = await runRfm(['segment', '--recency', '5', '--frequency', '15', '--monetary', '25000'], { env: { RFM_MODEL: MODEL } });
    expect(JSON.parse(viaEnv.stdout).segment).toBe('Loyal High-Value');
    const none = await runRfm(['segment', '--recency', '5', '--frequency', '15', '--monetary', '25000'], { cwd: tmp.dir });
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/no model at rfm-model.json; make one with: rfm fit/);
  });
});

describe('rfm segment, a batch', () => {
  it('on the training log reproduces the segment sizes in the model', async () => {
    const r = await runRfm(['segment', SAMPLE, '-m', MODEL, '-q']);
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual(['customer_id', 'recency', 'frequency', 'monetary', 'cluster', 'segment']);
    expect(rows).toHaveLength(4339);
    for (const segment of model.segments) {
      expect(rows.filter((row) => Number(row[4]) === segment.cluster && row[5] === segment.name)).toHaveLength(segment.size);
    }
  });

  it("aggregates a log with the model's as-of date unless --as-of is given", async () => {
    const log = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n1,2011-12-01 10:00,1,10,A\n2,2011-12-02 10:00,1,10,B\n';
    const r = await runRfm(['segment', '-', '-m', MODEL, '-q'], { stdin: log });
    // model as-of 2011-12-10T12:45Z: A bought 9 days 2:45 before → 9.
    expect(parseCsv(r.stdout).rows.map((row) => row.slice(0, 2))).toEqual([
      ['A', '9'],
      ['B', '8'],
    ]);
    const own = await runRfm(['segment', '-', '-m', MODEL, '-q', '--as-of', '2011-12-03'], { stdin: log });
    expect(parseCsv(own.stdout).rows.map((row) => row.slice(0, 2))).toEqual([
      ['A', '1'],
      ['B', '0'],
    ]);
  });

  it('says where the as-of came from: --as-of, the model, or the log itself when the model has none', async () => {
    const log = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n1,2011-12-01 10:00,1,10,A\n2,2011-12-02 10:00,1,10,B\n';
    expect((await runRfm(['segment', '-', '-m', MODEL], { stdin: log })).stderr).toMatch(/as-of 2011-12-10T12:45:00Z \(the model's\)/);
    expect((await runRfm(['segment', '-', '-m', MODEL, '--as-of', '2011-12-03'], { stdin: log })).stderr).toMatch(/as-of 2011-12-03T00:00:00Z \(--as-of\)/);
    // A model fitted on an RFM table records no as-of date.
    const tableModel = tmp.path('from-table.json');
    const table = (await runRfm(['rfm', SAMPLE, '-q', '--format', 'csv'])).stdout;
    expect((await runRfm(['fit', '-', '-m', tableModel, '-q', '--format', 'json'], { stdin: table })).code).toBe(0);
    const r = await runRfm(['segment', '-', '-m', tableModel], { stdin: log });
    expect(r.code).toBe(0);
    // B's last purchase + 1 day.
    expect(r.stderr).toMatch(/as-of 2011-12-03T10:00:00Z \(no as-of in the model: the latest purchase \+ 1 day\)/);
  });

  it('streams an RFM table from stdin in its own order, in every format', async () => {
    const table = 'customer_id,recency,frequency,monetary\nz,250,1,400\na,5,15,25000\n';
    const csv = await runRfm(['segment', '-', '-m', MODEL, '-q', '--format', 'csv'], { stdin: table });
    expectGolden('segment-batch.csv', csv.stdout);
    const ndjson = await runRfm(['segment', '-', '-m', MODEL, '-q', '--format', 'ndjson'], { stdin: table });
    expect(ndjson.stdout.trim().split('\n').map((l) => JSON.parse(l).segment)).toEqual(['Churn Risk', 'Loyal High-Value']);
    const json = await runRfm(['segment', '-', '-m', MODEL, '-q', '--format', 'json'], { stdin: table });
    expect(JSON.parse(json.stdout).map((o: { customer_id: string }) => o.customer_id)).toEqual(['z', 'a']);
    const text = await runRfm(['segment', '-', '-m', MODEL, '-q', '--format', 'table'], { stdin: table });
    expectGolden('segment-batch.txt', text.stdout);
  });

  it('writes -o atomically and pipes into jq', async () => {
    const out = tmp.path('segments.ndjson');
    expect((await runRfm(['segment', SAMPLE, '-m', MODEL, '-q', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(4339);
    const jq = await runShell(`node bin/rfm.js segment "${SAMPLE}" -m "${MODEL}" -q --format json | jq -r '[.[] | select(.segment == "Churn Risk")] | length'`);
    expect(jq.code).toBe(0);
    expect(Number(jq.stdout)).toBe(model.segments.find((s: { name: string }) => s.name === 'Churn Risk').size);
  });

  it('refuses flags and a file together', async () => {
    writeFileSync(tmp.path('t.csv'), 'customer_id,recency,frequency,monetary\n1,1,1,1\n');
    const r = await runRfm(['segment', tmp.path('t.csv'), '-m', MODEL, '--recency', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: give either --recency/--frequency/--monetary or an input file, not both\n');
    expect(r.stdout).toBe('');
  });
});
