/**
 * The real-world export corpus (issue 12) through the built binary: each file of fixtures/exports/,
 * read with no flags (CDNOW_sample.txt with the headerless flags), must give the RFM table that
 * pandas computes independently (test/oracle/exports_rfm.py → fixtures/exports/expected/), customer
 * for customer. Also: the corpus is what its committed generator writes, and the expected tables
 * are non-trivial (every cleaning rule fires somewhere).
 *
 * Regenerate: node test/oracle/make-exports.mjs && /usr/bin/python3 test/oracle/exports_rfm.py
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, fixture, parseCsv, rfmByCustomer, runRfm, tempDir } from './helpers.js';

const exportsFile = (name: string) => fixture('exports', name);
const expectedFile = (name: string) => fixture('exports', 'expected', `${name}.rfm.csv`);

interface FileReport {
  rows: number;
  kept: number;
  customers: number;
  dropped: Record<string, number>;
  [fact: string]: unknown;
}
const DROPS = JSON.parse(readFileSync(fixture('exports', 'expected', 'drops.json'), 'utf8')) as Record<string, FileReport>;

const tmp = tempDir('rfm-exports-');
afterAll(() => tmp.cleanup());

/** Compares the tool's RFM CSV with the oracle's, customer for customer; lists the first differences. */
function expectSameRfm(name: string, stdout: string): void {
  const want = rfmByCustomer(readFileSync(expectedFile(name), 'utf8'));
  const got = rfmByCustomer(stdout);
  const missing = [...want.keys()].filter((id) => !got.has(id));
  const extra = [...got.keys()].filter((id) => !want.has(id));
  expect({ missing: missing.slice(0, 5), missingCount: missing.length, extra: extra.slice(0, 5), extraCount: extra.length }).toEqual({
    missing: [],
    missingCount: 0,
    extra: [],
    extraCount: 0,
  });
  const wrong: string[] = [];
  for (const [id, w] of want) {
    const g = got.get(id)!;
    if (g.recency !== w.recency) wrong.push(`${id}: recency ${g.recency}, pandas ${w.recency}`);
    if (g.frequency !== w.frequency) wrong.push(`${id}: frequency ${g.frequency}, pandas ${w.frequency}`);
    // Both sides round to cents; half a cent (plus float noise) is the most two correct roundings differ by.
    if (!(Math.abs((g.monetary as number) - (w.monetary as number)) <= 0.005 + 1e-9)) wrong.push(`${id}: monetary ${g.monetary}, pandas ${w.monetary}`);
  }
  expect({ wrong: wrong.slice(0, 8), count: wrong.length }).toEqual({ wrong: [], count: 0 });
}

const CASES: { name: string; args: string[]; what: string }[] = [
  { name: 'shopify-orders.csv', args: [], what: 'Shopify orders export: line items, order-level fields on first lines, zone offsets, statuses, Cancelled at' },
  { name: 'woocommerce-orders.csv', args: [], what: 'WooCommerce order export: Order Status, Customer Email, Order Total' },
  { name: 'stripe-payments.csv', args: [], what: 'Stripe payments export: Status, Customer ID, Amount − Amount Refunded, ch_ ids' },
  { name: 'superstore.csv', args: [], what: 'Superstore: CA- order ids are not cancellations, M/D/YYYY date-only' },
  { name: 'european.csv', args: [], what: 'semicolons, D.M.YYYY H:MM, decimal commas, C-invoices' },
  { name: 'european-totals.csv', args: [], what: 'DD/MM/YYYY, Total like 1.234,56 €' },
  { name: 'CDNOW_sample.txt', args: ['--no-header', '--columns', 'id,_,date,quantity,amount'], what: 'headerless, whitespace separated' },
  { name: 'latin1-late.csv', args: [], what: 'ASCII for 1.25 MiB, then José in latin1' },
];

