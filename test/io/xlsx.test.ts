/**
 * The .xlsx reader (src/io/xlsx*.ts) through readTable, as the commands use it: workbooks from real
 * writers (fixtures/xlsx/, made by test/oracle/make-xlsx-fixtures.sh) against the CSV rows they
 * were written from, and workbooks built here (xlsx-build.ts) for what writers never produce.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { openInput } from '../../src/io/source.js';
import { readTable } from '../../src/io/table.js';
import { isDateFormatCode, serialToIso } from '../../src/io/xlsx-dates.js';
import { fixture, parseCsv, tempDir } from '../cli/helpers.js';
import { buildWorkbook, buildZip, type BookSpec } from './xlsx-build.js';
import { WRITERS } from './xlsx-expect.js';

interface Read {
  header: string[];
  rows: string[][];
  lines: number[];
}

async function read(path: string, sheet?: string, stdin?: Buffer): Promise<Read> {
  const input = new PassThrough();
  if (stdin !== undefined) input.end(stdin);
  const out: Read = { header: [], rows: [], lines: [] };
  await readTable(
    await openInput(stdin === undefined ? path : '-', input),
    {
      header(fields, delimiter) {
        expect(delimiter).toBe('xlsx');
        out.header = fields;
      },
      rows(rows, lines) {
        out.rows.push(...rows);
        out.lines.push(...lines);
      },
    },
    { sheet },
  );
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<RfmError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RfmError);
    return error as RfmError;
  }
  throw new Error('expected an RfmError');
}

const tmp = tempDir('rfm-xlsx-test-');
afterAll(() => tmp.cleanup());
let made = 0;
async function book(spec: BookSpec): Promise<string> {
  const path = tmp.path(`book${++made}.xlsx`);
  writeFileSync(path, await buildWorkbook(spec));
  return path;
}
/** One sheet "S" of the given rows. */
const sheetOf = (rows: string, extra: Omit<BookSpec, 'sheets'> = {}) => book({ sheets: [{ name: 'S', rows }], ...extra });
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;


describe('workbooks from real writers hold the cells of the CSV they were written from', () => {
  const source = parseCsv(readFileSync(fixture('xlsx', 'orders.csv'), 'utf8'));
  // What a CSV export of each cell holds: the date cell as a UTC ISO timestamp, numbers in
  // shortest form, the numeric customer id without pandas' ".0".
  const expected = source.rows.map(([invoice, stock, description, quantity, date, price, customer, country]) => [
    invoice,
    stock,
    description,
    String(Number(quantity)),
    `${date.replace(' ', 'T')}.000Z`,
    String(Number(price)),
    customer.replace(/\.0$/, ''),
    country,
  ]);

  it.each(WRITERS)('%s.xlsx, sheet "Orders"', async (writer) => {
    const got = await read(fixture('xlsx', `${writer}.xlsx`), 'Orders');
    expect(got.header).toEqual(source.header);
    expect(got.rows).toHaveLength(316);
    // Short rows (an empty trailing cell) are padded by the transaction reader, as a CSV would hold them.
    const padded = got.rows.map((row) => row.concat(Array<string>(8 - row.length).fill('')));
    expect(padded).toEqual(expected);
    expect(got.lines).toEqual(expected.map((_, i) => i + 2));
  });

  it.each(WRITERS)('%s.xlsx: the first sheet in workbook order by default, real names in the error', async (writer) => {
    const path = fixture('xlsx', `${writer}.xlsx`);
    expect((await read(path)).header).toEqual(['Note']);
    const error = await rejection(read(path, 'Sheet2'));
    expect(error.kind).toBe('input');
    expect(error.message).toBe(`${path} has no sheet named "Sheet2"`);
    expect(error.hint).toBe('sheets are: Notes, Orders');
  });
});

