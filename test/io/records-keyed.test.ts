/**
 * writeRecords' delimited writer (one string per block, keyed columns formatted once per key, runs
 * of adjacent columns with one key function cached together) writes exactly the text of
 * delimitedLine row by row, whatever the cells (quotes, commas, tabs, line breaks, numbers of any
 * kind, nulls), the keys and the number of rows (blocks of 2,000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sink } from '../../src/io/output.js';
import { delimitedLine, writeRecords, type Cell, type Column } from '../../src/io/records.js';

function collector(): { sink: Sink; text: () => string; writes: () => number } {
  const parts: string[] = [];
  const sink = { isTerminal: false, write: async (text: string | Uint8Array) => void parts.push(String(text)), commit: async () => undefined } as unknown as Sink;
  return { sink, text: () => parts.join(''), writes: () => parts.length };
}

const cell: fc.Arbitrary<Cell> = fc.oneof(
  fc.string(),
  fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'tab\there', '\r', ''),
  fc.double(),
  fc.integer(),
  fc.constant(null),
);

describe('writeRecords (csv, tsv) = delimitedLine per row', () => {
  for (const format of ['csv', 'tsv'] as const) {
    it(`${format}: keyed and unkeyed columns, any cells`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), async (groups, groupCount) => {
          // Row i is in group i % groupCount; its cells 1 and 2 are the group's (one key function, a run), cell 3 its own.
          const rows = Array.from({ length: groups.length * 3 }, (_, i) => i);
          const group = (i: number) => (groups.length === 0 ? 0 : (i % groupCount) % groups.length);
          const own = (i: number) => groups[i % groups.length][3];
          const columns: Column<number>[] = [
            { header: 'id', value: (i) => String(i) },
            { header: 'g1', value: (i) => groups[group(i)][1], key: group },
            { header: 'g2', value: (i) => groups[group(i)][2], key: group },
            { header: 'own', value: own, key: () => -1 },
            { header: 'g0', value: (i) => groups[group(i)][0], key: (i) => group(i) },
          ];
          const out = collector();
          await writeRecords(out.sink, format, columns, rows);
          const expected = [delimitedLine(format, columns.map((c) => c.header)), ...rows.map((i) => delimitedLine(format, columns.map((c) => c.value(i))))].join('');
          expect(out.text()).toBe(expected);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('writes in blocks of 2,000 rows, the header with the first', async () => {
    const out = collector();
    await writeRecords(out.sink, 'csv', [{ header: 'n', value: (i: number) => i / 3 }], Array.from({ length: 4_001 }, (_, i) => i));
    expect(out.writes()).toBe(3);
    expect(out.text().split('\n').slice(0, 3)).toEqual(['n', '0', String(1 / 3)]);
    expect(out.text().split('\n')).toHaveLength(4_003);
  });
});
