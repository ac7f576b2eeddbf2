/**
 * Names and descriptions never contradict the numbers (issue 16): over generated customer bases
 * with k = 2..8, on the committed sample model and on CDNOW, every statement of every segment is
 * recomputed from the raw customers by segment-claims.ts (which reads only the words).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchAssigner } from '../../src/core/assign.js';
import { DEFAULT_PARAMS, fitSegments } from '../../src/core/fit.js';
import { validateModel } from '../../src/core/model.js';
import { fixture } from '../cli/helpers.js';
import { claimProblems, parseDescription, type Customer } from './segment-claims.js';

/** An RFM table written by pandas (fixtures/golden/make-pandas-golden.py): the raw customers. */
function pandasTable(name: string): (Customer & { customerId: string })[] {
  const [header, ...lines] = readFileSync(fixture('golden', name), 'utf8').trim().split('\n');
  expect(header).toBe('customer_id,recency,frequency,monetary');
  return lines.map((line) => {
    const [customerId, recency, frequency, monetary] = line.split(',');
    return { customerId, recency: Number(recency), frequency: Number(frequency), monetary: Number(monetary) };
  });
}

// Bases shaped like real ones: many one-time buyers (ties in frequency), recency in days,
// heavy-tailed spend; sometimes a handful of values only, so that ties and collapsed fifths occur.
const customerArb = fc.record({
  customerId: fc.constant('c'),
  recency: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 700 })),
  frequency: fc.oneof(fc.constant(1), fc.constant(1), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 60 })),
  monetary: fc.oneof(fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 50_000, noNaN: true }), fc.constantFrom(0, 9.99, 100)),
});

describe('generated bases, k = 2..8', () => {
  it('every name, description, qualifier and action is true of the segment', () => {
    fc.assert(
      fc.property(
        fc.array(customerArb, { minLength: 12, maxLength: 250 }),
        fc.integer({ min: 2, max: 8 }),
        fc.constantFrom('log' as const, 'none' as const),
        (rows, k, transform) => {
          fc.pre(new Set(rows.map((r) => `${r.recency},${r.frequency},${r.monetary}`)).size >= k);
          const fit = fitSegments(rows, { ...DEFAULT_PARAMS, k, transform, nInit: 1 });
          expect(claimProblems(fit.segments, rows, fit.labels)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('k = 1 is "All customers", described against the whole base', () => {
    fc.assert(
      fc.property(fc.array(customerArb, { minLength: 2, maxLength: 100 }), (rows) => {
        const fit = fitSegments(rows, { ...DEFAULT_PARAMS, k: 1, nInit: 1 });
        expect(fit.segments.map((s) => s.name)).toEqual(['All customers']);
        expect(claimProblems(fit.segments, rows, fit.labels)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the committed sample model', () => {
  const model = validateModel(JSON.parse(readFileSync(fixture('models', 'sample-model.json'), 'utf8')));
  const customers = pandasTable('rfm-online-retail-pandas.csv');

  it('states only true facts about its segments (customers from pandas, in the model\'s segments)', () => {
    const assign = batchAssigner(model);
    const labels = customers.map((c) => assign(c));
    expect(claimProblems(model.segments, customers, labels)).toEqual([]);
  });

  it('keeps the four names, and the reference customers land in them', () => {
    const assign = batchAssigner(model);
    const segmentOf = (recency: number, frequency: number, monetary: number) => model.segments[assign({ recency, frequency, monetary })].name;
    expect(segmentOf(5, 15, 25000)).toBe('Loyal High-Value');
    expect(segmentOf(15, 2, 800)).toBe('Potential Loyalists');
    expect(segmentOf(60, 3, 3000)).toBe('Occasional Buyers');
    expect(segmentOf(250, 1, 400)).toBe('Churn Risk');
  });

  it('says what the table says (hand-read from the summary golden: Churn Risk 165.6 days, 1.3 orders, 329.44)', () => {
    const churn = parseDescription(model.segments[3].description);
    expect(churn?.map((c) => c.value)).toEqual([166, 1.3, 329]);
  });
});

describe('CDNOW (23,502 customers, 51 % of them one-time buyers)', () => {
  const customers = pandasTable('rfm-cdnow-pandas.csv');

  it.each([2, 3, 4, 5, 6, 7, 8])('k = %i: no name or description contradicts the numbers', (k) => {
    const fit = fitSegments(customers, { ...DEFAULT_PARAMS, k, nInit: k === 4 ? DEFAULT_PARAMS.nInit : 2 });
    expect(claimProblems(fit.segments, customers, fit.labels)).toEqual([]);
  });

  it('k = 4: the frequent recent cluster (183 days, more recent than 77 %, 4.3 orders) is not called Potential Loyalists', () => {
    const fit = fitSegments(customers, DEFAULT_PARAMS);
    const names = fit.segments.map((s) => s.name);
    expect(names).toEqual(['Loyal High-Value', 'Loyal', 'Occasional Buyers', 'Churn Risk']);
    expect(fit.segments[1].description).toMatch(/^Last bought 183 days ago on average \(more recently than 77 % of customers\), 4\.3 orders/);
  });
});
