import { describe, expect, it } from 'vitest';
import { dateLayoutName, formatDate, formatTimestamp, orderEvidence, parseTimestamp, utcDay } from '../../src/io/dates.js';

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

describe('parseTimestamp: the layouts of real exports (EXPORTS-SPEC.md "Values")', () => {
  it.each([
    // Shopify writes the zone after a space; each is that instant, in UTC.
    ['2024-01-05 10:22:11 -0500', utc(2024, 1, 5, 15, 22, 11)],
    ['2024-01-05 22:30:00 -0500', utc(2024, 1, 6, 3, 30)],
    ['2024-01-05 01:00:00 +0100', utc(2024, 1, 5, 0, 0)],
    ['2024-01-05T10:22:11-05:00', utc(2024, 1, 5, 15, 22, 11)],
    ['2024-01-05 10:22:11 -05:00', utc(2024, 1, 5, 15, 22, 11)],
    ['2024-01-05T10:22:11+0000', utc(2024, 1, 5, 10, 22, 11)],
    ['2024-01-05 10:22:11 +0000', utc(2024, 1, 5, 10, 22, 11)],
    ['2024-01-05 10:22:11 UTC', utc(2024, 1, 5, 10, 22, 11)],
    ['2024-01-05 10:22:11UTC', utc(2024, 1, 5, 10, 22, 11)],
    ['2024-01-05 10:22 Z', utc(2024, 1, 5, 10, 22)],
  ])('zone offset as an instant: %s', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it('a zone moves the purchase to its UTC day (recency counts UTC days)', () => {
    // 22:30 in New York on Jan 5 is 03:30 UTC on Jan 6.
    expect(formatDate(parseTimestamp('2024-01-05 22:30:00 -0500'))).toBe('2024-01-06');
    expect(utcDay(parseTimestamp('2024-01-06 00:30:00 +0100'))).toBe(utcDay(utc(2024, 1, 5)));
  });

  it.each([
    ['11/8/2016', 'mdy', utc(2016, 11, 8)],
    ['1/8/2016', 'mdy', utc(2016, 1, 8)], // 8 characters: not YYYYMMDD
    ['1/8/2016', 'dmy', utc(2016, 8, 1)],
    ['25/12/2023', 'dmy', utc(2023, 12, 25)],
    ['25/12/2023 9:05', 'dmy', utc(2023, 12, 25, 9, 5)],
    ['12/25/2023 09:05:30', 'mdy', utc(2023, 12, 25, 9, 5, 30)],
  ] as const)('date-only and timed slashed dates: %s (%s)', (text, order, want) => {
    expect(parseTimestamp(text, order)).toBe(want);
  });

  it.each([
    ['5.1.2024', utc(2024, 1, 5)],
    ['25.12.2023', utc(2023, 12, 25)],
    ['25.12.2023 14:30', utc(2023, 12, 25, 14, 30)],
    ['05-01-2024', utc(2024, 1, 5)],
    ['25-12-2023 14:30:15', utc(2023, 12, 25, 14, 30, 15)],
  ])('D.M.YYYY and DD-MM-YYYY are day first whatever the order: %s', (text, want) => {
    expect(parseTimestamp(text, 'mdy')).toBe(want);
    expect(parseTimestamp(text, 'dmy')).toBe(want);
  });

  it.each([
    ['Jan 5, 2024', utc(2024, 1, 5)],
    ['January 5, 2024', utc(2024, 1, 5)],
    ['Sep 30 2023', utc(2023, 9, 30)],
    ['05-Jan-2024', utc(2024, 1, 5)],
    ['5-jan-2024 10:15', utc(2024, 1, 5, 10, 15)],
    ['5 January 2024', utc(2024, 1, 5)],
    ['31 Dec 2023 23:59:59', utc(2023, 12, 31, 23, 59, 59)],
  ])('month names: %s', (text, want) => {
    expect(parseTimestamp(text)).toBe(want);
  });

  it.each(['Feb 30, 2024', '31 Apr 2024', 'Jann 5, 2024', '5 Janvier 2024', '5.13.2024', '32-01-2024', '2024-01-05 10:22:11 -05', '2024-01-05 10:22:11 EST', '2024-01-05 10:22:11  -0500'])(
    'not a date: %j',
    (text) => {
      expect(parseTimestamp(text)).toBeNaN();
    },
  );

  it("'ymd' accepts year-first dates only: a slashed D/M or M/D value is invalid under it", () => {
    expect(parseTimestamp('2024/01/05', 'ymd')).toBe(utc(2024, 1, 5));
    expect(parseTimestamp('2024-01-05 10:00', 'ymd')).toBe(utc(2024, 1, 5, 10));
    expect(parseTimestamp('20240105', 'ymd')).toBe(utc(2024, 1, 5));
    expect(parseTimestamp('1/5/2024', 'ymd')).toBeNaN();
    expect(parseTimestamp('25/12/2023', 'ymd')).toBeNaN();
  });
});

describe('orderEvidence: what a slashed date says about its column', () => {
  it.each([
    ['25/12/2023', 'dmy'],
    ['13/1/2024 10:00', 'dmy'],
    ['12/25/2023', 'mdy'],
    ['1/13/2024', 'mdy'],
    ['3/4/2024', 'either'],
    ['12/12/2023 8:00', 'either'],
    ['13/13/2023', 'neither'],
    ['2024-01-05', 'none'],
    ['5.1.2024', 'none'],
    ['Jan 5, 2024', 'none'],
  ])('%s → %s', (text, want) => {
    expect(orderEvidence(text)).toBe(want);
  });

  it('names layouts for the notes and rfm inspect', () => {
    expect(dateLayoutName('2024-01-05 10:22:11 -0500', undefined)).toBe('YYYY-MM-DD HH:MM ±zone');
    expect(dateLayoutName('2010-12-01 08:26:00', undefined)).toBe('YYYY-MM-DD HH:MM');
    expect(dateLayoutName('2010-12-01', undefined)).toBe('YYYY-MM-DD');
    expect(dateLayoutName('3/4/2024', 'dmy')).toBe('D/M/YYYY');
    expect(dateLayoutName('3/4/2024', 'mdy')).toBe('M/D/YYYY');
    expect(dateLayoutName('19970101', undefined)).toBe('YYYYMMDD');
    expect(dateLayoutName('05-Jan-2024', undefined)).toBe('month name');
  });
});

describe('formatting is UTC', () => {
  it('formatDate / formatTimestamp', () => {
    expect(formatDate(utc(1998, 7, 1, 23, 59))).toBe('1998-07-01');
    expect(formatTimestamp(utc(1998, 7, 1))).toBe('1998-07-01T00:00:00Z');
    expect(formatTimestamp(utc(1998, 7, 1, 0, 0, 0, 5))).toBe('1998-07-01T00:00:00.005Z');
  });
});
