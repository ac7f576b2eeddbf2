import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { applyScaler, featureMatrix, fitScaler, scalePoint, type Transform } from '../../src/core/scale.js';

const fixture = (name: string) => new URL(`../../fixtures/sklearn/${name}`, import.meta.url);
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8'));

/** The CDNOW RFM table the oracle was computed on (customer_id,recency,frequency,monetary). */
function cdnowRows() {
  return readFileSync(fixture('cdnow_rfm.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, recency, frequency, monetary] = line.split(',').map(Number);
      return { recency: recency!, frequency: frequency!, monetary: monetary! };
    });
}

const relClose = (actual: number, wanted: number, rel = 1e-12) =>
  expect(Math.abs(actual - wanted)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(wanted)));

describe('featureMatrix', () => {
  const rows = [
    { recency: 0, frequency: 1, monetary: 10 },
    { recency: 30, frequency: 4, monetary: 250.5 },
  ];

  it('lays out R, F, M row by row, raw for none', () => {
    expect(Array.from(featureMatrix(rows, 'none'))).toEqual([0, 1, 10, 30, 4, 250.5]);
  });

  it('takes log1p of each value for log', () => {
    expect(Array.from(featureMatrix(rows, 'log'))).toEqual([0, Math.log1p(1), Math.log1p(10), Math.log1p(30), Math.log1p(4), Math.log1p(250.5)]);
  });

  it('accepts columns as well as rows', () => {
    const columns = { recency: [0, 30], frequency: Float64Array.of(1, 4), monetary: [10, 250.5] };
    expect(featureMatrix(columns, 'log')).toEqual(featureMatrix(rows, 'log'));
  });

  it('refuses values that cannot be clustered, as a data error', () => {
    const bad = (v: number, t: Transform) => () => featureMatrix([{ recency: 1, frequency: 1, monetary: v }], t);
    expect(bad(NaN, 'none')).toThrow(RfmError);
    expect(bad(Infinity, 'none')).toThrow(/monetary/);
    expect(bad(-2, 'log')).toThrow(/cannot be clustered/); // log1p(-2) is NaN
    expect(bad(NaN, 'log')).toThrow(expect.objectContaining({ name: 'RfmError', kind: 'data', message: expect.stringMatching(/cannot be clustered/) }));
    expect(() => featureMatrix({ recency: [1], frequency: [1, 2], monetary: [1] }, 'none')).toThrow(/different lengths/);
  });
});

describe('fitScaler / applyScaler (StandardScaler)', () => {
  it('uses the population standard deviation', () => {
    const s = fitScaler(Float64Array.of(1, 2, 3), 3, 1);
    expect(s.mean[0]).toBe(2);
    relClose(s.scale[0]!, Math.sqrt(2 / 3));
  });

  it('gives a constant column scale 1, as scikit-learn does, so it maps to 0', () => {
    const x = Float64Array.of(5, 1, 5, 2, 5, 3);
    const s = fitScaler(x, 3, 2);
    expect(s.mean[0]).toBe(5);
    expect(s.scale[0]).toBe(1);
    const z = applyScaler(x, 3, 2, s);
    expect([z[0], z[2], z[4]]).toEqual([0, 0, 0]);
  });

  it('matches scikit-learn StandardScaler on the CDNOW table for both transforms', () => {
    const rows = cdnowRows();
    expect(rows.length).toBe(expected.customers);
    for (const t of ['log', 'none'] as const) {
      const s = fitScaler(featureMatrix(rows, t), rows.length, 3);
      for (let j = 0; j < 3; j++) {
        relClose(s.mean[j]!, expected.transforms[t].mean[j]);
        relClose(s.scale[j]!, expected.transforms[t].scale[j]);
      }
    }
  });

  it('z-scores every column to mean 0 and population std 1 (property)', () => {
    // Cents-like values: a column of subnormal doubles is constant to scikit-learn too.
    const column = fc.array(fc.integer({ min: -1e8, max: 1e8 }).map((v) => v / 100), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(column, column, (a, b) => {
        const n = Math.min(a.length, b.length);
        if (new Set(a.slice(0, n)).size < 2 || new Set(b.slice(0, n)).size < 2) return;
        const x = Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 ? b : a)[i >> 1]!);
        const z = applyScaler(x, n, 2, fitScaler(x, n, 2));
        for (let j = 0; j < 2; j++) {
          let mean = 0;
          for (let i = 0; i < n; i++) mean += z[2 * i + j]! / n;
          let variance = 0;
          for (let i = 0; i < n; i++) variance += (z[2 * i + j]! - mean) ** 2 / n;
          expect(Math.abs(mean)).toBeLessThan(1e-9);
          expect(Math.abs(variance - 1)).toBeLessThan(1e-9);
        }
      }),
    );
  });

  it('returns a new array and leaves the input alone', () => {
    const x = Float64Array.of(1, 2, 3, 4);
    const z = applyScaler(x, 2, 2, fitScaler(x, 2, 2));
    expect(z).not.toBe(x);
    expect(Array.from(x)).toEqual([1, 2, 3, 4]);
  });

  it('refuses an empty table', () => {
    expect(() => fitScaler(new Float64Array(0), 0, 3)).toThrow(RfmError);
  });
});

describe('scalePoint', () => {
  it('puts one customer where applyScaler puts the same row', () => {
    const rows = [
      { recency: 3, frequency: 1, monetary: 20 },
      { recency: 100, frequency: 7, monetary: 900 },
      { recency: 40, frequency: 2, monetary: 75.25 },
    ];
    for (const t of ['log', 'none'] as const) {
      const raw = featureMatrix(rows, t);
      const scaler = fitScaler(raw, 3, 3);
      const z = applyScaler(raw, 3, 3, scaler);
      const p = scalePoint([100, 7, 900], t, scaler);
      p.forEach((v, j) => relClose(v, z[3 + j]!));
    }
  });
});
