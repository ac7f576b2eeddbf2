/**
 * Runs the real .xlsx writers now (not the committed workbooks): test/oracle/make-xlsx-fixtures.sh
 * writes the transaction log with openpyxl, XlsxWriter, pandas, LibreOffice and gnumeric into a
 * temp dir, with pandas' RFM of each. Needs the packages .ci/xlsx.sh installs; not part of `npm test`
 * (vitest.config.ts excludes test/writers/; run `npx vitest run --config test/writers/vitest.config.ts`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ROOT, fixture, runRfm, tempDir } from '../cli/helpers.js';
import { expectSameRfm } from '../io/xlsx-expect.js';

const tmp = tempDir('rfm-xlsx-writers-');
afterAll(() => tmp.cleanup());
const out = tmp.path('books');

beforeAll(() => {
  const run = spawnSync('sh', [join(ROOT, 'test', 'oracle', 'make-xlsx-fixtures.sh'), out], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp.dir } });
  if (run.status !== 0) throw new Error(`make-xlsx-fixtures.sh failed (${run.status}): ${run.stderr}`);
});

const books = () => readdirSync(out).filter((f) => f.endsWith('.xlsx')).sort();

function entryOrder(path: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.readEntry();
    }),
  );
}

describe('the real writers, run now', () => {
  it('write the same nine workbooks as the committed fixtures, with the same pandas RFM', () => {
    const committed = readdirSync(fixture('xlsx')).filter((f) => f.endsWith('.xlsx')).sort();
    expect(books()).toEqual(committed);
    expect(readFileSync(join(out, 'orders.csv'), 'utf8')).toBe(readFileSync(fixture('xlsx', 'orders.csv'), 'utf8'));
    for (const book of books()) {
      const table = book.replace(/\.xlsx$/, '.rfm.csv');
      expect(readFileSync(join(out, table), 'utf8'), table).toBe(readFileSync(fixture('xlsx', table), 'utf8'));
    }
  });

  it('openpyxl and pandas (openpyxl engine) store the sheets before xl/workbook.xml: the order exceljs read wrong', async () => {
    for (const book of ['openpyxl.xlsx', 'pandas-openpyxl.xlsx']) {
      const order = await entryOrder(join(out, book));
      expect(order.indexOf('xl/worksheets/sheet2.xml'), book).toBeLessThan(order.indexOf('xl/workbook.xml'));
    }
  });

  it('rfm rfm on each fresh workbook equals pandas customer for customer', async () => {
    for (const book of books()) {
      const r = await runRfm(['rfm', join(out, book), '--sheet', 'Orders', '--format', 'csv']);
      expect(r.code, `${book}: ${r.stderr}`).toBe(0);
      expectSameRfm(r.stdout, readFileSync(join(out, book.replace(/\.xlsx$/, '.rfm.csv')), 'utf8'));
    }
  });
});
