/**
 * What a file gets: -o picks the format from the extension (TSV read back by Python's csv module),
 * refuses one we cannot write, and never writes the box table unless --format table says so; one
 * number format (grouped for people, plain for machines); a BOM before JSON; the errors that name
 * the other way to call a command; and a log newer than the model scored as of its own date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, fixture, parseCsv, runRfm, runShell, tempDir } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const SAMPLE = fixture('online_retail_sample.csv');
const UCI = fixture('io', 'uci.csv');
const golden = (name: string) => readFileSync(fixture('golden', name), 'utf8');
const tmp = tempDir('rfm-formats-');
afterAll(() => tmp.cleanup());

/** Rows of a delimited file as Python's csv module reads them (an independent reader). */
async function pythonRows(path: string, delimiter: ',' | '\t'): Promise<string[][]> {
  const script = `import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline=''), delimiter=sys.argv[2]))))`;
  const r = await runShell(`python3 -c "$SCRIPT" "$FILE" "$DELIM"`, { env: { SCRIPT: script, FILE: path, DELIM: delimiter } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const CAN_WRITE = 'give a file ending in .csv, .tsv, .json, .ndjson or .jsonl, or say which format with --format';

describe('-o picks the format from the extension', () => {
  it('.tsv is tab-separated: Python reads back the rows of the CSV golden', async () => {
    const out = tmp.path('rfm.tsv');
    const r = await runRfm(['rfm', UCI, '-q', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('customer_id\trecency\tfrequency\tmonetary');
    const csvPath = tmp.path('golden.csv');
    writeFileSync(csvPath, golden('rfm-uci.csv'));
    expect(await pythonRows(out, '\t')).toEqual(await pythonRows(csvPath, ','));
  });

  it('.tsv quotes a field holding a tab or a quote, and Python reads the field back whole', async () => {
    const log = tmp.path('tabbed.csv');
    writeFileSync(log, readFileSync(UCI, 'utf8').replace('WHITE METAL LANTERN', '"WHITE\tMETAL ""LANTERN"""'));
    const out = tmp.path('tabbed.tsv');
    const r = await runRfm(['clean', log, '-q', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await pythonRows(out, '\t');
    expect(rows[0]).toEqual(['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    expect(rows.map((row) => row[2])).toContain('WHITE\tMETAL "LANTERN"');
    for (const row of rows) expect(row).toHaveLength(8);
  });

  it.each([
    ['out.json', 'rfm-uci.json'],
    ['out.ndjson', 'rfm-uci.ndjson'],
    ['out.jsonl', 'rfm-uci.ndjson'],
    ['OUT.CSV', 'rfm-uci.csv'],
  ])('%s gets the format of %s', async (name, expected) => {
    const out = tmp.path(name);
    const r = await runRfm(['rfm', UCI, '-q', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(golden(expected));
  });

  it.each(['out.xlsx', 'out.parquet', 'out.txt'])('%s is refused, naming the extensions we write, and nothing is written', async (name) => {
    const dir = tempDir('rfm-refused-');
    try {
      const r = await runRfm(['rfm', UCI, '-q', '-o', dir.path(name)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot write ${name.slice(name.indexOf('.'))} files`);
      expect(r.stderr).toContain(CAN_WRITE);
      expect(r.stdout).toBe('');
      expect(dir.files()).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });

  it('segment -o x.tsv: the fast writer\'s rows, tab-separated', async () => {
    const out = tmp.path('segments.tsv');
    const r = await runRfm(['segment', SAMPLE, '-q', '-m', MODEL, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const csv = tmp.path('segments.csv');
    await runRfm(['segment', SAMPLE, '-q', '-m', MODEL, '-o', csv]);
    const rows = await pythonRows(out, '\t');
    expect(rows).toHaveLength(1 + 4339);
    expect(rows).toEqual(await pythonRows(csv, ','));
  });

  it('a file without an extension gets the piped default, and stderr says so', async () => {
    const out = tmp.path('noext');
    const r = await runRfm(['rfm', UCI, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`writing CSV to ${out} (it has no extension: --format chooses another)`);
    expect(readFileSync(out, 'utf8')).toBe(golden('rfm-uci.csv'));
  });

  it('--format wins over the extension; --format table is the only way to a box table in a file', async () => {
    const txt = tmp.path('as-csv.txt');
    expect((await runRfm(['rfm', UCI, '-q', '-o', txt, '--format', 'csv'])).code).toBe(0);
    expect(readFileSync(txt, 'utf8')).toBe(golden('rfm-uci.csv'));
    const table = tmp.path('table.txt');
    expect((await runRfm(['rfm', UCI, '-q', '-o', table, '--format', 'table'])).code).toBe(0);
    expect(readFileSync(table, 'utf8')).toMatch(/^┌─/);
  });

  it('elbow -o e.csv writes the table rows as CSV; the k = 1 inertia is n × 3 (z-scored features)', async () => {
    const out = tmp.path('e.csv');
    const r = await runRfm(['elbow', SAMPLE, '-q', '--k-max', '4', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const { header, rows } = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual(['k', 'inertia', 'silhouette', 'suggested']);
    expect(rows.map((row) => row[0])).toEqual(['1', '2', '3', '4']);
    expect(Number(rows[0][1])).toBeCloseTo(4339 * 3, 6);
    expect(rows[0][2]).toBe(''); // no silhouette for one cluster
    expect(rows.filter((row) => row[3] === 'true')).toHaveLength(1);
  });

  it('fit -o r.csv writes the segment rows as CSV, the same as summary --format csv of the new model', async () => {
    const modelPath = tmp.path('fit-model.json');
    const out = tmp.path('r.csv');
    const r = await runRfm(['fit', SAMPLE, '-q', '-m', modelPath, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain('┌');
    const summary = await runRfm(['summary', '-m', modelPath, '--format', 'csv']);
    expect(text).toBe(summary.stdout);
    expect(parseCsv(text).rows.map((row) => row[1])).toEqual(['Loyal High-Value', 'Potential Loyalists', 'Occasional Buyers', 'Churn Risk']);
  });

  it('fit -o r.txt is refused before any work: the model is not written', async () => {
    const modelPath = tmp.path('never.json');
    const r = await runRfm(['fit', SAMPLE, '-q', '-m', modelPath, '-o', tmp.path('r.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give a file ending in .csv, .tsv or .json, or say which format with --format');
    expect(existsSync(modelPath)).toBe(false);
  });

  it('segment with flags writes one CSV row with --format csv (not JSON)', async () => {
    const r = await runRfm(['segment', '-m', MODEL, '--recency', '15', '--frequency', '2', '--monetary', '800', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    // The same customer as the README's example: cluster 1, Potential Loyalists.
    expect(r.stdout).toBe('recency,frequency,monetary,cluster,segment\n15,2,800,1,Potential Loyalists\n');
  });
});

describe('one number format', () => {
  it('the elbow table groups thousands (13,017.00 = 4,339 × 3); JSON does not', async () => {
    const table = await runRfm(['elbow', SAMPLE, '-q', '--k-max', '2', '--format', 'table']);
    expect(table.stdout).toMatch(/│\s+1 │\s+13,017\.00 │/);
    const json = await runRfm(['elbow', SAMPLE, '-q', '--k-max', '2']);
    // Full precision and no separator: 13016.99999… (the float sum of 13,017 squared z-scores).
    expect(json.stdout).toMatch(/"inertia": 1301[67](\.\d+)?,/);
  });

  it("fit's stderr line groups the customer count", async () => {
    const r = await runRfm(['fit', SAMPLE, '-m', tmp.path('grouped.json'), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/model written to .* \(k = 4, 4,339 customers, inertia \d{1,3}(,\d{3})*\.\d{2}\)/);
  });
});

describe('a UTF-8 BOM before JSON is accepted', () => {
  it('a model file starting with a BOM reads as the model without it', async () => {
    const bom = tmp.path('bom-model.json');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(MODEL)]));
    const withBom = await runRfm(['summary', '-m', bom, '--format', 'csv']);
    expect(withBom.code, withBom.stderr).toBe(0);
    expect(withBom.stdout).toBe((await runRfm(['summary', '-m', MODEL, '--format', 'csv'])).stdout);
    const scored = await runRfm(['segment', '-m', bom, '--recency', '15', '--frequency', '2', '--monetary', '800']);
    expect(scored.stdout).toBe('{"cluster":1,"segment":"Potential Loyalists"}\n');
  });

  it('a --labels file starting with a BOM', async () => {
    const labels = tmp.path('labels.json');
    writeFileSync(labels, '\ufeff{"0": "VIP"}');
    const r = await runRfm(['fit', SAMPLE, '-q', '-m', tmp.path('labelled.json'), '--labels', labels]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).segments[0].name).toBe('VIP');
  });

  it('a CSV starting with a BOM (already stripped by the CSV reader)', async () => {
    const r = await runRfm(['rfm', fixture('io', 'bom.csv'), '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseCsv(r.stdout).header).toEqual(['customer_id', 'recency', 'frequency', 'monetary']);
  });
});

describe('errors that name the other way to call a command', () => {
  it('segment with no input and a terminal on stdin names the flags', async () => {
    const command = `"$NODE" "$BIN" segment -m "$MODEL"`;
    const r = await runShell(`script -qfec "$COMMAND" /dev/null`, { env: { NODE: process.execPath, BIN, MODEL, COMMAND: command } });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no input: give a file, pipe data, or give --recency, --frequency and --monetary');
  });
});

describe('scoring a log newer than the model', () => {
  // Three lines after the sample model's as-of (2011-12-10T12:45:00Z). By hand: the latest purchase
  // is 2012-01-20 10:00, so the data's as-of is 2012-01-21 10:00; customer 90001 last bought on
  // 2012-01-10 09:00 (11 days 1 hour before: recency 11), 90002 on 2012-01-20 10:00 (recency 1).
  const log = tmp.path('january.csv');
  writeFileSync(
    log,
    [
      'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country',
      '600001,A,ITEM,2,2012-01-05 12:00:00,10,90001,United Kingdom',
      '600002,B,ITEM,3,2012-01-20 10:00:00,4,90002,United Kingdom',
      '600003,C,ITEM,1,2012-01-10 09:00:00,5,90001,United Kingdom',
    ].join('\n') + '\n',
  );
  const newer = "as-of 2012-01-21T10:00:00Z (the data's own: its latest purchase, 2012-01-20, is after the model's as-of 2011-12-10; --as-of DATE chooses another)";

  it('segment FILE uses the data\'s own as-of and says so in one line', async () => {
    const r = await runRfm(['segment', log, '-m', MODEL]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')).toContain(`${newer}, 2 customers`);
    const rows = parseCsv(r.stdout).rows;
    expect(rows.map((row) => row.slice(0, 4))).toEqual([
      ['90001', '11', '2', '25'],
      ['90002', '1', '1', '12'],
    ]);
  });

  it('--as-of still wins: 2012-02-01 gives recency 21 and 11', async () => {
    const r = await runRfm(['segment', log, '-m', MODEL, '--as-of', '2012-02-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("the data's own");
    expect(parseCsv(r.stdout).rows.map((row) => row[1])).toEqual(['21', '11']);
  });

  it('summary --data uses the data\'s own as-of too', async () => {
    const r = await runRfm(['summary', '-m', MODEL, '--data', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')).toContain(newer);
    const summary = JSON.parse(r.stdout);
    expect(summary.data.asOf).toBe('2012-01-21T10:00:00Z');
    expect(summary.segments.reduce((n: number, s: { size: number }) => n + s.size, 0)).toBe(2);
  });

  it("a log within the model's period keeps the model's as-of", async () => {
    const r = await runRfm(['segment', UCI, '-m', MODEL]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("as-of 2011-12-10T12:45:00Z (the model's)");
  });
});
