import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { decodeText, openInput, type InputSource } from '../../src/io/source.js';
import { readTable, sniffDelimiter, type Delimiter } from '../../src/io/table.js';
import { fixture, tempDir } from '../cli/helpers.js';

interface Read {
  header: string[];
  delimiter: Delimiter | 'xlsx';
  rows: string[][];
  lines: number[];
}

async function readSource(source: InputSource, sheet?: string): Promise<Read> {
  const out: Read = { header: [], delimiter: ',', rows: [], lines: [] };
  await readTable(
    source,
    {
      header(fields, delimiter) {
        out.header = fields;
        out.delimiter = delimiter;
      },
      rows(rows, lines) {
        out.rows.push(...rows.map((r) => [...r]));
        out.lines.push(...lines);
      },
    },
    { sheet },
  );
  return out;
}

/** Reads text given as explicit chunks (strings are UTF-8; Buffers are raw bytes). */
function readChunks(chunks: (string | Buffer)[], name = 'test.csv'): Promise<Read> {
  async function* bytes() {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
  }
  return readSource({ name, kind: 'text', bytes: bytes() });
}

const readText = (text: string | Buffer) => readChunks([text]);

async function readFile(path: string, sheet?: string): Promise<Read> {
  return readSource(await openInput(path, new PassThrough()), sheet);
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

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('delimiter auto-detection', () => {
  it.each([
    ['comma', 'a,b,c', ','],
    ['semicolon', 'a;b;c', ';'],
    ['tab', 'a\tb\tc', '\t'],
    ['runs of spaces', '  a   b  c', 'whitespace'],
    ['tab even with spaces inside names', 'Customer ID\tInvoice Date\tUnit Price', '\t'],
    ['comma ignoring commas inside quotes', '"a;b";"c;d",e,f', ','],
  ])('%s', (_name, line, want) => {
    expect(sniffDelimiter(line)).toBe(want);
  });

  it.each([
    ['comma', 'id,date,amount\n1,2011-01-01,5\n', ','],
    ['semicolon', 'id;date;amount\n1;2011-01-01;5\n', ';'],
    ['tab', 'id\tdate\tamount\n1\t2011-01-01\t5\n', '\t'],
    ['spaces', ' id   date  amount\n 1  2011-01-01     5\n', 'whitespace'],
  ])('reads a %s-separated file into the same rows', async (_name, text, delimiter) => {
    const read = await readText(text);
    expect(read.delimiter).toBe(delimiter);
    expect(read.header).toEqual(['id', 'date', 'amount']);
    expect(read.rows).toEqual([['1', '2011-01-01', '5']]);
  });
});

describe('encodings', () => {
  it('strips a UTF-8 byte-order mark from the first header name', async () => {
    const read = await readFile(fixture('io', 'bom.csv'));
    expect(read.header[0]).toBe('CustomerID');
    expect(read.rows).toHaveLength(2);
  });

  it('falls back to latin1 when the bytes are not UTF-8 (raw 0xA3 is £)', async () => {
    expect(readFileSync(fixture('io', 'latin1.csv')).includes(0xa3)).toBe(true);
    const read = await readFile(fixture('io', 'latin1.csv'));
    expect(read.rows[0][2]).toBe('POSTAGE £2.50 FLAT');
    expect(read.rows[2][2]).toBe('PAPER CHAIN KIT £ SAVER');
  });

  it('keeps UTF-8 characters split across chunk boundaries', async () => {
    const pound = Buffer.from('£', 'utf8'); // C2 A3
    const read = await readChunks([Buffer.concat([Buffer.from('id,desc\n1,x'), pound.subarray(0, 1)]), Buffer.concat([pound.subarray(1), Buffer.from('y\n')])]);
    expect(read.rows).toEqual([['1', 'x£y']]);
  });

  it('switches to latin1 when a later chunk is not UTF-8', async () => {
    const read = await readChunks(['id,desc\n1,plain\n', Buffer.from([0x32, 0x2c, 0xa3, 0x35, 0x0a])]);
    expect(read.rows).toEqual([
      ['1', 'plain'],
      ['2', '£5'],
    ]);
  });

  it('refuses a binary file (NUL bytes) with an input error', async () => {
    const error = await rejection(readText(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01])));
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/NUL bytes/);
  });

  it('decodeText yields the text unchanged for plain ASCII', async () => {
    const parts: string[] = [];
    for await (const t of decodeText((async function* () { yield Buffer.from('a,b\r\n1,2'); })(), 'x')) parts.push(t);
    expect(parts.join('')).toBe('a,b\r\n1,2');
  });
});

