import { describe, expect, it } from 'vitest';
import { baseDistribution, countAround, describeProfile, groupedFixed, profileSegment, quintileOf } from '../../src/core/describe-segment.js';

describe('countAround and quintileOf', () => {
  const sorted = Float64Array.from([1, 1, 1, 2, 3, 5, 8, 8, 13, 21]);

  it('counts the base below, equal to and above a value', () => {
    expect(countAround(sorted, 1)).toEqual({ below: 0, equal: 3, above: 7 });
    expect(countAround(sorted, 4)).toEqual({ below: 5, equal: 0, above: 5 });
    expect(countAround(sorted, 8)).toEqual({ below: 6, equal: 2, above: 2 });
    expect(countAround(sorted, 0)).toEqual({ below: 0, equal: 0, above: 10 });
    expect(countAround(sorted, 99)).toEqual({ below: 10, equal: 0, above: 0 });
  });

  it('counts the same in any order of the base (the fit passes its columns unsorted)', () => {
    const shuffled = Float64Array.from([8, 21, 1, 5, 13, 1, 3, 8, 2, 1]);
    for (const value of [0, 1, 4, 8, 99]) expect(countAround(shuffled, value)).toEqual(countAround(sorted, value));
  });

  it('places a value in a fifth by its mid-rank (ties count half)', () => {
    // 1: mid-rank 1.5 / 10 = 15 % → 1; 4: 50 % → 3; 8: 7 / 10 = 70 % → 4; 40 % exactly → 3.
    expect(quintileOf({ below: 0, equal: 3 }, 10)).toBe(1);
    expect(quintileOf({ below: 5, equal: 0 }, 10)).toBe(3);
    expect(quintileOf({ below: 6, equal: 2 }, 10)).toBe(4);
    expect(quintileOf({ below: 4, equal: 0 }, 10)).toBe(3);
    expect(quintileOf({ below: 10, equal: 0 }, 10)).toBe(5);
  });
});

describe('groupedFixed', () => {
  it('groups thousands and fixes the decimals, whatever the locale', () => {
    expect(groupedFixed(7634.528, 0)).toBe('7,635');
    expect(groupedFixed(1234567.891, 2)).toBe('1,234,567.89');
    expect(groupedFixed(18.2, 2)).toBe('18.20');
    expect(groupedFixed(999.5, 0)).toBe('1,000');
    expect(groupedFixed(0, 1)).toBe('0.0');
  });
});

describe('profileSegment and describeProfile', () => {
  // 20 customers: recency 1..20 days, frequency 1 for half of them and 2..11 for the rest, spend 10..200.
  const rows = Array.from({ length: 20 }, (_, i) => ({ customerId: String(i), recency: i + 1, frequency: i < 10 ? 1 : i - 8, monetary: 10 * (i + 1) }));
  const base = baseDistribution(rows);

  it('states each mean against the whole base, rounded down to whole percent', () => {
    // recency 4.4 → 4 days: 16 customers bought longer ago (80 %); frequency 6.04 → 6.0: 14 customers
    // have fewer (70 %); spend 163.4 → 163: 16 customers spent less (80 %).
    const p = profileSegment({ recency: 4.4, frequency: 6.04, monetary: 163.4 }, base);
    expect(describeProfile(p)).toBe(
      'Last bought 4 days ago on average (more recently than 80 % of customers), 6.0 orders (more than 70 % of customers), spent 163 (more than 80 % of customers)',
    );
    // Mid-ranks: recency 3.5 / 20 → fifth 1, so R = 5; frequency 14 / 20 = 70 % → 4; spend 16 / 20 → 5.
    expect([p.r, p.f, p.m]).toEqual([5, 4, 5]);
  });

  it('says "the same as" only when nearly every customer ties with the value', () => {
    const ones = baseDistribution(Array.from({ length: 200 }, (_, i) => ({ customerId: String(i), recency: i, frequency: 1, monetary: i === 0 ? 5 : 9.99 })));
    const p = profileSegment({ recency: 1, frequency: 1, monetary: 9.99 }, ones);
    expect(describeProfile(p)).toBe(
      'Last bought 1 day ago on average (more recently than 99 % of customers), 1.0 orders (the same as 100 % of customers), spent 9.99 (the same as 99 % of customers)',
    );
  });
});
