/** Rule `status` (EXPORTS-SPEC.md): the exact values dropped, their normalisation, and the switches. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING, VOID_STATUSES, dropRule, isVoidStatus, normalizeStatus, type ParsedRow } from '../../src/core/clean.js';

const row = (over: Partial<ParsedRow> = {}): ParsedRow => ({
  customerId: '1',
  invoice: '1001',
  time: 0,
  quantity: NaN,
  price: NaN,
  amount: 10,
  hasQuantity: false,
  hasPrice: false,
  hasAmount: true,
  status: '',
  orderCancelled: false,
  refunded: 0,
  ...over,
});

describe('status values', () => {
  it('the dropped list is exactly the spec', () => {
    expect(VOID_STATUSES).toEqual([
      'cancelled', 'canceled', 'refunded', 'voided', 'void', 'failed', 'declined',
      'pending', 'pending payment', 'draft', 'checkout draft', 'trash',
    ]);
  });

  it.each([
    'cancelled', 'Canceled', 'REFUNDED', 'voided', 'Void', 'failed', 'Declined', 'pending', 'Pending payment',
    'wc-pending', 'wc-cancelled', 'wc-refunded', 'wc-failed', 'wc-checkout-draft', 'draft', 'trash', ' pending_payment ', 'Pending  Payment',
  ])('%j is dropped', (value) => {
    expect(isVoidStatus(value)).toBe(true);
    expect(dropRule(row({ status: value }), DEFAULT_CLEANING)).toBe('status');
  });

  it.each(['paid', 'Completed', 'wc-completed', 'Processing', 'On hold', 'wc-on-hold', 'authorized', 'partially_refunded', 'Partially paid', 'Succeeded', ''])(
    '%j is kept',
    (value) => {
      expect(isVoidStatus(value)).toBe(false);
      expect(dropRule(row({ status: value }), DEFAULT_CLEANING)).toBeNull();
    },
  );

  it('normalisation: trimmed, lower case, wc- removed, _ and - as spaces, one space', () => {
    expect(normalizeStatus('  WC-Pending__Payment ')).toBe('pending payment');
    expect(normalizeStatus('checkout-draft')).toBe('checkout draft');
  });
});

describe('rule status in dropRule', () => {
  it('an order with a Cancelled at is dropped, whatever its status', () => {
    expect(dropRule(row({ status: 'paid', orderCancelled: true }), DEFAULT_CLEANING)).toBe('status');
  });

  it('--keep-status keeps both', () => {
    const keep = { ...DEFAULT_CLEANING, keepStatus: true };
    expect(dropRule(row({ status: 'refunded' }), keep)).toBeNull();
    expect(dropRule(row({ orderCancelled: true }), keep)).toBeNull();
  });

  it('a payment refunded in full (amount already net of the refund) is a status drop, a partial refund is kept', () => {
    expect(dropRule(row({ amount: 0, refunded: 25 }), DEFAULT_CLEANING)).toBe('status');
    expect(dropRule(row({ amount: 20, refunded: 10 }), DEFAULT_CLEANING)).toBeNull();
    // Without a refund, an amount <= 0 is still nonpositive_price.
    expect(dropRule(row({ amount: 0 }), DEFAULT_CLEANING)).toBe('nonpositive_price');
  });

  it('status comes after missing customer and cancellation, before the parse rules', () => {
    expect(dropRule(row({ customerId: '', status: 'failed' }), DEFAULT_CLEANING)).toBe('missing_customer');
    expect(dropRule(row({ invoice: 'C1', status: 'failed' }), DEFAULT_CLEANING)).toBe('cancelled');
    expect(dropRule(row({ time: NaN, status: 'failed' }), DEFAULT_CLEANING)).toBe('status');
  });
});
