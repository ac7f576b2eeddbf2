/**
 * Reads any input as a header plus batches of string rows, whatever its layout: delimited text
 * (comma, semicolon or tab, sniffed from the header line; quotes, CRLF and quoted newlines handled
 * by papaparse), whitespace-separated text (CDNOW), or the first sheet of an .xlsx workbook.
 * Rows are delivered in batches with their line numbers so errors can name the line.
 *
 * A handler that only needs a few fields of each row may also offer `fast()`: plain delimited text
 * then goes through the byte-level reader of fast-csv.ts instead, which gives the same records
 * (and hands anything unusual back to papaparse here), and whitespace-separated text is split on
 * its bytes (whitespace.ts).
 */
import { Readable } from 'node:stream';
import type PapaParse from 'papaparse';
import { RfmError, dataError, inputError, usageError } from '../core/errors.js';
import { readDelimitedFast, type Newline, type RecordSink, type ResumePoint } from './fast-csv.js';
import type { EncodingDecision } from './encoding.js';
import { decodeText, MAX_RECORD_CHARS, type InputSource } from './source.js';
import { prefixed } from './iterate.js';
import { lazyRequire } from './lazy-require.js';
import { emptyInput, readWhitespace } from './whitespace.js';

// Most files are read by the byte reader (fast-csv.ts) alone: papaparse loads when it is needed.
const papa = lazyRequire<typeof PapaParse>('papaparse');

export type Delimiter = ',' | ';' | '\t' | 'whitespace';

export interface TableHandler {
  header(fields: string[], delimiter: Delimiter | 'xlsx'): void;
  /**
   * A batch of data rows; lines[i] is the 1-based line where rows[i] starts. When it returns a
   * promise, reading pauses until it settles (backpressure from a slow writer).
   */
  rows(rows: string[][], lines: number[]): void | Promise<void>;
  /**
   * Optional, called right after header() on delimited text: a sink to receive the data records as
   * byte ranges (fast-csv.ts), or undefined for rows(). Only for synchronous consumers.
   */
  fast?(): RecordSink | undefined;
}

export interface TableOptions {
  sheet?: string;
  /**
   * The file has no header (--no-header): these are its column names (--columns), and its first
   * line is data.
   */
  names?: readonly string[];
  /** Refuse a first line that looks like data (default true); `rfm inspect` reports it instead. */
  checkHeader?: boolean;
}

