/**
 * The fast path for plain delimited text (DESIGN.md §5, issue 5): reads the bytes directly and
 * hands each record on as byte ranges, so that a consumer materialises only the fields it needs
 * (and, with a FieldMemo, only when they change from the previous record). papaparse creates every
 * field of every row as a string, which for a million-row log is most of the time and memory.
 *
 * It is exact, not approximate: it reproduces what the general path (source.ts decodeText +
 * papaparse in table.ts) yields, and wherever the input is not plain it hands over to that path:
 * - before the header is used (UTF-16, a BOM on non-UTF-8 bytes, whitespace-separated, bare-CR line
 *   ends, a non-ASCII or quoted-newline header, NUL bytes, an over-long first line): the whole input;
 * - after it (a malformed quote, e.g. `"a"b` or an unterminated quote; NUL bytes; a line or a
 *   record in progress longer than MAX_LINE_CHARS): the rest of the input from the start of the
 *   record concerned, cut where the source chunks were, with the line number and encoding reached
 *   so far, so that papaparse gives the same rows and the same errors.
 * Line ends are papaparse's guess on the first chunk (`\n` or `\r\n`); quoted fields may hold
 * delimiters, `""` escapes and line breaks. Text is UTF-8 or latin1 as the input's encoding
 * decision says (encoding.ts: made before the first byte that is not ASCII, so the switch, at that
 * chunk, reads every byte as latin1 would from the start), as decodeText does (delimiters, quotes
 * and line ends are ASCII, so they are found the same way in both). A source without a decision
 * (made by hand) switches at the first chunk that is not valid UTF-8, again as decodeText does.
 */
import { completeUtf8Length, Utf8Tracker, type EncodingDecision } from './encoding.js';
import type { InputSource } from './source.js';
import { MAX_LINE_CHARS } from './source.js';
import { prefixed } from './iterate.js';
import { ReadAhead } from './read-ahead.js';
import { SpecialBytes } from './special-bytes.js';
import type { Delimiter } from './table.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const EMPTY: Buffer = Buffer.alloc(0);

export type Newline = '\n' | '\r\n' | '\r';

/** One record as byte ranges into `buf`; valid only during the RecordSink.record call. */
export class RecordView {
  buf: Buffer = EMPTY;
  /** The same bytes, read four at a time (little-endian) by FieldMemo. */
  words: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** Stream offset of buf[0]: which bytes come before the switch to latin1. */
  base = 0;
  /** Stream offset from which text is latin1 (Infinity while it is UTF-8). */
  latin1From = Infinity;
  /** Bumped when the encoding changes, so that a FieldMemo does not reuse a value across it. */
  epoch = 0;
  /** 1-based line where the record starts, counted as the general path counts it. */
  line = 0;
  fieldCount = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** Per field: 1 = quoted, 2 = quoted with `""` escapes inside. */
  flags = new Uint8Array(64);

