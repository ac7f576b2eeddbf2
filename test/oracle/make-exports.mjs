#!/usr/bin/env node
/**
 * Writes the real-world export corpus under fixtures/exports/ (issue 12): files shaped like the
 * exports retailers really have, with made-up content (names, emails, products and amounts come
 * from the small lists below and a seeded PRNG; nothing is copied from anyone's data).
 *
 *   node test/oracle/make-exports.mjs          # rewrites fixtures/exports/*; byte-identical each run
 *   /usr/bin/python3 test/oracle/exports_rfm.py  # then recomputes fixtures/exports/expected/
 *
 * It depends on nothing in src/ (the corpus and its oracle must be independent of the code they test).
 *
 * Column lists, from the public documentation of each export (looked up 2026-12-01):
 * - Shopify orders export (Admin > Orders > Export; one row per line item, the order's own columns on
 *   its first line only): the header as Shopify writes it, reproduced in the Shopify order-import docs
 *   of Matrixify (https://matrixify.app/documentation/orders/) and WebToffee
 *   (https://www.webtoffee.com/shopify-orders-available-columns-for-export-and-import/) and in public
 *   importers of the file; financial statuses from Shopify's Order API (paid, partially_refunded,
 *   refunded, voided, pending, authorized, partially_paid).
 * - WooCommerce order export (one row per order): the fields of WooCommerce's Customer / Order / Coupon
 *   Export (https://woocommerce.com/document/ordercustomer-csv-export-developer-documentation), order
 *   statuses as WooCommerce displays them.
 * - Stripe payments export (Dashboard > Payments > Export, "unified payments"): the column names
 *   listed in Stripe's reports docs (https://stripe.com/docs/reports/report-types) and seen in public
 *   parsers of the file: id, Created date (UTC), Amount, Amount Refunded, Currency, Converted Amount,
 *   Status, Customer ID, Customer Email, …; amounts in major units.
 * - Tableau's "Sample - Superstore" (21 columns Row ID … Profit, as listed in public notebooks, e.g.
 *   https://github.com/florgalarza/margin-leakage-analysis): M/D/YYYY dates, CA-/US- order ids.
 * - UCI Online Retail (InvoiceNo … Country) as a European-locale spreadsheet saves it: semicolons,
 *   D.M.YYYY H:MM, decimal commas.
 *
 * Properties the oracle and tests rely on (exports_rfm.py checks them):
 * - In every timestamped file the latest purchase that survives cleaning is at exactly 00:00:00 UTC,
 *   so "latest kept timestamp + 1 day" (DESIGN.md §2) and "latest kept purchase's UTC day + 1" are the
 *   same as-of instant.
 * - Shopify: several zone offsets, orders near local midnight whose UTC day differs from their local
 *   day, cancelled orders (Cancelled at) whose status alone would keep them, blank emails.
 * - latin1-late.csv: pure ASCII for the first LATIN1_ASCII_BYTES (> 1 MiB), then rows of the customer
 *   `José` written in latin1 (byte E9); no other non-ASCII byte, so the file is latin1 and José one customer.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// EXPORTS_OUT: write elsewhere (the corpus test regenerates into a temp dir and compares).
const OUT = process.env.EXPORTS_OUT ?? join(ROOT, 'fixtures', 'exports');
const CDNOW_SOURCE = process.env.CDNOW_SAMPLE ?? '/work/shared/data/CDNOW_sample.txt';
const LATIN1_ASCII_BYTES = 1.25 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32): one stream per file, so changing one file leaves the others alone.

function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  /** weights: [[value, weight], ...] */
  const weighted = (pairs) => {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [value, w] of pairs) {
      r -= w;
      if (r < 0) return value;
    }
    return pairs[pairs.length - 1][0];
  };
  /** An index in [0, n) skewed towards 0: a few customers buy often, most rarely. */
  const skewed = (n) => Math.floor(n * next() ** 2.2);
  const chance = (p) => next() < p;
  const alnum = (len) => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < len; i++) s += chars[Math.floor(next() * chars.length)];
    return s;
  };
  return { next, int, pick, weighted, skewed, chance, alnum };
}

// ---------------------------------------------------------------------------------------------
// Made-up people, places and products.

