/**
 * Paths no other test reached (issue 19), on the built binary: --as-of given with an RFM table,
 * rfm clean --as-of, a bad or missing --labels file, serve failing to listen, --verbose stack traces for an
 * internal error, and rich-text / formula / hyperlink cells of a real writer's workbook.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killChildren, spawnServe } from '../server/spawn.js';
import { fixture, parseCsv, runRfm, tempDir } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const tmp = tempDir('rfm-unreached-');
afterAll(() => tmp.cleanup());
afterEach(killChildren);

const TABLE = 'customer_id,recency,frequency,monetary\nA,3,2,10.5\nB,40,1,99\n';
const LOG = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n1,2011-12-01 10:00,1,10,A\n2,2011-12-05 10:00,1,10,B\n3,2011-12-02 09:00,2,5,A\n';

describe('--as-of with an RFM table: a usage error, since a table has no dates to cut', () => {
  it.each([
    ['rfm', ['rfm', '-']],
    ['segment', ['segment', '-', '-m', MODEL]],
    ['fit', ['fit', '-', '-m', tmp.path('never.json')]],
  ])('rfm %s', async (_name, args) => {
    const r = await runRfm([...args, '--as-of', '2024-01-01'], { stdin: TABLE });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: --as-of applies to transaction logs, but stdin is an RFM table; drop --as-of, or give the transaction log\n');
    expect(r.stdout).toBe('');
    expect(existsSync(tmp.path('never.json'))).toBe(false);
  });
});

describe('rfm clean --as-of', () => {
  it('leaves out the rows after the as-of instant and counts them', async () => {
    const r = await runRfm(['clean', '-', '--as-of', '2011-12-03', '--format', 'csv'], { stdin: LOG });
    expect(r.code).toBe(0);
    // Row 2 (2011-12-05) is after 2011-12-03T00:00Z; rows 1 and 3 are kept, in file order.
    expect(r.stdout).toBe('Invoice,InvoiceDate,Quantity,Price,Customer ID\n1,2011-12-01 10:00,1,10,A\n3,2011-12-02 09:00,2,5,A\n');
    expect(r.stderr).toContain('read 3 rows from stdin, kept 2; dropped: after the as-of date 1\n');
  });

  it('an as-of before every row is a data error, and writes nothing', async () => {
    const out = tmp.path('clean-none.csv');
    const r = await runRfm(['clean', '-', '--as-of', '2011-11-01', '-o', out], { stdin: LOG });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('rfm: error: no rows of stdin survive cleaning (3 read; dropped: after_as_of 3); choose a later --as-of\n');
    expect(existsSync(out)).toBe(false);
  });

  it('the same hint when the rules dropped the other rows, and the same hint as rfm rfm gives', async () => {
    const withBlank = `${LOG}4,2011-12-06 10:00,1,10,\n`;
    const clean = await runRfm(['clean', '-', '--as-of', '2011-11-01', '-o', tmp.path('clean-blank.csv')], { stdin: withBlank });
    expect(clean.code).toBe(4);
    expect(clean.stderr).toBe('rfm: error: no rows of stdin survive cleaning (4 read; dropped: missing_customer 1, after_as_of 3); choose a later --as-of\n');
    const rfm = await runRfm(['rfm', '-', '--as-of', '2011-11-01'], { stdin: withBlank });
    expect(rfm.code).toBe(4);
    expect(rfm.stderr).toBe('rfm: error: every kept row of stdin is after the as-of date; choose a later --as-of\n');
  });
});

describe('a bad --labels file: an error before anything is written (usage for its content, input for the file)', () => {
  const cases: [string, string, RegExp][] = [
    ['not-json.json', '{"0": "VIP",', /^rfm: error: --labels .*not-json\.json: .*JSON.*; give a JSON object like \{"0": "VIP", "1": "Regulars"\}\n$/],
    ['array.json', '["VIP"]', /^rfm: error: --labels .*array\.json must be a JSON object \(of new names by cluster\); give a JSON object like \{"0": "VIP", "Churn Risk": "Lapsed"\}\n$/],
    ['cluster-7.json', '{"7": "VIP"}', /^rfm: error: --labels .*cluster-7\.json: key "7" is not a cluster 0\.\.3\n$/],
    ['not-text.json', '{"0": 5}', /^rfm: error: --labels .*not-text\.json: the name for cluster 0 must be a non-empty string\n$/],
  ];
  it.each(cases)('%s', async (name, content, message) => {
    writeFileSync(tmp.path(name), content);
    const model = tmp.path(`model-${name}`);
    const r = await runRfm(['fit', '-', '-m', model, '-q', '--labels', tmp.path(name)], { stdin: TABLE });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(model)).toBe(false);
  });

  it('a missing file: an input error (exit 3) naming the file and what to do, as for a missing log', async () => {
    const model = tmp.path('m.json');
    const r = await runRfm(['fit', '-', '-m', model, '-q', '--labels', tmp.path('absent.json')], { stdin: TABLE });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`rfm: error: no such --labels file: ${tmp.path('absent.json')}; check the path, or leave --labels out to keep the generated names\n`);
    expect(existsSync(model)).toBe(false);
  });

  it('a directory: an input error (exit 3)', async () => {
    const r = await runRfm(['fit', '-', '-m', tmp.path('m.json'), '-q', '--labels', tmp.dir], { stdin: TABLE });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`rfm: error: ${tmp.dir} is a directory, not a file; give the JSON file of names\n`);
  });
});

describe('rfm serve that cannot listen', () => {
  it('on an address of no interface here (TEST-NET-1): exit 3, the address and what to use', async () => {
    const s = spawnServe(['-m', MODEL, '--port', '0', '--host', '192.0.2.1']);
    expect((await s.exited).code).toBe(3);
    expect(s.stderr()).toMatch(
      /rfm: error: cannot listen on 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine; use --host 127\.0\.0\.1 \(this machine only\) or 0\.0\.0\.0 \(every interface\)\n$/,
    );
  });
});

describe('an internal error (a fault injected into Math.log1p)', () => {
  const fault = tmp.path('fault.mjs');
  writeFileSync(fault, "Math.log1p = () => { throw new Error('injected fault'); };\n");
  const run = (...flags: string[]) =>
    runRfm(['segment', '-m', MODEL, '--recency', '1', '--frequency', '1', '--monetary', '1', ...flags], { env: { NODE_OPTIONS: `--import ${fault}` } });
  const MESSAGE = 'rfm: error: internal error: injected fault; this is a bug in rfm: please report it with the command you ran (add --verbose for the stack trace)\n';

  it('exit 1, one line, no stack trace', async () => {
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(MESSAGE);
  });

  it('--verbose adds the stack trace, down to the code that called it', async () => {
    const r = await run('--verbose');
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(MESSAGE + 'Error: injected fault\n    at Math.log1p ')).toBe(true);
    expect(r.stderr).toMatch(/^ {4}at scalePoint \(.*dist\/core\/scale\.js:\d+:\d+\)$/m);
  });
});

describe('rich-text, formula and hyperlink cells (fixtures/xlsx-cells/rich-cells.xlsx, written by XlsxWriter)', () => {
  const BOOK = fixture('xlsx-cells', 'rich-cells.xlsx');

  it('rfm rfm: the runs of a rich-text id joined, the cached value of a formula, the text of a link', async () => {
    const r = await runRfm(['rfm', BOOK, '--as-of', '2011-12-04', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    // Hand-worked (test/oracle/make_rich_xlsx.py): C-17 = 2 × 5.5; C-18 = 12 + 7 in 2 invoices.
    expect(r.stdout).toBe('customer_id,recency,frequency,monetary\nC-17,2,1,11\nC-18,0,2,19\n');
  });

  it('rfm clean: every cell as a CSV export holds it', async () => {
    const r = await runRfm(['clean', BOOK, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseCsv(r.stdout).rows).toEqual([
      ['1', '2011-12-01T10:00:00.000Z', '2', '5.5', 'C-17', 'plain'],
      ['2', '2011-12-02T10:00:00.000Z', '1', '12', 'C-18', 'see site'],
      ['3', '2011-12-03T10:00:00.000Z', '1', '7', 'C-18', 'x'],
    ]);
  });
});
