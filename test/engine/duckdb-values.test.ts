/**
 * The SQL readers of src/io/duckdb-values.ts against hand-worked values and against the default
 * engine's own parsers (dates.ts parseTimestamp, number-layout.ts NumberColumn, clean.ts
 * normalizeCustomerId) on the same texts, run on a real in-process DuckDB. A text SQL classes as
 * `other` is left to those parsers by design: only what SQL reads itself must agree.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeCustomerId } from '../../src/core/clean.js';
import { parseTimestamp } from '../../src/io/dates.js';
import { NumberColumn } from '../../src/io/number-layout.js';
import {
  VALUE_MACROS,
  customerIdSql,
  dateClassSql,
  dateFieldsSql,
  dateMsFromMdySql,
  dateMsSql,
  datePartsSql,
  jsTrimSql,
  numberClassSql,
  numberValueSql,
} from '../../src/io/duckdb-values.js';

let db: DuckDBInstance;
let c: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  c = await db.connect();
  for (const macro of VALUE_MACROS) await c.run(macro);
});
afterAll(() => {
  c.closeSync();
  db.closeSync();
});

const values = (texts: string[]) => `(VALUES ${texts.map((t) => `('${t.replace(/'/g, "''")}')`).join(', ')}) v(raw)`;

async function readDates(texts: string[], order: 'mdy' | 'dmy' | 'ymd'): Promise<{ cls: string; ms: number | null }[]> {
  const sql =
    `WITH t AS (SELECT row_number() OVER () AS i, ${jsTrimSql('raw')} AS date_text FROM ${values(texts)}), ` +
    `p AS (SELECT *, ${dateFieldsSql('date_text')} FROM t), k AS (SELECT *, ${dateClassSql('date_text')} AS date_class FROM p), ` +
    `d AS (SELECT *, ${datePartsSql('date_class', order)} FROM k) SELECT date_class AS cls, ${dateMsSql('date_class', order)} AS ms FROM d ORDER BY i`;
  return (await c.runAndReadAll(sql)).getRowObjectsJS() as { cls: string; ms: number | null }[];
}

/** As the engine reads them: the parts kept month first (the loaded table), the order applied after. */
async function readDatesFromMdy(texts: string[], order: 'mdy' | 'dmy' | 'ymd'): Promise<{ cls: string; ms: number | null }[]> {
  const sql =
    `WITH t AS (SELECT row_number() OVER () AS i, ${jsTrimSql('raw')} AS date_text FROM ${values(texts)}), ` +
    `p AS (SELECT *, ${dateFieldsSql('date_text')} FROM t), k AS (SELECT *, ${dateClassSql('date_text')} AS date_class FROM p), ` +
    `d AS (SELECT *, ${datePartsSql('date_class', 'mdy')} FROM k) SELECT date_class AS cls, ${dateMsFromMdySql('date_class', order)} AS ms FROM d ORDER BY i`;
  return (await c.runAndReadAll(sql)).getRowObjectsJS() as { cls: string; ms: number | null }[];
}

describe('dates', () => {
  const TEXTS = [
    '2010-12-01 07:41:00', '2010-12-01', '2010/12/01 7:41', '2024-02-29T23:59:59.9999Z', '2024-01-05 10:22:11 -0500',
    '2024-01-05T10:22+05:30', '2024-01-05 10:22 UTC', '2023-02-29', '2024-04-31', '2024-13-01', '2024-01-05 24:00',
    '2024-01-05 10:60', '2024-01-05 10:22 +1500', '0001-01-01', '1969-12-31 23:59:59', '19970101', '19970230',
    '12/1/2010 8:26', '1/12/2010', '13/2/2024', '2/13/2024', '13/13/2024', '1.12.2010 17:30', '05-01-2024',
    '2024-1-05', ' 2024-01-05 ', '2024-01-05x', '', 'Jan 5, 2024', '2024-01-05 10:22:11.1234567',
  ];

  it('hand-worked instants', async () => {
    const rows = await readDates(['2024-01-05 10:22:11 -0500', '2024-02-29T23:59:59.9999Z', '0001-01-01', '12/1/2010 8:26'], 'mdy');
    expect(rows.map((r) => r.ms)).toEqual([
      Date.UTC(2024, 0, 5, 15, 22, 11),
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      -62135596800000, // 0001-01-01T00:00:00Z
      Date.UTC(2010, 11, 1, 8, 26),
    ]);
  });

  for (const order of ['mdy', 'dmy', 'ymd'] as const) {
    it(`every value SQL reads gives parseTimestamp's instant (order ${order}), and invalid ones NULL`, async () => {
      const rows = await readDates(TEXTS, order);
      const read = rows.map((r, i) => ({ text: TEXTS[i], cls: r.cls, ms: r.ms }));
      // The ones SQL reads itself: their instant (or NaN as NULL) is the default engine's.
      const mine = read.filter((r) => r.cls !== 'other');
      expect(mine.length).toBeGreaterThan(20);
      for (const r of mine) {
        const want = parseTimestamp(r.text, order);
        expect([r.text, r.ms]).toEqual([r.text, Number.isNaN(want) ? null : want]);
      }
      // What SQL leaves to the default engine includes the month-name layout and long fractions.
      expect(read.filter((r) => r.cls === 'other').map((r) => r.text)).toEqual(expect.arrayContaining(['Jan 5, 2024', '2024-01-05 10:22:11.1234567']));
    });

    it(`parts kept month first and read in order ${order} afterwards give parseTimestamp's instant too`, async () => {
      const rows = await readDatesFromMdy(TEXTS, order);
      const mine = rows.map((r, i) => ({ text: TEXTS[i], cls: r.cls, ms: r.ms })).filter((r) => r.cls !== 'other');
      expect(mine.filter((r) => r.cls === 'slash').length).toBeGreaterThan(3);
      for (const r of mine) {
        const want = parseTimestamp(r.text, order);
        expect([r.text, r.ms]).toEqual([r.text, Number.isNaN(want) ? null : want]);
      }
    });
  }
});

