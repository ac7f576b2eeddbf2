/**
 * The built binary on workbooks from real writers: `rfm rfm WORKBOOK --sheet Orders --format csv`
 * equals pandas' RFM of the same workbook (fixtures/xlsx/WORKBOOK.rfm.csv, written by
 * test/oracle/xlsx_rfm_pandas.py with pd.read_excel, an independent reader), customer for customer.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from '../cli/helpers.js';
import { expectSameRfm, WRITERS } from './xlsx-expect.js';


const tmp = tempDir('rfm-xlsx-cli-');
afterAll(() => tmp.cleanup());

describe.concurrent('rfm rfm on .xlsx from real writers', () => {
  it.each(WRITERS)('%s.xlsx equals pandas customer for customer', async (writer) => {
    const r = await runRfm(['rfm', fixture('xlsx', `${writer}.xlsx`), '--sheet', 'Orders', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('40 customers');
    expectSameRfm(r.stdout, readFileSync(fixture('xlsx', `${writer}.rfm.csv`), 'utf8'));
  });

  it('a missing sheet: exit 3, one line naming the real sheets', async () => {
    const path = fixture('xlsx', 'openpyxl.xlsx');
    const r = await runRfm(['rfm', path, '--sheet', 'Sheet2', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`rfm: error: ${path} has no sheet named "Sheet2"; sheets are: Notes, Orders\n`);
  });

  it('stdin and .gz give the same table, and leave nothing in TMPDIR (also when the read fails)', async () => {
    const scratch = tmp.path('tmpdir');
    mkdirSync(scratch);
    const bytes = readFileSync(fixture('xlsx', 'pandas-openpyxl.xlsx'));
    const want = readFileSync(fixture('xlsx', 'pandas-openpyxl.rfm.csv'), 'utf8');
    const gz = tmp.path('orders.xlsx.gz');
    writeFileSync(gz, gzipSync(bytes));
    const env = { TMPDIR: scratch };
    const fromStdin = await runRfm(['rfm', '-', '--sheet', 'Orders', '--format', 'csv'], { stdin: bytes, env });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expectSameRfm(fromStdin.stdout, want);
    const fromGz = await runRfm(['rfm', gz, '--sheet', 'Orders', '--format', 'csv'], { env });
    expect(fromGz.code, fromGz.stderr).toBe(0);
    expectSameRfm(fromGz.stdout, want);
    const fromFile = await runRfm(['rfm', fixture('xlsx', 'pandas-openpyxl.xlsx'), '--sheet', 'Orders', '--format', 'csv'], { env });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(readdirSync(scratch)).toEqual([]);
    const broken = await runRfm(['rfm', '-', '--sheet', 'Orders'], { stdin: bytes.subarray(0, 15_000), env });
    expect(broken.code, broken.stderr).toBe(3);
    expect(broken.stderr).toBe(
      'rfm: error: cannot read stdin as an .xlsx workbook: its zip directory is missing (the file is truncated, or not a zip file); ' +
        'check that the file is complete (re-download or re-save it), or export the sheet as CSV\n',
    );
    expect(readdirSync(scratch)).toEqual([]);
  });
});
