/**
 * The byte-level fast reader (src/io/fast-csv.ts) must give exactly what the general path
 * (decodeText + papaparse) gives: the same header, the same rows with the same line numbers, and
 * the same errors — however the bytes are cut into chunks, and whatever the quoting and line ends.
 * Unusual input is handed back to papaparse mid-file; these tests cover both sides of that seam.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import { RfmError } from '../../src/core/errors.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import { guessNewline, parseDecimalBytes } from '../../src/io/fast-csv.js';
import { openInput, READ_CHUNK } from '../../src/io/source.js';
import { cutInto, read, source, type Outcome } from './read-paths.js';
import { tempDir } from '../cli/helpers.js';
import { waitUntil } from '../wait.js';

const bytesOf = (text: string | Buffer) => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

/**
 * Both paths on the same chunks (where the chunks fall matters to the general path only when the
 * encoding changes midway): the text whole, cut at every position, and one byte at a time.
 */
async function expectSame(text: string | Buffer): Promise<Outcome> {
  const all = bytesOf(text);
  const want = await read([all], false);
  expect(await read([all], true)).toEqual(want);
  for (let cut = 1; cut < all.length; cut++) {
    const chunks = () => [all.subarray(0, cut), all.subarray(cut)];
    expect(await read(chunks(), true), `cut at ${cut}`).toEqual(await read(chunks(), false));
  }
  const bytewise = () => [...all].map((b) => Buffer.from([b]));
  expect(await read(bytewise(), true)).toEqual(await read(bytewise(), false));
  return want;
}

