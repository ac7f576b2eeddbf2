/**
 * loadBtyd sorts a BTYD summary table by customer id as steps given to its runner (the command line
 * gives runInterruptibly, so Ctrl-C is seen during the sort of a million rows), and a transaction
 * log's summary likewise: the runner can stop either before the sort is done.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import type { Steps } from '../../src/core/steps.js';
import { tableRows } from '../../src/core/clv/index.js';
import { loadBtyd } from '../../src/io/btyd.js';

const options = { columns: {}, dateOrder: 'ymd' as const, cleaning: DEFAULT_CLEANING, inputKind: 'auto' as const, period: 'week' as const };
const source = (text: string, name: string) => ({ name, kind: 'text' as const, bytes: (async function* () { yield Buffer.from(text); })() });

/** A runner that counts the steps it is given and what it runs. */
function countingRunner() {
  const counts = { runs: 0, yields: 0 };
  const run = <T>(steps: Steps<T>): T => {
    counts.runs++;
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      counts.yields++;
    }
  };
  return { counts, run };
}

/** A runner that stops the steps at their first yield, as runInterruptibly does on a signal. */
function stoppingRunner<T>(steps: Steps<T>): T {
  steps.next();
  steps.return(undefined as T);
  throw new Error('stopped');
}

// 60,000 customers in a shuffled order (a fixed permutation), ids c0..c59999.
const n = 60_000;
const ids = Array.from({ length: n }, (_, i) => `c${(i * 7_919) % n}`);
const table = `customer_id,frequency,recency,T,monetary_value\n${ids.map((id, i) => `${id},${i % 4},${i % 4 === 0 ? 0 : 3},10,${i % 4 === 0 ? 0 : 12.5}`).join('\n')}\n`;

describe('loadBtyd: the sort by customer id runs as steps', () => {
  it('a table: the runner gets the sort, which yields many times, and the rows come in id order', async () => {
    const { counts, run } = countingRunner();
    const loaded = await loadBtyd(source(table, 'btyd.csv'), options, run);
    expect(counts.runs).toBe(1);
    expect(counts.yields).toBeGreaterThan(1_000);
    const sorted = [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(tableRows(loaded.summary.customers).map((row) => row.customerId)).toEqual(sorted);
    // Each row kept its own fields: c7919 is line 2 (i = 1) of the table.
    expect(tableRows(loaded.summary.customers).find((row) => row.customerId === 'c7919')).toEqual({ customerId: 'c7919', frequency: 1, recency: 3, T: 10, monetaryValue: 12.5 });
  });

  it('a table: a runner that stops at the first step stops the load before the sort ends', async () => {
    await expect(loadBtyd(source(table, 'btyd.csv'), options, stoppingRunner)).rejects.toThrow('stopped');
  });

  it('a transaction log: its summary (with the sort of its customers) goes through the runner too', async () => {
    const log = `customer_id,date,amount\n${ids.map((id, i) => `${id},1997-0${1 + (i % 3)}-15,${10 + (i % 5)}`).join('\n')}\n`;
    const { counts, run } = countingRunner();
    const loaded = await loadBtyd(source(log, 'tx.csv'), { ...options, calibrationEnd: Date.UTC(1997, 2, 31) }, run);
    expect(counts.runs).toBe(1);
    expect(counts.yields).toBeGreaterThan(1_000);
    expect(tableRows(loaded.summary.customers).map((row) => row.customerId)).toEqual([...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it('digit ids (kept as numbers, sorted by their codes) come in the order of their strings, leading zeros kept', async () => {
    // Lengths 1..7 and leading zeros: as strings "10" < "9" and "007" < "07" < "1".
    const digitIds = Array.from({ length: 5_000 }, (_, i) => String((i * 7_919) % 5_000 * 211));
    digitIds.push('007', '07', '0', '9', '10', '0000000');
    const text = `customer_id,frequency,recency,T\n${digitIds.map((id, i) => `${id},${i % 3},${i % 3 === 0 ? 0 : 2},10`).join('\n')}\n`;
    const { run } = countingRunner();
    const loaded = await loadBtyd(source(text, 'btyd.csv'), options, run);
    const rows = tableRows(loaded.summary.customers);
    expect(rows.map((row) => row.customerId)).toEqual([...digitIds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(rows.find((row) => row.customerId === '007')).toEqual({ customerId: '007', frequency: (digitIds.length - 6) % 3, recency: (digitIds.length - 6) % 3 === 0 ? 0 : 2, T: 10, monetaryValue: NaN });
  });

  it('an id that is not digits after digit ones: every id as text, in string order', async () => {
    const mixed = ['30', '4', 'b7', '100', '0x', '4'];
    const text = `customer_id,frequency,recency,T,monetary_value\n${mixed.map((id, i) => `${id},1,${i},9,${i + 1}`).join('\n')}\n`;
    const loaded = await loadBtyd(source(text, 'btyd.csv'), options, countingRunner().run);
    // Stable: the two "4" keep their order (recency 1, then 5).
    expect(tableRows(loaded.summary.customers).map((row) => [row.customerId, row.recency])).toEqual([['0x', 4], ['100', 3], ['30', 0], ['4', 1], ['4', 5], ['b7', 2]]);
  });
});
