import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLEANING,
  RULE_ORDER,
  dropRule,
  emptyDropCounts,
  isCancellation,
  isMissingCustomer,
  isNonpositivePrice,
  isNonpositiveQuantity,
  lineValue,
  normalizeCustomerId,
  type CleaningOptions,
  type ParsedRow,
} from '../../src/core/clean.js';

const T = Date.UTC(2011, 0, 1);

/** A kept quantity × price row, with fields overridden. */
function row(over: Partial<ParsedRow> = {}): ParsedRow {
  return {
    customerId: '17850',
    invoice: '536365',
    time: T,
    quantity: 6,
    price: 2.55,
    amount: NaN,
    hasQuantity: true,
    hasPrice: true,
    hasAmount: false,
    ...over,
  };
}

/** A row of a log with an amount column and no quantity/price (CDNOW). */
function amountRow(amount: number, over: Partial<ParsedRow> = {}): ParsedRow {
  return row({ invoice: '', quantity: NaN, price: NaN, amount, hasQuantity: false, hasPrice: false, hasAmount: true, ...over });
}

const opts = (over: Partial<CleaningOptions> = {}): CleaningOptions => ({ ...DEFAULT_CLEANING, ...over });

describe('customer ids are text', () => {
  it.each([
    ['17850', '17850'],
    ['17850.0', '17850'],
    ['17850.00', '17850'],
    [' 17850.0 ', '17850'],
    ['00001', '00001'],
    ['00001.0', '00001'],
    ['17850.5', '17850.5'],
    ['C-17850', 'C-17850'],
    ['abc.0', 'abc.0'],
  ])('%j → %j', (raw, want) => {
    expect(normalizeCustomerId(raw)).toBe(want);
  });

  it.each(['', '   ', 'NaN', 'nan', 'NULL', 'null', 'NA', 'N/A', 'n/a', '#N/A', 'None', '<NA>', '-NaN'])('pandas NA string %j is a missing id', (raw) => {
    expect(normalizeCustomerId(raw)).toBe('');
    expect(isMissingCustomer(normalizeCustomerId(raw))).toBe(true);
  });

  it('"0" and "none" (lower case, not a pandas NA value) are ids', () => {
    expect(normalizeCustomerId('0')).toBe('0');
    expect(normalizeCustomerId('none')).toBe('none');
  });
});

describe('the named rules', () => {
  it('cancellation: an invoice that is C followed by digits (the UCI convention), nothing else', () => {
    expect(isCancellation('C536379')).toBe(true);
    expect(isCancellation(' C536379 ')).toBe(true);
    expect(isCancellation('c536379')).toBe(false);
    expect(isCancellation('CA-2016-152156')).toBe(false);
    expect(isCancellation('C536379A')).toBe(false);
    expect(isCancellation('C')).toBe(false);
    expect(isCancellation('536379')).toBe(false);
    expect(isCancellation('A563185')).toBe(false);
    expect(isCancellation('')).toBe(false);
  });

  it('nonpositive quantity and price: <= 0', () => {
    expect([-1, 0, 0.5, 1].map(isNonpositiveQuantity)).toEqual([true, true, false, false]);
    expect([-11062.06, 0, 0.001, 2.55].map(isNonpositivePrice)).toEqual([true, true, false, false]);
  });

  it('the rule order is fixed and each rule is counted', () => {
    expect(RULE_ORDER).toEqual(['missing_customer', 'cancelled', 'status', 'invalid_date', 'invalid_number', 'nonpositive_quantity', 'nonpositive_price', 'duplicate']);
    expect(emptyDropCounts()).toEqual({
      missing_customer: 0,
      cancelled: 0,
      status: 0,
      invalid_date: 0,
      invalid_number: 0,
      nonpositive_quantity: 0,
      nonpositive_price: 0,
      duplicate: 0,
      after_as_of: 0,
    });
  });
});

