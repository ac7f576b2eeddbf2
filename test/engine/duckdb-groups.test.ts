/**
 * `--engine duckdb` reads the file once into groups of rows (customer, invoice and date as read,
 * number classes, number rule) and reads a number column again when the counts decide another
 * decimal mark than the pass assumed. Each case against the default engine's bytes and a
 * hand-worked table.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runRfm, tempDir } from '../cli/helpers.js';

vi.setConfig({ testTimeout: 240_000 });

const tmp = tempDir('rfm-engine-groups-');
afterAll(() => tmp.cleanup());

async function bothEngines(file: string, text: string) {
  writeFileSync(tmp.path(file), text);
  const args = ['rfm', tmp.path(file), '--format', 'csv'];
  const [plain, duck] = await Promise.all([runRfm(args), runRfm([...args, '--engine', 'duckdb'])]);
  expect(plain.code, plain.stderr).toBe(0);
  expect(duck.code, duck.stderr).toBe(0);
  expect(duck.stdout).toBe(plain.stdout);
  return duck.stdout;
}

describe('a decimal mark the pass did not assume: the numbers are read again', () => {
  it('semicolons with decimal points (the pass reads a comma first): A 2×1.25 + 10.5 = 13, B 3×0.5 = 1.5', async () => {
    const out = await bothEngines('semicolon-points.csv', 'customer_id;invoice;date;quantity;price\nA;1;2024-01-05;2;1.25\nA;2;2024-01-06;1;10.5\nB;3;2024-01-07;3;0.5\n');
    expect(out).toBe('customer_id,recency,frequency,monetary\nA,2,2,13\nB,1,1,1.5\n');
  });

  it('tabs with decimal commas (the pass reads a point first): A 2,5 + 10,25 = 12.75, B 1,5', async () => {
    const out = await bothEngines('tab-commas.tsv', 'customer_id\tinvoice\tdate\tamount\nA\t1\t2024-01-05\t2,5\nA\t2\t2024-01-06\t10,25\nB\t3\t2024-01-07\t1,5\n');
    expect(out).toBe('customer_id,recency,frequency,monetary\nA,2,2,12.75\nB,1,1,1.5\n');
  });
});

describe('groups of rows that are one customer and one invoice', () => {
  it('17850, 17850.0 and " 17850 " on invoice 1 at two times and invoice 2: one customer, 2 invoices, 1×2 + 2×3 + 1×1 = 9', async () => {
    const out = await bothEngines(
      'spellings.csv',
      'customer_id,invoice,date,quantity,price\n17850,1,2024-01-05 10:00,1,2\n17850.0,1,2024-01-05 10:05,2,3\n" 17850 ",2,2024-01-06,1,1\n',
    );
    expect(out).toBe('customer_id,recency,frequency,monetary\n17850,1,2,9\n');
  });

  it('a field of 1.9 MB (CSV buffers of 8 MB hold it): read as the default engine reads it', async () => {
    const long = 'x'.repeat(1_900_000);
    const out = await bothEngines('long-field.csv', `customer_id,invoice,date,amount,note\nA,1,2024-01-05,3,${long}\nB,2,2024-01-06,4,short\n`);
    expect(out).toBe('customer_id,recency,frequency,monetary\nA,2,1,3\nB,1,1,4\n');
  });
});
