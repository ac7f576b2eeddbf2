/**
 * The encoding is decided once per input, before any row is used (EXPORTS-SPEC.md "Values"): an
 * input that is not valid UTF-8 anywhere is latin1 from its first byte, from a file, stdin or .gz
 * alike, so that one customer never gets two spellings. The "latin1-late" log is valid UTF-8 for
 * its first 1.1 MiB (`Zoë` in UTF-8, C3 AB, on line 2), then has `José` in latin1 (E9) on every
 * line of that customer, and `Zoë` in UTF-8 again. Read as latin1 from the first byte: José is
 * José (3 invoices) and Zoë's bytes are one customer `ZoÃ«` (2 invoices), never also `Zoë`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import { EncodingDecision, Utf8Tracker } from '../../src/io/encoding.js';
import { openInput } from '../../src/io/source.js';
import { tempDir } from '../cli/helpers.js';
import { latin1Late } from './latin1-late.js';

const base: LoadOptions = { columns: {}, cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
const tmp = tempDir();
afterAll(() => tmp.cleanup());

// Spool files go to a private TMPDIR, checked empty after each read.
const spoolDir = tmp.path('spool');
mkdirSync(spoolDir);
let savedTmp: string | undefined;
beforeEach(() => {
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = spoolDir;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  expect(readdirSync(spoolDir)).toEqual([]);
});

const LATE = latin1Late();

/** José and Zoë's customers as [id, frequency, monetary]. */
async function namedCustomers(source: Awaited<ReturnType<typeof openInput>>) {
  const loaded = await loadCustomers(source, base);
  return {
    named: loaded.customers.filter((c) => !/^A\d$/.test(c.customerId)).map((c) => [c.customerId, c.frequency, c.monetary]),
    encoding: loaded.layouts?.encoding,
    customers: loaded.customers.length,
  };
}

const EXPECTED = {
  named: [
    ['José', 3, 30],
    ['ZoÃ«', 2, 10],
  ],
  encoding: 'latin1',
  customers: 12,
};

/** A stdin that delivers `bytes` in chunks of `size` bytes. */
function stdinOf(bytes: Buffer, size: number): PassThrough {
  const stream = new PassThrough();
  void (async () => {
    for (let at = 0; at < bytes.length; at += size) {
      if (!stream.write(bytes.subarray(at, at + size))) await new Promise((r) => stream.once('drain', r));
    }
    stream.end();
  })();
  return stream;
}

describe('latin1-late: one decision for the whole input', () => {
  it('from a file', async () => {
    const path = tmp.path('late.csv');
    writeFileSync(path, LATE);
    expect(await namedCustomers(await openInput(path, new PassThrough()))).toEqual(EXPECTED);
  });

  it('from stdin (64 KiB chunks, and odd 4099-byte ones)', async () => {
    expect(await namedCustomers(await openInput('-', stdinOf(LATE, 1 << 16)))).toEqual(EXPECTED);
    expect(await namedCustomers(await openInput(undefined, stdinOf(LATE, 4099)))).toEqual(EXPECTED);
  });

  it('from .gz, as a file and on stdin', async () => {
    const path = tmp.path('late.csv.gz');
    const gz = gzipSync(LATE);
    writeFileSync(path, gz);
    expect(await namedCustomers(await openInput(path, new PassThrough()))).toEqual(EXPECTED);
    expect(await namedCustomers(await openInput('-', stdinOf(gz, 1 << 16)))).toEqual(EXPECTED);
  });

  it('a valid UTF-8 file stays UTF-8 (Zoë), from a file and stdin', async () => {
    const utf8 = Buffer.from(LATE.toString('latin1').replace(/José/g, 'Jose'), 'latin1');
    const path = tmp.path('utf8.csv');
    writeFileSync(path, utf8);
    const want = { named: [['Jose', 3, 30], ['Zoë', 2, 10]], encoding: 'utf-8', customers: 12 };
    expect(await namedCustomers(await openInput(path, new PassThrough()))).toEqual(want);
    // 3-byte chunks cut Zoë's two-byte ë: the validation completes sequences across chunks.
    const small = Buffer.from('Invoice,InvoiceDate,Quantity,Price,Customer ID\nZ1,2024-01-02 10:00,1,5,Zoë\nZ2,2024-01-05 10:00,1,5,Zoë\n');
    expect(await namedCustomers(await openInput('-', stdinOf(small, 3)))).toEqual({ named: [['Zoë', 2, 10]], encoding: 'utf-8', customers: 1 });
  });

  it('an input cut inside a UTF-8 sequence is not UTF-8', async () => {
    const cut = Buffer.concat([Buffer.from('Invoice,InvoiceDate,Quantity,Price,Customer ID\nZ1,2024-01-02 10:00,1,5,Zo\u00eb\n1,2024-01-02 10:00,1,5,B'), Buffer.from([0xc3])]);
    const loaded = await loadCustomers(await openInput('-', stdinOf(cut, 1 << 16)), base);
    expect(loaded.layouts?.encoding).toBe('latin1');
    expect(loaded.customers.map((c) => c.customerId)).toEqual(['BÃ', 'ZoÃ«']);
  });
});

describe('a UTF-8 byte-order mark on an input that is not UTF-8', () => {
  it('is skipped: the first header name is still the customer column, and the rest is latin1', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Customer ID,Invoice,InvoiceDate,Quantity,Price\nJosé,1,2024-01-05,1,5\n', 'latin1')]);
    const path = tmp.path('bom-latin1.csv');
    writeFileSync(path, bytes);
    for (const source of [await openInput(path, new PassThrough()), await openInput('-', stdinOf(bytes, 7))]) {
      const loaded = await loadCustomers(source, base);
      expect(loaded.customers.map((c) => c.customerId)).toEqual(['José']);
      expect(loaded.layouts?.encoding).toBe('latin1');
    }
  });
});

describe('Utf8Tracker and EncodingDecision', () => {
  it('validates across chunk boundaries and at the end', () => {
    const bytes = Buffer.from('aé€😀b', 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const t = new Utf8Tracker();
      expect(t.accept(bytes.subarray(0, cut)) && t.accept(bytes.subarray(cut)) && t.end()).toBe(true);
    }
    const t = new Utf8Tracker();
    expect(t.accept(Buffer.from([0x61, 0xe2, 0x82]))).toBe(true);
    expect(t.end()).toBe(false);
    expect(new Utf8Tracker().accept(Buffer.from([0x4a, 0xe9, 0x2c]))).toBe(false);
  });

  it('names the decision', () => {
    const d = new EncodingDecision();
    expect(d.name).toBe('utf-8');
    d.latin1 = true;
    expect(d.name).toBe('latin1');
    d.utf16 = 'utf-16le';
    expect(d.name).toBe('utf-16le');
  });
});
