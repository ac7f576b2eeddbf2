import { describe, expect, it } from 'vitest';
import { ANSI, fixture, runRfm } from './helpers.js';

const SAMPLE = fixture('online_retail_sample.csv');

describe('rfm elbow', () => {
  it('reports inertia for k = 1..10, silhouette for k >= 2 and the knee, as JSON when piped', async () => {
    const r = await runRfm(['elbow', SAMPLE, '-q']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.customers).toBe(4339);
    expect(result.points.map((p: { k: number }) => p.k)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result.points[0].silhouette).toBeNull();
    for (const p of result.points.slice(1)) expect(p.silhouette).toBeGreaterThan(0);
    for (let i = 1; i < 10; i++) expect(result.points[i].inertia).toBeLessThan(result.points[i - 1].inertia);
    expect(result.suggestedK).toBe(3);
    // k = 1 inertia of z-scored data is n × features exactly.
    expect(result.points[0].inertia).toBeCloseTo(4339 * 3, 6);
  });

  it('draws the chart with the knee marked, and honours --k-min/--k-max', async () => {
    const r = await runRfm(['elbow', SAMPLE, '-q', '--format', 'table']);
    expect(r.stdout).toContain('Inertia by k (elbow)');
    expect(r.stdout).toContain('▲ knee: k = 3');
    expect(r.stdout).toMatch(/│\s+3 │.*← suggested/);
    expect(r.stdout).not.toMatch(ANSI);
    const short = await runRfm(['elbow', SAMPLE, '-q', '--k-min', '2', '--k-max', '6']);
    expect(JSON.parse(short.stdout).points.map((p: { k: number }) => p.k)).toEqual([2, 3, 4, 5, 6]);
  });

  it('rejects bad k ranges', async () => {
    const zero = await runRfm(['elbow', SAMPLE, '--k-min', '0']);
    expect([zero.code, zero.stderr, zero.stdout]).toEqual([2, 'rfm: error: --k-min "0" must be an integer >= 1\n', '']);
    const empty = await runRfm(['elbow', SAMPLE, '--k-min', '5', '--k-max', '3']);
    expect([empty.code, empty.stderr, empty.stdout]).toEqual([2, 'rfm: error: --k-max "3" must be an integer >= --k-min\n', '']);
  });
});
