import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, parseCsv, runRfm, tempDir } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const SAMPLE = fixture('online_retail_sample.csv');
const FROM = '2011-06-30';
const TO = '2011-12-09';
const tmp = tempDir('rfm-diff-');
afterAll(() => tmp.cleanup());

interface Cell {
  from: string | null;
  to: string | null;
  customers: number;
  revenue: number;
}
interface Total {
  segment: string | null;
  customers: number;
  revenue: number;
}

/** `rfm segment` at one as-of date: customers per segment and Σ monetary (the independent path). */
async function segmentAt(asOf: string): Promise<{ sizes: Map<string, number>; monetary: number; ids: number }> {
  const r = await runRfm(['segment', SAMPLE, '-m', MODEL, '-q', '--as-of', asOf, '--format', 'csv']);
  expect(r.code).toBe(0);
  const { header, rows } = parseCsv(r.stdout);
  const segment = header.indexOf('segment');
  const sizes = new Map<string, number>();
  for (const row of rows) sizes.set(row[segment], (sizes.get(row[segment]) ?? 0) + 1);
  return { sizes, monetary: rows.reduce((sum, row) => sum + Number(row[header.indexOf('monetary')]), 0), ids: rows.length };
}

const sizesOf = (totals: Total[]) => new Map(totals.filter((t) => t.segment !== null).map((t) => [t.segment!, t.customers]));
const withoutZeros = (sizes: Map<string, number>) => new Map([...sizes].filter(([, n]) => n > 0));