const FIRST = ['Anna', 'Bruno', 'Carla', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Liam', 'Mara', 'Nils', 'Olga', 'Pavel', 'Quinn', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'Wim', 'Xenia', 'Yusuf', 'Zora', 'Alice', 'Ben', 'Chloe', 'Dmitri', 'Emma', 'Felix', 'Gina', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Marco', 'Nora'];
const LAST = ['Berg', 'Castro', 'Dahl', 'Eriksen', 'Fontaine', 'Garner', 'Holm', 'Ibarra', 'Jensen', 'Kowalski', 'Lund', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quist', 'Rossi', 'Silva', 'Tanaka', 'Ueda', 'Varga', 'Weber', 'Xu', 'Young', 'Zeller', 'Abbott', 'Brennan', 'Chandra', 'Doyle', 'Ellis'];
const US_PLACES = [
  ['Henderson', 'Kentucky', '42420', 'South'], ['Los Angeles', 'California', '90036', 'West'], ['Fort Lauderdale', 'Florida', '33311', 'South'],
  ['Seattle', 'Washington', '98103', 'West'], ['New York City', 'New York', '10024', 'East'], ['Philadelphia', 'Pennsylvania', '19140', 'East'],
  ['Houston', 'Texas', '77095', 'Central'], ['Chicago', 'Illinois', '60610', 'Central'], ['Columbus', 'Ohio', '43229', 'East'],
  ['San Francisco', 'California', '94122', 'West'], ['Springfield', 'Virginia', '22153', 'South'], ['Dallas', 'Texas', '75220', 'Central'],
  ['Detroit', 'Michigan', '48227', 'Central'], ['Portland', 'Oregon', '97206', 'West'], ['Burlington', 'Vermont', '05408', 'East'],
  ['Providence', 'Rhode Island', '02908', 'East'], ['Denver', 'Colorado', '80219', 'West'], ['Atlanta', 'Georgia', '30318', 'South'],
];
const STATE_CODES = { Kentucky: 'KY', California: 'CA', Florida: 'FL', Washington: 'WA', 'New York': 'NY', Pennsylvania: 'PA', Texas: 'TX', Illinois: 'IL', Ohio: 'OH', Virginia: 'VA', Michigan: 'MI', Oregon: 'OR', Vermont: 'VT', 'Rhode Island': 'RI', Colorado: 'CO', Georgia: 'GA' };
const STREETS = ['Maple Ave', 'Oak St', 'Harbor Rd', 'Pine Ln', 'Cedar Blvd', 'Elm Ct', 'Lakeview Dr', 'Mill Rd'];

function person(r, index) {
  const first = FIRST[index % FIRST.length];
  const last = LAST[Math.floor(index / FIRST.length) % LAST.length];
  const place = r.pick(US_PLACES);
  return {
    first,
    last,
    email: `${first}.${last}${index}@example.com`.toLowerCase(),
    place,
    street: `${r.int(10, 9899)} ${r.pick(STREETS)}`,
    phone: `+1 555-${String(r.int(100, 999))}-${String(r.int(1000, 9999))}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers. Instants are ms since the epoch, always computed in UTC.

const DAY = 86_400_000;
const pad = (n, w = 2) => String(n).padStart(w, '0');
const utcParts = (ms) => {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
};
const isoSeconds = (ms) => {
  const p = utcParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
};
/** Shopify's `2024-01-05 10:22:11 -0500`: the local wall time followed by its offset. */
const shopifyTime = (ms, offsetMinutes) => {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${isoSeconds(ms + offsetMinutes * 60_000)} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
};
const money = (x) => x.toFixed(2);
/** Superstore-style numbers: up to 4 decimals, no trailing zeros (261.96, 22.368, 3.928). */
const short = (x) => String(Number(x.toFixed(4)));
/** A CSV field, quoted when it holds the delimiter, a quote or a line break. */
const field = (value, delimiter = ',') => {
  const s = String(value ?? '');
  return s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') ? `"${s.replace(/"/g, '""')}"` : s;
};
const line = (values, delimiter = ',') => values.map((v) => field(v, delimiter)).join(delimiter);
const round2 = (x) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------
// 1. Shopify orders export.

