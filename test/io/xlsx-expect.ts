/** Shared by the xlsx tests: the workbooks in fixtures/xlsx/, and our RFM table against pandas'. */
import { expect } from 'vitest';
import { rfmByCustomer } from '../cli/helpers.js';

/** fixtures/xlsx/<name>.xlsx: one transaction log written by each real writer (test/oracle/make-xlsx-fixtures.sh). */
export const WRITERS = [
  'openpyxl',
  'xlsxwriter',
  'xlsxwriter-1904',
  'pandas-openpyxl',
  'pandas-xlsxwriter',
  'libreoffice',
  'libreoffice-1904',
  'gnumeric',
  'no-r',
];

/** Same customers in the same order, same recency and frequency, monetary to the cent (CSV output is rounded). */
export function expectSameRfm(ours: string, pandas: string): void {
  const got = rfmByCustomer(ours);
  const want = rfmByCustomer(pandas);
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [id, expected] of want) {
    const row = got.get(id)!;
    expect(row.recency, id).toBe(expected.recency);
    expect(row.frequency, id).toBe(expected.frequency);
    expect(Math.abs((row.monetary as number) - (expected.monetary as number)), id).toBeLessThan(0.005);
  }
}
