import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import { fileSink, withSink, type Sink } from '../../src/io/output.js';
import { csvField, csvLine, writeRecords, type Column } from '../../src/io/records.js';
import { tempDir } from '../cli/helpers.js';

function memorySink(): Sink & { text: () => string } {
  const parts: string[] = [];
  return {
    isTerminal: false,
    write: async (t) => void parts.push(t),
    commit: async () => undefined,
    abort: async () => undefined,
    text: () => parts.join(''),
  };
}

interface Row {
  id: string;
  n: number;
}
const columns: Column<Row>[] = [
  { header: 'customer_id', value: (r) => r.id },
  { header: 'monetary', value: (r) => r.n },
];
const rows: Row[] = [
  { id: '00001', n: 11.77 },
  { id: 'a,"b"', n: 0.1 + 0.2 },
];

async function render(format: 'csv' | 'json' | 'ndjson', data: Row[] = rows): Promise<string> {
  const sink = memorySink();
  await writeRecords(sink, format, columns, data);
  return sink.text();
}

describe('machine formats', () => {
  it('CSV: header, RFC 4180 quoting, numbers at full precision, ids as written', async () => {
    expect(await render('csv')).toBe('customer_id,monetary\n00001,11.77\n"a,""b""",0.30000000000000004\n');
  });

  it('csvField quotes commas, quotes and line breaks only', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', 7, null].map(csvField)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r"', '7', '']);
    expect(csvLine(['a', 1])).toBe('a,1\n');
  });

  it('JSON: one array of objects, ids stay strings', async () => {
    const text = await render('json');
    expect(JSON.parse(text)).toEqual([
      { customer_id: '00001', monetary: 11.77 },
      { customer_id: 'a,"b"', monetary: 0.30000000000000004 },
    ]);
    expect(text.endsWith('\n')).toBe(true);
    expect(await render('json', [])).toBe('[]\n');
  });

  it('NDJSON: one object per line', async () => {
    const text = await render('ndjson');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { customer_id: '00001', monetary: 11.77 },
      { customer_id: 'a,"b"', monetary: 0.30000000000000004 },
    ]);
  });

  it('large outputs are written in blocks but are the same text', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), n: i }));
    const text = await render('csv', many);
    expect(text.split('\n')).toHaveLength(5002);
    expect(JSON.parse(await render('json', many))).toHaveLength(5000);
  });
});

describe('fileSink: atomic writes', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('the target appears only on commit, complete, with no temp file left', async () => {
    const target = tmp.path('out.csv');
    const sink = await fileSink(target);
    await sink.write('a,b\n');
    expect(existsSync(target)).toBe(false);
    await sink.write('1,2\n');
    await sink.commit();
    expect(readFileSync(target, 'utf8')).toBe('a,b\n1,2\n');
    expect(tmp.files()).toEqual(['out.csv']);
  });

  it('a failed run leaves an existing target untouched and no temp file', async () => {
    const target = tmp.path('keep.csv');
    writeFileSync(target, 'old\n');
    const failure = withSink(await fileSink(target), async (sink) => {
      await sink.write('partial\n');
      throw new RfmError('data', 'boom');
    });
    await expect(failure).rejects.toThrow('boom');
    expect(readFileSync(target, 'utf8')).toBe('old\n');
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an abort right after opening (before the file exists) leaves no temp file behind', async () => {
    const target = tmp.path('early.csv');
    for (let i = 0; i < 20; i++) {
      const sink = await fileSink(target);
      await sink.abort();
    }
    // A file created late (an open still pending when the temp file was removed) would be made by
    // libuv's thread pool, which takes requests in order: once requests queued after the aborts
    // have all come back, every earlier open has run.
    await Promise.all(Array.from({ length: 64 }, () => stat(tmp.dir)));
    expect(readdirSync(tmp.dir).filter((f) => f.includes('early'))).toEqual([]);
  });

  it('a missing directory fails before any work, as an input/IO error', async () => {
    const error = await fileSink(tmp.path('no/such/dir/out.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RfmError);
    expect((error as RfmError).kind).toBe('input');
    expect((error as RfmError).message).toMatch(/does not exist/);
  });
});