  /** Points the view at new bytes. */
  use(buf: Buffer): void {
    if (buf === this.buf) return;
    this.buf = buf;
    this.words = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** Field i as text (allocates: use it for values that change, or behind a FieldMemo). */
  text(i: number): string {
    const s = this.starts[i];
    const e = this.ends[i];
    const at = this.base;
    let text: string;
    if (at + s >= this.latin1From) text = this.buf.toString('latin1', s, e);
    else if (at + e <= this.latin1From) text = this.buf.toString('utf8', s, e);
    else {
      // Straddling the switch: decodeText decoded the first part as UTF-8 and dropped a sequence
      // cut by the chunk end (its decoder is abandoned), then read the rest as latin1. Same here.
      const cut = this.latin1From - at;
      text = this.buf.toString('utf8', s, s + completeUtf8Length(this.buf.subarray(s, cut))) + this.buf.toString('latin1', cut, e);
    }
    return this.flags[i] === 2 ? text.replace(/""/g, '"') : text;
  }

  /**
   * Field i as a number when it is a plain decimal (`-?digits[.digits]`, at most 15 digits), read
   * from the bytes without a string; NaN otherwise, and the caller then parses text(i) its own way.
   */
  decimal(i: number): number {
    return this.flags[i] === 0 ? parseDecimalBytes(this.buf, this.starts[i], this.ends[i]) : NaN;
  }

  /**
   * decimal(i) written to out[at]: for a caller that reads many numbers, a number returned by a
   * call that is not inlined is a fresh heap number (two a row on the bench log: ~12 MB of garbage).
   */
  decimalInto(i: number, out: Float64Array, at: number): void {
    if (this.flags[i] === 0) parseDecimalBytesInto(this.buf, this.starts[i], this.ends[i], out, at);
    else out[at] = NaN;
  }

  grow(): void {
    const n = this.starts.length * 2;
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    const flags = new Uint8Array(n);
    starts.set(this.starts);
    ends.set(this.ends);
    flags.set(this.flags);
    this.starts = starts;
    this.ends = ends;
    this.flags = flags;
  }
}

/** Receives each non-blank data record. */
export interface RecordSink {
  /** Returns true to have flush() called before the next record (its batch is full). */
  record(view: RecordView): void | boolean;
  /**
   * Called after each block of records (about a chunk's worth), before the general path takes
   * over, and at the end: a consumer that batches records hands them on here, and reading waits
   * for the promise it returns (backpressure from a slow writer).
   */
  flush?(): void | Promise<void>;
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * A plain decimal read from bytes, or NaN when the text is anything else (exponent, spaces, `+`,
 * more than 15 digits...). The result equals Number(text): the digits form an integer below 2^53
 * and 10^k is exact for k <= 15, so one division rounds exactly once, to the nearest double —
 * the same double Number() picks for the decimal (Clinger's fast path).
 */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number): number {
  parseDecimalBytesInto(buf, start, end, scratch, 0);
  return scratch[0];
}

const scratch = new Float64Array(1);

/** parseDecimalBytes(buf, start, end) written to out[at] (see RecordView.decimalInto). */
export function parseDecimalBytesInto(buf: Uint8Array, start: number, end: number, out: Float64Array, at: number): void {
  out[at] = NaN;
  let i = start;
  let negative = false;
  if (i < end && buf[i] === 45 /* - */) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === 46 /* . */ && !dot) {
      dot = true;
    } else {
      return;
    }
  }
  if (digits === 0 || digits > 15) return;
  const value = scale === 0 ? mantissa : mantissa / POW10[scale];
  out[at] = negative ? -value : value;
}

/**
 * Remembers the raw bytes of one field: `same(view, i)` is true when field i holds the same bytes
 * as in the previous call, so the value derived from it last time can be reused. Invoice lines come
 * together, so customer id, invoice and date usually repeat from one line to the next.
 */
export class FieldMemo {
  private bytes = Buffer.alloc(32);
  private words = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  private length = -1;
  private flag = 0;
  private epoch = -1;

  same(view: RecordView, i: number): boolean {
    const buf = view.buf;
    const s = view.starts[i];
    const n = view.ends[i] - s;
    const flag = view.flags[i];
    const bytes = this.bytes;
    if (n === this.length && flag === this.flag && view.epoch === this.epoch) {
      // Four bytes at a time (a date is 16), then the rest one by one.
      const words = view.words;
      const mine = this.words;
      let j = 0;
      while (j + 4 <= n && words.getInt32(s + j, true) === mine.getInt32(j, true)) j += 4;
      while (j < n && buf[s + j] === bytes[j]) j++;
      if (j === n) return true;
    }
    if (n > bytes.length) {
      this.bytes = Buffer.alloc(Math.max(n, 2 * bytes.length));
      this.words = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    }
    for (let j = 0; j < n; j++) this.bytes[j] = buf[s + j];
    this.length = n;
    this.flag = flag;
    this.epoch = view.epoch;
    return false;
  }
}

/**
 * papaparse's guessLineEndings (papaparse.js 5.x), replicated so that the fast path splits records
 * where papaparse would: it looks at the first chunk only (1 MB at most), outside quotes.
 */
