import { describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { validateModel, type RfmModel } from '../../src/core/model.js';
import { batchAssigner, explain, valueProblems } from '../../src/core/assign.js';

const stats = { mean: 1, median: 1, min: 0, max: 2 };
const segment = (cluster: number, name: string) => ({
  cluster,
  name,
  description: 'd',
  action: 'a',
  size: 10,
  share: 0.5,
  revenue: 100,
  revenueShare: 0.5,
  recency: stats,
  frequency: stats,
  monetary: stats,
  centroid: { recency: 1, frequency: 1, monetary: 1 },
});

export function tinyModel(): RfmModel {
  return {
    schema: 'rfm-model',
    version: 2,
    createdAt: '2026-01-01T00:00:00.000Z',
    tool: { name: 'rfm', version: '0.1.0' },
    training: { source: 'x.csv', asOf: '2011-12-10T00:00:00Z', rowsRead: 3, rowsKept: 3, dropped: null, customers: 20 },
    params: { k: 2, transform: 'none', nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 },
    scaler: { mean: [0, 0, 0], scale: [1, 1, 1] },
    centroids: [
      [0, 0, 0],
      [10, 10, 10],
    ],
    inertia: 1,
    silhouette: 0.5,
    segments: [segment(0, 'Near'), segment(1, 'Far')],
  };
}

const broken = (edit: (m: Record<string, any>) => void) => {
  const m = JSON.parse(JSON.stringify(tinyModel()));
  edit(m);
  return m;
};

function problem(value: unknown): string {
  try {
    validateModel(value, 'm.json');
  } catch (error) {
    expect(error).toBeInstanceOf(RfmError);
    expect((error as RfmError).kind).toBe('model');
    return (error as RfmError).message;
  }
  throw new Error('expected the model to be rejected');
}

describe('validateModel', () => {
  it('accepts a valid model and returns it unchanged', () => {
    expect(validateModel(JSON.parse(JSON.stringify(tinyModel())))).toEqual(tinyModel());
  });

  it('names what is wrong', () => {
    expect(problem([])).toMatch(/must be an object/);
    expect(problem(broken((m) => (m.schema = 'other')))).toMatch(/"schema" must be "rfm-model"/);
    expect(problem(broken((m) => (m.centroids[1][2] = null)))).toMatch(/centroids\[1\]\[2\] must be a finite number/);
    expect(problem(broken((m) => m.centroids[0].pop()))).toMatch(/centroids\[0\] must have 3 entries, has 2/);
    expect(problem(broken((m) => m.centroids.pop()))).toMatch(/centroids must have 2 entries/);
    expect(problem(broken((m) => (m.scaler.scale[1] = 0)))).toMatch(/scaler.scale\[1\] must be > 0/);
    expect(problem(broken((m) => (m.params.transform = 'sqrt')))).toMatch(/params.transform/);
    expect(problem(broken((m) => (m.segments[1].cluster = 5)))).toMatch(/segments\[1\].cluster must be 1/);
    expect(problem(broken((m) => delete m.segments[0].monetary))).toMatch(/segments\[0\].monetary must be an object/);
  });

  it('refuses a newer version with a hint to upgrade', () => {
    const message = problem(broken((m) => (m.version = 3)));
    expect(message).toMatch(/version 3, newer than this rfm understands \(2\)/);
  });

  it('refuses an unknown older version', () => {
    expect(problem(broken((m) => (m.version = 0)))).toMatch(/0 is not a known model version/);
  });
});

describe('assigning customers', () => {
  it('picks the nearest centroid in the scaled space, with distances', () => {
    const result = explain(tinyModel(), { recency: 1, frequency: 2, monetary: 2 });
    expect(result.cluster).toBe(0);
    expect(result.segment).toBe('Near');
    expect(result.distances[0]).toBeCloseTo(3, 12);
    expect(result.distances[1]).toBeCloseTo(Math.sqrt(81 + 64 + 64), 12);
  });

  it('the batch assigner agrees with explain, including the log transform', () => {
    const model = tinyModel();
    model.params.transform = 'log';
    model.centroids = [
      [1, 1, 3],
      [4, 0.5, 6],
    ];
    const assign = batchAssigner(model);
    for (const [r, f, m] of [
      [0, 1, 0],
      [30, 4, 2500],
      [300, 1, 10],
      [2, 50, 80000],
    ]) {
      expect(assign({ recency: r, frequency: f, monetary: m })).toBe(explain(model, { recency: r, frequency: f, monetary: m }).cluster);
    }
  });

  it('checks values: finite, recency >= 0, frequency >= 1, monetary >= 0', () => {
    expect(valueProblems({ recency: 0, frequency: 1, monetary: 0 })).toEqual([]);
    expect(valueProblems({ recency: -1, frequency: 1, monetary: 0 })).toEqual([['recency', 'must be >= 0']]);
    expect(valueProblems({ recency: 1, frequency: 0, monetary: 0 })).toEqual([['frequency', 'must be >= 1']]);
    expect(valueProblems({ recency: 1, frequency: 1, monetary: NaN })).toEqual([['monetary', 'must be a finite number']]);
    expect(valueProblems({ recency: 1, frequency: 1 })).toEqual([['monetary', 'is required']]);
    expect(valueProblems({ recency: '3', frequency: 1, monetary: 1 })).toEqual([['recency', 'must be a finite number']]);
  });
});