describe('dropRule', () => {
  it('keeps a good row', () => {
    expect(dropRule(row(), opts())).toBeNull();
    expect(dropRule(amountRow(11.77), opts())).toBeNull();
  });

  it.each<[string, Partial<ParsedRow>, string]>([
    ['missing customer', { customerId: '' }, 'missing_customer'],
    ['cancellation', { invoice: 'C536379', quantity: -1 }, 'cancelled'],
    ['unparseable date', { time: NaN }, 'invalid_date'],
    ['unparseable quantity', { quantity: NaN }, 'invalid_number'],
    ['unparseable price', { price: NaN }, 'invalid_number'],
    ['quantity 0', { quantity: 0 }, 'nonpositive_quantity'],
    ['quantity < 0', { quantity: -12 }, 'nonpositive_quantity'],
    ['price 0', { price: 0 }, 'nonpositive_price'],
    ['price < 0', { price: -11062.06 }, 'nonpositive_price'],
  ])('%s → %s', (_name, over, rule) => {
    expect(dropRule(row(over), opts())).toBe(rule);
  });

  it('amount column: amount <= 0 is nonpositive_price, unparseable amount is invalid_number', () => {
    expect(dropRule(amountRow(0), opts())).toBe('nonpositive_price');
    expect(dropRule(amountRow(-5), opts())).toBe('nonpositive_price');
    expect(dropRule(amountRow(NaN), opts())).toBe('invalid_number');
  });

  it('amount column with a quantity column: quantity <= 0 still drops, the amount is the value', () => {
    const r = amountRow(10, { quantity: 0, hasQuantity: true });
    expect(dropRule(r, opts())).toBe('nonpositive_quantity');
    expect(lineValue(amountRow(10, { quantity: 3, price: 7, hasQuantity: true, hasPrice: true }))).toBe(10);
  });

  it('the first matching rule wins: missing customer before cancellation before the rest', () => {
    expect(dropRule(row({ customerId: '', invoice: 'C1', time: NaN, quantity: -1, price: 0 }), opts())).toBe('missing_customer');
    expect(dropRule(row({ invoice: 'C1', time: NaN, quantity: -1, price: 0 }), opts())).toBe('cancelled');
    expect(dropRule(row({ time: NaN, quantity: NaN }), opts())).toBe('invalid_date');
    expect(dropRule(row({ quantity: -1, price: 0 }), opts())).toBe('nonpositive_quantity');
  });

  it('--keep-cancelled keeps cancellations (other rules still apply)', () => {
    expect(dropRule(row({ invoice: 'C536379' }), opts({ keepCancelled: true }))).toBeNull();
    expect(dropRule(row({ invoice: 'C536379', quantity: -1 }), opts({ keepCancelled: true }))).toBe('nonpositive_quantity');
  });

  it('--keep-nonpositive-quantity keeps quantity <= 0 but not an unparseable quantity', () => {
    expect(dropRule(row({ quantity: -3 }), opts({ keepNonpositiveQuantity: true }))).toBeNull();
    expect(dropRule(row({ quantity: 0 }), opts({ keepNonpositiveQuantity: true }))).toBeNull();
    expect(dropRule(row({ quantity: NaN }), opts({ keepNonpositiveQuantity: true }))).toBe('invalid_number');
  });

  it('--keep-nonpositive-price keeps price (or amount) <= 0', () => {
    expect(dropRule(row({ price: 0 }), opts({ keepNonpositivePrice: true }))).toBeNull();
    expect(dropRule(row({ price: -1 }), opts({ keepNonpositivePrice: true }))).toBeNull();
    expect(dropRule(amountRow(0), opts({ keepNonpositivePrice: true }))).toBeNull();
  });

  it('switches are independent', () => {
    const both = row({ invoice: 'C1', quantity: -1, price: 0 });
    expect(dropRule(both, opts({ keepCancelled: true }))).toBe('nonpositive_quantity');
    expect(dropRule(both, opts({ keepCancelled: true, keepNonpositiveQuantity: true }))).toBe('nonpositive_price');
    expect(dropRule(both, opts({ keepCancelled: true, keepNonpositiveQuantity: true, keepNonpositivePrice: true }))).toBeNull();
  });
});

describe('lineValue', () => {
  it('is quantity × price, or the amount when there is an amount column', () => {
    expect(lineValue(row({ quantity: 6, price: 2.55 }))).toBeCloseTo(15.3, 12);
    expect(lineValue(amountRow(11.77))).toBe(11.77);
  });
});