describe('numbers', () => {
  const TEXTS = ['12', '-3', '+4', '3.75', '.5', '5.', '1e3', '1E-2', '1.234', '1,234', '0.000', '1,234,567.5', '1.234.567', '1.234,5', '3,75', ',5', '1e400', '', '  7 ', '1_000', '0x10', '12abc', '$3', '1 234'];

  async function readNumbers(mark: '.' | ','): Promise<{ cls: string; v: number | null }[]> {
    const sql = `WITH t AS (SELECT row_number() OVER () AS i, ${jsTrimSql('raw')} AS x FROM ${values(TEXTS)}), k AS (SELECT *, ${numberClassSql('x')} AS cls FROM t) SELECT cls, ${numberValueSql('x', 'cls', mark)} AS v FROM k ORDER BY i`;
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as { cls: string; v: number | null }[];
  }

  for (const mark of ['.', ','] as const) {
    it(`every value SQL reads gives NumberColumn's number with the mark "${mark}"`, async () => {
      const rows = await readNumbers(mark);
      let checked = 0;
      rows.forEach((r, i) => {
        if (r.cls === 'other') return;
        checked++;
        const column = new NumberColumn('price', 'Price', 0, { file: 'x', forced: mark, delimiter: ';' }, { waiting: 0 });
        const want = column.parse(TEXTS[i], 2);
        expect([TEXTS[i], r.v]).toEqual([TEXTS[i], Number.isNaN(want) ? null : want]);
      });
      expect(checked).toBeGreaterThan(15);
    });
  }

  it('hand-worked: 1,234,567.5 is 1234567.5 with a point; 1.234,5 is 1234.5 with a comma; 1_000 and 0x10 are left aside', async () => {
    const point = await readNumbers('.');
    const comma = await readNumbers(',');
    expect(point[TEXTS.indexOf('1,234,567.5')].v).toBe(1234567.5);
    expect(comma[TEXTS.indexOf('1.234,5')].v).toBe(1234.5);
    expect(point[TEXTS.indexOf('1e400')].v).toBeNull();
    expect([point[TEXTS.indexOf('1_000')].cls, point[TEXTS.indexOf('0x10')].cls, point[TEXTS.indexOf('$3')].cls]).toEqual(['other', 'other', 'other']);
  });
});

describe('customer ids', () => {
  it('as normalizeCustomerId: trimmed as JavaScript trims, missing words empty, 17850.0 as 17850', async () => {
    const texts = ['17850.0', '17850.00', '00017', ' 17850 ', '\u00a017850\u3000', 'NA', 'nan', 'None', '', 'C-1.0', '1.50', 'x\t'];
    const sql = `SELECT ${customerIdSql(jsTrimSql('raw'))} AS id FROM ${values(texts)}`;
    const rows = (await c.runAndReadAll(sql)).getRowObjectsJS() as { id: string }[];
    expect(rows.map((r) => r.id)).toEqual(texts.map(normalizeCustomerId));
    expect(rows.map((r) => r.id).slice(0, 5)).toEqual(['17850', '17850', '00017', '17850', '17850']);
  });
});