export function guessNewline(text: string): Newline {
  const input = text.substring(0, 1024 * 1024).replace(/"([^]*?)"/gm, '');
  const r = input.split('\r');
  const n = input.split('\n');
  const nAppearsFirst = n.length > 1 && n[0].length < r[0].length;
  if (r.length === 1 || nAppearsFirst) return '\n';
  let numWithN = 0;
  for (let i = 0; i < r.length; i++) if (r[i][0] === '\n') numWithN++;
  return numWithN >= r.length / 2 ? '\r\n' : '\r';
}

/** Line breaks as the general path counts them inside a row's fields (\r\n, \r or \n each one). */
function lineBreaks(buf: Uint8Array, start: number, end: number): { breaks: number; lfs: number } {
  let breaks = 0;
  let lfs = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === LF) {
      lfs++;
      if (i === start || buf[i - 1] !== CR) breaks++;
    } else if (c === CR) {
      breaks++;
    }
  }
  return { breaks, lfs };
}

const NEED_MORE = -1;
const UNUSUAL = -2;

/** Splits bytes into records (RFC 4180 quoting, papaparse's record boundaries). */
export class RecordScanner {
  readonly view = new RecordView();
  /** Line of the next record, counted like the general path (1 + line breaks inside fields per record). */
  line = 1;
  /** 1 + the `\n` bytes consumed: decodeText's physical line, to resume it. */
  physicalLine = 1;
  /** Set when scan() stopped at a record the fast path leaves to papaparse. */
  unusual = false;
  /** Set when scan() stopped because the sink asked for a flush. */
  paused = false;
  /** Where the delimiters and line-end bytes of the bytes being parsed are (see special-bytes.ts). */
  private readonly marks: SpecialBytes;
  /** Offset in buf of the first marked byte: bit i of the marks is byte `marked + i`. */
  private marked = 0;

  constructor(
    private readonly delimiter: number,
    private readonly crlf: boolean,
  ) {
    this.marks = new SpecialBytes(delimiter);
  }

  /** Marks buf[from, to) for parse(): call it whenever the bytes or the range change. */
  prepare(buf: Buffer, from: number, to: number): void {
    this.marks.mark(buf, from, to);
    this.marked = from;
  }

  /**
   * Parses the record starting at `from` into the view. Returns the offset after its line end,
   * NEED_MORE when it does not end before `to` (and more bytes may come), or UNUSUAL.
   * At `eof` the record may end at `to` without a line end. buf[from, to) must be within the range
   * last prepared, which must end at `to`.
   */
  parse(buf: Buffer, from: number, to: number, eof: boolean): number {
    const view = this.view;
    const delimiter = this.delimiter;
    const crlf = this.crlf;
    const bits = this.marks.bits;
    const marked = this.marked;
    let starts = view.starts;
    let ends = view.ends;
    let flags = view.flags;
    let room = starts.length;
    let pos = from;
    let field = 0;
    let odd = false; // a line break inside a field
    let next: number; // start of the next record
    for (;;) {
      let start = pos;
      let end: number;
      let flag = 0;
      if (buf[pos] === QUOTE && pos < to) {
        // Quoted (rare): `end` is after the closing quote.
        end = this.quoted(buf, pos, to, eof);
        if (end < 0) return end;
        flag = this.quotedFlag;
        if (this.quotedOdd) odd = true;
        start = pos + 1;
        pos = end;
        end--;
      } else {
        // Unquoted: up to a delimiter, or a line break that is this file's line end.
        for (;;) {
          // The next marked byte at or after pos: the stop bit at `to` ends the search.
          const at = pos - marked;
          let word = at >> 5;
          let bits32 = bits[word] & (-1 << (at & 31));
          while (bits32 === 0) bits32 = bits[++word];
          pos = marked + (word << 5) + (31 - Math.clz32(bits32 & -bits32));
          if (pos >= to) break;
          const c = buf[pos];
          if (c === delimiter || (c === LF ? !crlf : crlf && (pos + 1 < to ? buf[pos + 1] === LF : !eof))) break;
          odd = true; // a line break that is not a line end is part of the field
          pos++;
        }
        end = pos;
      }
      if (field === room) {
        view.grow();
        ({ starts, ends, flags } = view);
        room = starts.length;
      }
      starts[field] = start;
      ends[field] = end;
      flags[field] = flag;
      field++;
      // After the field: a delimiter, the line end, or the end of the bytes.
      if (pos >= to) {
        if (!eof) return NEED_MORE;
        next = to;
        break;
      }
      const c = buf[pos];
      if (c === delimiter) {
        pos++;
        continue;
      }
      if (c === LF && !crlf) {
        next = pos + 1;
        break;
      }
      if (c === CR && crlf) {
        if (pos + 1 >= to) return eof ? UNUSUAL : NEED_MORE; // only after a quoted field
        if (buf[pos + 1] === LF) {
          next = pos + 2;
          break;
        }
      }
      return UNUSUAL; // after a closing quote: `"a"b`, or spaces before the delimiter (papaparse's rules)
    }
    view.fieldCount = field;
    view.line = this.line;
    let breaks = 0;
    let lfs = 0;
    if (odd) ({ breaks, lfs } = lineBreaks(buf, from, pos));
    this.line += 1 + breaks;
    this.physicalLine += lfs + (next > pos ? 1 : 0);
    return next;
  }

