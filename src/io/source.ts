/**
 * Opening an input: a path or stdin, gzip detected by its magic bytes, .xlsx by its zip magic,
 * text decoded as UTF-8 (BOM stripped) or, when the input is not valid UTF-8 anywhere, as latin1
 * from its first byte (the ISO-8859-1 exports of Online Retail; decided once, encoding.ts), and
 * UTF-16 when it carries a BOM. Lines are limited in length so that a file with
 * no line breaks fails clearly instead of exhausting memory.
 */
import { isAscii } from 'node:buffer';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { RfmError, inputError } from '../core/errors.js';
import { decideFromFile, decidingChunks, EncodingDecision } from './encoding.js';
import { prefixed } from './iterate.js';
import { isParquetBytes, parquetNeedsDuckdb } from './duckdb.js';

/** Longest physical line accepted, in characters. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * Longest record accepted, in characters: one row, however many lines its quoted fields span. A
 * quote that never closes would otherwise make the rest of the file one record, held in memory.
 */
export const MAX_RECORD_CHARS = 4 * MAX_LINE_CHARS;

export interface InputSource {
  /** Name for messages: the path, or "stdin". */
  name: string;
  kind: 'text' | 'xlsx';
  /** Byte chunks after any gzip layer (for xlsx). */
  bytes: AsyncIterable<Buffer>;
  /**
   * For a plain file (not stdin, not gzip): its bytes read in place. `bytes` and `file.readInto`
   * read from one shared position, each continuing where the other stopped.
   */
  file?: FileReader;
  /**
   * Text inputs: UTF-8 or latin1, decided before the first byte that is not ASCII is handed on
   * (encoding.ts). Absent on a source made by hand (tests): the decoders then decide as they read.
   */
  encoding?: EncodingDecision;
}

/** What to do about a file that cannot be opened, by the file's role. */
interface OpenHints {
  /** Names the file in messages after "no such": "file", or e.g. "--labels file". */
  noun: string;
  missing: string;
  directory: string;
}

const INPUT_HINTS: OpenHints = { noun: 'file', missing: 'check the path, or use - to read stdin', directory: 'give the path of a CSV, .gz or .xlsx file' };

function openError(error: NodeJS.ErrnoException, name: string, hints: OpenHints = INPUT_HINTS): RfmError {
  switch (error.code) {
    case 'ENOENT':
      return inputError(`no such ${hints.noun}: ${name}`, { file: name, hint: hints.missing });
    case 'EISDIR':
      return inputError(`${name} is a directory, not a file`, { file: name, hint: hints.directory });
    case 'EACCES':
    case 'EPERM':
      return inputError(`cannot read ${name}: permission denied`, { file: name, hint: 'check the file permissions' });
    default:
      return inputError(`cannot read ${name}: ${error.message}`, { file: name });
  }
}

/**
 * The whole text (UTF-8) of a small file an option names, such as --labels: a file that cannot be
 * read is an input error (exit 3) worded as for the transaction input, naming the option.
 */
export async function readOptionFile(path: string, option: string, hints: { missing: string; directory: string }): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw openError(error as NodeJS.ErrnoException, path, { noun: `${option} file`, ...hints });
  }
}

/** Byte chunks of a stream, with read errors turned into RfmErrors. */
async function* chunksOf(stream: Readable, name: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof RfmError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') {
      throw inputError(`${name} is not a valid gzip file: ${e.message}`, { file: name, hint: 'check that the download is complete' });
    }
    throw openError(e, name);
  }
}

/** Reads the first bytes without losing them: returns them and an iterable of all bytes. */
async function peek(chunks: AsyncIterable<Buffer>, atLeast: number): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < atLeast) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(seen);
  return { head, all: prefixed(head.length > 0 ? [head] : [], done ? undefined : iterator) };
}

/** Bytes read from a file at a time (the chunk size of `bytes`, and of the fast reader's reads). */
export const READ_CHUNK = 1 << 20;

