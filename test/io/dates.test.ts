import { describe, expect, it } from 'vitest';
import { formatDate, formatTimestamp, parseTimestamp } from '../../src/io/dates.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('parseTimestamp: accepted layouts (zone-less = UTC)', () => {
  it.each([
    ['2010-12-01', utc(2010, 12, 1)],
    ['2010-12-01 08:26', utc(2010, 12, 1, 8, 26)],
    ['2010-12-01 08:26:59', utc(2010, 12, 1, 8, 26, 59)],
    ['2010-12-01 8:26', utc(2010, 12, 1, 8, 26)],
    ['2010-12-01 08:26:00.250', utc(2010, 12, 1, 8, 26, 0, 250)],
    ['2010/12/01 08:26', utc(2010, 12, 1, 8, 26)],
    ['  2010-12-01 08:26  ', utc(2010, 12, 1, 8, 26)],
  ])('YYYY-MM-DD[ HH:MM[:SS]]: %s', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it.each([
    ['2010-12-01T08:26:00', utc(2010, 12, 1, 8, 26)],
    ['2010-12-01T08:26:00Z', utc(2010, 12, 1, 8, 26)],
    ['2010-12-01T08:26Z', utc(2010, 12, 1, 8, 26)],
    ['2010-12-01T08:26:00.000Z', utc(2010, 12, 1, 8, 26)],
    ['2010-12-01T08:26:00+02:00', utc(2010, 12, 1, 6, 26)],
    ['2010-12-01T08:26:00+0200', utc(2010, 12, 1, 6, 26)],
    ['2010-12-01T01:00:00+02:00', utc(2010, 11, 30, 23, 0)],
    ['2010-12-01T22:30:00-05:30', utc(2010, 12, 2, 4, 0)],
  ])('ISO 8601 with T and zone: %s', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it.each([
    ['12/1/2010 8:26', utc(2010, 12, 1, 8, 26)],
    ['12/01/2010 08:26', utc(2010, 12, 1, 8, 26)],
    ['1/12/2011 17:06', utc(2011, 1, 12, 17, 6)],
    ['12/9/2011 12:50:30', utc(2011, 12, 9, 12, 50, 30)],
    ['2/29/2012', utc(2012, 2, 29)],
  ])('M/D/YYYY H:MM (US, the Online Retail export): %s', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it.each([
    ['19970101', utc(1997, 1, 1)],
    ['19980630', utc(1998, 6, 30)],
  ])('YYYYMMDD (CDNOW): %s', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it('--date-format dmy reads slashed dates day first; ISO layouts are unaffected', () => {
    expect(parseTimestamp('1/12/2011 17:06', 'dmy')).toBe(utc(2011, 12, 1, 17, 6));
    expect(parseTimestamp('25/12/2011', 'dmy')).toBe(utc(2011, 12, 25));
    expect(parseTimestamp('25/12/2011', 'mdy')).toBeNaN();
    expect(parseTimestamp('2011-01-02', 'dmy')).toBe(utc(2011, 1, 2));
    expect(parseTimestamp('20110102', 'dmy')).toBe(utc(2011, 1, 2));
  });
});

describe('parseTimestamp: invalid dates are NaN, never rolled over', () => {
  it.each([
    '2011-02-30',
    '2011-02-29',
    '2011-13-01',
    '2011-00-10',
    '2011-04-31',
    '2/30/2011',
    '13/1/2011 10:00',
    '20110230',
    '20111301',
    '2011-01-01 24:00',
    '2011-01-01 23:60',
    '2011-01-01 23:59:60',
    '2011-01-01T10:00:00+25:00',
    '2011-01-01T10:00:00 garbage',
    '2011-01-01X10:00',
    '12/1/11 8:26',
    'yesterday',
    '',
    'NaN',
    '1293840000',
  ])('%j', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });

  it('leap days are valid only in leap years (1900 is not, 2000 is)', () => {
    expect(parseTimestamp('2000-02-29')).toBe(utc(2000, 2, 29));
    expect(parseTimestamp('1900-02-29')).toBeNaN();
  });
});

describe('formatting is UTC', () => {
  it('formatDate / formatTimestamp', () => {
    expect(formatDate(utc(1998, 7, 1, 23, 59))).toBe('1998-07-01');
    expect(formatTimestamp(utc(1998, 7, 1))).toBe('1998-07-01T00:00:00Z');
    expect(formatTimestamp(utc(1998, 7, 1, 0, 0, 0, 5))).toBe('1998-07-01T00:00:00.005Z');
  });
});
