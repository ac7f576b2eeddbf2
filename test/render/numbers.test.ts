import { describe, expect, it } from 'vitest';
import { formatInt } from '../../src/render/numbers.js';

const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

describe('formatInt', () => {
  it('groups whole numbers exactly as Intl en-US does', () => {
    const values = [0, -0, 1, -1, 7, 12, 999, 1000, -1000, 9999, 12345, 100000, 999999, 1000000, 1067371, -1067371, 10673710];
    for (let p = 0; p <= 15; p++) values.push(10 ** p, 10 ** p - 1, -(10 ** p), 2 * 10 ** p + 3);
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER);
    for (const v of values) expect(formatInt(v), String(v)).toBe(intl.format(v));
  });

  it('leaves what is not a safe integer to Intl (fractions rounded, huge values)', () => {
    for (const v of [0.5, 1.5, 2.5, -2.5, 1234.4999, 1e21, 2 ** 60, Infinity, -Infinity, NaN]) {
      expect(formatInt(v), String(v)).toBe(intl.format(v));
    }
  });

  it('is "1,067,371" for the bench file row count', () => {
    expect(formatInt(1067371)).toBe('1,067,371');
  });
});
