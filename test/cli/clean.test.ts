/**
 * `rfm clean` through the built binary: goldens, the stderr summary and --report, the keep
 * switches, formats, encodings, atomic -o, and `rfm clean tx | rfm rfm -` = `rfm rfm tx`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ANSI, fixture, parseCsv, rfmByCustomer, runRfm, runShell, tempDir } from './helpers.js';
import { expectGolden } from './golden.js';

const UCI = fixture('io', 'uci.csv');
const CDNOW = fixture('cdnow', 'CDNOW_master.txt');
const SAMPLE = fixture('online_retail_sample.csv');

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let files = 0;
/** Writes a temp file under a fresh name (tests run concurrently) and returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = tmp.path(`${++files}-${name}`);
  writeFileSync(path, content);
  return path;
}

describe.concurrent('rfm clean --help', () => {
  it('has a worked example', async () => {
    const r = await runRfm(['clean', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Example:');
    for (const flag of ['--report', '--keep-cancelled', '--keep-nonpositive-quantity', '--keep-nonpositive-price', '--dedupe']) expect(r.stdout).toContain(flag);
  });
});

describe.concurrent('rfm clean: output', () => {
  it('writes the kept rows as read (CSV when piped), quoting preserved', async () => {
    const r = await runRfm(['clean', UCI]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('clean-uci.csv', r.stdout);
    // rows kept as read: ids not rewritten, the quoted comma still quoted
    expect(r.stdout).toContain('536366,22633,"HAND WARMER, UNION JACK",6,12/1/2010 8:28,1.85,17850.0,United Kingdom\n');
    expect(r.stdout).not.toContain('C536379');
  });

  it('the stderr summary names each rule with its count', async () => {
    const r = await runRfm(['clean', UCI]);
    expect(r.stderr).toBe(
      `read 8 rows from ${UCI}, kept 5; dropped: no customer id 1 · cancellation (invoice C + digits) 1 · quantity <= 0 1\n`,
    );
    expect((await runRfm(['clean', UCI, '-q'])).stderr).toBe('');
  });

  it('--report FILE: the counts as JSON', async () => {
    const report = tmp.path('report.json');
    const r = await runRfm(['clean', UCI, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual({
      source: UCI,
      rowsRead: 8,
      rowsKept: 5,
      dropped: {
        missing_customer: 1,
        cancelled: 1,
        status: 0,
        invalid_date: 0,
        invalid_number: 0,
        nonpositive_quantity: 1,
        nonpositive_price: 0,
        duplicate: 0,
        after_as_of: 0,
      },
    });
  });

  it('json and ndjson: one object per kept row, every field a string', async () => {
    const json = JSON.parse((await runRfm(['clean', fixture('io', 'quoted.csv'), '-f', 'json'])).stdout) as Record<string, string>[];
    expect(json).toHaveLength(4);
    expect(json[1]).toEqual({ Invoice: '536366', Description: '12" RECORD "DISCO" SLEEVE', Quantity: '1', InvoiceDate: '2010-12-01 08:28:00', Price: '1.25', 'Customer ID': '17850' });
    expect(json[2].Description).toBe('GIFT NOTE\r\nLINE TWO\r\nLINE THREE');
    const nd = (await runRfm(['clean', fixture('io', 'quoted.csv'), '-f', 'ndjson'])).stdout;
    expect(nd.trim().split('\n').map((l) => JSON.parse(l))).toEqual(json);
  });

  it('a quoted newline survives the CSV round trip', async () => {
    const r = await runRfm(['clean', fixture('io', 'quoted.csv')]);
    expect(r.stdout).toContain('536367,"GIFT NOTE\r\nLINE TWO\r\nLINE THREE",3,');
  });

  it('--format table: a preview without ANSI escapes when piped', async () => {
    const r = await runRfm(['clean', UCI, '--format', 'table', '--no-color']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout).toContain('HAND WARMER, UNION JACK');
    expect(r.stdout).toMatch(/│ InvoiceNo │/);
  });

  it('latin1 input: right result, and £ written as UTF-8', async () => {
    const r = await runRfm(['clean', fixture('io', 'latin1.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expectGolden('clean-latin1.csv', r.stdout);
    expect(r.stdout).toContain('POSTAGE £2.50 FLAT');
    expect(r.stdoutBytes.includes(Buffer.from([0xc2, 0xa3]))).toBe(true);
    const rfm = await runRfm(['rfm', fixture('io', 'latin1.csv')]);
    const table = rfmByCustomer(rfm.stdout);
    expect([...table.keys()]).toEqual(['12680', '12681']);
    expect(table.get('12680')).toMatchObject({ recency: 1, frequency: 2 });
    expect(table.get('12680')!.monetary).toBeCloseTo(22.3, 9); // 1 × 2.5 + 12 × 1.65
  });

  it('CDNOW: whitespace input comes out as CSV', async () => {
    const r = await runRfm(['clean', fixture('io', 'cdnow.txt')]);
    expect(r.stdout).toBe('customer_id,date,number_of_cds,dollar_value\n00001,19970101,1,11.77\n00002,19970112,1,12.00\n00002,19970112,5,77.00\n00003,19970102,2,20.76\n00003,19970330,2,20.76\n00003,19970402,2,19.54\n');
  });
});

describe.concurrent('rfm clean: switches', () => {
  const log = () =>
    file(
      'switches.csv',
      'Invoice,Quantity,InvoiceDate,Price,Customer ID\n' +
        '1,2,2011-01-01 10:00,1.5,100\n' +
        '1,2,2011-01-01 10:00,1.5,100\n' +
        'C2,-1,2011-01-01 10:00,1.5,100\n' +
        '3,0,2011-01-01 10:00,1,100\n' +
        '4,1,2011-01-01 10:00,0,100\n' +
        '5,1,2011-01-01 10:00,-3,100\n',
    );
  const kept = async (...flags: string[]) => parseCsv((await runRfm(['clean', log(), '-q', ...flags])).stdout).rows.map((r) => r[0]);

  it('defaults drop the cancellation, quantity <= 0 and price <= 0; duplicates kept', async () => {
    expect(await kept()).toEqual(['1', '1']);
  });
  it('--keep-cancelled (the cancellation then falls to the quantity rule)', async () => {
    expect(await kept('--keep-cancelled', '--keep-nonpositive-quantity')).toEqual(['1', '1', 'C2', '3']);
  });
  it('--keep-nonpositive-quantity', async () => {
    expect(await kept('--keep-nonpositive-quantity')).toEqual(['1', '1', '3']);
  });
  it('--keep-nonpositive-price', async () => {
    expect(await kept('--keep-nonpositive-price')).toEqual(['1', '1', '4', '5']);
  });
  it('--dedupe', async () => {
    const report = tmp.path('dedupe.json');
    expect(await kept('--dedupe', '--report', report)).toEqual(['1']);
    expect(JSON.parse(readFileSync(report, 'utf8')).dropped.duplicate).toBe(1);
  });

  it('all rows dropped → exit 4, naming the rules, no partial output file', async () => {
    const out = tempDir('rfm-clean-out-');
    try {
      const path = file('alldropped.csv', 'Invoice,Quantity,InvoiceDate,Price,Customer ID\nC1,1,2011-01-01,1,A\n2,0,2011-01-01,1,B\n3,1,2011-01-01,1,\n');
      const r = await runRfm(['clean', path, '-o', out.path('clean.csv')]);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain(`no rows of ${path} survive cleaning (3 read; dropped: missing_customer 1, cancelled 1, nonpositive_quantity 1)`);
      expect(out.files()).toEqual([]);
    } finally {
      out.cleanup();
    }
  });
});

describe.concurrent('rfm clean -o FILE (atomic)', () => {
  it('complete file, nothing on stdout, no temp files; a failed run leaves the old file', async () => {
    const out = tempDir('rfm-clean-out-');
    try {
      const r = await runRfm(['clean', UCI, '-o', out.path('clean.csv')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(readFileSync(out.path('clean.csv'), 'utf8')).toBe(readFileSync(fixture('golden', 'clean-uci.csv'), 'utf8'));
      expect(out.files()).toEqual(['clean.csv']);
      const bad = file('bad-late.csv', readFileSync(UCI, 'utf8') + 'only,three,fields\n');
      const failed = await runRfm(['clean', bad, '-o', out.path('clean.csv')]);
      expect(failed.code, failed.stderr).toBe(4);
      expect(failed.stderr).toContain('line 10 has 3 fields');
      expect(readFileSync(out.path('clean.csv'), 'utf8')).toBe(readFileSync(fixture('golden', 'clean-uci.csv'), 'utf8'));
      expect(out.files()).toEqual(['clean.csv']);
    } finally {
      out.cleanup();
    }
  });
});

describe.concurrent('rfm clean tx | rfm rfm -  equals  rfm rfm tx', () => {
  it.each([
    ['UCI fixture', UCI, []],
    ['CDNOW, whole file', CDNOW, []],
    ['CDNOW with --keep-nonpositive-price on both sides', CDNOW, ['--keep-nonpositive-price']],
    ['the Online-Retail-II-shaped sample', SAMPLE, []],
    ['latin1', fixture('io', 'latin1.csv'), []],
    ['xlsx', fixture('io', 'retail.xlsx'), []],
  ])('%s', async (_name, input, flags) => {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const f = flags.join(' ');
    const [piped, direct] = await Promise.all([
      runShell(`rfm clean ${q(input)} ${f} -q | rfm rfm - ${f} -q`),
      runRfm(['rfm', input, ...flags, '-q']),
    ]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdoutBytes.equals(direct.stdoutBytes)).toBe(true);
    expect(direct.stdout.split('\n').length).toBeGreaterThan(2);
  });

  it('the same through stdin without a shell', async () => {
    const cleaned = await runRfm(['clean', UCI, '-q']);
    const fromStdin = await runRfm(['rfm', '-q'], { stdin: cleaned.stdoutBytes });
    expect(fromStdin.stdout).toBe(readFileSync(fixture('golden', 'rfm-uci.csv'), 'utf8'));
  });
});
