/**
 * RfmAccumulator keeps distinct invoices as small integers in sorted arrays when they are plain
 * whole numbers, and as text otherwise: frequency must still count distinct invoice *texts*,
 * whatever the order lines arrive in ("0536365" and "536365" are two invoices).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, RfmAccumulator } from '../../src/core/rfm.js';

const invoices = ['536365', '536366', '0536365', '0', '00', '7', '1073741823', '999999999', '1234567890', 'C536365', 'A1', '', ' 7', '7 ', '5e5'];

describe('frequency = distinct invoice texts per customer', () => {
  it('matches a Set of strings, for any order of lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom(...invoices), fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 60 }),
        (lines) => {
          const acc = new RfmAccumulator(undefined, true);
          const want = new Map<string, Set<string>>();
          for (const [customer, invoice, day] of lines) {
            acc.add(customer, invoice, day * DAY_MS, 1);
            if (!want.has(customer)) want.set(customer, new Set());
            want.get(customer)!.add(invoice);
          }
          const got = Object.fromEntries(acc.finish().customers.map((c) => [c.customerId, c.frequency]));
          expect(got).toEqual(Object.fromEntries([...want].map(([c, s]) => [c, s.size])));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('without an invoice column, distinct purchase days, in any order', () => {
    const acc = new RfmAccumulator(undefined, false);
    for (const day of [5, 3, 5, 9, 3, 1, 9]) acc.add('a', '', day * DAY_MS + 3600_000, 1);
    expect(acc.finish().customers[0].frequency).toBe(4);
  });

  it('many customers: columns grow, sums stay exact', () => {
    const acc = new RfmAccumulator(undefined, true);
    for (let i = 0; i < 5000; i++) for (let j = 0; j < 3; j++) acc.add(`c${i % 2500}`, String(1000 + j + (i % 7)), i * 1000, 0.1);
    const customers = acc.finish().customers;
    expect(customers).toHaveLength(2500);
    expect(customers.every((c) => Math.abs(c.monetary - 0.6) < 1e-12)).toBe(true);
  });
});