describe('rfm diff of one log', () => {
  it('row sums are rfm segment --as-of FROM sizes, column sums --as-of TO sizes, revenue the difference', async () => {
    const r = await runRfm(['diff', SAMPLE, '-m', MODEL, '--from', FROM, '--to', TO, '-q', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout);
    const [before, after] = [await segmentAt(FROM), await segmentAt(TO)];
    expect(withoutZeros(sizesOf(result.rowTotals))).toEqual(before.sizes);
    expect(withoutZeros(sizesOf(result.columnTotals))).toEqual(after.sizes);
    // The new row: customers at TO who had not bought by FROM.
    expect(result.rowTotals.at(-1)).toMatchObject({ segment: null, customers: after.ids - before.ids });
    expect(result.totals.customers).toBe(after.ids);
    expect(result.totals.revenue).toBeCloseTo(after.monetary - before.monetary, 6);
    // Each cell is listed once; the cells add up to the totals.
    const cells: Cell[] = result.matrix;
    expect(cells).toHaveLength(5 * 4);
    expect(cells.reduce((sum, c) => sum + c.customers, 0)).toBe(after.ids);
    expect(result).toMatchObject({ from: '2011-06-30T00:00:00Z', to: '2011-12-09T00:00:00Z', model: { file: MODEL, k: 4 } });
    const stayed = cells.filter((c) => c.from !== null && c.from === c.to).reduce((sum, c) => sum + c.customers, 0);
    expect(result.totals.stayed).toBe(stayed);
    expect(result.totals.stayedShare).toBeCloseTo(stayed / before.ids, 12);
  });

  // Hand-made: A bought before FROM and in the period (and after TO), B before FROM only, C in the
  // period only (new), D before and in the period. FROM 2011-06-30, TO 2011-08-01.
  const LOG = [
    'Invoice,InvoiceDate,Quantity,Price,Customer ID',
    '1,2011-01-10 10:00,1,100,A',
    '2,2011-05-01 10:00,2,50,A',
    '3,2011-07-15 10:00,1,30,A',
    '4,2011-02-01 10:00,1,20,B',
    '5,2011-07-20 10:00,3,10,C',
    '6,2011-06-01 10:00,1,40,D',
    '7,2011-07-25 10:00,1,5,D',
    '8,2011-08-05 10:00,1,999,A',
    '',
  ].join('\n');
  const handMade = (...flags: string[]) => runRfm(['diff', '-', '-m', MODEL, '--from', '2011-06-30', '--to', '2011-08-01', '-q', ...flags], { stdin: LOG });

  it('counts new customers, and none lost unless --lost-after says so', async () => {
    const r = await handMade('--format', 'json');
    expect(r.code).toBe(0);
    const { totals, columnTotals, matrix } = JSON.parse(r.stdout);
    // Revenue in the period: A 30, C 3 × 10, D 5; A's 999 is after TO.
    expect(totals).toMatchObject({ customers: 4, new: 1, lost: 0, revenue: 65 });
    expect(columnTotals.some((t: Total) => t.segment === null)).toBe(false);
    expect(matrix.filter((c: Cell) => c.from === null).reduce((sum: number, c: Cell) => sum + c.customers, 0)).toBe(1);
  });

  it('--lost-after DAYS: recency at --to above DAYS is lost, equal is not', async () => {
    // B last bought 2011-02-01 10:00: 180 whole days before 2011-08-01.
    expect(JSON.parse((await handMade('--lost-after', '179', '--format', 'json')).stdout).totals).toMatchObject({ lost: 1, new: 1 });
    const at180 = JSON.parse((await handMade('--lost-after', '180', '--format', 'json')).stdout);
    expect(at180.totals).toMatchObject({ lost: 0, new: 1 });
    // The lost column is there (empty), because --lost-after asked for it.
    expect(at180.columnTotals.at(-1)).toEqual({ segment: null, customers: 0, revenue: 0 });
  });

  it('--customers lists the movers with both sides; new and lost are labelled in CSV, null in JSON', async () => {
    const r = await handMade('--lost-after', '100', '--customers', '--format', 'csv');
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual(['customer_id', 'from_segment', 'to_segment', 'recency_from', 'recency_to', 'frequency_from', 'frequency_to', 'monetary_from', 'monetary_to', 'revenue']);
    const byId = new Map(rows.map((row) => [row[0], row]));
    // B: 148 days at 2011-06-30, 180 at 2011-08-01; C: first bought 2011-07-20 10:00, 11 days before TO.
    expect(byId.get('B')!.slice(2)).toEqual(['(lost)', '148', '180', '1', '1', '20', '20', '0']);
    expect(byId.get('C')!.slice(1)).toEqual(['(new)', byId.get('C')![2], '', '11', '', '1', '', '30', '30']);
    expect(byId.get('C')![2]).not.toBe('(lost)');
    const json = JSON.parse((await handMade('--lost-after', '100', '--customers', '--format', 'json')).stdout);
    expect(json.find((m: { customer_id: string }) => m.customer_id === 'C')).toMatchObject({ from_segment: null, recency_from: null, revenue: 30 });
    expect(json.find((m: { customer_id: string }) => m.customer_id === 'B')).toMatchObject({ to_segment: null, recency_to: 180 });
  });

  it('shows the matrix with totals on a terminal-format table', async () => {
    const r = await handMade('--lost-after', '100', '--format', 'table');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/from \\ to/);
    expect(r.stdout).toMatch(/│ \(new\) +│/);
    expect(r.stdout).toMatch(/\(lost\)/);
    expect(r.stdout).toMatch(/· new 1 · lost 1 · revenue in the period 65\.00\n$/);
  });
});

