/**
 * The harness of the reader tests (fast-csv.test.ts, whitespace.test.ts): an input made of given
 * chunks, read through the handler's rows() only or through a fast sink as well, collected as the
 * same outcome (header, rows with their line numbers, or the error) so that the two can be compared.
 */
import { RfmError } from '../../src/core/errors.js';
import type { InputSource } from '../../src/io/source.js';
import { readTable, type TableHandler } from '../../src/io/table.js';

export type Outcome = { header: string[]; delimiter: string; rows: [number, ...string[]][] } | { error: string; kind: string };

export function source(chunks: Buffer[], name = 'test.csv'): InputSource {
  async function* bytes() {
    for (const c of chunks) yield c;
  }
  return { name, kind: 'text', bytes: bytes() };
}

export interface ReadOptions {
  /** The fast sink asks for a flush after this many records (0: never); its flush awaits a turn. */
  flushEvery?: number;
  /** Counts the records the fast sink got (to show that the path under test was taken). */
  stats?: { fastRecords: number };
}

/** Reads through the general path, or through the fast path (records collected as their text). */
export async function read(chunks: Buffer[] | InputSource, fast: boolean, options: ReadOptions = {}): Promise<Outcome> {
  const out = { header: [] as string[], delimiter: '', rows: [] as [number, ...string[]][] };
  const handler: TableHandler = {
    header(fields, delimiter) {
      out.header = fields;
      out.delimiter = delimiter;
    },
    rows(rows, lines) {
      rows.forEach((row, i) => out.rows.push([lines[i], ...row]));
    },
  };
  if (fast) {
    const flushEvery = options.flushEvery ?? 0;
    let batch: [number, ...string[]][] = [];
    handler.fast = () => ({
      record(view) {
        const fields: string[] = [];
        for (let i = 0; i < view.fieldCount; i++) fields.push(view.text(i));
        batch.push([view.line, ...fields]);
        if (options.stats !== undefined) options.stats.fastRecords++;
        return flushEvery > 0 && batch.length >= flushEvery;
      },
      flush() {
        const done = () => {
          out.rows.push(...batch);
          batch = [];
        };
        if (flushEvery === 0) return done();
        return new Promise<void>((resolve) => setImmediate(() => resolve(done())));
      },
    });
  }
  try {
    await readTable(Array.isArray(chunks) ? source(chunks) : chunks, handler);
    return out;
  } catch (error) {
    if (!(error instanceof RfmError)) throw error;
    return { error: error.message, kind: error.kind };
  }
}

/** The bytes cut into chunks of the given sizes, in turn (the last one shorter). */
export function cutInto(all: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < all.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(all.subarray(at, at + n));
    at += n;
  }
  return out;
}
