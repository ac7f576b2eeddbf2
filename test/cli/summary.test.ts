import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectGolden } from './golden.js';
import { ANSI, BIN, fixture, parseCsv, runRfm, runShell } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const SAMPLE = fixture('online_retail_sample.csv');
const model = JSON.parse(readFileSync(MODEL, 'utf8'));

describe('rfm summary', () => {
  it('prints the table and the four charts, without colour codes when piped', async () => {
    // A relative model path (tests run from the project root) keeps the golden file portable.
    const r = await runRfm(['summary', '-m', 'fixtures/models/sample-model.json', '--format', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(ANSI);
    for (const title of ['Customers per segment', 'Average recency', 'Average frequency', 'Average monetary']) expect(r.stdout).toContain(title);
    // The charts fit 80 columns.
    const charts = r.stdout.slice(r.stdout.indexOf('Customers per segment'));
    for (const line of charts.split('\n').filter((l) => l.includes('█'))) expect([...line].length).toBeLessThanOrEqual(80);
    expectGolden('summary-sample.txt', r.stdout);
  });

  it('--no-charts prints the table alone', async () => {
    const r = await runRfm(['summary', '-m', MODEL, '--format', 'table', '--no-charts']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('█');
    expect(r.stdout).toContain('Loyal High-Value');
  });

  it('colours piped output only on request: FORCE_COLOR=1 (for less -R), never with NO_COLOR', async () => {
    const piped = await runRfm(['summary', '-m', MODEL, '--format', 'table']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('Loyal High-Value');
    expect(piped.stdout).not.toMatch(ANSI);
    const forced = await runRfm(['summary', '-m', MODEL, '--format', 'table'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[32mLoyal High-Value');
    const both = await runRfm(['summary', '-m', MODEL, '--format', 'table'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('Loyal High-Value');
    expect(both.stdout).not.toMatch(ANSI);
  });

  it('colours the table and the charts on a terminal (run under script(1) for a pseudo-terminal)', async () => {
    const env = { TERM: 'xterm', NODE: process.execPath, BIN };
    const r = await runShell(`script -qec '"$NODE" "$BIN" summary -m fixtures/models/sample-model.json' /dev/null`, { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\u001b[1m'); // bold headers
    expect(r.stdout).toContain('\u001b[32mLoyal High-Value'); // green
    expect(r.stdout).toContain('\u001b[36mPotential Loyalists'); // cyan
    // And --no-color turns it off there too.
    const plain = await runShell(`script -qec '"$NODE" "$BIN" summary -m fixtures/models/sample-model.json --no-color' /dev/null`, { env });
    expect(plain.stdout).toContain('Loyal High-Value');
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it('is JSON when piped, with stable keys and the model numbers at full precision', async () => {
    const r = await runRfm(['summary', '-m', MODEL]);
    expectGolden('summary-sample.json', r.stdout);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary)).toEqual(['model', 'data', 'segments']);
    expect(summary.segments.map((s: { revenue: number }) => s.revenue)).toEqual(model.segments.map((s: { revenue: number }) => s.revenue));
    expect(summary.segments[0].recency).toEqual(model.segments[0].recency);
  });

  it('--format csv gives one row per segment', async () => {
    const r = await runRfm(['summary', '-m', MODEL, '--format', 'csv']);
    expectGolden('summary-sample.csv', r.stdout);
    expect(parseCsv(r.stdout).rows).toHaveLength(4);
  });

  it('pipes into jq', async () => {
    const r = await runShell(`node bin/rfm.js summary -m "${MODEL}" | jq -r '.segments[] | "\\(.name)=\\(.size)"'`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(model.segments.map((s: { name: string; size: number }) => `${s.name}=${s.size}`));
  });

  it('--data recomputes the statistics for data assigned with the saved model', async () => {
    const same = await runRfm(['summary', '-m', MODEL, '--data', SAMPLE, '-q']);
    const recomputed = JSON.parse(same.stdout);
    // The training data itself gives back the model's own numbers.
    expect(recomputed.segments.map((s: { size: number }) => s.size)).toEqual(model.segments.map((s: { size: number }) => s.size));
    expect(recomputed.segments[2].monetary.median).toBeCloseTo(model.segments[2].monetary.median, 9);
    expect(recomputed.data.asOf).toBe(model.training.asOf);
    // A later as-of ages everyone: more customers fall into Churn Risk.
    const later = JSON.parse((await runRfm(['summary', '-m', MODEL, '--data', SAMPLE, '-q', '--as-of', '2012-06-01'])).stdout);
    const churn = (s: { segments: { name: string; size: number }[] }) => s.segments.find((x) => x.name === 'Churn Risk')!.size;
    expect(churn(later)).toBeGreaterThan(churn(recomputed));
  });
});
