/**
 * DateColumn keeps the reading of values that depend on their text alone (a layout with a fixed
 * order, or every value once --date-format forces the order). These check that what it gives from
 * that memory is what reading gives, and that values whose reading depends on the column's order
 * (slashed dates before the order is decided) are never taken from it.
 */
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/io/dates.js';
import { DateColumn } from '../../src/io/value-layouts.js';

const column = (forced?: 'dmy' | 'mdy' | 'ymd') => new DateColumn('date', 1, 'tx.csv', forced, { waiting: 0 });

describe('DateColumn: values read again', () => {
  it('fixed layouts, repeated out of order, read as parseTimestamp reads them (invalid ones stay NaN)', () => {
    const dates = ['19970101', '1997-01-02', '19970101', '2024-02-30', '1997-01-02 10:00', '19970101', '2024-02-30', 'soon'];
    const c = column();
    for (const [i, text] of dates.entries()) expect(c.parse(text, i + 2)).toEqual(parseTimestamp(text));
  });

  it('a slashed date read before the order is decided is read again under the decided order', () => {
    const c = column();
    // "01/02/2024" may be either order: provisional (month first) until "13/02/2024" decides day first.
    expect(c.parse('01/02/2024', 2)).toBe(Date.UTC(2024, 0, 2));
    expect(c.parse('13/02/2024', 3)).toBe(Date.UTC(2024, 1, 13));
    expect(c.parse('02/03/2024', 4)).toBe(Date.UTC(2024, 2, 2));
    expect(c.parse('01/02/2024', 5)).toBe(Date.UTC(2024, 1, 1));
  });

  it('a forced order reads every value with it, the second time too', () => {
    const c = column('dmy');
    for (let pass = 0; pass < 2; pass++) {
      expect(c.parse('01/02/2024', 2)).toBe(Date.UTC(2024, 1, 1));
      expect(c.parse('2/1/2024', 3)).toBe(Date.UTC(2024, 0, 2));
      expect(c.parse('12/31/2024', 4)).toBeNaN();
    }
  });

  it('past its limit of distinct values (timestamps to the second), values still read right', () => {
    const c = column();
    const start = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 60_000; i++) {
      const ms = start + i * 1000;
      const text = new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
      if (c.parse(text, i + 2) !== ms) throw new Error(`${text} read as ${c.parse(text, i + 2)}`);
    }
    expect(c.parse('2024-01-01 00:00:07', 2)).toBe(start + 7000);
    expect(c.parse('19970101', 3)).toBe(Date.UTC(1997, 0, 1));
  });
});
