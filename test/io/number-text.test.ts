/**
 * numberText (io/records.ts) has a fast path for amounts in whole cents; it must print exactly what
 * String() prints, for every double.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberText } from '../../src/io/records.js';

describe('numberText = String() for finite numbers', () => {
  it('cents, tenths, whole numbers and their negatives, up to 15 digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(1, 10, 100, 1000), fc.boolean(), (digits, r, scale, negative) => {
        const v = ((negative ? -1 : 1) * Math.floor(r * 10 ** digits)) / scale;
        return numberText(v) === String(v);
      }),
      { numRuns: 20_000 },
    );
  });

  it('any double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => numberText(v) === String(v)), { numRuns: 20_000 });
  });

  it.each([0.1, 0.3, 2.675, 1.005, 0.005, 77183.6, -0.01, 1e-7, 5e-324, 99999999999999.99, 9999999999999.99, 1e21, -0, 0])('%s', (v) => {
    expect(numberText(v)).toBe(String(v));
  });

  it('non-finite numbers are empty', () => {
    expect([NaN, Infinity, -Infinity].map(numberText)).toEqual(['', '', '']);
  });
});