describe.concurrent('each export, read with no flags, equals pandas customer for customer', () => {
  for (const { name, args, what } of CASES) {
    it(`${name} (${what})`, async () => {
      const r = await runRfm(['rfm', exportsFile(name), ...args, '--format', 'csv']);
      expect(r.code, r.stderr).toBe(0);
      expect(parseCsv(r.stdout).header).toEqual(['customer_id', 'recency', 'frequency', 'monetary']);
      expectSameRfm(name, r.stdout);
      if (name === 'shopify-orders.csv') {
        // The layout fills roles from second choices, so it says so (EXPORTS-SPEC "Messages").
        expect(r.stderr).toMatch(/^columns: customer=Email, invoice=Name, date=Created at, amount=Lineitem quantity×Lineitem price, status=Financial Status\b/m);
      }
    });
  }

  it('latin1-late.csv from stdin gives the same table (José one customer)', async () => {
    const r = await runRfm(['rfm', '-', '--format', 'csv'], { stdin: readFileSync(exportsFile('latin1-late.csv')) });
    expect(r.code, r.stderr).toBe(0);
    expectSameRfm('latin1-late.csv', r.stdout);
  });

  it('latin1-late.csv.gz gives the same table (José one customer)', async () => {
    const gz = tmp.path('latin1-late.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(exportsFile('latin1-late.csv'))));
    const r = await runRfm(['rfm', gz, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expectSameRfm('latin1-late.csv', r.stdout);
  });
});

describe('the corpus itself', () => {
  it('is exactly what the committed generator writes', () => {
    const out = tmp.path('regenerated');
    const run = spawnSync(process.execPath, [join(ROOT, 'test', 'oracle', 'make-exports.mjs')], { env: { ...process.env, EXPORTS_OUT: out }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const generated = readdirSync(out).filter((f) => f !== 'CDNOW_sample.txt');
    expect(generated.sort()).toEqual(CASES.map((c) => c.name).filter((n) => n !== 'CDNOW_sample.txt').sort());
    for (const name of generated) expect(readFileSync(join(out, name)).equals(readFileSync(exportsFile(name))), name).toBe(true);
  });

  it('has an expected table per file, with as many customers as the oracle reported, and enough of them', () => {
    for (const { name } of CASES) {
      const table = parseCsv(readFileSync(expectedFile(name), 'utf8'));
      expect(table.header, name).toEqual(['customer_id', 'recency', 'frequency', 'monetary']);
      expect(table.rows.length, name).toBe(DROPS[name].customers);
      expect(table.rows.length, name).toBeGreaterThanOrEqual(100);
      expect(DROPS[name].kept, name).toBeGreaterThan(DROPS[name].rows / 2);
    }
  });

  it('makes every cleaning rule fire where the file has it', () => {
    const fired = (file: string, rule: string) => DROPS[file].dropped[rule] ?? 0;
    for (const file of ['shopify-orders.csv', 'woocommerce-orders.csv', 'stripe-payments.csv', 'european.csv', 'european-totals.csv']) {
      expect(fired(file, 'missing_customer'), file).toBeGreaterThan(0);
    }
    for (const file of ['shopify-orders.csv', 'woocommerce-orders.csv', 'stripe-payments.csv']) expect(fired(file, 'status'), file).toBeGreaterThan(0);
    expect(fired('shopify-orders.csv', 'cancelled_at')).toBeGreaterThan(0); // cancelled orders whose status alone would keep them
    expect(fired('shopify-orders.csv', 'nonpositive_price')).toBeGreaterThan(0); // free gift lines
    expect(fired('european.csv', 'cancelled')).toBeGreaterThan(0);
    expect(fired('latin1-late.csv', 'cancelled')).toBeGreaterThan(0);
    expect(fired('european.csv', 'nonpositive_price')).toBeGreaterThan(0);
    expect(fired('woocommerce-orders.csv', 'nonpositive_amount')).toBeGreaterThan(0);
    expect(fired('european-totals.csv', 'nonpositive_amount')).toBeGreaterThan(0); // credit notes
    expect(fired('CDNOW_sample.txt', 'nonpositive_amount')).toBeGreaterThan(0);
    expect(DROPS['stripe-payments.csv'].partial_refunds_subtracted).toBeGreaterThan(0);
  });

  it('holds the traps each file is meant to hold', () => {
    const shopify = DROPS['shopify-orders.csv'];
    expect((shopify.zone_offsets as string[]).length).toBeGreaterThanOrEqual(4);
    expect(shopify.orders_utc_day_not_local_day).toBeGreaterThan(0);
    expect(DROPS['woocommerce-orders.csv'].statuses).toEqual(['Cancelled', 'Completed', 'Failed', 'On hold', 'Pending payment', 'Processing', 'Refunded']);
    expect(DROPS['superstore.csv'].c_prefixed_orders_not_cancellations).toBeGreaterThan(0);
    expect(DROPS['stripe-payments.csv'].ids_starting_with_c).toBeGreaterThan(0); // ch_… charge ids
    expect(DROPS['superstore.csv'].dropped.cancelled).toBe(0);
    expect(DROPS['superstore.csv'].order_dates_day_over_12).toBeGreaterThan(0);
    expect(DROPS['european.csv'].dates_day_over_12).toBeGreaterThan(0);
    expect(DROPS['european-totals.csv'].dates_day_over_12).toBeGreaterThan(0);
    expect(DROPS['european-totals.csv'].totals_with_thousands_separator).toBeGreaterThan(0);
    const latin1 = DROPS['latin1-late.csv'];
    expect(latin1.first_non_ascii_byte_offset).toBeGreaterThan(1024 * 1024);
    expect(latin1.jose_rows).toBeGreaterThan(0);
    const bytes = readFileSync(exportsFile('latin1-late.csv'));
    expect(bytes.subarray(0, 1024 * 1024).every((b) => b < 0x80)).toBe(true);
    expect(readFileSync(expectedFile('latin1-late.csv'), 'utf8')).toMatch(/^José,/m);
  });
});
