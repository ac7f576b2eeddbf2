/**
 * The sample model and the golden files built on it, against numbers computed from the
 * transaction log by pandas and numpy (test/oracle/segments_oracle.py, committed in
 * fixtures/oracle/sample-oracle.json; .ci/tests.sh re-runs the script and checks they still match).
 * The golden tests prove the binary prints the golden files; this proves the golden files are right.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, parseCsv } from './helpers.js';

interface Stats {
  mean: number;
  median: number;
  min: number;
  max: number;
}
interface OracleSegment {
  cluster: number;
  size: number;
  share: number;
  revenue: number;
  revenueShare: number;
  recency: Stats;
  frequency: Stats;
  monetary: Stats;
  centroid: { recency: number; frequency: number; monetary: number };
}

const oracle = JSON.parse(readFileSync(fixture('oracle', 'sample-oracle.json'), 'utf8'));
const segments: OracleSegment[] = oracle.segments;
const model = JSON.parse(readFileSync(fixture('models', 'sample-model.json'), 'utf8'));
const golden = (name: string) => readFileSync(fixture('golden', name), 'utf8');
const REGENERATE = 'if the model was refitted on purpose, re-run /usr/bin/python3 test/oracle/segments_oracle.py > fixtures/oracle/sample-oracle.json and review the diff';

/** Equal to 10 significant digits: the summation order of numpy and ours moves the last bits. */
function close(actual: number, expected: number, what: string): void {
  const tolerance = 1e-10 * Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected), `${what}: ${actual} vs the oracle's ${expected}`).toBeLessThanOrEqual(tolerance);
}

function closeStats(actual: Stats, expected: Stats, what: string): void {
  for (const key of ['mean', 'median', 'min', 'max'] as const) close(actual[key], expected[key], `${what}.${key}`);
}

const thousands = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

describe('the sample model against pandas/numpy (fixtures/oracle/sample-oracle.json)', () => {
  it('was fitted on the same customers, as of the same date, with the same scaler', () => {
    expect(model.centroids.length, REGENERATE).toBe(oracle.k);
    expect(oracle.centroidsMinusMeans, 'every centroid is the mean of the customers nearest to it').toBeLessThan(1e-9);
    expect(model.training.asOf).toBe(oracle.asOf);
    expect(model.training.customers).toBe(oracle.customers);
    oracle.scaler.mean.forEach((m: number, j: number) => close(model.scaler.mean[j], m, `scaler.mean[${j}]`));
    oracle.scaler.scale.forEach((s: number, j: number) => close(model.scaler.scale[j], s, `scaler.scale[${j}]`));
    close(model.inertia, oracle.inertia, 'inertia');
    close(model.silhouette, oracle.silhouette, 'silhouette');
  });

  it('per segment: size, share, revenue and revenue share, mean/median/min/max of R, F and M, the centroid in units', () => {
    expect(model.segments.map((s: { cluster: number }) => s.cluster)).toEqual(segments.map((s) => s.cluster));
    model.segments.forEach((s: OracleSegment, i: number) => {
      const want = segments[i];
      expect(s.size, `segment ${i} size; ${REGENERATE}`).toBe(want.size);
      for (const key of ['share', 'revenue', 'revenueShare'] as const) close(s[key], want[key], `segment ${i} ${key}`);
      for (const key of ['recency', 'frequency', 'monetary'] as const) {
        closeStats(s[key], want[key], `segment ${i} ${key}`);
        close(s.centroid[key], want.centroid[key], `segment ${i} centroid.${key}`);
      }
    });
  });
});