/** A number, possibly signed, with decimal or grouping marks (`29.33`, `-1,234.5`, `00004`). */
const NUMBER_LIKE = /^[-+]?[\d.,' ]*\d[\d.,' ]*$/;
/** A date or time made of digits and separators (`19970101`, `11/8/2016`, `2024-01-05 10:22:11 -0500`). */
const DATE_LIKE = /^[\d/.:\- +TZ]*\d[\d/.:\- +TZ]*$/;
/** An id: letters and digits together (`C536379`, `CG-12520`, `cus_9s8d7f`, `#1001`). */
const ID_LIKE = /^[#]?[\p{L}\d][\p{L}\d_\-.#/]*$/u;

/**
 * True when a first line looks like data rather than a header: every field a number, a date or an
 * id-like token containing a digit, at least one a number or date, and no word of letters only.
 */
export function looksLikeData(fields: readonly string[]): boolean {
  let numeric = false;
  for (const raw of fields) {
    const field = raw.trim();
    if (field === '') continue;
    if (NUMBER_LIKE.test(field) || DATE_LIKE.test(field)) numeric = true;
    else if (!(ID_LIKE.test(field) && /\d/.test(field))) return false;
  }
  return numeric;
}

export function headerlessError(name: string, fields: readonly string[]): RfmError {
  const line = fields.join(' ');
  return dataError(`${name} seems to have no header (first line: ${line.length > 80 ? `${line.slice(0, 80)}…` : line})`, {
    file: name,
    line: 1,
    hint: 'name its columns with --no-header --columns id,_,date,quantity,amount (one name per column; _ skips a column; names: id/customer, invoice, date, quantity, price, amount or any column synonym)',
  });
}

/**
 * The handler as the readers see it: with --no-header, the names become the header and the first
 * line the first data row; otherwise a first line that looks like data is refused.
 */
function headerAware(name: string, handler: TableHandler, options: TableOptions): { handler: TableHandler; finish(): void | Promise<void> } {
  const names = options.names;
  if (names === undefined) {
    if (options.checkHeader === false) return { handler, finish: () => undefined };
    const fast = handler.fast;
    return {
      handler: {
        header(fields, delimiter) {
          if (looksLikeData(fields)) throw headerlessError(name, fields);
          handler.header(fields, delimiter);
        },
        rows: (rows, lines) => handler.rows(rows, lines),
        fast: fast === undefined ? undefined : () => fast.call(handler),
      },
      finish: () => undefined,
    };
  }
  // The first line is held back and handed on with the first batch (or alone at the end). No fast
  // path: headerless files are small, and the byte reader has consumed its first line as a header.
  let first: string[] | undefined;
  return {
    handler: {
      header(fields, delimiter) {
        if (fields.length !== names.length) {
          throw usageError(
            `--columns names ${names.length} ${names.length === 1 ? 'column' : 'columns'} but line 1 of ${name} has ${fields.length} fields`,
            'give one name per column, _ for a column to skip',
          );
        }
        handler.header([...names], delimiter);
        first = fields;
      },
      rows(rows, lines) {
        if (first === undefined) return handler.rows(rows, lines);
        const row = first;
        first = undefined;
        return handler.rows([row, ...rows], [1, ...lines]);
      },
    },
    finish() {
      if (first === undefined) return;
      const row = first;
      first = undefined;
      return handler.rows([row], [1]);
    },
  };
}

/** Counts delimiter characters outside quotes in one line. */
function countOutsideQuotes(line: string, ch: string): number {
  let count = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) count++;
  }
  return count;
}