  private quotedFlag = 0;
  private quotedOdd = false;

  /**
   * A quoted field at `from`: returns the offset after its closing quote (a quote not doubled),
   * NEED_MORE or UNUSUAL (never closed); sets quotedFlag (1, or 2 with `""` inside) and quotedOdd.
   */
  private quoted(buf: Buffer, from: number, to: number, eof: boolean): number {
    let flag = 1;
    let odd = false;
    let q = from + 1;
    for (;;) {
      while (q < to && buf[q] !== QUOTE) {
        const c = buf[q];
        if (c === LF || c === CR) odd = true;
        q++;
      }
      if (q >= to) return eof ? UNUSUAL : NEED_MORE;
      if (q + 1 >= to && !eof) return NEED_MORE; // a doubled quote, or the closing one?
      if (q + 1 < to && buf[q + 1] === QUOTE) {
        flag = 2;
        q += 2;
        continue;
      }
      this.quotedFlag = flag;
      this.quotedOdd = odd;
      return q + 1;
    }
  }

  /**
   * Hands every complete non-blank record in buf[from, to) to the sink; returns the offset of the
   * first byte not consumed (an incomplete record, or with `unusual` set, one papaparse must read).
   */
  scan(buf: Buffer, from: number, to: number, eof: boolean, sink: RecordSink): number {
    const view = this.view;
    view.use(buf);
    this.prepare(buf, from, to);
    let pos = from;
    this.paused = false;
    while (pos < to) {
      const next = this.parse(buf, pos, to, eof);
      if (next < 0) {
        this.unusual = next === UNUSUAL;
        return pos;
      }
      // A blank line (or a lone `""`) is one empty field: skipped, as the general path does.
      const full = (view.fieldCount !== 1 || view.ends[0] !== view.starts[0]) && sink.record(view) === true;
      pos = next;
      if (full) {
        this.paused = true;
        return pos;
      }
    }
    return pos;
  }
}

/** Where the general path takes over after the header: line numbers, encoding and line ends so far. */
export interface ResumePoint {
  delimiter: Exclude<Delimiter, 'whitespace'>;
  newline: Newline;
  /** Line of the next record, as the general path counts. */
  line: number;
  /** decodeText's physical line (1 + `\n` bytes before this point). */
  physicalLine: number;
  /** decodeText had switched to latin1. */
  latin1: boolean;
}

export interface FastTableHandler {
  header(fields: string[], delimiter: Delimiter): void;
  /** Called after header(): a sink for the fast path, or undefined to read the rows the general way. */
  fast(): RecordSink | undefined;
}

export interface GeneralReaders {
  /** Reads the whole input the general way (these bytes are the input from its first byte). */
  all(bytes: AsyncIterable<Buffer>): Promise<void>;
  /** Reads the rest of the input the general way, the header having been read already. */
  rest(bytes: AsyncIterable<Buffer>, at: ResumePoint): Promise<void>;
  sniffDelimiter(headerLine: string): Delimiter;
}