describe('dates', () => {
  // Hand-worked: 1900 system day 1 = 1900-01-01, day 59 = 1900-02-28, day 60 = Excel's 1900-02-29,
  // day 61 = 1900-03-01, 40513 = 2010-12-01 (Python: date(1899,12,30) + timedelta(40513));
  // 1904 system day 0 = 1904-01-01 and every date 1462 days less than in the 1900 system.
  it.each([
    [1, false, '1900-01-01T00:00:00.000Z'],
    [59.5, false, '1900-02-28T12:00:00.000Z'],
    [60, false, '1900-02-29T00:00:00.000Z'],
    [60.75, false, '1900-02-29T18:00:00.000Z'],
    [61, false, '1900-03-01T00:00:00.000Z'],
    [40513 + 700 / 1440, false, '2010-12-01T11:40:00.000Z'],
    [2958465.5, false, '9999-12-31T12:00:00.000Z'],
    [0, true, '1904-01-01T00:00:00.000Z'],
    [40513 - 1462 + 700 / 1440, true, '2010-12-01T11:40:00.000Z'],
    [-1, false, undefined],
    [2958467, false, undefined],
  ])('serial %d (1904 system: %s) → %s', (serial, date1904, iso) => {
    expect(serialToIso(serial, date1904)).toBe(iso);
  });

  it.each([
    ['yyyy-mm-dd hh:mm:ss', true],
    ['dd/mm/yyyy hh:mm', true],
    ['[$-409]d-mmm-yy;@', true],
    ['h:mm AM/PM', true],
    ['[h]:mm', true],
    ['General', false],
    ['0.00', false],
    ['0.00E+00', false],
    ['#,##0 "days"', false],
    ['[Red]#,##0.00', false],
    ['0\\d', false],
    ['_(* #,##0_);_(* (#,##0);_(* "-"??_);_(@_)', false],
  ])('format code %s is a date: %s', (code, date) => {
    expect(isDateFormatCode(code)).toBe(date);
  });

  it('a number is a date only when its style (cellXfs, not cellStyleXfs) has a date format; 1900 and 1904 systems', async () => {
    const rows =
      '<row r="1">' + inline('A1', 'a') + inline('B1', 'b') + inline('C1', 'c') + inline('D1', 'd') + inline('E1', 'e') + '</row>' +
      '<row r="2"><c r="A2"><v>40513.5</v></c><c r="B2" s="1"><v>40513.5</v></c><c r="C2" s="2"><v>40513.5</v></c>' +
      '<c r="D2" s="3"><v>40513.5</v></c><c r="E2" s="4"><v>40513.5</v></c></row>';
    const styles = { formats: [0, 14, 164, 165, 22], custom: { 164: 'yyyy\\-mm\\-dd', 165: '0.0" days"' } };
    expect((await read(await sheetOf(rows, { styles }))).rows).toEqual([
      ['40513.5', '2010-12-01T12:00:00.000Z', '2010-12-01T12:00:00.000Z', '40513.5', '2010-12-01T12:00:00.000Z'],
    ]);
    expect((await read(await sheetOf(rows, { styles, date1904: true }))).rows).toEqual([
      ['40513.5', '2014-12-02T12:00:00.000Z', '2014-12-02T12:00:00.000Z', '40513.5', '2014-12-02T12:00:00.000Z'],
    ]);
  });

  it('t="d" cells (ISO text) and dates in a 1904 workbook written by XlsxWriter and re-saved by LibreOffice', async () => {
    const rows = '<row>' + inline('A1', 'when') + '</row><row><c t="d"><v>2024-01-05T10:22:11</v></c></row>';
    expect((await read(await sheetOf(rows))).rows).toEqual([['2024-01-05T10:22:11.000Z']]);
    for (const writer of ['xlsxwriter-1904', 'libreoffice-1904']) {
      expect((await read(fixture('xlsx', `${writer}.xlsx`), 'Orders')).rows[0][4]).toBe('2010-12-01T11:40:00.000Z');
    }
  });
});

