/**
 * Export layouts recognised with no flags (EXPORTS-SPEC.md): each layout's role mapping, the
 * `columns:` line, first and second choices, --no-header names, and the no-header sniff.
 */
import { describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { detectColumns, headerlessColumns } from '../../src/io/columns.js';
import { looksLikeData } from '../../src/io/table.js';

const detect = (header: string[], overrides = {}) => detectColumns(header, overrides, 'tx.csv');

const SHOPIFY = 'Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Cancelled at'.split(',');
const STRIPE = 'id,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email'.split(',');
const WOO = 'Order ID,Order Number,Order Status,Order Date,Customer Email,Billing Email,Order Total,Payment Method'.split(',');
const SUPERSTORE = 'Row ID,Order ID,Order Date,Ship Date,Customer ID,Customer Name,Product Name,Sales,Quantity'.split(',');

describe('export layouts: mapping and the columns: line', () => {
  it('Shopify orders export: Email, Name, Created at, Lineitem quantity × price, Financial Status, Cancelled at, order-level fill-down', () => {
    const m = detect(SHOPIFY);
    expect(m.layout).toBe('Shopify orders export');
    // Total (a second-choice amount) is the order total: the layout says quantity × price instead.
    expect(m.columns).toEqual({ customer: 1, invoice: 0, date: 11, quantity: 12, price: 14, amount: -1 });
    expect(m.status).toBe(2);
    expect(m.cancelledAt).toBe(15);
    expect(m.refunded).toBe(-1);
    expect(m.orderLevel).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 15]);
    expect(m.notice).toBe(
      'columns: customer=Email, invoice=Name, date=Created at, amount=Lineitem quantity×Lineitem price, status=Financial Status (Shopify orders export)',
    );
  });

  it('Stripe payments export: Customer ID (not the e-mail), id, Created date (UTC), Amount − Amount Refunded, Status', () => {
    const m = detect(STRIPE);
    expect(m.layout).toBe('Stripe payments export');
    expect(m.columns).toEqual({ customer: 6, invoice: 0, date: 1, quantity: -1, price: -1, amount: 2 });
    expect([m.status, m.refunded, m.cancelledAt, m.orderLevel]).toEqual([5, 3, -1, []]);
    expect(m.notice).toBe('columns: customer=Customer ID, invoice=id, date=Created date (UTC), amount=Amount−Amount Refunded, status=Status (Stripe payments export)');
  });

  it('Stripe without a Customer ID column: the e-mail is the customer', () => {
    const m = detect(STRIPE.filter((h) => h !== 'Customer ID'));
    expect(m.notice).toMatch(/^columns: customer=Customer Email, /);
  });

  it('a refund is not subtracted from an amount a flag chose', () => {
    const m = detect(STRIPE, { amount: 'Amount Refunded' });
    expect(m.refunded).toBe(-1);
    expect(m.sources.amount).toBe('flag');
  });

  it('WooCommerce order export: Customer Email (second choice), Order ID, Order Date, Order Total, Order Status', () => {
    const m = detect(WOO);
    expect(m.layout).toBe('WooCommerce order export');
    expect(m.columns).toEqual({ customer: 4, invoice: 0, date: 3, quantity: -1, price: -1, amount: 6 });
    expect(m.status).toBe(2);
    expect(m.notice).toBe('columns: customer=Customer Email, invoice=Order ID, date=Order Date, amount=Order Total, status=Order Status (WooCommerce order export)');
  });

  it('WooCommerce: a Customer User ID column wins over the e-mail; Billing Email when there is no Customer Email; Order Number without Order ID', () => {
    expect(detect([...WOO, 'Customer User ID']).columns.customer).toBe(WOO.length);
    expect(detect(WOO.filter((h) => h !== 'Customer Email')).notice).toMatch(/^columns: customer=Billing Email, invoice=Order ID,/);
    expect(detect(WOO.filter((h) => h !== 'Order ID')).notice).toMatch(/invoice=Order Number,/);
  });

  it('Superstore-style line file: Customer ID, Order ID, Order Date, Sales', () => {
    const m = detect(SUPERSTORE);
    expect(m.layout).toBe('Superstore-style line file');
    expect(m.columns).toEqual({ customer: 4, invoice: 1, date: 2, quantity: 8, price: -1, amount: 7 });
    expect(m.status).toBe(-1);
    expect(m.notice).toBe('columns: customer=Customer ID, invoice=Order ID, date=Order Date, amount=Sales (Superstore-style line file)');
  });

  it('a flag still wins over the layout, and the line says what was used', () => {
    const m = detect(SHOPIFY, { amount: 'Total' });
    expect(m.columns.amount).toBe(9);
    expect(m.notice).toBe('columns: customer=Email, invoice=Name, date=Created at, amount=Total, status=Financial Status (Shopify orders export)');
  });

  it('UCI Online Retail (I and II) and CDNOW: named, but read by plain first choices: no columns: line', () => {
    expect(detect(['Invoice', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID', 'Country']).layout).toBe('UCI Online Retail II');
    const cdnow = detect(['customer_id', 'date', 'number_of_cds', 'dollar_value']);
    expect([cdnow.layout, cdnow.notice]).toEqual(['CDNOW', undefined]);
    expect(detect(['CustomerID', 'date', 'amount']).layout).toBeNull();
    const m = detect(['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    expect(m.layout).toBe('UCI Online Retail');
    expect(m.notice).toBeUndefined();
    expect([m.status, m.cancelledAt, m.refunded, m.orderLevel]).toEqual([-1, -1, -1, []]);
  });
});

describe('generic synonyms: first and second choices', () => {
  it('an e-mail column is a second choice for the customer, announced', () => {
    const m = detect(['email', 'order_number', 'purchase_date', 'line_total']);
    expect(m.columns).toMatchObject({ customer: 0, invoice: 1, date: 2, amount: 3 });
    expect(m.sources).toEqual({ customer: 'second choice', invoice: 'synonym', date: 'synonym', amount: 'synonym' });
    expect(m.notice).toBe('columns: customer=email, invoice=order_number, date=purchase_date, amount=line_total');
  });

  it('a first choice beats a second choice for the same role; a second choice for another role is still announced', () => {
    const m = detect(['Customer Email', 'customer_id', 'created_at', 'net sales']);
    expect(m.columns).toMatchObject({ customer: 1, date: 2, amount: 3 });
    expect(m.notice).toBe('columns: customer=customer_id, date=created_at, amount=net sales');
    expect(m.sources.customer).toBe('synonym');
    expect(m.sources.date).toBe('second choice');
  });

  it('second choices are taken in their order of preference, without an ambiguity error', () => {
    const m = detect(['billing_email', 'customer_email', 'date', 'grand_total', 'total']);
    expect(m.columns.customer).toBe(1); // customer_email before billing_email
    expect(m.columns.amount).toBe(4); // total before grand_total
  });

  it('an order total (second choice) is used only when there is no quantity × price', () => {
    expect(detect(['CustomerID', 'date', 'Quantity', 'UnitPrice', 'order_total']).columns.amount).toBe(-1);
    expect(detect(['CustomerID', 'date', 'Quantity', 'order_total']).columns.amount).toBe(3);
  });

  it('a status column is found by name outside the layouts too', () => {
    expect(detect(['CustomerID', 'date', 'amount', 'Payment Status']).status).toBe(3);
    expect(detect(['CustomerID', 'date', 'amount', 'state']).status).toBe(-1);
  });
});

describe('--no-header --columns names', () => {
  it('roles, id and synonyms name columns; _ skips one', () => {
    expect(headerlessColumns('id,_,date,quantity,amount')).toEqual({
      names: ['id', '_', 'date', 'quantity', 'amount'],
      overrides: { customer: 'id', date: 'date', quantity: 'quantity', amount: 'amount' },
    });
    expect(headerlessColumns('customer_id,InvoiceNo,_,_,price,qty').overrides).toEqual({ customer: 'customer_id', invoice: 'InvoiceNo', price: 'price', quantity: 'qty' });
  });

  it('an unknown name or a role given twice is a usage error', () => {
    for (const [spec, message] of [
      ['id,when,amount', '--columns: "when" is not a column role'],
      ['id,customer_id,date,amount', '--columns names the customer column twice ("id" and "customer_id")'],
    ]) {
      let error: unknown;
      try {
        headerlessColumns(spec);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RfmError);
      expect((error as RfmError).kind).toBe('usage');
      expect((error as RfmError).message).toBe(message);
    }
  });
});

describe('a first line that looks like data', () => {
  it.each([
    [['00004', '0001', '19970101', '2', '29.33']],
    [['17850', 'C536379', '2010-12-01 08:26', '6', '2.55']],
    [['CG-12520', 'CA-2016-152156', '11/8/2016', '261.96']],
    [['cus_9s8d7f', '2024-01-05 10:22:11 -0500', '12.50']],
  ])('%j is data', (fields) => {
    expect(looksLikeData(fields)).toBe(true);
  });

  it.each([
    [['customer_id', 'date', 'number_of_cds', 'dollar_value']],
    [SHOPIFY],
    [STRIPE],
    [['00004', 'Alice', '19970101', '29.33']], // a letters-only word: a header (or a bad one), not data
    [['C1', 'A2']], // ids alone, no number or date
  ])('%j is a header', (fields) => {
    expect(looksLikeData(fields)).toBe(false);
  });
});
