import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSI, fixture, runRfm, runShell, tempDir } from './helpers.js';

const SAMPLE = fixture('online_retail_sample.csv');
const EPOCH = { SOURCE_DATE_EPOCH: '1764633600' };
const tmp = tempDir('rfm-fit-');
const model = tmp.path('model.json');

beforeAll(async () => {
  const result = await runRfm(['fit', SAMPLE, '-m', model, '-q', '--format', 'json'], { env: EPOCH });
  expect(result.code).toBe(0);
});
afterAll(() => tmp.cleanup());

const segmentOf = async (r: number, f: number, m: number, modelPath = model) => {
  const result = await runRfm(['segment', '-m', modelPath, '--recency', String(r), '--frequency', String(f), '--monetary', String(m)]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { cluster: number; segment: string };
};

describe('rfm fit on the Online-Retail-shaped sample (k = 4, defaults)', () => {
  it('puts the four acceptance customers in their segments', async () => {
    expect((await segmentOf(5, 15, 25000)).segment).toBe('Loyal High-Value');
    expect((await segmentOf(15, 2, 800)).segment).toBe('Potential Loyalists');
    expect((await segmentOf(60, 3, 3000)).segment).toBe('Occasional Buyers');
    expect((await segmentOf(250, 1, 400)).segment).toBe('Churn Risk');
  });

  it('writes a versioned model with training provenance, params and four named segments', () => {
    const m = JSON.parse(readFileSync(model, 'utf8'));
    expect(Object.keys(m)).toEqual(['schema', 'version', 'createdAt', 'tool', 'training', 'params', 'scaler', 'centroids', 'inertia', 'silhouette', 'segments']);
    expect(m.schema).toBe('rfm-model');
    expect(m.version).toBe(2);
    expect(m.createdAt).toBe('2025-12-02T00:00:00.000Z');
    expect(m.training).toMatchObject({ rowsRead: 44000, rowsKept: 32306, customers: 4339, asOf: '2011-12-10T12:45:00Z' });
    expect(m.params).toEqual({ k: 4, transform: 'log', nInit: 10, maxIter: 300, tol: 0.0001, seed: 42 });
    expect(m.segments.map((s: { name: string }) => s.name).sort()).toEqual(['Churn Risk', 'Loyal High-Value', 'Occasional Buyers', 'Potential Loyalists']);
    expect(m.segments.reduce((n: number, s: { size: number }) => n + s.size, 0)).toBe(4339);
    for (const s of m.segments) expect(s.action.length).toBeGreaterThan(10);
  });

  it('is deterministic: the same input and options give a byte-identical model', async () => {
    const again = tmp.path('again.json');
    expect((await runRfm(['fit', SAMPLE, '-m', again, '-q', '--format', 'json'], { env: EPOCH })).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(model, 'utf8'));
  });

  it('rfm clean | rfm rfm - | rfm fit - learns the same model as rfm fit on the file', async () => {
    const piped = tmp.path('piped.json');
    const r = await runShell(`node bin/rfm.js clean "${SAMPLE}" -q | node bin/rfm.js rfm - -q | node bin/rfm.js fit - -m "${piped}" -q --format json >/dev/null`, { env: EPOCH });
    expect(r.code).toBe(0);
    const a = JSON.parse(readFileSync(model, 'utf8'));
    const b = JSON.parse(readFileSync(piped, 'utf8'));
    // An RFM table carries no as-of date or cleaning counts: only the provenance differs.
    expect(b.training.source).toBe('stdin');
    delete a.training;
    delete b.training;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('prints a JSON report when piped and a table without colour codes with --format table', async () => {
    const json = await runRfm(['fit', SAMPLE, '-m', tmp.path('r.json'), '-q']);
    const report = JSON.parse(json.stdout);
    expect(report.modelPath).toBe(tmp.path('r.json'));
    expect(report.segments).toHaveLength(4);
    const table = await runRfm(['fit', SAMPLE, '-m', tmp.path('t.json'), '-q', '--format', 'table']);
    expect(table.stdout).toContain('Customers per segment');
    expect(table.stdout).toContain('Loyal High-Value');
    expect(table.stdout).not.toMatch(ANSI);
    expect(table.stderr).toBe('');
  });
});

describe('the committed sample model', () => {
  it('is exactly what rfm fit writes from the sample (regenerate it when this fails on purpose)', async () => {
    const r = await runRfm(['fit', 'fixtures/online_retail_sample.csv', '-m', tmp.path('regen.json'), '-q', '--format', 'json'], { env: EPOCH });
    expect(r.code).toBe(0);
    expect(readFileSync(tmp.path('regen.json'), 'utf8')).toBe(readFileSync(fixture('models', 'sample-model.json'), 'utf8'));
  });
});

describe('rfm fit options', () => {
  it('-k auto uses the elbow knee', async () => {
    const r = await runRfm(['fit', SAMPLE, '-k', 'auto', '-m', tmp.path('auto.json'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/elbow knee: k = 3/);
    expect(JSON.parse(readFileSync(tmp.path('auto.json'), 'utf8')).params.k).toBe(3);
  });

  it('-k auto (elbow on worker threads, no silhouettes) writes the same model as -k of its knee', async () => {
    const auto = await runRfm(['fit', SAMPLE, '-k', 'auto', '-m', tmp.path('auto-e.json'), '-q', '--format', 'json'], { env: EPOCH });
    const three = await runRfm(['fit', SAMPLE, '-k', '3', '-m', tmp.path('three.json'), '-q', '--format', 'json'], { env: EPOCH });
    expect([auto.code, three.code]).toEqual([0, 0]);
    expect(readFileSync(tmp.path('auto-e.json'), 'utf8')).toBe(readFileSync(tmp.path('three.json'), 'utf8'));
    expect(JSON.parse(readFileSync(tmp.path('three.json'), 'utf8')).silhouette).toBeGreaterThan(0);
  });

  it('names other k with the R/F grid, uniquely and never with a bare number', async () => {
    const r = await runRfm(['fit', SAMPLE, '-k', '6', '-m', tmp.path('k6.json'), '-q', '--format', 'json']);
    expect(r.code).toBe(0);
    const names: string[] = JSON.parse(r.stdout).segments.map((s: { name: string }) => s.name);
    expect(new Set(names).size).toBe(6);
    for (const name of names) expect(name).not.toMatch(/\d$/);
  });

  it('--transform none is the raw z-score method, and segment applies it the same way', async () => {
    const raw = tmp.path('raw.json');
    expect((await runRfm(['fit', SAMPLE, '--transform', 'none', '-m', raw, '-q', '--format', 'json'])).code).toBe(0);
    const m = JSON.parse(readFileSync(raw, 'utf8'));
    expect(m.params.transform).toBe('none');
    // Raw-scale z-score: the scaler mean is the plain mean recency/frequency/monetary.
    expect(m.scaler.mean[1]).toBeCloseTo(4.3187, 3);
    const batch = await runRfm(['segment', SAMPLE, '-m', raw, '-q', '--format', 'csv']);
    const counts = new Map<number, number>();
    for (const line of batch.stdout.trim().split('\n').slice(1)) {
      const cluster = Number(line.split(',')[4]);
      counts.set(cluster, (counts.get(cluster) ?? 0) + 1);
    }
    expect(m.segments.map((s: { size: number }) => s.size)).toEqual(m.segments.map((s: { cluster: number }) => counts.get(s.cluster) ?? 0));
  });

  it('--labels overrides names', async () => {
    writeFileSync(tmp.path('labels.json'), JSON.stringify({ 0: 'VIP', 3: 'Gone' }));
    const r = await runRfm(['fit', SAMPLE, '--labels', tmp.path('labels.json'), '-m', tmp.path('l.json'), '-q', '--format', 'json']);
    const names = JSON.parse(r.stdout).segments.map((s: { name: string }) => s.name);
    expect(names[0]).toBe('VIP');
    expect(names[3]).toBe('Gone');
  });
});

describe('rfm fit errors', () => {
  it('k < 1 or k > customers is a usage error', async () => {
    const zero = await runRfm(['fit', SAMPLE, '-k', '0', '-m', tmp.path('x.json')]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/-k "0" must be an integer >= 1/);
    const tooMany = await runRfm(['fit', fixture('cdnow', 'CDNOW_master.txt'), '-k', '30000', '--allow-large-k', '-m', tmp.path('x.json')]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/between 1 and the number of customers \(23502\)/);
  });

  it('fewer than 2 customers is a data error', async () => {
    const r = await runRfm(['fit', '-', '-m', tmp.path('x.json')], { stdin: 'customer_id,date,amount\n1,2020-01-01,5\n1,2020-02-01,7\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/at least 2/);
  });

  it('a model path in a missing directory fails before reading anything', async () => {
    const r = await runRfm(['fit', SAMPLE, '-m', tmp.path('no/such/dir/model.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/directory .*no\/such\/dir does not exist/);
  });

  it('never replaces an existing model on failure, and leaves no temp file', async () => {
    const existing = tmp.path('keep.json');
    writeFileSync(existing, '{"precious": true}');
    const r = await runRfm(['fit', '-', '-m', existing], { stdin: 'customer_id,date,amount\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('rfm: error: stdin has a header but no rows; give a log with at least one transaction\n');
    expect(readFileSync(existing, 'utf8')).toBe('{"precious": true}');
    expect(tmp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a corrupt, future-version or missing model is a model error (exit 5)', async () => {
    writeFileSync(tmp.path('trunc.json'), readFileSync(model, 'utf8').slice(0, 300));
    const trunc = await runRfm(['segment', '-m', tmp.path('trunc.json'), '--recency', '1', '--frequency', '1', '--monetary', '1']);
    expect(trunc.code).toBe(5);
    expect(trunc.stderr).toMatch(/not valid JSON/);
    const future = JSON.parse(readFileSync(model, 'utf8'));
    future.version = 3;
    writeFileSync(tmp.path('future.json'), JSON.stringify(future));
    const f = await runRfm(['summary', '-m', tmp.path('future.json')]);
    expect(f.code).toBe(5);
    expect(f.stderr).toMatch(/version 3, newer than this rfm understands/);
    const missing = await runRfm(['summary'], { cwd: tmp.dir });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/rfm fit/);
  });
});
