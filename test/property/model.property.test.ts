/**
 * Properties of the model (issue 7): any valid model round-trips through its JSON file exactly
 * (serializeModel → JSON.parse → validateModel → serializeModel), a fitted one included; and the
 * segment of a customer is the nearest centroid in the model's scaled space, by brute force, for
 * `explain` (segment --explain, one customer) and `batchAssigner` (batches) alike.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchAssigner, explain } from '../../src/core/assign.js';
import { DEFAULT_PARAMS, fitSegments } from '../../src/core/fit.js';
import { MODEL_SCHEMA, MODEL_VERSION, validateModel, type ModelSegment, type RfmModel } from '../../src/core/model.js';
import { serializeModel } from '../../src/io/model-file.js';
import { fixture, runRfm } from '../cli/helpers.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const stats = fc.record({ mean: finite, median: finite, min: finite, max: finite });
const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', 'é', '€', '\n', '\u2028', '😀'), maxLength: 12 });

/** Any model validateModel accepts, keys in the file's order. */
function modelArb(options: { centroid?: fc.Arbitrary<number>; scale?: fc.Arbitrary<number>; mean?: fc.Arbitrary<number> } = {}): fc.Arbitrary<RfmModel> {
  const centroid = options.centroid ?? finite;
  const scale = options.scale ?? fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true });
  const mean = options.mean ?? finite;
  return fc.integer({ min: 1, max: 8 }).chain((k) =>
    fc.record({
      schema: fc.constant(MODEL_SCHEMA),
      version: fc.constant(MODEL_VERSION),
      createdAt: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)) }).map((d) => d.toISOString()),
      tool: fc.record({ name: fc.constant('rfm'), version: fc.constantFrom('0.1.0', '1.2.3-beta.1') }),
      training: fc.record({
        source: text,
        asOf: fc.option(fc.constantFrom('2011-12-10T12:45:00Z', '1969-07-20T20:17:00Z'), { nil: null }),
        rowsRead: fc.option(fc.nat(), { nil: null }),
        rowsKept: fc.option(fc.nat(), { nil: null }),
        dropped: fc.constant(null),
        customers: fc.nat(),
      }),
      params: fc.record({
        k: fc.constant(k),
        transform: fc.constantFrom('log' as const, 'none' as const),
        nInit: fc.integer({ min: 1, max: 50 }),
        maxIter: fc.integer({ min: 1, max: 1000 }),
        tol: fc.double({ min: 0, max: 1, noNaN: true }),
        seed: fc.nat(),
      }),
      scaler: fc.record({ mean: fc.tuple(mean, mean, mean), scale: fc.tuple(scale, scale, scale) }),
      centroids: fc.array(fc.tuple(centroid, centroid, centroid), { minLength: k, maxLength: k }),
      inertia: finite,
      silhouette: fc.option(finite, { nil: null }),
      segments: fc.tuple(
        ...Array.from({ length: k }, (_, cluster) =>
          fc.record({
            cluster: fc.constant(cluster),
            name: text,
            description: text,
            action: text,
            size: fc.nat(),
            share: finite,
            revenue: finite,
            revenueShare: finite,
            recency: stats,
            frequency: stats,
            monetary: stats,
            centroid: fc.record({ recency: finite, frequency: finite, monetary: finite }),
          }),
        ),
      ) as fc.Arbitrary<ModelSegment[]>,
    }),
  );
}

const roundTrip = (model: RfmModel) => validateModel(JSON.parse(serializeModel(model)), 'model.json');