const SHOPIFY_HEADER = ['Name', 'Email', 'Financial Status', 'Paid at', 'Fulfillment Status', 'Fulfilled at', 'Accepts Marketing', 'Currency', 'Subtotal', 'Shipping', 'Taxes', 'Total', 'Discount Code', 'Discount Amount', 'Shipping Method', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem compare at price', 'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status', 'Billing Name', 'Billing Street', 'Billing Address1', 'Billing Address2', 'Billing Company', 'Billing City', 'Billing Zip', 'Billing Province', 'Billing Country', 'Billing Phone', 'Shipping Name', 'Shipping Street', 'Shipping Address1', 'Shipping Address2', 'Shipping Company', 'Shipping City', 'Shipping Zip', 'Shipping Province', 'Shipping Country', 'Shipping Phone', 'Notes', 'Note Attributes', 'Cancelled at', 'Payment Method', 'Payment Reference', 'Refunded Amount', 'Vendor', 'Outstanding Balance', 'Employee', 'Location', 'Device ID', 'Id', 'Tags', 'Risk Level', 'Source', 'Lineitem discount', 'Tax 1 Name', 'Tax 1 Value', 'Tax 2 Name', 'Tax 2 Value', 'Tax 3 Name', 'Tax 3 Value', 'Tax 4 Name', 'Tax 4 Value', 'Tax 5 Name', 'Tax 5 Value', 'Phone', 'Receipt Number', 'Duties', 'Billing Province Name', 'Shipping Province Name', 'Payment ID', 'Payment Terms Name', 'Next Payment Due At', 'Payment References'];
// The columns every line of an order carries; all others are on the order's first line only (the
// spec's order-level money and status fields, and also the addresses and the order's other fields).
const SHOPIFY_PER_LINE = new Set(['Name', 'Email', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem compare at price', 'Lineitem sku', 'Lineitem requires shipping', 'Lineitem taxable', 'Lineitem fulfillment status', 'Vendor', 'Lineitem discount']);
const SHOP_PRODUCTS = [
  ['Ceramic Pour-Over Set', 'POUR-01', 38.0], ['Mug "Classic", 12oz', 'MUG-12', 14.5], ['Linen Apron - Sand', 'APR-SND', 29.0],
  ['Cast Iron Skillet, 10"', 'SKL-10', 45.0], ['Beeswax Wraps (3 pack)', 'BWX-3', 18.0], ['Olive Wood Spoon', 'SPN-OW', 12.0],
  ['Stoneware Bowl - Moss', 'BWL-MS', 22.0], ['Tea Towel Set of 2', 'TWL-2', 16.0], ['Glass Carafe 1L', 'CRF-1L', 27.5],
  ['Knife Roll, Waxed Canvas', 'KNR-WC', 64.0], ['Salt Cellar', 'SLT-01', 19.0], ['Bread Board - Walnut', 'BRD-WN', 52.0],
  ['Espresso Cups x4', 'ESP-4', 34.0], ['Candle "Fig & Cedar"', 'CND-FC', 24.0], ['Oven Mitt', 'MIT-01', 11.0],
];
const SHOP_GIFT = ['Free Gift - Sample Sachet', 'GIFT-SACHET', 0.0];
// Offsets seen in one store's export over a year (DST) and from staff in other zones.
const SHOP_OFFSETS = [-300, -240, -420, -480, 60, 120, 330, 600, 0];

function shopify() {
  const r = rng(1001);
  const customers = Array.from({ length: 170 }, (_, i) => ({ ...person(r, i), offset: r.pick(SHOP_OFFSETS), marketing: r.chance(0.4) ? 'yes' : 'no' }));
  const start = Date.UTC(2024, 0, 1);
  const end = Date.UTC(2024, 6, 1); // the last kept order is at exactly this instant (00:00:00 UTC)
  const orders = [];
  const count = 430;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    let c = customers[r.skewed(customers.length)];
    let offset = r.chance(0.85) ? c.offset : r.pick(SHOP_OFFSETS);
    let created = start + Math.floor(r.next() * (end - start - DAY));
    created -= created % 1000;
    if (r.chance(0.18)) {
      // Near local midnight: 23:xx local with a negative offset, 00:xx with a positive one, so that
      // the UTC day differs from the local day.
      if (offset === 0) offset = -300;
      const localMidnight = Math.floor((created + offset * 60_000) / DAY) * DAY + DAY;
      const minutes = offset < 0 ? -r.int(1, 59) : r.int(1, 59);
      created = localMidnight + minutes * 60_000 - offset * 60_000 - r.int(0, 59) * 1000;
      if (created >= end) created -= 2 * DAY;
    }
    let status = r.weighted([['paid', 74], ['partially_refunded', 5], ['refunded', 6], ['voided', 4], ['pending', 4], ['authorized', 4], ['partially_paid', 3]]);
    let cancelled = r.chance(0.045);
    if (cancelled) status = r.weighted([['voided', 4], ['refunded', 4], ['paid', 2], ['authorized', 1]]);
    let email = r.chance(0.03) ? '' : c.email;
    if (last) {
      created = end;
      offset = -240; // 2024-06-30 20:00:00 -0400: local day June 30, UTC day July 1
      status = 'paid';
      cancelled = false;
      c = customers[3];
      email = c.email;
    }
    orders.push({ c, email, offset, created, status, cancelled });
  }
  orders.sort((a, b) => a.created - b.created);
  const rows = [];
  orders.forEach((o, index) => {
    const name = `#${1001 + index}`;
    const nLines = r.weighted([[1, 50], [2, 30], [3, 14], [4, 6]]);
    const items = [];
    const used = new Set();
    while (items.length < nLines) {
      const p = r.pick(SHOP_PRODUCTS);
      if (used.has(p[1])) continue;
      used.add(p[1]);
      items.push({ product: p, quantity: r.weighted([[1, 70], [2, 22], [3, 8]]) });
    }
    if (r.chance(0.04)) items.push({ product: SHOP_GIFT, quantity: 1 });
    const subtotal = round2(items.reduce((s, it) => s + it.quantity * it.product[2], 0));
    const discountCode = r.chance(0.15) ? r.pick(['SPRING10', 'WELCOME10', 'VIP10']) : '';
    const discount = discountCode ? round2(subtotal * 0.1) : 0;
    const shipping = subtotal >= 75 ? 0 : r.pick([5.99, 9.99]);
    const taxes = round2((subtotal - discount) * 0.0725);
    const total = round2(subtotal - discount + shipping + taxes);
    const paidStatuses = ['paid', 'partially_refunded', 'refunded', 'partially_paid'];
    const paidAt = paidStatuses.includes(o.status) ? shopifyTime(o.created + r.int(5, 600) * 1000, o.offset) : '';
    const fulfillment = o.cancelled || ['voided', 'pending'].includes(o.status) ? 'unfulfilled' : r.weighted([['fulfilled', 80], ['unfulfilled', 12], ['partial', 8]]);
    const fulfilledAt = fulfillment === 'fulfilled' ? shopifyTime(o.created + r.int(1, 4) * DAY + r.int(0, 36000) * 1000, o.offset) : '';
    const refunded = o.status === 'refunded' ? total : o.status === 'partially_refunded' ? round2(total * 0.3) : 0;
    const cancelledAt = o.cancelled ? shopifyTime(o.created + r.int(1, 48) * 3_600_000, o.offset) : '';
    const note = r.chance(0.05) ? 'Please leave at the back door,\nnext to the bins' : r.chance(0.04) ? 'Gift wrap, please' : '';
    const billingName = o.email === '' && r.chance(0.5) ? '' : `${o.c.first} ${o.c.last}`;
    const [city, state, zip] = o.c.place;
    const province = STATE_CODES[state];
    const order = {
      Name: name, Email: o.email, 'Financial Status': o.status, 'Paid at': paidAt, 'Fulfillment Status': fulfillment,
      'Fulfilled at': fulfilledAt, 'Accepts Marketing': o.c.marketing, Currency: 'USD', Subtotal: money(subtotal),
      Shipping: money(shipping), Taxes: money(taxes), Total: money(total), 'Discount Code': discountCode,
      'Discount Amount': money(discount), 'Shipping Method': shipping === 0 ? 'Free Shipping' : 'Standard',
      'Created at': shopifyTime(o.created, o.offset), 'Billing Name': billingName,
      'Billing Street': `${o.c.street}, Apt ${r.int(1, 30)}`, 'Billing Address1': o.c.street, 'Billing Address2': '',
      'Billing Company': r.chance(0.1) ? 'Dahl & Sons, LLC' : '', 'Billing City': city, 'Billing Zip': `'${zip}`,
      'Billing Province': province, 'Billing Country': 'US', 'Billing Phone': o.c.phone, 'Shipping Name': billingName,
      'Shipping Street': o.c.street, 'Shipping Address1': o.c.street, 'Shipping Address2': '', 'Shipping Company': '',
      'Shipping City': city, 'Shipping Zip': `'${zip}`, 'Shipping Province': province, 'Shipping Country': 'US',
      'Shipping Phone': '', Notes: note, 'Note Attributes': '', 'Cancelled at': cancelledAt,
      'Payment Method': r.weighted([['Shopify Payments', 80], ['PayPal Express Checkout', 15], ['manual', 5]]),
      'Payment Reference': `c${r.int(10_000_000, 99_999_999)}.1`, 'Refunded Amount': money(refunded),
      'Outstanding Balance': o.status === 'partially_paid' ? money(round2(total / 2)) : '0.00', Employee: '',
      Location: '', 'Device ID': '', Id: String(5_600_000_000_000 + index * 7919), Tags: r.chance(0.1) ? 'wholesale, repeat' : '',
      'Risk Level': 'Low', Source: r.weighted([['web', 88], ['pos', 7], ['shopify_draft_order', 5]]), 'Tax 1 Name': `${province} State Tax 7.25%`,
      'Tax 1 Value': money(taxes), Phone: '', 'Billing Province Name': state, 'Shipping Province Name': state,
      'Payment ID': `r${r.alnum(20)}`, 'Payment References': `r${r.alnum(20)}`,
    };
    items.forEach((it, k) => {
      const [title, sku, price] = it.product;
      const lineValues = {
        Name: name, Email: o.email, 'Created at': order['Created at'], 'Lineitem quantity': String(it.quantity),
        'Lineitem name': title, 'Lineitem price': money(price), 'Lineitem compare at price': price > 30 && r.chance(0.2) ? money(price * 1.2) : '',
        'Lineitem sku': sku, 'Lineitem requires shipping': 'true', 'Lineitem taxable': price > 0 ? 'true' : 'false',
        'Lineitem fulfillment status': fulfillment === 'fulfilled' ? 'fulfilled' : 'pending', Vendor: 'Hearth & Field',
        'Lineitem discount': '0.00',
      };
      rows.push(SHOPIFY_HEADER.map((h) => (k === 0 ? (lineValues[h] ?? order[h] ?? '') : SHOPIFY_PER_LINE.has(h) ? (lineValues[h] ?? '') : '')));
    });
  });
  // Shopify lists the newest order first; the lines of an order stay in order, the first one on top.
  const byOrder = [];
  for (const row of rows) {
    if (byOrder.length === 0 || byOrder[byOrder.length - 1][0][0] !== row[0]) byOrder.push([]);
    byOrder[byOrder.length - 1].push(row);
  }
  byOrder.reverse();
  return [line(SHOPIFY_HEADER), ...byOrder.flat().map((row) => line(row))].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// 2. WooCommerce order export.

const WOO_HEADER = ['Order ID', 'Order Number', 'Order Date', 'Order Status', 'Customer Email', 'Billing First Name', 'Billing Last Name', 'Billing Company', 'Billing Address 1', 'Billing City', 'Billing State', 'Billing Postcode', 'Billing Country', 'Billing Phone', 'Shipping Method Title', 'Payment Method Title', 'Cart Discount', 'Order Shipping', 'Order Tax', 'Order Total', 'Order Currency', 'Item Count', 'Coupon Code', 'Customer Note'];

function woocommerce() {
  const r = rng(2002);
  const customers = Array.from({ length: 300 }, (_, i) => person(r, i + 7));
  const start = Date.UTC(2023, 6, 1);
  const end = Date.UTC(2024, 5, 30);
  const orders = [];
  const count = 900;
  for (let i = 0; i < count; i++) {
    const lastOrder = i === count - 1;
    let c = customers[r.skewed(customers.length)];
    let created = start + Math.floor(r.next() * (end - start));
    created -= created % 1000;
    let status = r.weighted([['Completed', 64], ['Processing', 12], ['On hold', 4], ['Cancelled', 5], ['Refunded', 5], ['Failed', 4], ['Pending payment', 6]]);
    let email = r.chance(0.025) ? '' : c.email;
    const free = r.chance(0.015);
    const items = r.int(1, 5);
    const itemsTotal = round2(items * (8 + r.next() * 60));
    let cartDiscount = free ? itemsTotal : r.chance(0.12) ? round2(itemsTotal * 0.15) : 0;
    let shipping = free ? 0 : itemsTotal > 100 ? 0 : 6.5;
    if (lastOrder) {
      created = end; // the last kept order, at exactly 00:00:00
      status = 'Completed';
      c = customers[0];
      email = c.email;
      cartDiscount = 0;
      shipping = 6.5;
    }
    const tax = round2((itemsTotal - cartDiscount) * 0.2);
    const total = round2(itemsTotal - cartDiscount + shipping + tax);
    orders.push({ c, created, status, email, items, cartDiscount, shipping, tax, total, coupon: free ? 'FREEBIE100' : cartDiscount > 0 ? 'SUMMER15' : '' });
  }
  orders.sort((a, b) => a.created - b.created);
  const rows = orders.map((o, index) => {
    const id = 5001 + index * 3; // WordPress posts share the id sequence: order ids skip
    const [city, state, zip] = o.c.place;
    return [id, id, isoSeconds(o.created), o.status, o.email, o.c.first, o.c.last, r.chance(0.08) ? 'Okafor, Novak & Co' : '', o.c.street, city, STATE_CODES[state], zip, 'US', o.c.phone,
      o.shipping === 0 ? 'Free shipping' : 'Flat rate', r.weighted([['Credit Card (Stripe)', 60], ['PayPal', 30], ['Direct bank transfer', 10]]),
      money(o.cartDiscount), money(o.shipping), money(o.tax), money(o.total), 'GBP', o.items, o.coupon, r.chance(0.04) ? 'Ring the bell twice, "please"' : ''];
  });
  rows.reverse(); // newest first, as the export lists them
  return [line(WOO_HEADER), ...rows.map((row) => line(row))].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// 3. Stripe payments export (unified payments).

const STRIPE_HEADER = ['id', 'Description', 'Seller Message', 'Created date (UTC)', 'Amount', 'Amount Refunded', 'Currency', 'Converted Amount', 'Converted Amount Refunded', 'Fee', 'Tax', 'Converted Currency', 'Mode', 'Status', 'Statement Descriptor', 'Customer ID', 'Customer Description', 'Customer Email', 'Captured', 'Card ID', 'Card Last4', 'Card Brand', 'Card Funding', 'Card Exp Month', 'Card Exp Year', 'Card Name', 'Card Address Country', 'Card Issue Country', 'Invoice ID', 'Transfer', 'PaymentIntent ID'];

function stripe() {
  const r = rng(3003);
  const customers = Array.from({ length: 260 }, (_, i) => ({ ...person(r, i + 31), id: `cus_${r.alnum(14)}`, card: `card_${r.alnum(24)}`, last4: pad(r.int(0, 9999), 4), brand: r.weighted([['Visa', 60], ['MasterCard', 30], ['American Express', 10]]) }));
  const plans = [[19, 'Subscription update'], [49, 'Subscription update'], [99, 'Subscription update'], [0, 'Payment for Invoice'], [0, 'Workshop ticket, 2 seats']];
  const start = Date.UTC(2024, 0, 1);
  const end = Date.UTC(2024, 8, 1);
  const payments = [];
  const count = 1300;
  for (let i = 0; i < count; i++) {
    const lastPayment = i === count - 1;
    const c = customers[r.skewed(customers.length)];
    let created = start + Math.floor(r.next() * (end - start));
    created -= created % 1000;
    const [planAmount, description] = r.pick(plans);
    const amount = planAmount > 0 ? planAmount : round2(12 + r.next() * 880);
    let status = r.weighted([['Paid', 86], ['Refunded', 6], ['Failed', 8]]);
    let refunded = status === 'Refunded' ? amount : status === 'Paid' && r.chance(0.05) ? round2(amount * r.pick([0.25, 0.5, 0.1])) : 0;
    let guest = r.chance(0.05);
    if (lastPayment) {
      created = end; // the last kept payment, at exactly 00:00:00 UTC
      status = 'Paid';
      refunded = 0;
      guest = false;
    }
    payments.push({ c, created, amount, description, status, refunded, guest });
  }
  payments.sort((a, b) => b.created - a.created); // newest first
  const rows = payments.map((p) => {
    const failed = p.status === 'Failed';
    const fee = failed ? 0 : round2(p.amount * 0.029 + 0.3);
    const invoice = p.description === 'Subscription update' || p.description === 'Payment for Invoice' ? `in_${r.alnum(24)}` : '';
    return [`${r.chance(0.7) ? 'ch' : 'py'}_${r.alnum(24)}`, p.description, failed ? 'Your card was declined.' : 'Payment complete.', isoSeconds(p.created),
      money(p.amount), money(p.refunded), 'usd', money(p.amount), money(p.refunded), money(fee), '0.00', 'usd', 'Live', p.status, 'HEARTHFIELD',
      p.guest ? '' : p.c.id, p.guest ? '' : `${p.c.first} ${p.c.last}`, p.guest && r.chance(0.5) ? '' : p.c.email, failed ? 'false' : 'true',
      p.c.card, p.c.last4, p.c.brand, 'credit', r.int(1, 12), r.int(2025, 2030), `${p.c.first} ${p.c.last}`, 'US', 'US', invoice, '', `pi_${r.alnum(24)}`];
  });
  return [line(STRIPE_HEADER), ...rows.map((row) => line(row))].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// 4. Superstore-style line file.

const SUPERSTORE_HEADER = ['Row ID', 'Order ID', 'Order Date', 'Ship Date', 'Ship Mode', 'Customer ID', 'Customer Name', 'Segment', 'Country', 'City', 'State', 'Postal Code', 'Region', 'Product ID', 'Category', 'Sub-Category', 'Product Name', 'Sales', 'Quantity', 'Discount', 'Profit'];
const SUPERSTORE_PRODUCTS = [
  ['FUR', 'BO', 'Furniture', 'Bookcases', 'Alder Five-Shelf Bookcase, Espresso', 189.9], ['FUR', 'CH', 'Furniture', 'Chairs', 'Mesh Task Chair, Adjustable Arms', 142.5],
  ['FUR', 'TA', 'Furniture', 'Tables', 'Round Conference Table, 48" Oak', 410.0], ['FUR', 'FU', 'Furniture', 'Furnishings', 'Desk Lamp, LED, Brushed Steel', 36.4],
  ['OFF', 'LA', 'Office Supplies', 'Labels', 'Color-Coded File Labels, 250/Pack', 5.9], ['OFF', 'ST', 'Office Supplies', 'Storage', 'Stackable Storage Bins, Set of 3', 48.2],
  ['OFF', 'AR', 'Office Supplies', 'Art', 'Gel Pens, Assorted Colors, 12/Box', 9.8], ['OFF', 'BI', 'Office Supplies', 'Binders', 'Heavy-Duty D-Ring Binder, 2"', 12.6],
  ['OFF', 'PA', 'Office Supplies', 'Paper', 'Copy Paper, 8.5" x 11", 500 Sheets', 6.5], ['OFF', 'AP', 'Office Supplies', 'Appliances', 'Compact Space Heater, Ceramic', 64.9],
  ['OFF', 'EN', 'Office Supplies', 'Envelopes', 'Security Tint Envelopes, #10, 100/Box', 11.3], ['OFF', 'FA', 'Office Supplies', 'Fasteners', 'Binder Clips, Medium, 24/Pack', 3.2],
  ['TEC', 'PH', 'Technology', 'Phones', 'Cordless Desk Phone, Dual Handset', 89.0], ['TEC', 'AC', 'Technology', 'Accessories', 'Wireless Keyboard and Mouse Combo', 49.9],
  ['TEC', 'MA', 'Technology', 'Machines', 'Label Printer, Thermal, USB', 229.0], ['TEC', 'CO', 'Technology', 'Copiers', 'Desktop Copier, Mono, 20 ppm', 599.0],
];

function superstore() {
  const r = rng(4004);
  const customers = [];
  const ids = new Set();
  for (let i = 0; customers.length < 320; i++) {
    const p = person(r, i + 101);
    const id = `${p.first[0]}${p.last[0]}-${r.int(10000, 21999)}`;
    if (ids.has(id)) continue;
    ids.add(id);
    customers.push({ ...p, id, segment: r.weighted([['Consumer', 52], ['Corporate', 30], ['Home Office', 18]]) });
  }
  const products = SUPERSTORE_PRODUCTS.map((p, k) => ({ p, id: `${p[0]}-${p[1]}-1000${pad(1000 + k * 137, 4)}` }));
  const start = Date.UTC(2014, 0, 3);
  const end = Date.UTC(2017, 11, 30);
  const orders = [];
  const orderIds = new Set();
  while (orders.length < 1050) {
    const c = customers[r.skewed(customers.length)];
    const date = start + r.int(0, Math.round((end - start) / DAY)) * DAY;
    const year = new Date(date).getUTCFullYear();
    const id = `${r.chance(0.82) ? 'CA' : 'US'}-${year}-${r.int(100000, 169999)}`;
    if (orderIds.has(id)) continue;
    orderIds.add(id);
    orders.push({ c, date, id, mode: r.weighted([['Standard Class', 60], ['Second Class', 20], ['First Class', 15], ['Same Day', 5]]), place: r.chance(0.8) ? c.place : r.pick(US_PLACES) });
  }
  const mdy = (ms) => {
    const p = utcParts(ms);
    return `${p.mo}/${p.d}/${p.y}`;
  };
  const rows = [];
  for (const o of orders) {
    const ship = o.date + (o.mode === 'Same Day' ? 0 : o.mode === 'First Class' ? r.int(1, 2) : r.int(2, 7)) * DAY;
    const n = r.weighted([[1, 40], [2, 25], [3, 18], [4, 10], [5, 7]]);
    for (let k = 0; k < n; k++) {
      const { p, id } = r.pick(products);
      const quantity = r.weighted([[1, 10], [2, 30], [3, 25], [4, 15], [5, 10], [7, 6], [9, 4]]);
      const discount = r.weighted([[0, 60], [0.1, 8], [0.2, 25], [0.3, 4], [0.5, 3]]);
      const sales = p[5] * quantity * (1 - discount) * (0.9 + r.next() * 0.2);
      const profit = sales * (0.35 - discount * 1.1 + (r.next() - 0.5) * 0.2);
      const [city, state, zip, region] = o.place;
      rows.push([0, o.id, mdy(o.date), mdy(ship), o.mode, o.c.id, `${o.c.first} ${o.c.last}`, o.c.segment, 'United States', city, state, zip, region, id, p[2], p[3], p[4], short(sales), quantity, discount, short(profit)]);
    }
  }
  // Superstore rows come grouped by order but not in date order; shuffle the orders deterministically.
  const grouped = new Map();
  for (const row of rows) (grouped.get(row[1]) ?? grouped.set(row[1], []).get(row[1])).push(row);
  const keys = [...grouped.keys()];
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const out = keys.flatMap((k) => grouped.get(k));
  out.forEach((row, i) => (row[0] = i + 1));
  return [line(SUPERSTORE_HEADER), ...out.map((row) => line(row))].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// 5. European-locale files.

const EU_ITEMS = [
  ['85123A', 'CREAM HANGING HEART LANTERN', 2.55], ['71053', 'WHITE METAL LANTERN', 3.39], ['84406B', 'CREAM CUPID HEARTS COAT HANGER', 2.75],
  ['22752', 'SET 7 BABUSHKA NESTING BOXES', 7.65], ['21730', 'GLASS STAR FROSTED T-LIGHT HOLDER', 4.25], ['22633', 'HAND WARMER UNION JACK', 1.85],
  ['84879', 'ASSORTED COLOUR BIRD ORNAMENT', 1.69], ['22745', 'POPPY\'S PLAYHOUSE BEDROOM', 2.1], ['21754', 'HOME BUILDING BLOCK WORD', 5.95],
  ['22310', 'IVORY KNITTED MUG COSY', 1.65], ['84969', 'BOX OF 6 ASSORTED COLOUR TEASPOONS', 4.25], ['22623', 'BOX OF VINTAGE JIGSAW BLOCKS', 9.95],
  ['21756', 'BATH BUILDING BLOCK WORD', 5.95], ['22728', 'ALARM CLOCK BAKELIKE PINK', 3.75], ['22960', 'JAM MAKING SET WITH JARS', 4.25],
  ['22913', 'RED COAT RACK PARIS FASHION', 4.95], ['22138', 'BAKING SET 9 PIECE RETROSPOT', 4.95], ['23084', 'RABBIT NIGHT LIGHT', 1.79],
  ['POST', 'POSTAGE', 18.0], ['22086', 'PAPER CHAIN KIT 50\'S CHRISTMAS', 2.95], ['47566', 'PARTY BUNTING', 4.65],
  ['21212', 'PACK OF 72 RETROSPOT CAKE CASES', 0.55], ['20725', 'LUNCH BAG RED RETROSPOT', 1.65], ['23203', 'JUMBO BAG DOILEY PATTERNS', 2.08],
  ['22197', 'SMALL POPCORN HOLDER', 0.85], ['84991', '60 TEATIME FAIRY CAKE CASES', 0.55], ['22423', 'REGENCY CAKESTAND 3 TIER', 12.75],
  ['85099B', 'JUMBO BAG RED RETROSPOT', 2.08], ['22469', 'HEART OF WICKER SMALL', 1.65], ['21034', 'TEA SET; BLUE, 4 CUPS', 6.35],
];
const EU_COUNTRIES = [['United Kingdom', 70], ['Germany', 8], ['France', 7], ['EIRE', 5], ['Spain', 3], ['Netherlands', 3], ['Belgium', 2], ['Portugal', 2]];
const decimalComma = (x) => x.toFixed(2).replace('.', ',');

function european() {
  const r = rng(5005);
  const customers = Array.from({ length: 260 }, (_, i) => ({ id: String(12346 + i * 23 + r.int(0, 20)), country: r.weighted(EU_COUNTRIES) }));
  const start = Date.UTC(2010, 11, 1, 8);
  const end = Date.UTC(2011, 11, 9); // the last kept invoice is at 9.12.2011 0:00
  const invoices = [];
  const count = 1100;
  for (let i = 0; i < count; i++) {
    const lastInvoice = i === count - 1;
    const c = customers[r.skewed(customers.length)];
    let t = start + Math.floor(r.next() * (end - start - DAY));
    t -= t % 60_000;
    const hour = new Date(t).getUTCHours();
    if (hour < 7 || hour > 19) t += 10 * 3_600_000; // shop hours
    if (t >= end) t -= 2 * DAY;
    let anonymous = r.chance(0.07);
    let cancelled = r.chance(0.03);
    if (lastInvoice) {
      t = end;
      anonymous = false;
      cancelled = false;
    }
    invoices.push({ c, t, anonymous, cancelled });
  }
  invoices.sort((a, b) => a.t - b.t);
  const dmyTime = (ms) => {
    const p = utcParts(ms);
    return `${p.d}.${p.mo}.${p.y} ${p.h}:${pad(p.mi)}`;
  };
  const rows = [];
  invoices.forEach((inv, index) => {
    const number = String(536365 + index);
    const n = inv.cancelled ? r.int(1, 2) : r.weighted([[1, 15], [2, 15], [3, 15], [4, 15], [6, 15], [8, 15], [12, 10]]);
    for (let k = 0; k < n; k++) {
      const [code, description, price] = r.pick(EU_ITEMS);
      const quantity = r.weighted([[1, 20], [2, 15], [3, 10], [4, 10], [6, 15], [12, 20], [24, 10]]);
      const unit = r.chance(0.004) ? 0 : price;
      rows.push([inv.cancelled ? `C${number}` : number, code, description, inv.cancelled ? -quantity : quantity, dmyTime(inv.t), decimalComma(unit), inv.anonymous ? '' : inv.c.id, inv.anonymous ? 'United Kingdom' : inv.c.country]);
    }
  });
  const header = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];
  return [line(header, ';'), ...rows.map((row) => line(row, ';'))].join('\r\n') + '\r\n';
}

function europeanTotals() {
  const r = rng(6006);
  const names = ['Müller GmbH', 'Bäckerei Schröder', 'Café Lumière', 'Hansen & Søn', 'Papeterie Duval', 'Ørsted Design', 'Ferreira Lda.', 'Kowalski Sp. z o.o.', 'De Vries B.V.', 'Blumenhaus Weiß'];
  const cities = ['München', 'Köln', 'Lyon', 'Aarhus', 'Gent', 'Porto', 'Kraków', 'Utrecht', 'Graz', 'Zürich'];
  const customers = Array.from({ length: 140 }, (_, i) => ({ id: `K-${1001 + i * 7}`, name: `${names[i % names.length]}${i >= names.length ? ` ${Math.floor(i / names.length) + 1}` : ''}`, city: cities[(i * 3) % cities.length] }));
  const start = Date.UTC(2023, 0, 2);
  const days = 360;
  const rows = [];
  for (let i = 0; i < 620; i++) {
    const c = customers[r.skewed(customers.length)];
    const date = start + r.int(0, days - 1) * DAY;
    const credit = r.chance(0.03);
    const total = credit ? -round2(20 + r.next() * 300) : r.chance(0.01) ? 0 : round2(Math.exp(Math.log(8) + r.next() * (Math.log(4800) - Math.log(8))));
    rows.push({ date, customer: r.chance(0.03) ? null : c, total, credit });
  }
  rows.sort((a, b) => a.date - b.date);
  const dmy = (ms) => {
    const p = utcParts(ms);
    return `${pad(p.d)}/${pad(p.mo)}/${p.y}`;
  };
  /** German-style money: `1.234,56 €`, `-45,00 €`. */
  const euro = (x) => {
    const [whole, cents] = Math.abs(x).toFixed(2).split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    return `${x < 0 ? '-' : ''}${grouped},${cents} €`;
  };
  let invoice = 0;
  let creditNote = 0;
  const lines = rows.map((row) => {
    const number = row.credit ? `GS-23-${pad(++creditNote, 4)}` : `RE-23-${pad(++invoice, 4)}`;
    return line([number, dmy(row.date), row.customer?.id ?? '', row.customer?.name ?? '', row.customer?.city ?? '', euro(row.total)], ';');
  });
  return [line(['Invoice', 'Date', 'Customer ID', 'Customer Name', 'City', 'Total'], ';'), ...lines].join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// 7. latin1-late.csv: ASCII for more than 1 MiB, then José (latin1 E9) on rows spread over the rest.

function latin1Late() {
  const r = rng(7007);
  const customers = Array.from({ length: 420 }, (_, i) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= FIRST.length * LAST.length ? i : ''}`);
  const items = EU_ITEMS.filter(([, d]) => !d.includes(';'));
  const header = 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country';
  const start = Date.UTC(2010, 11, 1, 8);
  const lines = [header];
  let bytes = header.length + 1;
  let t = start;
  let invoice = 489434;
  let joseInvoices = 0;
  const end = Date.UTC(2011, 10, 30); // the last kept invoice is at exactly 00:00:00 UTC
  const emit = (customer, country, cancelled) => {
    const n = r.int(1, 6);
    const number = cancelled ? `C${invoice}` : String(invoice);
    invoice++;
    for (let k = 0; k < n; k++) {
      const [code, description, price] = r.pick(items);
      const quantity = r.pick([1, 2, 3, 4, 6, 12]);
      const text = `${number},${code},${field(description)},${cancelled ? -quantity : quantity},${isoSeconds(t)},${price.toFixed(2)},${customer},${country}`;
      lines.push(text);
      bytes += Buffer.byteLength(text, 'latin1') + 1;
    }
  };
  // The ASCII part: no José before LATIN1_ASCII_BYTES.
  while (bytes < LATIN1_ASCII_BYTES) {
    t += r.int(5, 40) * 60_000;
    emit(customers[r.skewed(customers.length)], 'United Kingdom', r.chance(0.02));
  }
  // The rest: José now and then among the others, up to the last invoice.
  const tailInvoices = 1200;
  const tail = (end - t) / tailInvoices;
  for (let i = 0; i < tailInvoices; i++) {
    const step = Math.floor(tail * (0.5 + r.next()));
    t += step - (step % 60_000);
    if (t >= end - 3_600_000) t = end - 3_600_000 - r.int(1, 600) * 60_000;
    const jose = i % 150 === 17;
    if (jose) joseInvoices++;
    emit(jose ? 'Jos\u00e9' : customers[r.skewed(customers.length)], jose ? 'Portugal' : 'United Kingdom', !jose && r.chance(0.02));
  }
  t = end;
  emit('Jos\u00e9', 'Portugal', false);
  if (joseInvoices < 5) throw new Error('latin1-late: too few José invoices');
  return Buffer.from(lines.join('\n') + '\n', 'latin1');
}

// ---------------------------------------------------------------------------------------------

function main() {
  mkdirSync(OUT, { recursive: true });
  const files = {
    'shopify-orders.csv': shopify(),
    'woocommerce-orders.csv': woocommerce(),
    'stripe-payments.csv': stripe(),
    'superstore.csv': superstore(),
    'european.csv': european(),
    'european-totals.csv': europeanTotals(),
    'latin1-late.csv': latin1Late(),
  };
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(OUT, name), content);
    process.stderr.write(`wrote ${join(OUT, name)} (${Buffer.byteLength(content)} bytes)\n`);
  }
  // lifetimes' CDNOW sample is copied, not generated; where its source is absent the committed copy stays.
  if (existsSync(CDNOW_SOURCE)) {
    writeFileSync(join(OUT, 'CDNOW_sample.txt'), readFileSync(CDNOW_SOURCE));
    process.stderr.write(`copied ${CDNOW_SOURCE} to ${join(OUT, 'CDNOW_sample.txt')}\n`);
  } else process.stderr.write(`${CDNOW_SOURCE} not found: CDNOW_sample.txt left as it is\n`);
}

main();