describe('cells', () => {
  it('cells without r= follow the previous cell, rows without r= the previous row; gaps in r= are empty cells', async () => {
    const rows =
      '<row><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c><c r="D1" t="inlineStr"><is><t>d</t></is></c><c t="inlineStr"><is><t>e</t></is></c></row>' +
      '<row><c><v>1</v></c><c r="C2"><v>3</v></c></row>' +
      '<row r="5"><c r="B5"><v>2</v></c></row>' +
      '<row><c><v>6</v></c><c/><c><v>8</v></c></row>';
    const got = await read(await sheetOf(rows));
    expect(got.header).toEqual(['a', 'b', '', 'd', 'e']);
    expect(got.rows).toEqual([['1', '', '3'], ['', '2'], ['6', '', '8']]);
    expect(got.lines).toEqual([2, 5, 6]);
  });

  it('shared strings (rich text runs joined, phonetic runs left out, _xHHHH_ escapes), inline rich text, booleans, errors, formulas', async () => {
    const sharedStrings =
      '<si><t>plain</t></si>' +
      '<si><r><t>rich</t></r><r><rPr><b/></rPr><t xml:space="preserve"> text</t></r></si>' +
      '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>' +
      '<si><t>line_x000D_break _x005F_x0041_</t></si>';
    const rows =
      '<row r="1">' + ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'].map((c) => inline(`${c}1`, c)).join('') + '</row>' +
      '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>3</v></c>' +
      '<c r="E2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>' +
      '<c r="F2" t="b"><v>1</v></c><c r="G2" t="b"><v>0</v></c><c r="H2" t="e"><v>#N/A</v></c>' +
      '<c r="I2" t="str"><f>A2&amp;"!"</f><v>plain!</v></c><c r="J2"><f>1/3</f><v>0.33333333333333331</v></c></row>' +
      '<row r="3"><c r="A3"><f>SUM(B3:C3)</f></c><c r="B3" t="s"/></row>';
    const got = await read(await sheetOf(rows, { sharedStrings }));
    expect(got.rows).toEqual([['plain', 'rich text', '東京', 'line\rbreak _x0041_', 'inline', 'TRUE', 'FALSE', '', 'plain!', String(1 / 3)]]);
    // Row 3 has only a formula without a cached value and an empty string cell: nothing in it.
    expect(got.lines).toEqual([2]);
  });

  it('numbers at full precision, in shortest form', async () => {
    const values = ['2.5499999999999998', '0.1', '1E-3', '12345678901234.5', '13761', '-0.5', '1.7976931348623157E308'];
    const rows = '<row>' + values.map((_, i) => inline(`${String.fromCharCode(65 + i)}1`, `n${i}`)).join('') + '</row><row>' + values.map((v) => `<c><v>${v}</v></c>`).join('') + '</row>';
    expect((await read(await sheetOf(rows))).rows).toEqual([['2.55', '0.1', '0.001', '12345678901234.5', '13761', '-0.5', '1.7976931348623157e+308']]);
  });

  it('namespace-prefixed tags (x:row, x:c, as the .NET Open XML SDK writes them)', async () => {
    const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
    const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const path = tmp.path('prefixed.xlsx');
    writeFileSync(
      path,
      await buildZip([
        { name: 'xl/worksheets/sheet1.xml', content: `<x:worksheet xmlns:x="${MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>id</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>` },
        { name: 'xl/_rels/workbook.xml.rels', content: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="${REL}/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>` },
        { name: 'xl/workbook.xml', content: `<x:workbook xmlns:x="${MAIN}" xmlns:rel="${REL}"><x:sheets><x:sheet name="Data" sheetId="1" rel:id="R1"/></x:sheets></x:workbook>` },
      ]),
    );
    const got = await read(path, 'Data');
    expect(got.header).toEqual(['id']);
    expect(got.rows).toEqual([['7']]);
  });

  it('an empty sheet is an input error naming the sheet', async () => {
    const error = await rejection(read(await sheetOf('<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c></row>')));
    expect(error.message).toMatch(/sheet "S" of .*book\d+\.xlsx is empty$/);
  });
});

describe('limits and broken files: one-line input errors naming the file, sheet and cell', () => {
  const MiB = 1 << 20;
  const header = '<row r="1">' + inline('A1', 'a') + inline('B1', 'b') + '</row>';

  it('a cell of exactly 1 MiB is read; one character more is refused with its reference', async () => {
    const fits = await read(await sheetOf(header + `<row r="2"><c r="A2"><v>1</v></c>${inline('B2', 'x'.repeat(MiB))}</row>`));
    expect(fits.rows[0][1]).toHaveLength(MiB);
    const path = await sheetOf(header + `<row r="2"><c r="A2"><v>1</v></c>${inline('B2', 'x'.repeat(MiB + 1))}</row>`);
    const error = await rejection(read(path));
    expect(error.kind).toBe('input');
    expect(error.message).toBe(`cell B2 is longer than 1048576 characters (1 MiB) in sheet "S" of ${path}`);
    expect(error.file).toBe(path);
    expect(error.hint).toBe('shorten that cell, or export the sheet as CSV');
  });

  it('a shared string over 1 MiB is refused where a cell uses it, not before', async () => {
    const sharedStrings = `<si><t>${'y'.repeat(MiB + 1)}</t></si><si><t>short</t></si>`;
    const unused = await read(await sheetOf(header + '<row r="2"><c r="A2" t="s"><v>1</v></c></row>', { sharedStrings }));
    expect(unused.rows).toEqual([['short']]);
    const path = await sheetOf(header + '<row r="2"><c r="A2" t="s"><v>1</v></c></row><row r="3"><c r="B3" t="s"><v>0</v></c></row>', { sharedStrings });
    expect((await rejection(read(path))).message).toBe(`cell B3 is longer than 1048576 characters (1 MiB) in sheet "S" of ${path}`);
  });

  it('a text run too long to hold (16 MiB) stops reading at once, naming the cell', async () => {
    const path = await sheetOf(header + `<row r="2"><c r="A2"><v>${'9'.repeat(17 * MiB)}</v></c></row>`);
    expect((await rejection(read(path))).message).toBe(`cell A2 is longer than 1048576 characters (1 MiB) in sheet "S" of ${path}`);
  });

  it('shared strings over 256 Mi characters in all are refused', async () => {
    const item = Buffer.from(`<si><t>${'z'.repeat(MiB)}</t></si>`);
    const path = await sheetOf(header, { sharedStrings: Array<Buffer>(257).fill(item) });
    const error = await rejection(read(path));
    expect(error.message).toBe(`the shared strings of ${path} hold more than 268435456 characters (256 Mi)`);
    expect(error.hint).toMatch(/export the sheet as CSV/);
  }, 120_000);

  it('row 1,048,576 is read; a row past it is refused, numbered by r= or by counting', async () => {
    const last = await read(await sheetOf(header + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'));
    expect(last.lines).toEqual([1_048_576]);
    const byRef = await sheetOf(header + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>');
    expect((await rejection(read(byRef))).message).toBe(`row 1048577 is past Excel's last row (1048576) in sheet "S" of ${byRef}`);
    const counted = await sheetOf(header + '<row/>'.repeat(1_048_576));
    expect((await rejection(read(counted))).message).toBe(`row 1048577 is past Excel's last row (1048576) in sheet "S" of ${counted}`);
  }, 60_000);

  it('a cell past column XFD is refused', async () => {
    const path = await sheetOf(header + '<row r="2"><c r="XFE2"><v>1</v></c></row>');
    expect((await rejection(read(path))).message).toBe(`cell XFE2 is past Excel's last column (XFD) in sheet "S" of ${path}`);
    const counted = await sheetOf(header + `<row r="3">${'<c><v>1</v></c>'.repeat(16_385)}</row>`);
    expect((await rejection(read(counted))).message).toBe(`cell XFE3 is past Excel's last column (XFD) in sheet "S" of ${counted}`);
  });

  it.each([
    ['a zip signature and then nothing of a zip', Buffer.from('PK\u0003\u0004 not really a zip'), 'its zip directory is missing (the file is truncated, or not a zip file)'],
    ['a truncated workbook', readFileSync(fixture('xlsx', 'openpyxl.xlsx')).subarray(0, 15_000), 'its zip directory is missing (the file is truncated, or not a zip file)'],
  ])('%s', async (_name, bytes, why) => {
    const path = tmp.path(`broken${++made}.xlsx`);
    writeFileSync(path, bytes);
    const error = await rejection(read(path));
    expect(error.kind).toBe('input');
    expect(error.message).toBe(`cannot read ${path} as an .xlsx workbook: ${why}`);
    expect(error.hint).toBe('check that the file is complete (re-download or re-save it), or export the sheet as CSV');
  });

  it('damaged compressed data in the sheet is refused naming the part', async () => {
    const bytes = await buildWorkbook({ sheets: [{ name: 'S', rows: header + '<row r="2"><c r="A2"><v>1</v></c></row>'.repeat(50) }] });
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    const data = bytes.indexOf(name) + name.length; // the local header's name, then the entry's data
    bytes.fill(0xff, data, data + 8);
    const path = tmp.path('damaged.xlsx');
    writeFileSync(path, bytes);
    const error = await rejection(read(path));
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(new RegExp(`^cannot read ${path.replace(/[.]/g, '\\.')} as an \\.xlsx workbook: xl/worksheets/sheet1\\.xml: invalid`));
  });

  it('a sheet name that points at no worksheet (a chart sheet) is refused, listing the sheets', async () => {
    const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const path = tmp.path('chart.xlsx');
    writeFileSync(
      path,
      await buildZip([
        { name: 'xl/_rels/workbook.xml.rels', content: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>` },
        { name: 'xl/workbook.xml', content: `<workbook xmlns:r="${REL}"><sheets><sheet name="Chart 1" sheetId="1" r:id="rId1"/></sheets></workbook>` },
      ]),
    );
    const error = await rejection(read(path, 'Chart 1'));
    expect(error.message).toBe(`sheet "Chart 1" of ${path} is not a worksheet (a chart sheet, or missing from the file)`);
    expect(error.hint).toBe('sheets are: Chart 1');
    expect((await rejection(read(path))).message).toBe(`${path} has no worksheet`);
  });

  it('a zip that is not a workbook, and a sheet that is not XML', async () => {
    const path = tmp.path('notes.zip');
    writeFileSync(path, await buildZip([{ name: 'notes.txt', content: 'hello' }]));
    expect((await rejection(read(path))).message).toBe(`cannot read ${path} as an .xlsx workbook: it is a zip file without xl/workbook.xml`);
    const bad = await sheetOf('<row r="1"><c r="A1"><v>1</v></row>');
    expect((await rejection(read(bad))).message).toMatch(/as an \.xlsx workbook: xl\/worksheets\/sheet1\.xml is not well-formed XML/);
  });
});

describe('nothing is left in the temp directory', () => {
  let scratch: string;
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.TMPDIR;
    scratch = tmp.path('tmpdir');
    mkdirSync(scratch);
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });

  it('after reading from a file, from stdin, from .gz, and after a failed read from stdin', async () => {
    process.env.TMPDIR = scratch;
    expect(tmpdir()).toBe(scratch);
    const path = fixture('xlsx', 'pandas-openpyxl.xlsx');
    const bytes = readFileSync(path);
    const gz = tmp.path('orders.xlsx.gz');
    writeFileSync(gz, gzipSync(bytes));
    for (const got of [await read(path, 'Orders'), await read('-', 'Orders', bytes), await read(gz, 'Orders')]) {
      expect(got.rows).toHaveLength(316);
      expect(readdirSync(scratch)).toEqual([]);
    }
    const error = await rejection(read('-', 'Orders', bytes.subarray(0, 15_000)));
    expect(error.message).toMatch(/^cannot read stdin as an \.xlsx workbook: /);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
