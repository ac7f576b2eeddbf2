/**
 * The zip container of an .xlsx workbook, opened by its central directory (yauzl) so that any part
 * can be read in any order, whatever order the writer put the entries in. A plain file is read in
 * place through its descriptor. Stdin and .gz input cannot be read at random, so their bytes are
 * spooled to a temporary file that is unlinked the moment it is opened: it never outlives the
 * process, even one killed mid-read, and nothing is left in the temp directory.
 */
import { fstat, read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { RfmError, inputError } from '../core/errors.js';
import type { InputSource } from './source.js';
import { unlinkedTempFile } from './temp-file.js';

/** More entries than any workbook has (one per sheet, drawing, comment…): a bound on the listing. */
const MAX_ENTRIES = 100_000;

export interface XlsxZip {
  /** The entry of that exact name, else the one whose name matches ignoring case. */
  has(name: string): boolean;
  /** The inflated bytes of an entry. */
  open(name: string): Promise<Readable>;
  close(): Promise<void>;
}

/** yauzl's words for a file with no zip directory at its end, in ours. */
const reason = (error: Error) =>
  /end of central directory record signature not found/i.test(error.message)
    ? 'its zip directory is missing (the file is truncated, or not a zip file)'
    : error.message.charAt(0).toLowerCase() + error.message.slice(1);

const notAZip = (name: string, why: string) =>
  inputError(`cannot read ${name} as an .xlsx workbook: ${why}`, {
    file: name,
    hint: 'check that the file is complete (re-download or re-save it), or export the sheet as CSV',
  });

/** Copies the bytes to a temp file already unlinked; returns its open handle. */
async function spool(source: InputSource): Promise<FileHandle> {
  const handle = await unlinkedTempFile('rfm-xlsx-');
  try {
    for await (const chunk of source.bytes) await handle.write(chunk);
    return handle;
  } catch (error) {
    await handle.close();
    if (error instanceof RfmError) throw error;
    throw inputError(`cannot copy ${source.name} to a temporary file: ${(error as Error).message}`, {
      file: source.name,
      hint: `free some space in ${tmpdir()} (or set TMPDIR), or give the .xlsx as a file path instead of stdin/.gz`,
    });
  }
}

/**
 * yauzl's reader over a descriptor that the caller owns: positional reads only, and no close (with
 * yauzl.fromFd, zip.close() would close the descriptor under the FileHandle that owns it).
 */
class DescriptorReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // Not fs.createReadStream({ fd }): destroying one closes the descriptor, autoClose or not.
    const fd = this.fd;
    let position = start;
    return new Readable({
      highWaterMark: 1 << 16,
      read(size) {
        const length = Math.min(size, end - position);
        if (length <= 0) {
          this.push(null);
          return;
        }
        const buffer = Buffer.allocUnsafe(length);
        read(fd, buffer, 0, length, position, (error, n) => {
          if (error) this.destroy(error);
          else if (n === 0) this.destroy(new Error('unexpected end of file'));
          else {
            position += n;
            this.push(n === length ? buffer : buffer.subarray(0, n));
          }
        });
      },
    });
  }

  /** The central directory is read in small pieces: plain positional reads, not a stream each. */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null) => void): void {
    const next = (done: number): void => {
      if (done === length) return callback(null);
      read(this.fd, buffer, offset + done, length - done, position + done, (error, n) => {
        if (error) callback(error);
        else if (n === 0) callback(new Error('unexpected end of file'));
        else next(done + n);
      });
    };
    next(0);
  }
}

function listEntries(zip: yauzl.ZipFile, name: string): Promise<Map<string, yauzl.Entry>> {
  return new Promise((resolve, reject) => {
    if (zip.entryCount > MAX_ENTRIES) {
      reject(notAZip(name, `its zip directory lists ${zip.entryCount} entries (a workbook has a few dozen)`));
      return;
    }
    const entries = new Map<string, yauzl.Entry>();
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (error: Error) => reject(notAZip(name, reason(error))));
    zip.readEntry();
  });
}

export async function openXlsxZip(source: InputSource): Promise<XlsxZip> {
  const spooled = source.file === undefined ? await spool(source) : undefined;
  const release = async () => {
    if (spooled !== undefined) await spooled.close();
    else await source.file!.close();
  };
  let zip: yauzl.ZipFile;
  let entries: Map<string, yauzl.Entry>;
  try {
    const fd = spooled?.fd ?? source.file!.fd;
    const size = await new Promise<number>((resolve, reject) => fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size))));
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromRandomAccessReader(new DescriptorReader(fd), size, { lazyEntries: true, autoClose: false }, (error, opened) =>
        error ? reject(notAZip(source.name, reason(error))) : resolve(opened),
      ),
    );
    entries = await listEntries(zip, source.name);
  } catch (error) {
    await release();
    throw error;
  }
  const byLowerName = new Map<string, yauzl.Entry>();
  for (const [entryName, entry] of entries) byLowerName.set(entryName.toLowerCase(), entry);
  const find = (name: string) => entries.get(name) ?? byLowerName.get(name.toLowerCase());

  return {
    has: (name) => find(name) !== undefined,
    open(name) {
      const entry = find(name);
      if (entry === undefined) return Promise.reject(notAZip(source.name, `it has no part ${name}`));
      if (entry.isEncrypted()) {
        return Promise.reject(
          inputError(`${source.name} is encrypted`, { file: source.name, hint: 'save the workbook without a password, or export the sheet as CSV' }),
        );
      }
      return new Promise((resolve, reject) =>
        zip.openReadStream(entry, (error, stream) => (error ? reject(notAZip(source.name, `${name}: ${reason(error)}`)) : resolve(stream))),
      );
    },
    async close() {
      zip.close();
      await release();
    },
  };
}

/** A read error of an entry's stream (bad deflate data, wrong size) as an RfmError. */
export function entryError(error: unknown, name: string, part: string): RfmError {
  if (error instanceof RfmError) return error;
  return notAZip(name, `${part}: ${reason(error as Error)}`);
}
