/**
 * `rfm sql segment --clv` through the built binary: the flags reach the query (the printed SQL,
 * run on embedded DuckDB, reads the BTYD columns they name and gives the predictions the library
 * query gives), and the refusals are one-line usage errors with exit code 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictClv } from '../../src/core/clv-model.js';
import type { RfmModel } from '../../src/core/model.js';
import { fixture, runRfm, tempDir } from '../cli/helpers.js';
import { duckdbEngine, type Engine } from './engines.js';

const CLV_MODEL = fixture('models', 'sample-model-clv.json');
const tmp = tempDir();
let engine: Engine;

beforeAll(async () => {
  engine = await duckdbEngine();
  await engine.load({
    name: 'scoring',
    columns: [['id', 'text'], ['rec', 'double'], ['freq', 'double'], ['mon', 'double'], ['Repeat Days', 'double'], ['r"x', 'double'], ['Age', 'double'], ['spend', 'double']],
    csv: 'id,rec,freq,mon,Repeat Days,r"x,Age,spend\na,10,3,120,2,20,30,35.5\nb,200,1,15,0,0,38,0\n',
  });
}, 60_000);

afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe('rfm sql segment --clv', () => {
  it('the column flags name the RFM and BTYD columns; the query gives predictClv’s numbers for the CDNOW model', async () => {
    const flags = ['--customer-col', 'id', '--recency-col', 'rec', '--frequency-col', 'freq', '--monetary-col', 'mon'];
    const btyd = ['--btyd-frequency-col', 'Repeat Days', '--btyd-recency-col', 'r"x', '--btyd-t-col', 'Age', '--btyd-monetary-col', 'spend'];
    const r = await runRfm(['sql', 'segment', '-m', CLV_MODEL, '--dialect', 'duckdb', '--table', 'scoring', ...flags, ...btyd, '--clv']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('CAST("r""x" AS DOUBLE) AS raw_r');
    const rows = await engine.query(r.stdout);
    const section = (JSON.parse(readFileSync(CLV_MODEL, 'utf8')) as RfmModel).clv!;
    const want = [predictClv(section, { frequency: 2, recency: 20, T: 30, monetaryValue: 35.5 }), predictClv(section, { frequency: 0, recency: 0, T: 38, monetaryValue: 0 })];
    expect(rows.map((row) => row.customer_id)).toEqual(['a', 'b']);
    rows.forEach((row, i) => {
      expect(Math.abs(Number(row.clv) - want[i].clv)).toBeLessThanOrEqual(1e-9 * want[i].clv);
      expect(Math.abs(Number(row.p_alive) - want[i].pAlive)).toBeLessThanOrEqual(1e-9 * want[i].pAlive);
    });
    // A one-time buyer is alive for BG/NBD.
    expect(rows[1].p_alive).toBe('1');
  });

  it('a --btyd-*-col flag without --clv: exit 2, saying to add --clv', async () => {
    const r = await runRfm(['sql', 'segment', '-m', CLV_MODEL, '--dialect', 'duckdb', '--table', 't', '--btyd-t-col', 'age']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rfm: error: --btyd-t-col names a column of the lifetime-value predictions/);
    expect(r.stderr).toContain('add --clv');
    expect(r.stdout).toBe('');
  });

  it('--clv with a model fitted without --clv: exit 2, saying to refit with rfm fit --clv', async () => {
    const r = await runRfm(['sql', 'segment', '-m', fixture('models', 'sample-model.json'), '--dialect', 'postgres', '--table', 't', '--clv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rfm: error: the model has no lifetime-value models \(clv section\) to predict with/);
    expect(r.stderr).toContain('rfm fit --clv');
    expect(r.stdout).toBe('');
  });

  it('a horizon whose series would need too many terms in SQL: exit 2, naming the way out', async () => {
    const model = JSON.parse(readFileSync(CLV_MODEL, 'utf8')) as RfmModel;
    model.clv!.horizonMonths = 100_000;
    const path = tmp.path('long.json');
    writeFileSync(path, JSON.stringify(model));
    const r = await runRfm(['sql', 'segment', '-m', path, '--dialect', 'trino', '--table', 't', '--clv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rfm: error: the BG\/NBD series of this model need more than 20000 terms in SQL \(horizon 100000 months\)/);
    expect(r.stderr).toContain('rfm fit --clv --horizon N');
  });

  it('a hostile BTYD column name stays one quoted identifier (BigQuery refuses a backtick)', async () => {
    const r = await runRfm(['sql', 'segment', '-m', CLV_MODEL, '--dialect', 'bigquery', '--table', 't', '--clv', '--btyd-t-col', 'x`; DROP TABLE t; --']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds a backtick or backslash, which rfm does not put in BigQuery SQL');
  });
});
