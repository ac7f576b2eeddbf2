/**
 * Whitespace-separated text (CDNOW's files): lines split at `\r\n`, `\r` or `\n`, each trimmed and
 * split at runs of whitespace (JavaScript's `\s`), blank lines skipped; the first non-blank line is
 * the header. Rows go to the handler in batches of string fields, or, when it offers a fast sink
 * (table.ts), as byte ranges (fast-csv.ts RecordView), with the same fields and line numbers:
 * each chunk of text is encoded to UTF-8 once and its lines are split on the bytes, so that a
 * consumer makes strings only of the fields it needs. A line with a byte outside ASCII (which may
 * hold Unicode whitespace) is split as text, as the general path splits it.
 */
import { isAscii } from 'node:buffer';
import { RfmError, inputError } from '../core/errors.js';
import { RecordView, type RecordSink } from './fast-csv.js';
import type { TableHandler } from './table.js';

const LF = 10;
const CR = 13;
const SPACE = 32;

/** ASCII whitespace that is not a line end: tab, vertical tab, form feed, space (all in `\s`). */
const isBlank = (c: number) => c === SPACE || c === 9 || c === 11 || c === 12;

export function emptyInput(name: string): RfmError {
  return inputError(`${name} is empty`, { file: name, hint: 'give a file with a header line and at least one row' });
}

/** Field ranges of one line's bytes (no line end inside) into view; returns the field count. */
function splitAscii(view: RecordView, buf: Uint8Array, start: number, end: number): number {
  let field = 0;
  let pos = start;
  for (;;) {
    while (pos < end && isBlank(buf[pos])) pos++;
    if (pos >= end) break;
    const from = pos;
    while (pos < end && !isBlank(buf[pos])) pos++;
    if (field === view.starts.length) view.grow();
    view.starts[field] = from;
    view.ends[field] = pos;
    view.flags[field] = 0;
    field++;
  }
  return field;
}

/**
 * Hands the non-blank lines of buf[pos..] (whole lines, the last one without its line end) to the
 * sink, the first numbered `line` + 1, until the end or a record after which the sink asks for a
 * flush; returns the lines passed (blank ones too) and where the next line starts (-1 at the end).
 */
function scanLines(buf: Buffer, pos: number, line: number, view: RecordView, sink: RecordSink, plain: boolean): { lines: number; next: number } {
  view.use(buf);
  const n = buf.length;
  let lines = 0;
  for (;;) {
    let end = pos;
    let ascii = true;
    if (plain) {
      // All ASCII, no CR: the line ends at the next LF (memchr, not a loop here).
      end = buf.indexOf(LF, pos);
      if (end < 0) end = n;
    } else {
      while (end < n && buf[end] !== LF && buf[end] !== CR) {
        if (buf[end] >= 0x80) ascii = false;
        end++;
      }
    }
    lines++;
    let count: number;
    if (ascii) {
      count = splitAscii(view, buf, pos, end);
    } else {
      // Unicode whitespace may separate fields here: split as text, and point the view at the
      // fields joined by single spaces.
      const trimmed = buf.toString('utf8', pos, end).trim();
      const joined = Buffer.from(trimmed === '' ? '' : trimmed.split(/\s+/).join(' '), 'utf8');
      view.use(joined);
      count = splitAscii(view, joined, 0, joined.length);
    }
    let full = false;
    if (count > 0) {
      view.fieldCount = count;
      view.line = line + lines;
      full = sink.record(view) === true;
    }
    if (!ascii) view.use(buf);
    if (end >= n) return { lines, next: -1 };
    pos = buf[end] === CR && buf[end + 1] === LF ? end + 2 : end + 1;
    if (full) return { lines, next: pos };
  }
}

/** The index where the last line end of text[0, end) starts (a `\r\n` at its `\r`), or -1. */
function lastLineEnd(text: string, end: number): { at: number; length: number } {
  // (lastIndexOf reads a negative start as 0.)
  if (end <= 0) return { at: -1, length: 0 };
  const at = Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1));
  if (at > 0 && text.charCodeAt(at) === LF && text.charCodeAt(at - 1) === CR) return { at: at - 1, length: 2 };
  return { at, length: 1 };
}

export async function readWhitespace(text: AsyncIterable<string>, name: string, handler: TableHandler): Promise<void> {
  let partial = '';
  let line = 0;
  let headerSeen = false;
  let sink: RecordSink | undefined;
  const view = new RecordView();
  /** Whole lines to the fast sink, then its flush (reading waits for it). */
  const scan = async (lines: string): Promise<void> => {
    const buf = Buffer.from(lines, 'utf8');
    // The usual text (ASCII, LF line ends), told apart once per block by native scans.
    const plain = isAscii(buf) && buf.indexOf(CR) < 0;
    for (let pos = 0; pos >= 0; ) {
      const scanned = scanLines(buf, pos, line, view, sink!, plain);
      line += scanned.lines;
      pos = scanned.next;
      const flushed = sink!.flush?.();
      if (flushed !== undefined) await flushed;
    }
  };
  /** Whole lines, split, to the header and then the rows (or the fast sink, once there is one). */
  const flush = async (chunkLines: string[]): Promise<void> => {
    const rows: string[][] = [];
    const lines: number[] = [];
    for (let k = 0; k < chunkLines.length; k++) {
      if (sink !== undefined) return scan(chunkLines.slice(k).join('\n'));
      line++;
      const trimmed = chunkLines[k].trim();
      if (trimmed === '') continue;
      const fields = trimmed.split(/\s+/);
      if (!headerSeen) {
        headerSeen = true;
        handler.header(fields, 'whitespace');
        sink = handler.fast?.();
        continue;
      }
      rows.push(fields);
      lines.push(line);
    }
    if (rows.length > 0) await handler.rows(rows, lines);
  };
  for await (const chunk of text) {
    let joined = partial + chunk;
    // A trailing \r may be the first half of a CRLF: hold it back, or the \n that starts the next
    // chunk would count as one more (empty) line.
    const heldCr = joined.endsWith('\r');
    if (sink !== undefined) {
      // The whole lines of the text go to the byte scanner as one string.
      const last = lastLineEnd(joined, heldCr ? joined.length - 1 : joined.length);
      if (last.at < 0) {
        partial = joined;
        continue;
      }
      partial = joined.slice(last.at + last.length);
      await scan(joined.slice(0, last.at));
      continue;
    }
    if (heldCr) joined = joined.slice(0, -1);
    const parts = joined.split(/\r?\n|\r/);
    partial = parts.pop()! + (heldCr ? '\r' : '');
    await flush(parts);
  }
  if (sink !== undefined) {
    if (partial !== '') await scan(partial);
  } else {
    await flush([partial]);
  }
  if (!headerSeen) throw emptyInput(name);
}