describe('the golden files against the oracle', () => {
  it('summary-sample.json', () => {
    const summary = JSON.parse(golden('summary-sample.json'));
    expect(summary.model).toMatchObject({ k: oracle.k, asOf: oracle.asOf, customers: oracle.customers });
    expect(summary.data).toMatchObject({ asOf: oracle.asOf, customers: oracle.customers });
    close(summary.model.inertia, oracle.inertia, 'inertia');
    close(summary.model.silhouette, oracle.silhouette, 'silhouette');
    expect(summary.segments).toHaveLength(segments.length);
    summary.segments.forEach((s: OracleSegment, i: number) => {
      const want = segments[i];
      expect([s.cluster, s.size]).toEqual([want.cluster, want.size]);
      for (const key of ['share', 'revenue', 'revenueShare'] as const) close(s[key], want[key], `segment ${i} ${key}`);
      for (const key of ['recency', 'frequency', 'monetary'] as const) closeStats(s[key], want[key], `segment ${i} ${key}`);
    });
  });

  it('summary-sample.csv', () => {
    const { header, rows } = parseCsv(golden('summary-sample.csv'));
    expect(rows).toHaveLength(segments.length);
    const at = (row: string[], column: string) => Number(row[header.indexOf(column)]);
    rows.forEach((row, i) => {
      const want = segments[i];
      expect([at(row, 'cluster'), at(row, 'customers')]).toEqual([want.cluster, want.size]);
      close(at(row, 'share'), want.share, `row ${i} share`);
      close(at(row, 'revenue'), want.revenue, `row ${i} revenue`);
      close(at(row, 'revenue_share'), want.revenueShare, `row ${i} revenue_share`);
      for (const key of ['recency', 'frequency', 'monetary'] as const) {
        close(at(row, `${key}_mean`), want[key].mean, `row ${i} ${key}_mean`);
        close(at(row, `${key}_median`), want[key].median, `row ${i} ${key}_median`);
      }
    });
  });

  it('summary-sample.txt: the table cells and the chart values, rounded as printed', () => {
    const text = golden('summary-sample.txt');
    const tableRows = text
      .split('\n')
      .filter((line) => /^│ \d /.test(line))
      .map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
    expect(tableRows).toHaveLength(segments.length);
    tableRows.forEach((cells, i) => {
      const s = segments[i];
      expect([cells[0], cells[2], cells[3], cells[7]]).toEqual([String(s.cluster), thousands(s.size, 0), percent(s.share), percent(s.revenueShare)]);
      expect(cells[4]).toBe(`${s.recency.mean.toFixed(1)} / ${s.recency.median.toFixed(1)}`);
      expect(cells[5]).toBe(`${s.frequency.mean.toFixed(1)} / ${s.frequency.median.toFixed(1)}`);
      expect(cells[6]).toBe(`${thousands(s.monetary.mean, 2)} / ${thousands(s.monetary.median, 2)}`);
    });
    // One chart line per segment and chart, in cluster order; each ends in its value.
    const chart = (title: string) =>
      text
        .slice(text.indexOf(title))
        .split('\n')
        .slice(1, 1 + segments.length)
        .map((line) => line.trim().split(/\s{2,}/).pop());
    expect(chart('Customers per segment')).toEqual(segments.map((s) => `${thousands(s.size, 0)} (${percent(s.share)})`));
    expect(chart('Average recency')).toEqual(segments.map((s) => `${s.recency.mean.toFixed(1)} days`));
    expect(chart('Average frequency')).toEqual(segments.map((s) => `${s.frequency.mean.toFixed(1)} orders`));
    expect(chart('Average monetary')).toEqual(segments.map((s) => thousands(s.monetary.mean, 2)));
  });

  it('segment-explain.json and .txt: recency 30, frequency 4, monetary 2500', () => {
    const want = oracle.explain;
    expect([want.recency, want.frequency, want.monetary]).toEqual([30, 4, 2500]);
    const explain = JSON.parse(golden('segment-explain.json'));
    expect(explain.cluster).toBe(want.cluster);
    for (const key of ['recency', 'frequency', 'monetary']) close(explain.scaled[key], want.scaled[key], `scaled.${key}`);
    expect(explain.distances.map((d: { cluster: number }) => d.cluster)).toEqual(want.distances.map((_: number, j: number) => j));
    explain.distances.forEach((d: { distance: number }, j: number) => close(d.distance, want.distances[j], `distance to ${j}`));
    const text = golden('segment-explain.txt');
    expect(text.split('\n')[0]).toMatch(new RegExp(`^recency 30, frequency 4, monetary 2,500 → .* \\(cluster ${want.cluster}\\)$`));
    const printed = text
      .split('\n')
      .filter((line) => /^│ +\d /.test(line))
      .map((line) => line.split('│').map((cell) => cell.trim()));
    expect(printed.map((cells) => [Number(cells[1]), Number(cells[3]), cells[4]])).toEqual(
      want.distances.map((d: number, j: number) => [j, Math.round(d * 1e4) / 1e4, j === want.cluster ? '← nearest' : '']),
    );
  });

  it('segment-batch.csv and .txt: the clusters of z and a', () => {
    const want = oracle.batch.map((b: { customer_id: string; recency: number; frequency: number; monetary: number; cluster: number }) => [b.customer_id, b.recency, b.frequency, b.monetary, b.cluster]);
    const { rows } = parseCsv(golden('segment-batch.csv'));
    expect(rows.map((r) => [r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4])])).toEqual(want);
    const printed = golden('segment-batch.txt')
      .split('\n')
      .filter((line) => /^│ [za] /.test(line))
      .map((line) => line.split('│').map((cell) => cell.trim()));
    expect(printed.map((c) => [c[1], Number(c[2]), Number(c[3]), Number(c[4].replace(/,/g, '')), Number(c[5])])).toEqual(want);
  });
});