describe('the model file round-trips exactly', () => {
  it('for any valid model: the same text, the same values', () => {
    fc.assert(
      fc.property(modelArb(), (model) => {
        const file = serializeModel(model);
        const back = roundTrip(model);
        expect(serializeModel(back)).toBe(file);
        // Every double survives (JSON keeps the shortest round-trip form; only -0 reads back as 0).
        expect(back).toStrictEqual(JSON.parse(JSON.stringify(model)));
      }),
      { numRuns: 200 },
    );
  });

  it('for a model fitted on random customers', () => {
    const customer = fc.record({
      customerId: fc.string({ minLength: 1, maxLength: 6 }),
      recency: fc.integer({ min: 0, max: 400 }),
      frequency: fc.integer({ min: 1, max: 30 }),
      monetary: fc.double({ min: 0.01, max: 50_000, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(customer, { minLength: 8, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom('log' as const, 'none' as const), (rows, k, transform) => {
        const distinct = new Set(rows.map((r) => `${r.recency},${r.frequency},${r.monetary}`)).size;
        fc.pre(distinct >= k);
        const fit = fitSegments(rows, { ...DEFAULT_PARAMS, k, transform, nInit: 2 });
        const model: RfmModel = {
          schema: MODEL_SCHEMA,
          version: MODEL_VERSION,
          createdAt: '2026-01-01T00:00:00.000Z',
          tool: { name: 'rfm', version: '0.1.0' },
          training: { source: 'random', asOf: null, rowsRead: null, rowsKept: null, dropped: null, customers: rows.length },
          params: { ...DEFAULT_PARAMS, k, transform, nInit: 2 },
          scaler: fit.scaler,
          centroids: fit.centroids,
          inertia: fit.inertia,
          silhouette: fit.silhouette,
          segments: fit.segments,
        };
        const back = roundTrip(model);
        expect(serializeModel(back)).toBe(serializeModel(model));
        // And it assigns every training customer as the fit labelled it.
        const assign = batchAssigner(back);
        rows.forEach((row, i) => expect(assign(row)).toBe(fit.labels[i]));
      }),
      { numRuns: 40 },
    );
  });

  it('for the committed sample model: reading and writing it back gives the file byte for byte', () => {
    const file = readFileSync(fixture('models', 'sample-model.json'), 'utf8');
    expect(serializeModel(validateModel(JSON.parse(file)))).toBe(file);
  });
});

/** The nearest centroid by brute force: squared distances in the scaled space, lowest index on ties. */
function bruteForce(model: RfmModel, values: [number, number, number]): { best: number; d2: number[] } {
  const scaled = values.map((v, j) => ((model.params.transform === 'log' ? Math.log1p(v) : v) - model.scaler.mean[j]) / model.scaler.scale[j]);
  const d2 = model.centroids.map((c) => c.reduce((s, x, j) => s + (scaled[j] - x) ** 2, 0));
  let best = 0;
  d2.forEach((d, i) => {
    if (d < d2[best]) best = i;
  });
  return { best, d2 };
}

const customerValues = fc.tuple(
  fc.double({ min: 0, max: 10_000, noNaN: true }),
  fc.double({ min: 1, max: 1_000, noNaN: true }),
  fc.double({ min: 0, max: 1e7, noNaN: true }),
);
// Models in the range fitted models live in (scaled space of a few units), so ties are rare but possible.
const usableModel = modelArb({
  centroid: fc.oneof(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(-1, 0, 1)),
  mean: fc.double({ min: -5, max: 15, noNaN: true }),
  scale: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
});

describe('segment is the nearest centroid', () => {
  it('explain and batchAssigner pick the same centroid, and it is a nearest one', () => {
    fc.assert(
      fc.property(usableModel, customerValues, (model, values) => {
        const [recency, frequency, monetary] = values;
        const one = explain(model, { recency, frequency, monetary });
        const batch = batchAssigner(model)({ recency, frequency, monetary });
        const { best, d2 } = bruteForce(model, values);
        expect(batch).toBe(one.cluster);
        expect(one.segment).toBe(model.segments[one.cluster].name);
        // The chosen centroid is at the minimum distance (to rounding), and is the brute-force one
        // whenever the minimum is clear.
        expect(d2[one.cluster]).toBeLessThanOrEqual(d2[best] * (1 + 1e-12) + 1e-300);
        const runnerUp = Math.min(...d2.filter((_, i) => i !== best));
        if (runnerUp > d2[best] * (1 + 1e-9)) expect(one.cluster).toBe(best);
        // The explained distances are those distances.
        one.distances.forEach((d, i) => expect(Math.abs(d * d - d2[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, d2[i])));
      }),
      { numRuns: 500 },
    );
  });

  it('the built binary agrees (rfm segment --explain on the sample model)', async () => {
    const model = validateModel(JSON.parse(readFileSync(fixture('models', 'sample-model.json'), 'utf8')));
    await fc.assert(
      fc.asyncProperty(customerValues, async ([recency, frequency, monetary]) => {
        const r = await runRfm(['segment', '-m', fixture('models', 'sample-model.json'), '--recency', String(recency), '--frequency', String(frequency), '--monetary', String(monetary)]);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ cluster: explain(model, { recency, frequency, monetary }).cluster, segment: expect.any(String) });
        expect(JSON.parse(r.stdout).cluster).toBe(bruteForce(model, [recency, frequency, monetary]).best);
      }),
      { numRuns: 4 },
    );
  });
});