describe('fast reader = general reader', () => {
  it.each([
    ['LF', 'a,b,c\n1,2,3\n4,5,6\n'],
    ['CRLF', 'a,b,c\r\n1,2,3\r\n4,5,6\r\n'],
    ['no final line end', 'a,b,c\n1,2,3\n4,5,6'],
    ['semicolons', 'a;b;c\n1;2;3\n'],
    ['tabs', 'a\tb\tc\n1\t2\t3\n'],
    ['blank lines and a lone ""', 'a,b\n\n1,2\n""\n3,4\n\n'],
    ['quoted delimiters and escapes', 'a,b,c\n1,"x, RED",3\n2,"say ""hi""",4\n3,"",5\n'],
    ['quoted line breaks', 'a,b,c\n1,"two\nlines",3\n2,"three\r\nmore\rlines",4\n5,6,7\n'],
    ['quoted line breaks, CRLF file', 'a,b,c\r\n1,"two\r\nlines",3\r\n2,"bare\nLF",4\r\n'],
    ['a quote inside an unquoted field is text', 'a,b\n1,5" disk\n2,x"y"z\n'],
    ['bare CR inside a field of an LF file', 'a,b\n1,x\ry\n2,z\r\n3,w\n'],
    ['bare LF inside a field of a CRLF file', 'a,b\r\n1,x\ny\r\n2,z\r\n'],
    ['wrong field counts are passed on as they are', 'a,b,c\n1,2\n1,2,3,4\n'],
    ['quoted header', '"a","b, c"\n1,2\n'],
    ['a malformed quote mid-file (papaparse takes over)', 'a,b\n1,2\n3,"x"y\n5,6\n'],
    ['spaces after a closing quote (papaparse takes over)', 'a,b\n1,"x"  ,\n2,3\n'],
    ['an unterminated quote', 'a,b\n1,2\n3,"open\n4,5\n'],
    ['a trailing delimiter', 'a,b,\n1,2,\n'],
    ['only a header', 'a,b\n'],
    ['a header and blank lines', 'a,b\n\n\n'],
    ['whitespace-separated (whitespace.ts)', ' id   date  amount\n 1  2011-01-01     5\n'],
    ['a blank first line', '\na,b\n1,2\n'],
    ['empty', ''],
  ])('%s', async (_name, text) => {
    await expectSame(text);
  });

  it('UTF-8 text, a BOM, and latin1 from the first chunk that is not UTF-8', async () => {
    await expectSame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,desc\n1,caf\u00e9\n2,x\n')]));
    await expectSame(Buffer.concat([Buffer.from('id,desc\n1,caf\u00e9\n2,'), Buffer.from([0xa3, 0x35, 0x0a, 0x33, 0x2c, 0xe9, 0x0a])]));
    await expectSame(Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xa3, 0x0a]));
    await expectSame(Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'));
  });

  it('a quote that never closes in a long file: the same error, without holding the rest', async () => {
    const all = Buffer.from('a,b\n1,2\n3,"' + 'x,y\n'.repeat(600_000));
    const chunks = () => Array.from({ length: Math.ceil(all.length / 65536) }, (_, i) => all.subarray(i * 65536, (i + 1) * 65536));
    const want = await read(chunks(), false);
    expect(want).toHaveProperty('error');
    expect(await read(chunks(), true)).toEqual(want);
  });

  it('NUL bytes: the same error and line', async () => {
    const want = await expectSame(Buffer.from('a,b\n1,2\n3,\u0000\n'));
    expect(want).toMatchObject({ kind: 'input' });
  });

  it('delimiters and line ends at every place in a 32-byte block of marks, and low bytes that are text', async () => {
    // The scanner jumps between marked bytes (special-bytes.ts: 32 bytes a word): fields of every
    // length put the delimiter and line ends at every bit of a word, and the bytes below the
    // delimiter that are text here (space, !, #, tab with a comma...) must not end a field.
    for (const [delimiter, text] of [[',', ' !#\t'], [';', ' ,!#\t'], ['\t', ' ,;!']] as const) {
      const lines = [`h1${delimiter}h2${delimiter}h3`];
      for (let before = 0; before < 9; before++) {
        for (let after = 0; after < 6; after++) {
          const low = text[(before + after) % text.length];
          const field = 'x'.repeat(before) + low + '\u00e9'.repeat(after % 3) + 'y'.repeat(after);
          lines.push([field, 'ab'.repeat(before), low.repeat(after)].join(delimiter));
        }
      }
      const body = lines.join('\n') + '\n';
      const all = Buffer.from(body);
      const want = await read([all], false);
      expect(want).toMatchObject({ delimiter });
      expect(await read([all], true)).toEqual(want);
      expect(await read([all.subarray(0, 301), all.subarray(301)], true)).toEqual(want);
      const crlf = Buffer.from(body.replace(/\n/g, '\r\n'));
      expect(await read([crlf], true)).toEqual(await read([crlf], false));
    }
  });

  it('random inputs, cut into random chunks', async () => {
    // \u00e9 is two bytes in UTF-8; a lone 0xa3 byte is not UTF-8 (latin1 £) and switches encodings.
    const alphabet = ['a', '1', ',', ';', '"', '""', '\n', '\r\n', '\r', ' ', '\u00e9', Buffer.from([0xa3])];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('h1,h2,h3\n', 'a;b\r\n', ''),
        fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
        async (header, tokens, sizes) => {
          const all = Buffer.concat([Buffer.from(header), ...tokens.map(bytesOf)]);
          const chunks = () => cutInto(all, sizes);
          expect(await read(chunks(), true)).toEqual(await read(chunks(), false));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('files: read in place into one reused buffer', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const line = (i: number) => `${536365 + (i >> 3)},85123A,"HOLDER, RED ${i}",6,2010-12-01 08:26:00,2.55,${17850 + (i % 97)}.0,United Kingdom\n`;
  const body = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i)).join('');
  const header = 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n';
  const both = async (name: string, bytes: Buffer) => {
    const path = tmp.path(name);
    writeFileSync(path, bytes);
    const fast = await read(await openInput(path, new PassThrough()), true);
    expect(fast).toEqual(await read(await openInput(path, new PassThrough()), false));
    return fast;
  };
  const rows = Math.ceil((2.5 * READ_CHUNK) / line(0).length);

  it('a multi-chunk file with a quoted line break across a chunk boundary', async () => {
    let text = header + body(0, rows);
    const cut = text.indexOf('HOLDER', READ_CHUNK - 40);
    text = text.slice(0, cut) + 'TWO\nLINES ' + text.slice(cut);
    const out = await both('plain.csv', Buffer.from(text));
    expect(out).toMatchObject({ rows: { length: rows } });
  });

  it('latin1 from the second chunk on, and papaparse taking over in the third', async () => {
    const text = header + body(0, rows);
    const bytes = Buffer.from(text, 'latin1');
    bytes[bytes.indexOf('RED', READ_CHUNK + 100)] = 0xa3; // £: not UTF-8
    const third = bytes.indexOf('"HOLDER', 2 * READ_CHUNK + 100);
    bytes[bytes.indexOf('",', third)] = 0x58; // `"HOLDER, RED n X,6,...`: the quote now closes later, malformed
    await both('mixed.csv', bytes);
  });

  it('an error before the end closes the file, on both paths (not left to the garbage collector)', async () => {
    // papaparse stops at an unterminated quote in the third chunk, before reading to the end.
    const bytes = Buffer.from(header + body(0, rows));
    const third = bytes.indexOf('"HOLDER', 2 * READ_CHUNK + 100);
    bytes[bytes.indexOf('",', third)] = 0x58;
    const path = tmp.path('open-quote.csv');
    writeFileSync(path, bytes);
    const descriptors = () => readdirSync('/proc/self/fd').length;
    for (const fast of [true, false]) {
      const before = descriptors();
      expect(await read(await openInput(path, new PassThrough()), fast)).toMatchObject({ kind: 'input' });
      // The close is asynchronous: wait for it (not for a garbage collection).
      await waitUntil(`the ${fast ? 'fast' : 'general'} path to close the file (${descriptors()} descriptors open, ${before} before)`, () => descriptors() <= before, 2_000);
      expect(descriptors(), fast ? 'fast path' : 'general path').toBe(before);
    }
  });

  it('a record longer than the room kept for it in front of the next chunk (64 KiB), across chunk boundaries', async () => {
    // 300 KB long, starting 100 KB before the end of the second chunk: 100 KB are left over there.
    const long = `999999,LONG,"${'WIDE '.repeat(60_000)}",1,2010-12-01 08:26:00,1.00,12346.0,United Kingdom\n`;
    let text = header;
    let i = 0;
    while (text.length < 2 * READ_CHUNK - 100_000) text += line(i++);
    const out = (await both('long.csv', Buffer.from(text + long + body(0, 5000)))) as { rows: unknown[] };
    expect(out.rows.length).toBe(i + 1 + 5000);
  });

  it('a data error while the next chunk is being read closes the file', async () => {
    // A row with a field too few at the start of the second chunk: the sink throws while the third
    // chunk is on its way.
    const lines = body(0, rows).split('\n');
    let at = 0;
    let i = 0;
    while (at < READ_CHUNK + 200) at += lines[i++].length + 1;
    lines[i] = lines[i].replace(',United Kingdom', '');
    const path = tmp.path('short-row.csv');
    writeFileSync(path, header + lines.join('\n'));
    const descriptors = () => readdirSync('/proc/self/fd').length;
    const before = descriptors();
    const options: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
    const error = await loadCustomers(await openInput(path, new PassThrough()), options).catch((e: RfmError) => e);
    expect(error).toBeInstanceOf(RfmError);
    expect((error as RfmError).message).toMatch(/has 7 fields but the header has 8/);
    await waitUntil(`the reader to close the file (${descriptors()} descriptors open, ${before} before)`, () => descriptors() <= before, 2_000);
    expect(descriptors()).toBe(before);
  });

  it('a NUL byte in a later chunk: the same error and line', async () => {
    const bytes = Buffer.from(header + body(0, rows));
    bytes[2 * READ_CHUNK + 10] = 0;
    expect(await both('nul.csv', bytes)).toMatchObject({ kind: 'input' });
  });
});

describe('transaction logs: the fast path aggregates to the same customers', () => {
  const options: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
  const log = [
    'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country',
    '536365,85123A,"WHITE HANGING HEART T-LIGHT HOLDER, RED",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
    '536365,71053,"say ""hi""",6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
    '536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85,17850.0,United Kingdom',
    'C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom',
    '536381,22139,x,  ,2010-12-01 09:41:00,1.5,15311.0,United Kingdom',
    '536381,22139,x,0x10,2010-12-01 09:41:00,1.5,15311.0,United Kingdom',
    '536381,22139,x,1e1,2010-12-01 09:41:00,.5,15311.0,United Kingdom',
    '536382,22139,x,"4",2010-12-01 09:45:00,"1.25",15311.0,United Kingdom',
    '536383,22139,x,4,not a date,1.25,15311.0,United Kingdom',
    '536384,22139,x,4,2010-12-02 10:00:00,0,15311.0,United Kingdom',
    '536385,22139,x,3,2010-12-02 10:00:00,0.1,,United Kingdom',
    '536386,22139,x,3,2010-12-03 10:00:00,0.1,00042,United Kingdom',
    '536386,22139,x,12345678901234567,2010-12-03 10:00:00,0.1,00042,United Kingdom',
  ].join('\r\n');

  it('matches the row-by-row parse exactly (ids, invoices, dates, strict numbers, drop counts)', async () => {
    const fast = await loadCustomers(source([Buffer.from(log)]), options);
    // The same rows with bare-CR line ends, which only the general path reads.
    const viaRows = await loadCustomers(source([Buffer.from(log.replace(/\r\n/g, '\r'))]), options);
    expect(fast.customers).toEqual(viaRows.customers);
    expect(fast.report).toEqual(viaRows.report);
    expect(fast.asOf).toEqual(viaRows.asOf);
    expect(fast.customers.map((c) => [c.customerId, c.frequency])).toEqual([
      ['00042', 1],
      ['15311', 2],
      ['17850', 2],
    ]);
  });

  it('reports a wrong field count with the same line as the general path', async () => {
    const text = 'Invoice,InvoiceDate,Price,Quantity,Customer ID\n1,2011-01-01,1,1,5\n2,"a\nb",1,1\n';
    const errorOf = async (t: string) => {
      try {
        await loadCustomers(source([Buffer.from(t)]), options);
      } catch (error) {
        return (error as RfmError).message;
      }
      return 'no error';
    };
    const fast = await errorOf(text);
    expect(fast).toBe('line 3 has 4 fields but the header has 5');
    expect(await errorOf(text.replace(/\n/g, '\r'))).toBe(fast);
  });
});

describe('RFM tables: the fast path gives the same rows and errors', () => {
  const options: LoadOptions = { columns: {}, dateOrder: 'mdy', cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
  const rows = Array.from({ length: 10_000 }, (_, i) => `${i % 7 === 0 ? `"C, ${i}"` : ` 00${i} `},${i % 400},${1 + (i % 9)},${i % 5 === 0 ? ` ${i}.50 ` : i % 11 === 0 ? '1e2' : `${i}.1`}`);
  const table = 'customer_id,recency,frequency,monetary,extra\r\n' + rows.join('\r\n') + '\r\n\r\n';
  /** Streams through an asynchronous consumer (backpressure), or collects; errors as messages. */
  const load = async (text: string, stream: boolean) => {
    const batches: string[][] = [];
    try {
      const loaded = await loadCustomers(
        source([Buffer.from(text)]),
        options,
        stream
          ? async (batch) => {
              await new Promise((resolve) => setTimeout(resolve, 1));
              batches.push(batch.map((r) => `${r.customerId}|${r.recency}|${r.frequency}|${r.monetary}`));
            }
          : undefined,
      );
      return stream ? batches.flat() : loaded.customers;
    } catch (error) {
      return (error as RfmError).message;
    }
  };
  // The same table with bare-CR line ends is read by the general path only.
  const general = (text: string) => text.replace(/\r\n/g, '\r');

  it('collected and streamed, in batches, in input order', async () => {
    expect(await load(table, false)).toEqual(await load(general(table), false));
    const streamed = await load(table, true);
    expect(streamed).toHaveLength(10_000);
    expect(streamed).toEqual(await load(general(table), true));
    expect((streamed as string[]).slice(0, 2)).toEqual(['C, 0|0|1|0.5', '001|1|2|1.1']);
  });

  it.each([
    ['a negative recency', '5,-1,2,3'],
    ['a text frequency', '5,1,two,3'],
    ['a missing field', '5,1,2'],
    ['an empty monetary', '5,1,2,'],
  ])('%s: the same error and line', async (_name, bad) => {
    const text = table.replace(/\r\n\r\n$/, `\r\n${bad}\r\n`);
    const want = await load(general(text), true);
    expect(want).toMatch(/line 10002/);
    expect(await load(text, true)).toEqual(want);
  });
});

describe('pieces', () => {
  it('plain decimals from bytes equal Number()', () => {
    for (const t of ['0', '-0', '2.95', '18.0', '.5', '5.', '-.5', '123456789012345', '0.1', '99999.99999', '1.79769313486231']) {
      const b = Buffer.from(t);
      expect(Object.is(parseDecimalBytes(b, 0, b.length), Number(t)), t).toBe(true);
    }
    for (const t of ['', '-', '.', '1e5', ' 1', '1 ', '+1', '0x10', '1.2.3', '1234567890123456', '1.7976931348623157']) {
      const b = Buffer.from(t);
      expect(parseDecimalBytes(b, 0, b.length), t).toBeNaN();
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), fc.integer({ min: 0, max: 3 }), (m, s) => {
        const t = s === 0 ? String(m) : `${Math.floor(m / 10 ** s)}.${String(m % 10 ** s).padStart(s, '0')}`;
        const b = Buffer.from(t);
        return parseDecimalBytes(b, 0, b.length) === Number(t);
      }),
    );
  });

  it("guesses line ends as papaparse does", () => {
    expect(guessNewline('a,b\n1,2\n')).toBe('\n');
    expect(guessNewline('a,b\r\n1,2\r\n')).toBe('\r\n');
    expect(guessNewline('a,b\r1,2\r')).toBe('\r');
    expect(guessNewline('"x\r\ny"\na\n')).toBe('\n');
  });
});
