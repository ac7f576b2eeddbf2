import { describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { ROLE_SYNONYMS, detectTransactionColumns, normalizeName, type TransactionRole } from '../../src/io/columns.js';

const detect = (header: string[], overrides = {}) => detectTransactionColumns(header, overrides, 'tx.csv');

function thrown(fn: () => unknown): RfmError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RfmError);
    return error as RfmError;
  }
  throw new Error('expected an RfmError');
}

describe('column detection: the three real layouts need no flags', () => {
  it('UCI Online Retail', () => {
    const header = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];
    expect(detect(header)).toEqual({ customer: 6, invoice: 0, date: 4, quantity: 3, price: 5, amount: -1 });
  });

  it('Online Retail II', () => {
    const header = ['Invoice', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID', 'Country'];
    expect(detect(header)).toEqual({ customer: 6, invoice: 0, date: 4, quantity: 3, price: 5, amount: -1 });
  });

  it('CDNOW (whitespace header split into fields)', () => {
    const header = ' customer_id  date number_of_cds  dollar_value'.trim().split(/\s+/);
    expect(detect(header)).toEqual({ customer: 0, invoice: -1, date: 1, quantity: -1, price: -1, amount: 3 });
  });
});

describe('column detection: synonyms and name normalisation', () => {
  // The other roles a header needs so that detection succeeds, by role.
  const filler: Record<TransactionRole, string> = {
    customer: 'CustomerID',
    invoice: 'InvoiceNo',
    date: 'InvoiceDate',
    quantity: 'Quantity',
    price: 'UnitPrice',
    amount: 'revenue',
  };
  const cases = (Object.entries(ROLE_SYNONYMS) as [TransactionRole, readonly string[]][]).flatMap(([role, names]) =>
    names.map((name) => [role, name] as const),
  );

  it('lists exactly the first-choice synonyms: DESIGN.md §2 (with total now a second choice) and the evident spellings', () => {
    expect(ROLE_SYNONYMS).toEqual({
      customer: ['CustomerID', 'Customer ID', 'customer_id', 'cust_id', 'client_id', 'user_id', 'customer_number', 'customer_no', 'buyer_id', 'member_id'],
      invoice: ['InvoiceNo', 'Invoice', 'invoice_id', 'order_id', 'transaction_id', 'invoice_number', 'order_number', 'order_no', 'receipt_id', 'receipt_no'],
      date: ['InvoiceDate', 'date', 'order_date', 'transaction_date', 'timestamp', 'purchase_date', 'sale_date', 'transaction_time', 'order_datetime'],
      quantity: ['Quantity', 'qty', 'quantity_ordered', 'units'],
      price: ['UnitPrice', 'Price', 'unit_price', 'item_price', 'price_each'],
      amount: ['amount', 'TotalPrice', 'revenue', 'sales', 'dollar_value', 'line_total', 'line_amount', 'net_sales', 'sales_amount', 'amount_paid', 'item_total'],
    });
  });

  it.each(cases)('%s: "%s" is found', (role, name) => {
    const others = (Object.keys(filler) as TransactionRole[]).filter((r) => r !== role).map((r) => filler[r]);
    const header = ['Notes', name, ...others];
    expect(detect(header)[role]).toBe(1);
  });

  it.each([
    ['CUSTOMERID', 'customer', ['CUSTOMERID', 'date', 'amount']],
    ['customer id', 'customer', ['date', 'customer id', 'amount']],
    ['Customer-ID', 'customer', ['date', 'amount', 'Customer-ID']],
    ['customer__id', 'customer', ['customer__id', 'date', 'amount']],
    ['  Customer ID  ', 'customer', ['  Customer ID  ', 'date', 'amount']],
    ['INVOICE_NO', 'invoice', ['CustomerID', 'INVOICE_NO', 'date', 'amount']],
    ['invoice-date', 'date', ['CustomerID', 'invoice-date', 'amount']],
    ['Unit Price', 'price', ['CustomerID', 'date', 'QTY', 'Unit Price']],
    ['Dollar Value', 'amount', ['CustomerID', 'date', 'Dollar Value']],
  ] as [string, TransactionRole, string[]][])('"%s" is the %s column (case, space, _ and - ignored)', (name, role, header) => {
    expect(detect(header)[role]).toBe(header.indexOf(name));
  });

  it('normalizeName drops case, spaces, _ and -', () => {
    expect(normalizeName(' Customer_ID-x ')).toBe('customeridx');
  });
});

describe('column detection: override flags', () => {
  it.each([
    ['customer', 'buyer'],
    ['invoice', 'ticket'],
    ['date', 'when'],
    ['quantity', 'units'],
    ['price', 'each'],
    ['amount', 'line_value'],
  ] as const)('--%s-col picks a column no synonym matches', (role, name) => {
    const header = ['buyer', 'ticket', 'when', 'units', 'each', 'line_value'];
    const overrides = { customer: 'buyer', invoice: 'ticket', date: 'when', quantity: 'units', price: 'each', amount: 'line_value' };
    expect(detect(header, overrides)[role]).toBe(header.indexOf(name));
  });

  it('an override wins over a synonym, and matches loosely', () => {
    const header = ['CustomerID', 'Shopper ID', 'InvoiceDate', 'Quantity', 'UnitPrice'];
    expect(detect(header, { customer: 'shopper_id' }).customer).toBe(1);
  });

  it('an override that names no column is a usage error listing the columns', () => {
    const error = thrown(() => detect(['CustomerID', 'InvoiceDate', 'amount'], { date: 'when' }));
    expect(error.kind).toBe('usage');
    expect(error.message).toContain('--date-col "when"');
    expect(error.hint).toContain('CustomerID, InvoiceDate, amount');
  });

  it('an override resolves an ambiguity', () => {
    const header = ['CustomerID', 'date', 'order_date', 'amount'];
    expect(detect(header, { date: 'order_date' }).date).toBe(2);
  });
});

describe('column detection: errors', () => {
  it('two columns matching one role is an error that suggests the flag', () => {
    const error = thrown(() => detect(['CustomerID', 'InvoiceDate', 'order_date', 'amount']));
    expect(error.kind).toBe('data');
    expect(error.message).toMatch(/"InvoiceDate" and "order_date" both look like the date column/);
    expect(error.hint).toContain('--date-col');
    expect(error.file).toBe('tx.csv');
  });

  it('duplicate header names are an error naming both columns', () => {
    const error = thrown(() => detect(['CustomerID', 'InvoiceDate', 'amount', 'Note', 'note']));
    expect(error.kind).toBe('data');
    expect(error.message).toMatch(/twice \(columns 4 and 5\)/);
    expect(error.line).toBe(1);
  });

  it.each([
    [['InvoiceDate', 'Quantity', 'UnitPrice'], /no customer column in tx\.csv/],
    [['CustomerID', 'Quantity', 'UnitPrice'], /no date column in tx\.csv/],
    [['CustomerID', 'InvoiceDate', 'Quantity'], /no amount column, and no quantity and price columns, in tx\.csv/],
    [['CustomerID', 'InvoiceDate', 'UnitPrice'], /no amount column, and no quantity and price columns, in tx\.csv/],
  ])('missing roles in %j: data error naming the file', (header, message) => {
    const error = thrown(() => detect(header));
    expect(error.kind).toBe('data');
    expect(error.message).toMatch(message);
    expect(error.file).toBe('tx.csv');
  });

  it('an amount column alone is enough (quantity × price not needed)', () => {
    expect(detect(['client_id', 'timestamp', 'sales'])).toMatchObject({ customer: 0, date: 1, amount: 2, quantity: -1, price: -1 });
  });
});