export function sniffDelimiter(headerLine: string): Delimiter {
  const candidates: Delimiter[] = [',', ';', '\t'];
  let best: Delimiter = 'whitespace';
  let bestCount = 0;
  for (const d of candidates) {
    const n = countOutsideQuotes(headerLine, d);
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Pulls text until the first line is complete; returns it and the text stream from the start. */
async function firstLine(text: AsyncIterable<string>): Promise<{ line: string; all: AsyncIterable<string> }> {
  const iterator = text[Symbol.asyncIterator]();
  let head = '';
  let done = false;
  // Also read on while the text ends in a lone \r: papaparse guesses the line ending from this first
  // chunk, and a CRLF cut in two there would make it split on \r alone (every row then starts with \n).
  while (!/[\r\n]/.test(head) || head.endsWith('\r')) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head += next.value;
  }
  return { line: head.split(/\r?\n|\r/, 1)[0], all: prefixed(head.length > 0 ? [head] : [], done ? undefined : iterator) };
}


function countNewlines(row: string[]): number {
  let n = 0;
  for (const field of row) {
    if (field.length > 0 && (field.includes('\n') || field.includes('\r'))) {
      n += field.split(/\r\n|\r|\n/).length - 1;
    }
  }
  return n;
}

/**
 * papaparse over the text. With `resume`, the text starts after the header (read by the fast
 * reader) at line `resume.line`, with the line ends papaparse would have guessed from the start.
 */
function readDelimited(
  text: AsyncIterable<string>,
  delimiter: string,
  name: string,
  handler: TableHandler,
  resume?: { line: number; newline: Newline },
): Promise<void> {
  return new Promise((resolve, reject) => {
    let line = resume?.line ?? 1;
    let headerSeen = resume !== undefined;
    let failed = false;
    // Batches handed on but not yet processed; reading resumes when they settle.
    let pending: Promise<void> = Promise.resolve();
    const input = Readable.from(text);
    // Characters handed to papaparse so far (this listener runs before papaparse's own): what it
    // has not turned into rows yet is one record in the making, bounded by MAX_RECORD_CHARS.
    let received = 0;
    input.on('data', (chunk: string) => {
      received += chunk.length;
    });
    const fail = (error: unknown, parser?: PapaParse.Parser) => {
      failed = true;
      parser?.abort();
      input.destroy();
      reject(error);
    };
    papa().parse<string[]>(input, {
      delimiter,
      newline: resume?.newline,
      header: false,
      skipEmptyLines: false,
      chunk(results, parser) {
        try {
          const quoteError = results.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
          const rows: string[][] = [];
          const lines: number[] = [];
          for (let i = 0; i < results.data.length; i++) {
            const row = results.data[i];
            const at = line;
            line += 1 + countNewlines(row);
            if (quoteError !== undefined && quoteError.row === i) {
              throw inputError(`unterminated quoted field starting on line ${at}`, {
                file: name,
                line: at,
                hint: 'a field opens a " that never closes; fix or remove the quote',
              });
            }
            if (row.length === 1 && row[0] === '') continue;
            if (!headerSeen) {
              headerSeen = true;
              handler.header(row, delimiter as Delimiter);
              continue;
            }
            rows.push(row);
            lines.push(at);
          }
          if (received - results.meta.cursor > MAX_RECORD_CHARS) {
            throw inputError(`the record starting on line ${line} of ${name} is longer than ${MAX_RECORD_CHARS} characters`, {
              file: name,
              line,
              hint: 'a quoted field seems never to close: check that line for a stray "',
            });
          }
          const done = rows.length > 0 ? handler.rows(rows, lines) : undefined;
          if (done instanceof Promise) {
            input.pause();
            pending = pending.then(() => done).then(
              () => {
                if (!failed) input.resume();
              },
              (error: unknown) => fail(error, parser),
            );
          }
        } catch (error) {
          fail(error, parser);
        }
      },
      complete() {
        if (!headerSeen) reject(emptyInput(name));
        else void pending.then(() => resolve());
      },
      error(error: Error) {
        reject(error);
      },
    });
  });
}

/** The general path for text: decode, sniff the delimiter, then papaparse or whitespace splitting. */
async function readText(bytes: AsyncIterable<Buffer>, name: string, handler: TableHandler, encoding: EncodingDecision | undefined): Promise<void> {
  const { line, all } = await firstLine(decodeText(bytes, name, { encoding }));
  if (line.trim() === '') throw emptyInput(name);
  const delimiter = sniffDelimiter(line);
  if (delimiter === 'whitespace') await readWhitespace(all, name, handler);
  else await readDelimited(all, delimiter, name, handler);
}

export async function readTable(source: InputSource, given: TableHandler, options: TableOptions = {}): Promise<void> {
  const { handler, finish } = headerAware(source.name, given, options);
  await readAny(source, handler, options);
  await finish();
}

async function readAny(source: InputSource, handler: TableHandler, options: TableOptions): Promise<void> {
  if (source.kind === 'xlsx') {
    // Loaded on demand: the .xlsx reader (yauzl, saxes) serves only workbooks, so other inputs skip its import.
    const { readXlsx } = await import('./xlsx.js');
    await readXlsx(source, handler, options.sheet);
    return;
  }
  const fast = handler.fast;
  if (fast === undefined) return readText(source.bytes, source.name, handler, source.encoding);
  await readDelimitedFast(
    source,
    { header: (fields, delimiter) => handler.header(fields, delimiter), fast: () => fast.call(handler) },
    {
      all: (bytes) => readText(bytes, source.name, handler, source.encoding),
      rest: (bytes, at: ResumePoint) =>
        readDelimited(
          decodeText(bytes, source.name, { line: at.physicalLine, latin1: at.latin1, encoding: source.encoding }),
          at.delimiter,
          source.name,
          handler,
          at,
        ),
      sniffDelimiter,
    },
  );
}
