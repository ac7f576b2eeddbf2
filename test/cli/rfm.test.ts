/**
 * `rfm rfm` (and the program-level flags) through the built binary: goldens for every output
 * format, column detection and its errors, every input form, time-zone independence, real data
 * against pandas, scores, atomic -o, and a ~300k-row streaming run.
 */
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreSegment } from '../../src/core/scores.js';
import { ANSI, fixture, parseCsv, rfmByCustomer, runRfm, tempDir, ROOT } from './helpers.js';
import { expectGolden } from './golden.js';

const UCI = fixture('io', 'uci.csv');
const RETAIL2 = fixture('io', 'retail2.csv');
const CDNOW = fixture('cdnow', 'CDNOW_master.txt');
const SAMPLE = fixture('online_retail_sample.csv');
const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Runs shared by several tests (the real-data runs are the slow ones): started once. */
const shared = new Map<string, ReturnType<typeof runRfm>>();
function runOnce(args: string[]): ReturnType<typeof runRfm> {
  const key = JSON.stringify(args);
  if (!shared.has(key)) shared.set(key, runRfm(args));
  return shared.get(key)!;
}

let files = 0;
/** Writes a temp file under a fresh name (tests run concurrently) and returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = tmp.path(`${++files}-${name}`);
  writeFileSync(path, content);
  return path;
}

describe.concurrent('program: help, version, usage errors', () => {
  it('rfm --help shows the commands and an Example: section', async () => {
    const r = await runRfm(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Example:');
    expect(r.stdout).toMatch(/\bclean\b/);
    expect(r.stdout).toMatch(/\brfm\b/);
  });

  it('rfm rfm --help shows its options and a worked example', async () => {
    const r = await runRfm(['rfm', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Example:');
    for (const flag of ['--scores', '--extended', '--as-of', '--customer-col', '--format', '--output', '--sheet', '--date-format']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('rfm --version prints the package.json version', async () => {
    const r = await runRfm(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it.each([
    [['rfm', UCI, '--bogus']],
    [['--bogus']],
    [['rfm', UCI, '--format', 'xml']],
    [['rfm', UCI, '--date-format', 'ydm']],
    [['rfm', UCI, '--as-of', 'last tuesday']],
    [['rfm', UCI, '--customer-col', 'nope']],
  ])('usage error → exit 2: %j', async (args) => {
    const r = await runRfm(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rfm: error: /m);
  });
});

describe.concurrent('rfm rfm: output formats (goldens reviewed by hand: see test/io/customers.test.ts)', () => {
  it.each([
    ['csv', 'rfm-uci.csv'],
    ['json', 'rfm-uci.json'],
    ['ndjson', 'rfm-uci.ndjson'],
  ])('--format %s', async (format, golden) => {
    const r = await runRfm(['rfm', UCI, '--format', format]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden(golden, r.stdout);
  });

  it('piped output defaults to CSV', async () => {
    const r = await runRfm(['rfm', UCI]);
    expectGolden('rfm-uci.csv', r.stdout);
  });

  it('json and ndjson hold the same records as csv, ids as strings', async () => {
    const json = JSON.parse((await runRfm(['rfm', UCI, '-f', 'json'])).stdout) as Record<string, unknown>[];
    const ndjson = (await runRfm(['rfm', UCI, '-f', 'ndjson'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ndjson).toEqual(json);
    expect(json.map((o) => o.customer_id)).toEqual(['12583', '13047', '17850']);
    expect(json[2]).toEqual({ customer_id: '17850', recency: 3, frequency: 2, monetary: 46.74 });
  });

  it('--format table: a human table, no ANSI escapes when piped or with --no-color', async () => {
    const piped = await runRfm(['rfm', UCI, '--format', 'table']);
    const plain = await runRfm(['rfm', UCI, '--format', 'table', '--no-color']);
    const noColorEnv = await runRfm(['rfm', UCI, '--format', 'table'], { env: { NO_COLOR: '1', FORCE_COLOR: '3' } });
    for (const r of [piped, plain, noColorEnv]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stderr).not.toMatch(ANSI);
    }
    expect(plain.stdout).toBe(piped.stdout);
    expect(piped.stdout).toMatch(/│ customer_id │ recency │ frequency │ monetary │/);
    expect(piped.stdout).toMatch(/│ 12583\s+│\s+1 │\s+1 │\s+90\.00 │/);
  });

  it('--scores --extended: the extra columns', async () => {
    const r = await runRfm(['rfm', UCI, '--scores', '--extended']);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('rfm-uci-scores-extended.csv', r.stdout);
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual([
      'customer_id', 'recency', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'rfm_score', 'score_segment',
      'first_purchase', 'last_purchase', 'tenure_days', 'avg_order_value',
    ]);
    // 17850: first 12/1 08:26, last 12/1 08:28, as-of 12/4 08:45 → tenure 3 days, 46.74 / 2 invoices
    const c = rows.find((row) => row[0] === '17850')!;
    expect(c.slice(9, 12)).toEqual(['2010-12-01T08:26:00Z', '2010-12-01T08:28:00Z', '3']);
    expect(Number(c[12])).toBeCloseTo(23.37, 9);
  });

  it('-q: data on stdout, nothing on stderr', async () => {
    const r = await runRfm(['rfm', UCI, '-q', '--scores']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toBe('');
  });

  it('stderr carries the cleaning summary and the as-of date; stdout only data', async () => {
    const r = await runRfm(['rfm', UCI]);
    expect(r.stderr).toContain(`read 8 rows from ${UCI}, kept 5`);
    expect(r.stderr).toContain('as-of 2010-12-04T08:45:00Z');
    expect(r.stdout.startsWith('customer_id,recency,frequency,monetary\n')).toBe(true);
  });
});

describe.concurrent('rfm rfm: column detection on the command line', () => {
  it('Online Retail II layout gives the same output as UCI', async () => {
    const r = await runRfm(['rfm', RETAIL2]);
    expectGolden('rfm-uci.csv', r.stdout);
  });

  it('CDNOW layout (whitespace, YYYYMMDD, dollar_value)', async () => {
    const r = await runRfm(['rfm', fixture('io', 'cdnow.txt')]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('rfm-cdnow-small.csv', r.stdout);
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\n00001,92,1,11.77\n00002,81,1,89\n00003,1,3,61.06\n');
  });

  it('override flags name every column', async () => {
    const path = file('custom.csv', 'buyer,ticket,when,units,each,note\nA,1,2011-01-01 10:00,2,1.5,x\nA,2,2011-01-03 10:00,1,4,y\nB,3,2011-01-02 09:00,3,1,z\n');
    const r = await runRfm(['rfm', path, '--customer-col', 'buyer', '--invoice-col', 'ticket', '--date-col', 'when', '--quantity-col', 'units', '--price-col', 'each']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\nA,1,2,7\nB,2,1,3\n');
  });

  it('--amount-col overrides quantity × price', async () => {
    const path = file('amount.csv', 'CustomerID,InvoiceDate,Quantity,UnitPrice,line\nA,2011-01-01,2,1.5,100\n');
    expect((await runRfm(['rfm', path])).stdout).toContain('A,1,1,3\n');
    expect((await runRfm(['rfm', path, '--amount-col', 'line'])).stdout).toContain('A,1,1,100\n');
  });

  it.each([
    ['no customer', 'Invoice,InvoiceDate,Quantity,Price\n1,2011-01-01,1,1\n', /no customer column in \S+nocustomer\.csv/],
    ['no date', 'Invoice,Customer ID,Quantity,Price\n1,A,1,1\n', /no date column in \S+nodate\.csv/],
    ['no amount', 'Invoice,Customer ID,InvoiceDate,Quantity\n1,A,2011-01-01,1\n', /no amount column, and no quantity and price columns, in \S+noamount\.csv/],
    ['ambiguous', 'CustomerID,date,order_date,amount\nA,2011-01-01,2011-01-01,1\n', /columns "date" and "order_date" both look like the date column/],
    ['duplicate', 'CustomerID,date,amount,Amount\nA,2011-01-01,1,1\n', /header has "Amount" twice \(columns 3 and 4\)/],
  ])('%s → exit 4 with a message naming the file', async (name, content, message) => {
    const path = file(`${name.replace(/ /g, '')}.csv`, content);
    const r = await runRfm(['rfm', path]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(path);
  });
});

describe.concurrent('rfm rfm: inputs', () => {
  const golden = () => readFileSync(fixture('golden', 'rfm-uci.csv'), 'utf8');

  it('stdin with -', async () => {
    const r = await runRfm(['rfm', '-'], { stdin: readFileSync(UCI) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(golden());
    expect(r.stderr).toContain('from stdin');
  });

  it('stdin with no argument when piped', async () => {
    const r = await runRfm(['rfm'], { stdin: readFileSync(UCI) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(golden());
  });

  it('gzipped stdin, and a .gz file', async () => {
    const gz = gzipSync(readFileSync(UCI));
    expect((await runRfm(['rfm', '-'], { stdin: gz })).stdout).toBe(golden());
    expect((await runRfm(['rfm', file('uci.csv.gz', gz)])).stdout).toBe(golden());
  });

  it('semicolon and tab files', async () => {
    const text = readFileSync(RETAIL2, 'utf8').replace('"HAND WARMER, UNION JACK"', 'HAND WARMER UNION JACK');
    expect((await runRfm(['rfm', file('semi.csv', text.replace(/,/g, ';'))])).stdout).toBe(golden());
    expect((await runRfm(['rfm', file('tab.tsv', text.replace(/,/g, '\t'))])).stdout).toBe(golden());
  });

  it('CRLF + BOM file', async () => {
    const text = '\ufeff' + readFileSync(UCI, 'utf8').replace(/\n/g, '\r\n');
    expect((await runRfm(['rfm', file('crlf.csv', text)])).stdout).toBe(golden());
  });

  it('.xlsx: the first sheet by default, --sheet NAME, and a missing sheet (exit 3)', async () => {
    const xlsx = fixture('io', 'retail.xlsx');
    const first = await runRfm(['rfm', xlsx]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('customer_id,recency,frequency,monetary\n13078,1,1,59.5\n13085,2,1,164.4\n');
    const second = await runRfm(['rfm', xlsx, '--sheet', 'Year 2010-2011']);
    expect(second.stdout).toBe('customer_id,recency,frequency,monetary\n12680,1,2,26.4\n');
    const missing = await runRfm(['rfm', xlsx, '--sheet', 'Nope']);
    expect(missing.code, missing.stderr).toBe(3);
    expect(missing.stderr).toContain('has no sheet named "Nope"');
    expect(missing.stderr).toContain('Year 2009-2010, Year 2010-2011');
  });

  it('.xlsx on stdin', async () => {
    const r = await runRfm(['rfm', '-'], { stdin: readFileSync(fixture('io', 'retail.xlsx')) });
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\n13078,1,1,59.5\n13085,2,1,164.4\n');
  });

  it('a missing file → exit 3', async () => {
    const r = await runRfm(['rfm', tmp.path('nope.csv')]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('no such file');
  });

  it('a row with too few fields → exit 4 naming the line (after a quoted newline)', async () => {
    const path = file('short.csv', 'Invoice,Description,Quantity,InvoiceDate,Price,Customer ID\n1,"a\nb",1,2011-01-01,1,5\n2,x,1,2011-01-01,1\n');
    const r = await runRfm(['rfm', path]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`${path}:4:`);
    expect(r.stderr).toContain('line 4 has 5 fields but the header has 6');
  });
});

describe.concurrent('rfm rfm: dates and time zones', () => {
  const mixed = () =>
    file(
      'zones.csv',
      'Invoice,InvoiceDate,Quantity,Price,Customer ID\n' +
        '1,2011-03-27 00:30,1,1,A\n' + // zone-less: UTC
        '2,2011-03-27T01:30:00+02:00,1,1,B\n' + // = 2011-0326 23:30Z
        '3,3/27/2011 2:30,1,1,C\n' + // a DST gap in Europe and a normal hour elsewhere
        '4,20110327,1,1,D\n' +
        '5,2011-11-06T01:30:00Z,1,1,E\n', // the repeated hour in New York
    );

  it('the output is byte-identical in New York, Tokyo and UTC', async () => {
    const path = mixed();
    for (const args of [['rfm', path, '--extended'], ['rfm', UCI, '--extended', '--scores'], ['rfm', fixture('io', 'retail.xlsx'), '--extended'], ['clean', path]]) {
      const [ny, tokyo, utc] = await Promise.all(
        ['America/New_York', 'Asia/Tokyo', 'UTC'].map((TZ) => runRfm(args, { env: { TZ } })),
      );
      expect(ny.code).toBe(0);
      expect(ny.stdoutBytes.equals(utc.stdoutBytes)).toBe(true);
      expect(tokyo.stdoutBytes.equals(utc.stdoutBytes)).toBe(true);
      expect(ny.stderr).toBe(utc.stderr);
    }
  });

  it('zone-less timestamps are UTC; zoned ones are converted', async () => {
    const r = await runRfm(['rfm', mixed(), '--extended', '-q'], { env: { TZ: 'Asia/Tokyo' } });
    const { header, rows } = parseCsv(r.stdout);
    const last = new Map(rows.map((row) => [row[0], row[header.indexOf('last_purchase')]]));
    expect(Object.fromEntries(last)).toEqual({
      A: '2011-03-27T00:30:00Z',
      B: '2011-03-26T23:30:00Z',
      C: '2011-03-27T02:30:00Z',
      D: '2011-03-27T00:00:00Z',
      E: '2011-11-06T01:30:00Z',
    });
  });

  it('--date-format dmy, and invalid dates (Feb 30, month 13) counted as invalid_date', async () => {
    const path = file('dmy.csv', 'InvoiceNo,InvoiceDate,Quantity,UnitPrice,CustomerID\n1,1/12/2010 10:00,1,1,A\n2,3/12/2010 10:00,1,1,B\n3,30/2/2010 10:00,1,1,C\n4,1/13/2010 10:00,1,1,D\n');
    const report = tmp.path('dmy-report.json');
    const r = await runRfm(['rfm', path, '--date-format', 'dmy', '--report', report]);
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\nA,3,1,1\nB,1,1,1\n');
    expect(JSON.parse(readFileSync(report, 'utf8')).dropped.invalid_date).toBe(2);
  });

  it('--as-of: recency from that date, later rows left out and counted', async () => {
    const report = tmp.path('asof-report.json');
    const r = await runRfm(['rfm', UCI, '--as-of', '2010-12-02', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\n13047,0,1,54.08\n17850,0,2,46.74\n');
    expect(r.stderr).toContain('as-of 2010-12-02T00:00:00Z');
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ rowsKept: 4, dropped: { after_as_of: 1 } });
  });
});

describe.concurrent('rfm rfm: cleaning on the command line', () => {
  const log = () =>
    file(
      'rules.csv',
      'Invoice,Quantity,InvoiceDate,Price,Customer ID\n' +
        '1,2,2011-01-01 10:00,1.5,100\n' +
        '1,2,2011-01-01 10:00,1.5,100\n' + // exact duplicate
        '2,1,2011-01-01 10:00,1,\n' +
        'C3,1,2011-01-01 10:00,1,100\n' +
        '4,0,2011-01-01 10:00,1,100\n' +
        '5,1,2011-01-01 10:00,0,200\n' +
        '6,1,2011-02-30 10:00,1,100\n' +
        '7,"1,23.50",2011-01-01 10:00,1,100\n' + // thousands grouped wrong
        '8,1,2011-01-02 10:00,3,300.0\n',
    );

  it('--report FILE: the per-rule counts as JSON', async () => {
    const report = tmp.path('report.json');
    const path = log();
    const r = await runRfm(['rfm', path, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual({
      source: path,
      rowsRead: 9,
      rowsKept: 3,
      dropped: {
        missing_customer: 1,
        cancelled: 1,
        status: 0,
        invalid_date: 1,
        invalid_number: 1,
        nonpositive_quantity: 1,
        nonpositive_price: 1,
        duplicate: 0,
        after_as_of: 0,
      },
    });
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\n100,2,1,6\n300,1,1,3\n');
  });

  it('each --keep switch and --dedupe changes the result', async () => {
    const path = log();
    const run = async (...flags: string[]) => rfmByCustomer((await runRfm(['rfm', path, '-q', ...flags])).stdout);
    expect((await run('--dedupe')).get('100')).toMatchObject({ frequency: 1, monetary: 3 });
    expect((await run('--keep-cancelled')).get('100')).toMatchObject({ frequency: 2, monetary: 7 });
    expect((await run('--keep-nonpositive-quantity')).get('100')).toMatchObject({ frequency: 2, monetary: 6 });
    expect((await run('--keep-nonpositive-price')).get('200')).toMatchObject({ frequency: 1, monetary: 0 });
    expect((await run()).has('200')).toBe(false);
  });

  it('nothing survives → exit 4 naming which rules removed what', async () => {
    const path = file('allbad.csv', 'Invoice,Quantity,InvoiceDate,Price,Customer ID\nC1,1,2011-01-01,1,A\nC2,1,2011-01-01,1,B\n3,1,2011-01-01,1,\n');
    const r = await runRfm(['rfm', path]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`no rows of ${path} survive cleaning (3 read; dropped: missing_customer 1, cancelled 2)`);
  });
});

describe.concurrent('rfm rfm --scores', () => {
  it('thresholds on stderr; R/F/M 1-5 with recency reversed; the grid segment; collapsed-bin warning', async () => {
    const r = await runRfm(['rfm', CDNOW, '--scores']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recency score thresholds \(20\/40\/60\/80%\): [\d.,\s]+\n/);
    expect(r.stderr).toMatch(/frequency score thresholds/);
    expect(r.stderr).toMatch(/monetary score thresholds/);
    // CDNOW: most customers bought once, so the frequency bins collapse
    expect(r.stderr).toMatch(/warning: frequency scores collapse on ties: only \d of 5/);
    const { header, rows } = parseCsv(r.stdout);
    const col = (name: string) => header.indexOf(name);
    const recencyToR = new Map<string, string>();
    let recentR = 0;
    for (const row of rows) {
      const [rs, fs, ms] = [row[col('r_score')], row[col('f_score')], row[col('m_score')]].map(Number);
      for (const s of [rs, fs, ms]) expect(s >= 1 && s <= 5).toBe(true);
      expect(row[col('rfm_score')]).toBe(`${rs}${fs}${ms}`);
      expect(row[col('score_segment')]).toBe(scoreSegment(rs, fs));
      // equal recency, equal score
      const seen = recencyToR.get(row[col('recency')]);
      if (seen !== undefined) expect(row[col('r_score')]).toBe(seen);
      recencyToR.set(row[col('recency')], row[col('r_score')]);
      if (row[col('recency')] === '1') recentR = rs;
    }
    expect(recentR).toBe(5);
    expect(rows.find((row) => row[0] === '00002')![col('r_score')]).toBe('1');
  });

  it('amounts equal in decimal are equal: the 61 CDNOW customers who spent $29.73 by 1998-01-01 all print 29.73 and score 2', async () => {
    // pandas with Python Decimal sums (lines up to 1998-01-01, amount > 0): 23,502 customers, 61 of
    // them spent exactly 29.73, and numpy's 40 % quantile of the sums is 29.73 itself, so none of
    // the 61 exceeds it: all score m = 2. In plain doubles 7 of them sum to 29.729999999999997.
    const r = await runRfm(['rfm', CDNOW, '--scores', '--as-of', '1998-01-01', '-f', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('monetary score thresholds (20/40/60/80%): 15.36, 29.73, 53.12, 111.45\n');
    const { header, rows } = parseCsv(r.stdout);
    const monetary = header.indexOf('monetary');
    const m = header.indexOf('m_score');
    expect(rows).toHaveLength(23502);
    const spent2973 = rows.filter((row) => Math.abs(Number(row[monetary]) - 29.73) < 0.005);
    expect(spent2973).toHaveLength(61);
    expect(new Set(spent2973.map((row) => row[monetary]))).toEqual(new Set(['29.73']));
    expect(new Set(spent2973.map((row) => row[m]))).toEqual(new Set(['2']));
  });
});

describe.concurrent('rfm rfm: real data', () => {
  it('CDNOW whole file: 23,502 customers, as-of 1998-07-01, customer 00002 = 535 / 1 / 89', async () => {
    const r = await runOnce(['rfm', CDNOW]);
    expect(r.code, r.stderr).toBe(0);
    const table = rfmByCustomer(r.stdout);
    expect(table.size).toBe(23502);
    expect(r.stderr).toContain('as-of 1998-07-01T00:00:00Z');
    expect(r.stderr).toContain('read 69,659 rows');
    expect(table.get('00002')).toEqual({ customer_id: '00002', recency: 535, frequency: 1, monetary: 89 });
    expect([...table.keys()].slice(0, 3)).toEqual(['00001', '00002', '00003']);
  });

  it('CDNOW with --keep-nonpositive-price: 23,570 customers', async () => {
    const r = await runRfm(['rfm', CDNOW, '--keep-nonpositive-price', '-q']);
    expect(rfmByCustomer(r.stdout).size).toBe(23570);
  });

  it.each([
    ['CDNOW', CDNOW, 'rfm-cdnow-pandas.csv'],
    ['the Online-Retail-II-shaped sample', SAMPLE, 'rfm-online-retail-pandas.csv'],
  ])('%s equals pandas customer for customer (fixtures/golden/make-pandas-golden.py)', async (_name, input, golden) => {
    const r = await runOnce(['rfm', input]);
    expect(r.code, r.stderr).toBe(0);
    const ours = rfmByCustomer(r.stdout);
    const pandas = rfmByCustomer(readFileSync(fixture('golden', golden), 'utf8'));
    expect(ours.size).toBe(pandas.size);
    expect([...ours.keys()]).toEqual([...pandas.keys()]);
    let worst = 0;
    for (const [id, want] of pandas) {
      const got = ours.get(id)!;
      expect(got.recency, id).toBe(want.recency);
      expect(got.frequency, id).toBe(want.frequency);
      worst = Math.max(worst, Math.abs((got.monetary as number) - (want.monetary as number)));
    }
    expect(worst).toBeLessThan(0.005);
  });
});

describe.concurrent('rfm rfm -o FILE (atomic)', () => {
  it('writes the file complete, nothing on stdout, no temp file left', async () => {
    const out = tempDir('rfm-out-');
    try {
      const r = await runRfm(['rfm', UCI, '-o', out.path('rfm.csv')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(readFileSync(out.path('rfm.csv'), 'utf8')).toBe(readFileSync(fixture('golden', 'rfm-uci.csv'), 'utf8'));
      expect(out.files()).toEqual(['rfm.csv']);
      // the extension picks the format
      await runRfm(['rfm', UCI, '-o', out.path('rfm.json')]);
      expect(JSON.parse(readFileSync(out.path('rfm.json'), 'utf8'))).toHaveLength(3);
    } finally {
      out.cleanup();
    }
  });

  it('a failed run leaves an existing file untouched and no temp file', async () => {
    const out = tempDir('rfm-out-');
    try {
      writeFileSync(out.path('rfm.csv'), 'precious\n');
      const bad = file('bad-input.csv', 'Invoice,InvoiceDate,Quantity,Price\n1,2011-01-01,1,1\n');
      const r = await runRfm(['rfm', bad, '-o', out.path('rfm.csv')]);
      expect(r.code, r.stderr).toBe(4);
      expect(readFileSync(out.path('rfm.csv'), 'utf8')).toBe('precious\n');
      expect(out.files()).toEqual(['rfm.csv']);
      // a row error halfway through the file, after rows were read
      const late = file('late-error.csv', readFileSync(UCI, 'utf8') + '999,1,2\n');
      const r2 = await runRfm(['rfm', late, '-o', out.path('rfm.csv')]);
      expect(r2.code, r2.stderr).toBe(4);
      expect(readFileSync(out.path('rfm.csv'), 'utf8')).toBe('precious\n');
      expect(out.files()).toEqual(['rfm.csv']);
    } finally {
      out.cleanup();
    }
  });

  it('a directory that does not exist → exit 3', async () => {
    const r = await runRfm(['rfm', UCI, '-o', tmp.path('no/such/dir/rfm.csv')]);
    expect(r.code, r.stderr).toBe(3);
    expect(existsSync(tmp.path('no'))).toBe(false);
  });
});

describe.concurrent('rfm rfm: streaming a ~300k-row log', () => {
  it('gives the right answer for every customer', async () => {
    const ROWS = 300_000;
    const CUSTOMERS = 2_000;
    const path = tmp.path('big.csv');
    const start = Date.UTC(2011, 0, 1);
    const want = new Map<string, { last: number; invoices: Set<number>; cents: number }>();
    let maxTime = 0;
    const out = createWriteStream(path);
    const lines: string[] = ['Invoice,StockCode,Quantity,InvoiceDate,Price,Customer ID'];
    const write = (force: boolean) => {
      if (lines.length >= 10_000 || force) {
        out.write(lines.join('\n') + '\n');
        lines.length = 0;
      }
    };
    for (let i = 0; i < ROWS; i++) {
      const invoice = Math.floor(i / 3); // three lines per invoice
      const customer = String((invoice * 7919) % CUSTOMERS).padStart(5, '0');
      const time = start + invoice * 61_000; // one invoice every 61 s, ~70 days in all
      const quantity = 1 + (i % 5);
      const priceCents = 25 * (1 + (i % 7)); // quarters: sums stay exact
      const missing = i % 97 === 0;
      const cancelled = i % 101 === 0;
      const date = new Date(time).toISOString().slice(0, 19).replace('T', ' ');
      lines.push(`${cancelled ? 'C' : ''}${invoice},S${i % 50},${quantity},${date},${(priceCents / 100).toFixed(2)},${missing ? '' : customer + '.0'}`);
      write(false);
      if (missing || cancelled) continue;
      maxTime = Math.max(maxTime, time);
      const w = want.get(customer) ?? { last: 0, invoices: new Set<number>(), cents: 0 };
      w.last = Math.max(w.last, time);
      w.invoices.add(invoice);
      w.cents += quantity * priceCents;
      want.set(customer, w);
    }
    write(true);
    await new Promise<void>((resolve) => out.end(resolve));

    const r = await runRfm(['rfm', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('read 300,000 rows');
    const got = rfmByCustomer(r.stdout);
    expect(got.size).toBe(want.size);
    const asOf = maxTime + 86_400_000;
    for (const [id, w] of want) {
      const g = got.get(id)!;
      expect(g.recency).toBe(Math.floor((asOf - w.last) / 86_400_000));
      expect(g.frequency).toBe(w.invoices.size);
      expect(Math.abs((g.monetary as number) - w.cents / 100)).toBeLessThan(0.005);
    }
  });
});