describe('line endings and quoting', () => {
  it('CRLF: no stray \\r in the last field', async () => {
    const read = await readText('id,date,amount\r\n1,2011-01-01,5\r\n2,2011-01-02,6\r\n');
    expect(read.rows).toEqual([
      ['1', '2011-01-01', '5'],
      ['2', '2011-01-02', '6'],
    ]);
    expect(read.lines).toEqual([2, 3]);
  });

  it('CRLF in a whitespace-separated file (CDNOW)', async () => {
    const read = await readFile(fixture('io', 'cdnow.txt'));
    expect(read.delimiter).toBe('whitespace');
    expect(read.header).toEqual(['customer_id', 'date', 'number_of_cds', 'dollar_value']);
    expect(read.rows[0]).toEqual(['00001', '19970101', '1', '11.77']);
    expect(read.lines.slice(0, 3)).toEqual([2, 3, 4]);
  });

  it('quoted fields keep commas, doubled quotes and newlines', async () => {
    const read = await readFile(fixture('io', 'quoted.csv'));
    expect(read.header).toEqual(['Invoice', 'Description', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID']);
    expect(read.rows.map((r) => r[1])).toEqual(['SET OF 3 CAKE TINS, PANTRY DESIGN', '12" RECORD "DISCO" SLEEVE', 'GIFT NOTE\r\nLINE TWO\r\nLINE THREE', 'PLAIN']);
    expect(read.rows.every((r) => r.length === 6)).toBe(true);
  });

  it('line numbers count the physical lines of a quoted newline', async () => {
    const read = await readFile(fixture('io', 'quoted.csv'));
    // header 1, rows on 2, 3, then a 3-line row 4-6, then 7
    expect(read.lines).toEqual([2, 3, 4, 7]);
  });

  it('an unterminated quote names the line where it opens', async () => {
    const error = await rejection(readText('id,desc\n1,ok\n2,"never closed\n3,x\n'));
    expect(error.kind).toBe('input');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/unterminated quoted field starting on line 3/);
  });

  it('blank lines are skipped but still counted', async () => {
    const read = await readText('id,amount\n\n1,5\n\n2,6\n');
    expect(read.rows).toEqual([
      ['1', '5'],
      ['2', '6'],
    ]);
    expect(read.lines).toEqual([3, 5]);
  });

  it('whitespace file: line numbers stay right when a CRLF is split across chunks', async () => {
    const read = await readChunks([' id  amount\r\n 1  5\r', '\n 2  6\r\n 3  7\r\n'], 'cd.txt');
    expect(read.rows).toEqual([
      ['1', '5'],
      ['2', '6'],
      ['3', '7'],
    ]);
    expect(read.lines).toEqual([2, 3, 4]);
  });

  it('comma file: line numbers stay right when a CRLF is split across chunks', async () => {
    const read = await readChunks(['id,amount\r\n1,5\r', '\n2,6\r\n3,7\r\n']);
    expect(read.rows).toEqual([
      ['1', '5'],
      ['2', '6'],
      ['3', '7'],
    ]);
    expect(read.lines).toEqual([2, 3, 4]);
  });

  it('comma file: a first chunk that ends inside the header CRLF', async () => {
    const read = await readChunks(['id,invoice\r', '\n1,C5\r\n2,6\r\n']);
    expect(read.rows).toEqual([
      ['1', 'C5'],
      ['2', '6'],
    ]);
  });

  it('an empty input is an error naming the file', async () => {
    const error = await rejection(readChunks([''], 'empty.csv'));
    expect(error.message).toBe('empty.csv is empty');
  });
});

describe('compressed and workbook inputs', () => {
  it('reads .gz transparently', async () => {
    const path = tmp.path('uci.csv.gz');
    writeFileSync(path, gzipSync(readFileSync(fixture('io', 'uci.csv'))));
    const plain = await readFile(fixture('io', 'uci.csv'));
    const gz = await readFile(path);
    expect(gz).toEqual(plain);
    expect(gz.rows).toHaveLength(8);
  });

  it('reads a gzipped latin1 file', async () => {
    const path = tmp.path('latin1.csv.gz');
    writeFileSync(path, gzipSync(readFileSync(fixture('io', 'latin1.csv'))));
    expect((await readFile(path)).rows[0][2]).toBe('POSTAGE £2.50 FLAT');
  });

  it('a truncated .gz is an input error', async () => {
    const path = tmp.path('broken.csv.gz');
    const gz = gzipSync(readFileSync(fixture('io', 'uci.csv')));
    writeFileSync(path, gz.subarray(0, gz.length - 20));
    const error = await rejection(readFile(path));
    expect(error.kind).toBe('input');
  });

  it('.xlsx: the first sheet by default, Date cells as UTC ISO timestamps, numeric ids as text', async () => {
    const read = await readFile(fixture('io', 'retail.xlsx'));
    expect(read.delimiter).toBe('xlsx');
    expect(read.header).toEqual(['Invoice', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID', 'Country']);
    expect(read.rows).toHaveLength(4);
    expect(read.rows[0]).toEqual(['489434', '85048', '15CM CHRISTMAS GLASS BALL 20 LIGHTS', '12', '2009-12-01T07:45:00.000Z', '6.95', '13085', 'United Kingdom']);
    expect(read.rows[2][6]).toBe('');
    expect(read.lines).toEqual([2, 3, 4, 5]);
  });

  it('.xlsx: --sheet NAME picks another sheet', async () => {
    const read = await readFile(fixture('io', 'retail.xlsx'), 'Year 2010-2011');
    expect(read.rows.map((r) => r[0])).toEqual(['536365', '536366', 'C536379']);
  });

  it('.xlsx: a missing sheet is an input error listing the sheets', async () => {
    const error = await rejection(readFile(fixture('io', 'retail.xlsx'), 'Year 2012'));
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/has no sheet named "Year 2012"/);
    expect(error.hint).toBe('sheets are: Year 2009-2010, Year 2010-2011');
  });

  it('a missing file is an input error', async () => {
    const error = await rejection(readFile(tmp.path('nope.csv')));
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/no such file/);
  });
});