/** Per-chunk checks of decodeText: NUL bytes, over-long lines, and the UTF-8/latin1 decision. */
class ChunkChecks {
  /** Stream offset of the next chunk. */
  offset = 0;
  latin1 = false;
  private run = 0;
  private readonly utf8 = new Utf8Tracker();

  /** With the input's encoding decision (source.ts) the chunks need no UTF-8 check of their own. */
  constructor(private readonly decision: EncodingDecision | undefined) {}

  /** Returns false when the general path must read this chunk (it has an error to report). */
  admit(chunk: Buffer, view: RecordView): boolean {
    if (chunk.indexOf(0) >= 0) return false;
    const last = chunk.lastIndexOf(LF);
    // decodeText counts characters; bytes are never fewer, so a miss here is only a maybe.
    this.run = last < 0 ? this.run + chunk.length : chunk.length - last - 1;
    if (this.run > MAX_LINE_CHARS) return false;
    if (!this.latin1 && (this.decision !== undefined ? this.decision.latin1 : !this.utf8.accept(chunk))) {
      this.latin1 = true;
      view.latin1From = this.offset;
      view.epoch++;
    }
    this.offset += chunk.length;
    return true;
  }
}

const hasLineEnd = (b: Buffer) => b.indexOf(LF) >= 0 || b.indexOf(CR) >= 0;

/**
 * Reads a delimited text source: the header through `handler.header`, then the records through
 * the handler's fast sink, or the general readers wherever the input is not plain (see above).
 */
