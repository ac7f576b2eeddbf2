/**
 * Real-world exports through the built binary (issue 12, layouts part): each layout read with no
 * flags and its `columns:` line, statuses, refunds, headerless files, the drop warnings and
 * --strict, RFM-table ids, and `rfm inspect`. Expected values are worked out by hand from the
 * small fixtures under fixtures/io (see test/io/layout-rows.test.ts for the arithmetic).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, rfmByCustomer, runRfm, runShell, tempDir } from './helpers.js';

const SHOPIFY = fixture('io', 'shopify.csv');
const STRIPE = fixture('io', 'stripe.csv');
const WOO = fixture('io', 'woocommerce.csv');
const SUPERSTORE = fixture('io', 'superstore.csv');
const UCI = fixture('io', 'uci.csv');
const CDNOW_SAMPLE = fixture('io', 'CDNOW_sample.txt');

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let files = 0;
function file(name: string, content: string): string {
  const path = tmp.path(`${++files}-${name}`);
  writeFileSync(path, content);
  return path;
}

describe.concurrent('layouts recognised with no flags', () => {
  it.each([
    [
      SHOPIFY,
      'customer_id,recency,frequency,monetary\na@example.com,1,2,37.5\nb@example.com,5,1,23\n',
      'columns: customer=Email, invoice=Name, date=Created at, amount=Lineitem quantity×Lineitem price, status=Financial Status (Shopify orders export)',
    ],
    [
      STRIPE,
      'customer_id,recency,frequency,monetary\ncus_A,6,2,70\ncus_B,1,1,10\ncus_C,3,1,60\n',
      'columns: customer=Customer ID, invoice=id, date=Created date (UTC), amount=Amount−Amount Refunded, status=Status (Stripe payments export)',
    ],
    [
      WOO,
      // x: 101 (40) + 104 On hold (10); y: 102 wc-processing; z: 108. Cancelled, Pending payment, wc-refunded, Failed dropped.
      'customer_id,recency,frequency,monetary\nx@example.com,2,2,50\ny@example.com,4,1,25.5\nz@example.com,1,1,12.25\n',
      'columns: customer=Customer Email, invoice=Order ID, date=Order Date, amount=Order Total, status=Order Status (WooCommerce order export)',
    ],
    [
      SUPERSTORE,
      // CA-2016-… and US-2015-… are orders, not cancellations; as-of 2017-04-16 (the last day + 1).
      'customer_id,recency,frequency,monetary\nCG-12520,1,2,1009.452\nDV-13045,308,1,14.62\nSO-20335,553,1,957.5775\n',
      'columns: customer=Customer ID, invoice=Order ID, date=Order Date, amount=Sales (Superstore-style line file)',
    ],
  ])('%s: the RFM, and one columns: line first on stderr', async (path, csv, line) => {
    const r = await runRfm(['rfm', path, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(csv);
    expect(r.stderr.split('\n')[0]).toBe(line);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('columns:'))).toHaveLength(1);
    const quiet = await runRfm(['rfm', path, '--format', 'csv', '-q']);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(csv);
  });

  it('UCI: C536379 is still a cancellation, and no columns: line', async () => {
    const r = await runRfm(['clean', UCI]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('C536379');
    expect(r.stderr).toBe(`read 8 rows from ${UCI}, kept 5; dropped: no customer id 1 · cancellation (invoice C + digits) 1 · quantity <= 0 1\n`);
  });

  it('--keep-refunds and --keep-status on Stripe', async () => {
    const refunds = rfmByCustomer((await runRfm(['rfm', STRIPE, '--format', 'csv', '-q', '--keep-refunds'])).stdout);
    expect([...refunds.values()].map((c) => [c.customer_id, c.frequency, c.monetary])).toEqual([
      ['cus_A', 2, 80],
      ['cus_B', 2, 35],
      ['cus_C', 1, 60],
    ]);
    const status = rfmByCustomer((await runRfm(['rfm', STRIPE, '--format', 'csv', '-q', '--keep-status'])).stdout);
    expect(status.get('cus_C')).toMatchObject({ frequency: 2, monetary: 75 });
  });

  it('clean says the columns: line too (and the warning after its summary)', async () => {
    const r = await runRfm(['clean', STRIPE, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('columns: customer=Customer ID, invoice=id, date=Created date (UTC), amount=Amount−Amount Refunded, status=Status (Stripe payments export)');
    expect(lines[1]).toMatch(/^read 8 rows from .*, kept 4; dropped: no customer id 1 · sale did not stand \(status cancelled, refunded, failed, …\) 3$/);
    expect(lines[2]).toMatch(/^warning: rule status dropped 3 of 8 rows \(37\.5 %\) in column "Status": first "Refunded" on line 4; /);
  });

  it('clean on Shopify: later lines are written with the order-level fields filled down, cancelled orders left out whole', async () => {
    const r = await runRfm(['clean', SHOPIFY, '--format', 'csv', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['#1001', '#1001', '#1002', '#1002', '#1005']);
    expect(lines[2]).toBe('#1001,a@example.com,paid,2024-01-05 10:25:00-0500,fulfilled,USD,25.50,5.00,0.00,30.50,0.00,2024-01-05 10:22:11-0500,1,Spoon,5.50,');
  });
});

describe.concurrent('loud, not silent', () => {
  it('a rule dropping > 20 % of the rows: one warning line after the summary', async () => {
    const r = await runRfm(['rfm', SHOPIFY, '--format', 'csv']);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: rule status dropped 5 of 10 rows (50.0 %) in column "Financial Status": first "refunded" on line 6; keep them with --keep-status (a refund subtracted: --keep-refunds)',
    ]);
  });

  it('an unparseable date in a column that otherwise parses', async () => {
    const path = file('dates.csv', 'CustomerID,InvoiceDate,amount\n1,2024-01-01,10\n2,2024-02-30,5\n' + Array.from({ length: 8 }, (_, i) => `${i + 3},2024-01-0${i + 2},1`).join('\n') + '\n');
    const r = await runRfm(['rfm', path, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'warning: 1 row (10.0 %) dropped for unparseable dates in column "InvoiceDate", which otherwise parses: first "2024-02-30" on line 3; give the order with --date-format dmy|mdy|ymd, or pick the column with --date-col NAME\n',
    );
  });

  it('--strict: exit 4 with the warning as the error, nothing on stdout', async () => {
    const r = await runRfm(['rfm', SHOPIFY, '--format', 'csv', '--strict']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('rfm: error:'))).toEqual([
      `rfm: error: ${SHOPIFY}:6: rule status dropped 5 of 10 rows (50.0 %) in column "Financial Status": first "refunded" on line 6 (--strict); keep them with --keep-status (a refund subtracted: --keep-refunds); or drop --strict to read on with a warning`,
    ]);
  });

  it('--strict: an unparseable value in a column that otherwise parses is an error too (exit 4)', async () => {
    const path = file('strict-dates.csv', 'CustomerID,InvoiceDate,amount\n1,2024-01-01,10\n2,2024-02-30,5\n3,2024-01-03,1\n4,2024-01-04,1\n5,2024-01-05,1\n6,2024-01-06,1\n');
    const r = await runRfm(['rfm', path, '--strict', '--format', 'csv']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `rfm: error: ${path}:3: 1 row (16.7 %) dropped for unparseable dates in column "InvoiceDate", which otherwise parses: first "2024-02-30" on line 3 (--strict); give the order with --date-format dmy|mdy|ymd, or pick the column with --date-col NAME; or drop --strict to read on with a warning\n`,
    );
  });

  it('--strict with clean -o FILE: no file is written', async () => {
    const out = tmp.path('strict-out.csv');
    const r = await runRfm(['clean', SHOPIFY, '-o', out, '--strict']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('(--strict)');
    expect(existsSync(out)).toBe(false);
    expect(tmp.files().filter((f) => f.includes('strict-out'))).toEqual([]);
  });

  it('--strict passes a file with nothing to warn about, and a warned-about drop once its flag is given', async () => {
    expect((await runRfm(['rfm', SUPERSTORE, '--strict', '-q'])).code).toBe(0);
    const r = await runRfm(['rfm', SHOPIFY, '--strict', '--keep-status', '--format', 'csv', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });
});

describe.concurrent('headerless files', () => {
  it('a first line that looks like data: exit 4, "seems to have no header", the flag', async () => {
    const r = await runRfm(['rfm', CDNOW_SAMPLE]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `rfm: error: ${CDNOW_SAMPLE}:1 seems to have no header (first line: 00004 0001 19970101 2 29.33); name its columns with --no-header --columns id,_,date,quantity,amount (one name per column; _ skips a column; names: id/customer, invoice, date, quantity, price, amount or any column synonym)\n`,
    );
  });

  it('--no-header --columns id,_,date,quantity,amount reads the CDNOW sample (whitespace), from a file and from stdin', async () => {
    const args = ['--no-header', '--columns', 'id,_,date,quantity,amount', '--format', 'csv'];
    const r = await runRfm(['rfm', CDNOW_SAMPLE, ...args]);
    expect(r.code, r.stderr).toBe(0);
    const rfm = rfmByCustomer(r.stdout);
    expect(rfm.size).toBe(2349); // 2,357 ids, 8 of them with only a $0.00 line
    // By hand from the file: as-of 1998-07-01 (last day 1998-06-30 + 1); frequency = distinct days.
    expect(rfm.get('00004')).toEqual({ customer_id: '00004', recency: 201, frequency: 4, monetary: 100.5 });
    expect(rfm.get('00018')).toEqual({ customer_id: '00018', recency: 543, frequency: 1, monetary: 14.96 });
    expect(rfm.get('03041')).toEqual({ customer_id: '03041', recency: 12, frequency: 24, monetary: 517.33 }); // 25 lines, two on 1997-03-24
    expect(rfm.has('01101')).toBe(false); // its one line is $0.00
    expect(r.stderr).toContain(`read 6,919 rows from ${CDNOW_SAMPLE}, kept 6,911`);
    const piped = await runRfm(['rfm', '-', ...args], { stdin: readFileSync(CDNOW_SAMPLE) });
    expect(piped.stdout).toBe(r.stdout);
  });

  it('--no-header on a comma-separated file, with an invoice column; the first line is data (line 1)', async () => {
    const path = file('nohead.csv', '17850,536365,2010-12-01 08:26,6,2.55\n17850,536366,2010-12-02 08:28,2,1.85\n13047,C536379,2010-12-01 09:41,-1,27.50\n');
    const r = await runRfm(['rfm', path, '--no-header', '--columns', 'customer,invoice,date,quantity,price', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\n17850,1,2,19\n');
    const clean = await runRfm(['clean', path, '--no-header', '--columns', 'customer,invoice,date,quantity,price', '--format', 'csv', '-q']);
    expect(clean.stdout).toBe('customer,invoice,date,quantity,price\n17850,536365,2010-12-01 08:26,6,2.55\n17850,536366,2010-12-02 08:28,2,1.85\n');
  });

  it('usage errors: --no-header without --columns, --columns with the wrong count', async () => {
    const a = await runRfm(['rfm', CDNOW_SAMPLE, '--no-header']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      'rfm: error: --no-header needs --columns to say what each column is; e.g. --no-header --columns id,_,date,quantity,amount (_ skips a column)\n',
    );
    const b = await runRfm(['rfm', CDNOW_SAMPLE, '--no-header', '--columns', 'id,date,quantity,amount']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(`rfm: error: --columns names 4 columns but line 1 of ${CDNOW_SAMPLE} has 5 fields; give one name per column, _ for a column to skip\n`);
  });
});

describe.concurrent('RFM tables', () => {
  it('12346.0 is customer 12346', async () => {
    const path = file('table.csv', 'customer_id,recency,frequency,monetary\n12346.0,325,1,77183.6\n12347,2,7,4310\n');
    const r = await runRfm(['rfm', path, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\n12346,325,1,77183.6\n12347,2,7,4310\n');
  });
});

describe.concurrent('rfm inspect', () => {
  it('JSON: delimiter, header, layout, the mapping and where each role came from, the rules, the sample', async () => {
    const r = await runRfm(['inspect', SHOPIFY]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({
      file: SHOPIFY,
      format: 'delimited',
      delimiter: ',',
      header: 'present',
      kind: 'transactions',
      layout: 'Shopify orders export',
      notice: 'columns: customer=Email, invoice=Name, date=Created at, amount=Lineitem quantity×Lineitem price, status=Financial Status (Shopify orders export)',
      sample: { rows: 10, kept: 5, complete: true, dropped: { status: 5 } },
      hint: null,
    });
    expect(d.columns.slice(0, 6)).toEqual([
      { role: 'customer', column: 'Email', source: 'layout' },
      { role: 'invoice', column: 'Name', source: 'layout' },
      { role: 'date', column: 'Created at', source: 'layout' },
      { role: 'quantity', column: 'Lineitem quantity', source: 'layout' },
      { role: 'price', column: 'Lineitem price', source: 'layout' },
      { role: 'amount', column: 'Lineitem quantity×Lineitem price', source: 'layout' },
    ]);
    expect(d.rules.map((x: { rule: string; applies: boolean }) => [x.rule, x.applies])).toEqual([
      ['missing_customer', true],
      ['cancelled', true],
      ['status', true],
      ['fill_down', true],
      ['invalid_date', true],
      ['invalid_number', true],
      ['nonpositive_quantity', true],
      ['nonpositive_price', true],
      ['duplicate', false],
    ]);
    // How values are read (value-layouts.ts): the whole file was the sample, all ASCII; zoned timestamps.
    expect(d.encoding).toBe('UTF-8 (all ASCII)');
    expect(d.dateLayout).toBe('"Created at": YYYY-MM-DD HH:MM ±zone');
    expect(d.decimalMark).toBe('"Lineitem quantity": decimal point (the comma delimiter); "Lineitem price": decimal point (the comma delimiter)');
  });

  it('rules turned off by flags say which flag; --date-format given is shown', async () => {
    const d = JSON.parse((await runRfm(['inspect', STRIPE, '--keep-status', '--keep-refunds'])).stdout);
    const rules = Object.fromEntries(d.rules.map((x: { rule: string }) => [x.rule, x]));
    expect(rules.status).toEqual({ rule: 'status', applies: false, detail: 'off (--keep-status)' });
    expect(rules.refunds).toEqual({ rule: 'refunds', applies: false, detail: 'off (--keep-refunds)' });
    const forced = JSON.parse((await runRfm(['inspect', SUPERSTORE, '--date-format', 'mdy'])).stdout);
    expect(forced.dateLayout).toBe('"Order Date": M/D/YYYY, month first (decided by --date-format)');
    const inferred = JSON.parse((await runRfm(['inspect', SUPERSTORE])).stdout);
    expect(inferred.dateLayout).toMatch(/^"Order Date": M\/D\/YYYY, month first \(decided by "\d+\/(1[3-9]|2\d|3[01])\/\d{4}" on line \d+\)$/);
    expect(d.columns.find((c: { role: string }) => c.role === 'customer')).toEqual({ role: 'customer', column: 'Customer ID', source: 'layout' });
  });

  it('a headerless file: "seems missing" and the flag, exit 0; with --no-header the mapping is from --columns', async () => {
    const d = JSON.parse((await runRfm(['inspect', CDNOW_SAMPLE])).stdout);
    expect(d).toMatchObject({ format: 'whitespace', delimiter: 'whitespace', header: 'seems missing', kind: 'unknown' });
    expect(d.hint).toContain('--no-header --columns id,_,date,quantity,amount');
    const n = JSON.parse((await runRfm(['inspect', CDNOW_SAMPLE, '--no-header', '--columns', 'id,_,date,quantity,amount'])).stdout);
    expect(n.header).toBe('none (--no-header --columns)');
    expect(n.columns[0]).toEqual({ role: 'customer', column: 'id', source: '--columns' });
    // A bounded sample: the first 1,000 rows of 6,919.
    expect(n.sample).toMatchObject({ rows: 1000, complete: false });
  });

  it('table on request: the facts, the columns and the rules', async () => {
    const r = await runRfm(['inspect', SUPERSTORE, '--format', 'table']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ layout +│ Superstore-style line file +│/);
    expect(r.stdout).toMatch(/│ delimiter +│ comma +│/);
    expect(r.stdout).toMatch(/│ customer +│ Customer ID +│ layout +│/);
    expect(r.stdout).toMatch(/│ status +│ no +│ no status column +│ +│/);
    expect(r.stdout).toContain('sample: the whole file, 5 read, 5 kept\n');
  });

  it('the --help example answers as shown', async () => {
    const help = (await runRfm(['inspect', '--help'])).stdout;
    const shown = /\| jq -r \.layout\n\s*"?(.*?)"?\n/.exec(help)![1];
    const r = await runShell(`node bin/rfm.js inspect ${SHOPIFY} --format json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).layout))'`);
    expect(r.stdout.trim()).toBe(shown);
  });
});