describe('the small golden files, worked by hand from their 8-line inputs', () => {
  it('rfm-uci.csv/.json/.ndjson from fixtures/io/uci.csv', () => {
    // Kept: 536365 ×2 and 536366 (17850), 536367 (13047), 536370 (12583); dropped: the C invoice,
    // the row with no customer (and price 0), a quantity of -1. As-of: 2010-12-03 08:45 + 1 day.
    // 12583: 24 × 3.75 = 90, 1 day. 13047: 32 × 1.69 = 54.08, 3 days 0:11 → 3.
    // 17850: 6 × 2.55 + 6 × 3.39 + 6 × 1.85 = 15.30 + 20.34 + 11.10 = 46.74 in 2 invoices, 3 days.
    const rows = [
      ['12583', 1, 1, 90],
      ['13047', 3, 1, 54.08],
      ['17850', 3, 2, 46.74],
    ];
    expect(golden('rfm-uci.csv')).toBe('customer_id,recency,frequency,monetary\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const records = rows.map(([customer_id, recency, frequency, monetary]) => ({ customer_id, recency, frequency, monetary }));
    expect(JSON.parse(golden('rfm-uci.json'))).toEqual(records);
    expect(golden('rfm-uci.ndjson').trim().split('\n').map((l) => JSON.parse(l))).toEqual(records);
  });

  it('rfm-cdnow-small.csv from fixtures/io/cdnow.txt', () => {
    // As-of 1997-04-02 + 1 day. 00001: 1997-01-01, 30 + 28 + 31 + 3 = 92 days, 11.77.
    // 00002: two lines on one date (frequency 1), 12 + 77 = 89, 1997-01-12: 81 days.
    // 00003: three dates, 20.76 + 20.76 + 19.54 = 61.06, last 1997-04-02: 1 day. 00004: $0, dropped.
    expect(golden('rfm-cdnow-small.csv')).toBe('customer_id,recency,frequency,monetary\n00001,92,1,11.77\n00002,81,1,89\n00003,1,3,61.06\n');
  });

  it('clean-uci.csv and clean-latin1.csv: the kept input lines as read (latin1 re-encoded as UTF-8)', () => {
    // uci.csv loses its cancellation (C536379), the row without a customer and the quantity -1 (536381).
    const uci = readFileSync(fixture('io', 'uci.csv'), 'utf8').split('\n');
    const kept = uci.filter((line) => !/^(C536379|536414|536381),/.test(line));
    expect(golden('clean-uci.csv')).toBe(kept.join('\n'));
    // Every latin1.csv line is kept; the £ signs become UTF-8.
    expect(golden('clean-latin1.csv')).toBe(readFileSync(fixture('io', 'latin1.csv')).toString('latin1'));
  });

  it('rfm-uci-scores-extended.csv: quintile scores and the extended columns of those three customers', () => {
    // Quantiles (linear, 20/40/60/80 %) of R [1, 3, 3]: 1.8, 2.6, 3, 3; of F [1, 1, 2]: 1, 1, 1.2, 1.6;
    // of M [46.74, 54.08, 90]: 49.676, 52.612, 61.264, 75.632. A score is 1 + the thresholds below
    // the value (recency reversed: 6 − that). 12583: R 1 → 5, F 1 → 1, M 90 → 5: 515, New Customers.
    // 13047: R 3 → 6 − 3 = 3, F 1 → 1, M 54.08 → 3: 313, About to Sleep. 17850: R 3 → 3, F 2 → 5,
    // M 46.74 → 1: 351, Loyal. Tenure: first purchase to as-of (2010-12-04 08:45), whole days;
    // average order value: 46.74 / 2 = 23.37.
    expect(golden('rfm-uci-scores-extended.csv')).toBe(
      'customer_id,recency,frequency,monetary,r_score,f_score,m_score,rfm_score,score_segment,first_purchase,last_purchase,tenure_days,avg_order_value\n' +
        '12583,1,1,90,5,1,5,515,New Customers,2010-12-03T08:45:00Z,2010-12-03T08:45:00Z,1,90\n' +
        '13047,3,1,54.08,3,1,3,313,About to Sleep,2010-12-01T08:34:00Z,2010-12-01T08:34:00Z,3,54.08\n' +
        '17850,3,2,46.74,3,5,1,351,Loyal,2010-12-01T08:26:00Z,2010-12-01T08:28:00Z,3,23.37\n',
    );
  });
});
