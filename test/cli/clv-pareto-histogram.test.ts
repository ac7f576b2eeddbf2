/**
 * rfm clv --model pareto-nbd --holdout-end through the built binary: the calibration histogram's
 * model column is filled (no null) in the JSON and the table, and it is scipy's Σᵢ P(X(Tᵢ) = x)
 * (test/oracle/btyd_scipy.py, at the published estimates, which the fit reproduces to 3 digits).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, runRfm } from './helpers.js';

const SAMPLE = fixture('cdnow', 'CDNOW_sample.txt');
const ARGS = ['clv', SAMPLE, '--no-header', '--columns', '_,id,date,quantity,amount', '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30', '--model', 'pareto-nbd'];
const oracle = JSON.parse(readFileSync(fixture('cdnow', 'btyd-oracle.json'), 'utf8'));
const scipyColumn: number[] = oracle.formulas.new.histogram.paretoNbd;

describe('rfm clv --model pareto-nbd --holdout-end: the calibration histogram', () => {
  it('JSON: every bin has a model number, within 0.5 customers of scipy`s, summing to the 2,357 customers', async () => {
    const r = await runRfm([...ARGS, '--format', 'json']);
    expect(r.code).toBe(0);
    const histogram: { repeatPurchases: string; actual: number; model: number | null }[] = JSON.parse(r.stdout).validation.histogram;
    expect(histogram.map((b) => b.repeatPurchases)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(histogram.map((b) => typeof b.model)).toEqual(new Array(8).fill('number'));
    histogram.forEach((b, k) => expect(Math.abs(b.model! - scipyColumn[k])).toBeLessThan(0.5));
    expect(histogram.reduce((s, b) => s + b.model!, 0)).toBeCloseTo(2357, 6);
  });

  it('table: the model column shows numbers, not —', async () => {
    const r = await runRfm([...ARGS, '--format', 'table']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const start = lines.findIndex((l) => l.includes('Calibration: customers by repeat purchases'));
    expect(start).toBeGreaterThan(-1);
    const bins = lines.slice(start).filter((l) => /^│ +(\d|7\+) +│/.test(l));
    expect(bins).toHaveLength(8);
    // "│ 0 │ 1,411 │ 1,434.0 │": scipy's 1,434.1 at the published estimates.
    expect(bins[0]).toMatch(/│ +0 │ +1,411 │ +1,434\.\d │/);
    for (const line of bins) expect(line).not.toContain('—');
  });
});