describe('rfm diff of two segmented files', () => {
  it('equals the log form', async () => {
    const a = tmp.path('june.csv');
    const b = tmp.path('december.csv');
    expect((await runRfm(['segment', SAMPLE, '-m', MODEL, '-q', '--as-of', FROM, '-o', a])).code).toBe(0);
    expect((await runRfm(['segment', SAMPLE, '-m', MODEL, '-q', '--as-of', TO, '-o', b])).code).toBe(0);
    const files = await runRfm(['diff', a, b, '-q', '--format', 'json']);
    expect(files.code).toBe(0);
    const log = await runRfm(['diff', SAMPLE, '-m', MODEL, '--from', FROM, '--to', TO, '-q', '--format', 'json']);
    const [x, y] = [JSON.parse(files.stdout), JSON.parse(log.stdout)];
    for (const key of ['matrix', 'rowTotals', 'columnTotals', 'totals']) expect(x[key]).toEqual(y[key]);
    expect(x).toMatchObject({ from: null, to: null, sources: { from: a, to: b }, model: null });
    // And the same for the movers.
    const movers = await runRfm(['diff', a, b, '-q', '--customers', '--format', 'csv']);
    expect(movers.stdout).toBe((await runRfm(['diff', SAMPLE, '-m', MODEL, '--from', FROM, '--to', TO, '-q', '--customers', '--format', 'csv'])).stdout);
  });

  it('ids in the first file only are lost, in the second only new', async () => {
    const a = tmp.path('a.csv');
    const b = tmp.path('b.csv');
    // Rows out of id order: the reader sorts them.
    writeFileSync(a, 'customer_id,recency,frequency,monetary,cluster,segment\nB,40,2,50,1,At Risk\nA,5,3,100,0,Loyal\n');
    writeFileSync(b, 'customer_id,recency,frequency,monetary,cluster,segment\nB,3,3,80,0,Loyal\nC,1,1,10,1,At Risk\n');
    const r = await runRfm(['diff', a, b, '-q', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'from,to,customers,revenue',
        'Loyal,Loyal,0,0',
        'Loyal,At Risk,0,0',
        'Loyal,(lost),1,0',
        'At Risk,Loyal,1,30',
        'At Risk,At Risk,0,0',
        'At Risk,(lost),0,0',
        '(new),Loyal,0,0',
        '(new),At Risk,1,10',
        '(new),(lost),0,0',
        '',
      ].join('\n'),
    );
    const totals = JSON.parse((await runRfm(['diff', a, b, '-q', '--format', 'json'])).stdout).totals;
    expect(totals).toEqual({ customers: 3, revenue: 40, stayed: 0, stayedShare: 0, moved: 2, new: 1, lost: 1 });
  });

  it('warns when the two files name a cluster differently', async () => {
    const a = tmp.path('m1.csv');
    const b = tmp.path('m2.csv');
    writeFileSync(a, 'customer_id,recency,frequency,monetary,cluster,segment\nA,5,3,100,0,Loyal\n');
    writeFileSync(b, 'customer_id,recency,frequency,monetary,cluster,segment\nA,3,3,80,0,Champions\n');
    const r = await runRfm(['diff', a, b, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${a} and ${b} name cluster 0 differently: they may come from different models (segments are matched by name)`);
  });
});

describe('rfm diff refuses bad input', () => {
  const good = tmp.path('good.csv');
  writeFileSync(good, 'customer_id,recency,frequency,monetary,cluster,segment\nA,5,3,100,0,Loyal\n');

  it.each([
    [['diff', SAMPLE, '-m', MODEL], 'rfm: error: rfm diff of one log needs --from DATE; e.g. rfm diff tx.csv --from 2011-06-30 [--to 2011-12-09], or give two segmented files\n'],
    [['diff', SAMPLE, '-m', MODEL, '--from', 'June'], 'rfm: error: --from "June" is not a date; use YYYY-MM-DD (midnight UTC) or an ISO timestamp\n'],
    [['diff', SAMPLE, '-m', MODEL, '--from', '2011-06-30', '--to', '2011-06-30'], 'rfm: error: --from 2011-06-30 must be before --to 2011-06-30\n'],
    [['diff', SAMPLE, '-m', MODEL, '--from', '2011-06-30', '--as-of', '2011-12-01'], 'rfm: error: rfm diff takes --from and --to, not --as-of; e.g. rfm diff tx.csv --from 2011-06-30 --to 2011-12-09\n'],
    [['diff', SAMPLE, '-m', MODEL, '--from', '2011-06-30', '--lost-after', '90d'], 'rfm: error: --lost-after "90d" is not a whole number in decimal digits; write it with the digits 0-9 only, e.g. --lost-after 10\n'],
    [['diff', good, good, '-m', MODEL], 'rfm: error: -m is for one transaction log; two segmented files already carry their segments; drop -m, or give one log: rfm diff tx.csv --from DATE\n'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runRfm(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
  });

  it('--from after the latest purchase, --to defaulting to it, is a usage error naming the date', async () => {
    const r = await runRfm(['diff', SAMPLE, '-m', MODEL, '--from', '2012-01-01', '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: --from 2012-01-01 must be before --to, here the latest purchase + 1 day (2011-12-10T12:45:00Z); give an earlier --from or a later --to\n');
    expect(r.stdout).toBe('');
  });

  it('an RFM table with --from is a usage error pointing to the two forms', async () => {
    const table = tmp.path('table.csv');
    writeFileSync(table, 'customer_id,recency,frequency,monetary\nA,1,1,1\n');
    const r = await runRfm(['diff', table, '-m', MODEL, '--from', '2011-06-30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rfm: error: ${table} is an RFM table, which holds one as-of date; give the transaction log, or two files as rfm segment writes them: rfm diff a.csv b.csv\n`);
  });

  it('a file without a segment column, a duplicate id or a bad number is a data error with its line (exit 4)', async () => {
    const plain = tmp.path('plain.csv');
    writeFileSync(plain, 'customer_id,recency,frequency,monetary\nA,1,1,1\n');
    const noSegment = await runRfm(['diff', plain, good]);
    expect(noSegment.code).toBe(4);
    expect(noSegment.stderr).toBe(
      `rfm: error: no segment column in ${plain}:1; give a file as rfm segment writes it: customer_id,recency,frequency,monetary,cluster,segment\n`,
    );
    const twice = tmp.path('twice.csv');
    writeFileSync(twice, 'customer_id,recency,frequency,monetary,cluster,segment\nA,5,3,100,0,Loyal\nB,5,3,100,0,Loyal\nA,6,3,100,0,Loyal\n');
    const duplicate = await runRfm(['diff', good, twice]);
    expect(duplicate.code).toBe(4);
    expect(duplicate.stderr).toBe(`rfm: error: ${twice}:4: customer A is on line 2 and again on line 4; a segmented file has one row per customer\n`);
    const bad = tmp.path('bad.csv');
    writeFileSync(bad, 'customer_id,recency,frequency,monetary,cluster,segment\nA,soon,3,100,0,Loyal\n');
    const number = await runRfm(['diff', bad, good]);
    expect(number.code).toBe(4);
    expect(number.stderr).toBe(
      `rfm: error: ${bad}:2:2: recency "soon" on line 2 is not a number >= 0; an RFM table holds plain numbers: recency in days, frequency as a count, monetary as an amount\n`,
    );
    expect(number.stdout).toBe('');
    const shape = 'give a file as rfm segment writes it: customer_id,recency,frequency,monetary,cluster,segment';
    const cluster = tmp.path('cluster.csv');
    writeFileSync(cluster, 'customer_id,recency,frequency,monetary,cluster,segment\nA,5,3,100,x,Loyal\n');
    const badCluster = await runRfm(['diff', good, cluster]);
    expect(badCluster.code).toBe(4);
    expect(badCluster.stderr).toBe(`rfm: error: ${cluster}:2:5: cluster "x" on line 2 is not a cluster number; ${shape}\n`);
    const unnamed = tmp.path('unnamed.csv');
    writeFileSync(unnamed, 'customer_id,recency,frequency,monetary,cluster,segment\nA,5,3,100,0,\n');
    const noName = await runRfm(['diff', unnamed, good]);
    expect(noName.code).toBe(4);
    expect(noName.stderr).toBe(`rfm: error: ${unnamed}:2:6: line 2 has no segment; ${shape}\n`);
  });

  it('without a model it says how to make one (exit 5)', async () => {
    const r = await runRfm(['diff', SAMPLE, '--from', '2011-06-30'], { cwd: tmp.dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^rfm: error: no model at rfm-model.json; make one with: rfm fit/);
  });
});