export async function readDelimitedFast(source: InputSource, handler: FastTableHandler, general: GeneralReaders): Promise<void> {
  const it = source.bytes[Symbol.asyncIterator]();
  const checks = new ChunkChecks(source.encoding);
  const seen: Buffer[] = [];
  let eof = false;
  let head = EMPTY;
  // Latin1 decisions are recorded on this view until the scanner (which needs the line ends) exists.
  const probe = new RecordView();
  let admitted = true;
  // The chunks table.ts firstLine() reads before papaparse guesses the line ends from them: up to
  // a line end, and on while the bytes end in a lone \r (a CRLF may be cut there).
  while (!hasLineEnd(head) || head[head.length - 1] === CR) {
    const next = await it.next();
    if (next.done) {
      eof = true;
      break;
    }
    seen.push(next.value);
    head = seen.length === 1 ? next.value : Buffer.concat(seen);
    if (!checks.admit(next.value, probe)) {
      admitted = false;
      break;
    }
  }
  const everything = () => general.all(prefixed(seen.filter((b) => b.length > 0), it));
  if (!admitted || head.length === 0) return everything();
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return everything(); // UTF-16
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  // Once decodeText falls back to latin1 it may keep (some of) the BOM bytes as text: leave that to it.
  if (bom > 0 && checks.latin1) return everything();
  let lineEnd = bom;
  while (lineEnd < head.length && head[lineEnd] !== LF && head[lineEnd] !== CR) lineEnd++;
  for (let i = bom; i < lineEnd; i++) if (head[i] >= 0x80) return everything();
  const headerLine = head.toString('latin1', bom, lineEnd);
  if (headerLine.trim() === '') return everything();
  const delimiter = general.sniffDelimiter(headerLine);
  if (delimiter === 'whitespace') return everything();
  const headText = checks.latin1 && probe.latin1From === 0 ? head.toString('latin1', bom) : head.toString('utf8', bom);
  const newline = guessNewline(headText);
  if (newline === '\r') return everything();

  const scanner = new RecordScanner(delimiter.charCodeAt(0), newline === '\r\n');
  const view = scanner.view;
  view.latin1From = probe.latin1From;
  view.epoch = probe.epoch;
  view.use(head);
  // The current bytes, and the stream offsets where the source chunks they came from start: a
  // hand-over passes the rest on cut at those same places, so that decodeText decides UTF-8 or
  // latin1 chunk by chunk exactly as it would have from the start.
  let buf = head;
  view.base = 0;
  let chunkStarts: number[] = [];
  for (let i = 0, at = 0; i < seen.length; at += seen[i].length, i++) chunkStarts.push(at);
  /** The rest of the input from buf[pos] (plus `more` chunks not yet admitted), for the general path. */
  const handOver = (pos: number, more: Buffer[]) => {
    const from = view.base + pos;
    let k = chunkStarts.length - 1;
    while (k > 0 && chunkStarts[k] > from) k--;
    const pieces: Buffer[] = [];
    let at = from;
    for (let j = k + 1; j < chunkStarts.length; j++) {
      pieces.push(buf.subarray(at - view.base, chunkStarts[j] - view.base));
      at = chunkStarts[j];
    }
    pieces.push(buf.subarray(at - view.base));
    const resume: ResumePoint = {
      delimiter,
      newline,
      line: scanner.line,
      physicalLine: scanner.physicalLine,
      latin1: view.latin1From <= chunkStarts[k],
    };
    const bytes = prefixed([...pieces, ...more].filter((b) => b.length > 0), it);
    return () => general.rest(bytes, resume);
  };
  scanner.prepare(head, bom, head.length);
  let pos = scanner.parse(head, bom, head.length, eof);
  if (pos < 0) return everything(); // a quoted line break in the header, or bad quotes
  if (view.fieldCount === 1 && view.ends[0] === view.starts[0]) return everything();
  const fields: string[] = [];
  for (let i = 0; i < view.fieldCount; i++) fields.push(view.text(i));
  handler.header(fields, delimiter);
  const sink = handler.fast();
  if (sink === undefined) return handOver(pos, [])();

  // From a plain file, chunks are read one ahead into two buffers that take turns, each joined to
  // the partial record left from the last (read-ahead.ts). Other sources (stdin, gzip) deliver
  // fresh chunks, appended to the partial record.
  const ahead = source.file === undefined ? undefined : new ReadAhead(source.file);
  // What the general path is handed after the bytes in buf: the chunk being read ahead, if any.
  const drain = async () => (ahead === undefined ? [] : await ahead.drain());
  let rest: (() => Promise<void>) | undefined;
  try {
    for (;;) {
      pos = scanner.scan(buf, pos, buf.length, eof, sink);
      const flushed = sink.flush?.();
      if (flushed !== undefined) await flushed;
      if (scanner.paused) continue;
      if (scanner.unusual) {
        rest = handOver(pos, await drain());
        break;
      }
      if (eof) break;
      // A record still open after a megabyte (a quote that never closes?) is the general path's to
      // judge (its MAX_RECORD_CHARS error, or a long but valid record): hand over before the carry
      // grows with the rest of the file.
      if (buf.length - pos > MAX_LINE_CHARS) {
        rest = handOver(pos, await drain());
        break;
      }
      // Forget the chunks before the partial record (keeping the one it starts in).
      const from = view.base + pos;
      let k = chunkStarts.length - 1;
      while (k > 0 && chunkStarts[k] > from) k--;
      chunkStarts = chunkStarts.slice(k);
      const chunkStart = checks.offset;
      let chunk: Buffer;
      if (ahead !== undefined) {
        const joined = await ahead.next(buf.subarray(pos));
        buf = joined.buf;
        chunk = joined.chunk;
        view.base = from;
        pos = 0;
        if (chunk.length === 0) {
          eof = true;
          continue;
        }
      } else {
        const next = await it.next();
        if (next.done) {
          eof = true;
          continue;
        }
        chunk = next.value;
        buf = pos === buf.length ? chunk : Buffer.concat([buf.subarray(pos), chunk]);
        view.base = from;
        pos = 0;
      }
      chunkStarts.push(chunkStart);
      // NUL bytes or an over-long line: the general path reports them (from the partial record on).
      if (!checks.admit(chunk, view)) {
        rest = handOver(0, await drain());
        break;
      }
    }
  } catch (error) {
    // A data error from the sink: stop reading (closes the file) before reporting it.
    await it.return?.();
    throw error;
  }
  if (rest !== undefined) await rest();
}