/**
 * A file read with plain reads rather than a stream: `chunks()` yields a fresh buffer per chunk,
 * for any consumer; `readInto` lets the fast reader (fast-csv.ts) read into one buffer it reuses.
 * A read stream allocates a new 1 MiB buffer per chunk, which V8 frees only under external-memory
 * pressure: on a 94 MB file that is ~33 MB of peak RSS (and twice the CPU) for nothing.
 */
export class FileReader {
  private closed = false;
  /** Bytes read so far (the handle's position). */
  private position = 0;
  /** Set for a text file: each chunk read is checked for ASCII until the encoding is decided. */
  private decision: EncodingDecision | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly name: string,
  ) {}

  /** Reads the next bytes into target[offset, offset + length); 0 at the end (the file is then closed). */
  async readInto(target: Buffer, offset: number, length: number): Promise<number> {
    if (this.closed) return 0;
    try {
      const { bytesRead } = await this.handle.read(target, offset, length, null);
      this.position += bytesRead;
      if (bytesRead === 0) await this.close();
      else if (this.decision !== undefined && !this.decision.decided) await this.check(target.subarray(offset, offset + bytesRead));
      return bytesRead;
    } catch (error) {
      await this.close();
      throw openError(error as NodeJS.ErrnoException, this.name);
    }
  }

  /** Decides the encoding of this text file before any of its bytes is used (`read`: the bytes read so far). */
  async decideEncoding(decision: EncodingDecision, read: Buffer): Promise<void> {
    this.decision = decision;
    if (read.length > 0) await this.check(read);
  }

  /** The chunk just read: if it is the first not in ASCII, the rest of the file decides (encoding.ts). */
  private async check(chunk: Buffer): Promise<void> {
    if (isAscii(chunk)) return;
    // A file read to its end already (a few bytes) is closed: the chunk is all there is.
    await decideFromFile(this.decision!, chunk, this.closed ? undefined : this.handle, this.position);
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      const n = await this.readInto(chunk, 0, READ_CHUNK);
      if (n === 0) return;
      yield n === READ_CHUNK ? chunk : chunk.subarray(0, n);
    }
  }

  /** The open descriptor, for positional reads that leave the shared position alone (xlsx.ts reads a zip by its central directory). */
  get fd(): number {
    return this.handle.fd;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Opens a file and reads its first bytes (at least 4, for the magic numbers, unless it is shorter). */
async function openFile(path: string, name: string): Promise<{ head: Buffer; all: AsyncIterable<Buffer>; file: FileReader }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw openError(error as NodeJS.ErrnoException, name);
  }
  const file = new FileReader(handle, name);
  const first: Buffer[] = [];
  let size = 0;
  while (size < 4) {
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    const n = await file.readInto(chunk, 0, READ_CHUNK);
    if (n === 0) break;
    first.push(chunk.subarray(0, n));
    size += n;
  }
  async function* all(): AsyncGenerator<Buffer> {
    try {
      yield* first;
      yield* file.chunks();
    } finally {
      // Also when the reader stops early (an error in the data): the descriptor is not left open.
      await file.close();
    }
  }
  return { head: first.length === 1 ? first[0] : Buffer.concat(first), all: all(), file };
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export async function openInput(path: string | undefined, stdin: Readable): Promise<InputSource> {
  const name = path === undefined || path === '-' ? 'stdin' : path;
  let head: Buffer;
  let all: AsyncIterable<Buffer>;
  let file: FileReader | undefined;
  if (name === 'stdin') ({ head, all } = await peek(chunksOf(stdin, name), 4));
  else ({ head, all, file } = await openFile(path!, name));
  if (isGzip(head)) {
    file = undefined;
    const gunzip = createGunzip();
    const feed = async () => {
      try {
        for await (const chunk of all) if (!gunzip.write(chunk)) await new Promise((r) => gunzip.once('drain', r));
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    };
    void feed();
    ({ head, all } = await peek(chunksOf(gunzip, name), 4));
  }
  if (isZip(head)) return { name, kind: 'xlsx', bytes: all, file };
  if (isParquetBytes(head)) {
    await file?.close();
    throw parquetNeedsDuckdb(name);
  }
  const encoding = new EncodingDecision();
  if (file !== undefined) await file.decideEncoding(encoding, head);
  else all = decidingChunks(all, encoding);
  return { name, kind: 'text', bytes: all, file, encoding };
}

/** Where decoding starts: the fast reader (fast-csv.ts) hands over mid-file, at a line start. */
export interface DecodeStart {
  /** Line number of the first byte (default 1). */
  line?: number;
  /** The bytes before were found not to be UTF-8: decode as latin1 from the start. */
  latin1?: boolean;
  /** The input's decision (source.encoding): when it says latin1, every chunk is latin1. */
  encoding?: EncodingDecision;
}

/**
 * Decodes byte chunks to text: UTF-8 with the BOM stripped, UTF-16 when a UTF-16 BOM is present,
 * and latin1 when the input's encoding decision says so (it is made before the first byte that is
 * not ASCII arrives, so the chunks before read the same either way); without a decision (a source
 * made by hand), latin1 from the first chunk that is not valid UTF-8 on. Rejects NUL bytes (binary files) and over-long lines, naming the line.
 */
export async function* decodeText(bytes: AsyncIterable<Buffer>, name: string, start: DecodeStart = {}): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let latin1 = start.latin1 ?? false;
  let line = start.line ?? 1;
  let run = 0;
  const decision = start.encoding;
  for await (let chunk of bytes) {
    let text: string;
    if (decoder === undefined) {
      // Mid-file (resumed) there is no byte-order mark to look for, and none to strip.
      if (start.line !== undefined) decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      else if (chunk[0] === 0xff && chunk[1] === 0xfe) decoder = new TextDecoder('utf-16le');
      else if (chunk[0] === 0xfe && chunk[1] === 0xff) decoder = new TextDecoder('utf-16be');
      // UTF-16 without a byte-order mark (some Windows exports): ASCII text with every other byte 0.
      else if (chunk.length >= 4 && chunk[0] !== 0 && chunk[1] === 0 && chunk[2] !== 0 && chunk[3] === 0) decoder = new TextDecoder('utf-16le');
      else if (chunk.length >= 4 && chunk[0] === 0 && chunk[1] !== 0 && chunk[2] === 0 && chunk[3] !== 0) decoder = new TextDecoder('utf-16be');
      else decoder = new TextDecoder('utf-8', { fatal: true });
      if (decision !== undefined && decoder.encoding !== 'utf-8') decision.utf16 = decoder.encoding as 'utf-16le' | 'utf-16be';
    }
    if (!latin1 && decision?.latin1 === true && decoder.encoding === 'utf-8') {
      latin1 = true;
      // A UTF-8 byte-order mark on a file that is not UTF-8 after all: still not text.
      if (start.line === undefined && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    if (latin1) {
      text = chunk.toString('latin1');
    } else {
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        latin1 = true;
        text = chunk.toString('latin1');
      }
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      let at = line;
      for (let i = text.indexOf('\n'); i >= 0 && i < nul; i = text.indexOf('\n', i + 1)) at++;
      throw inputError(`${name} contains NUL bytes: it is not a text file`, {
        file: name,
        line: at,
        hint: 'give a CSV (UTF-8 or latin1), .csv.gz or .xlsx file',
      });
    }
    // Track the current physical line and its length, to refuse a line with no end in sight.
    let last = -1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      line++;
      last = i;
    }
    run = last < 0 ? run + text.length : text.length - last - 1;
    if (run > MAX_LINE_CHARS) {
      throw inputError(`line ${line} of ${name} is longer than ${MAX_LINE_CHARS} characters`, {
        file: name,
        line,
        hint: 'is this really a line-based CSV file? check its line endings',
      });
    }
    if (text.length > 0) yield text;
  }
  if (decoder !== undefined && !latin1) {
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  }
}
