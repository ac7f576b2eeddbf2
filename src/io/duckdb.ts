/**
 * The embedded DuckDB behind `--engine duckdb`: one in-memory database per run, opened on first use
 * (the package and its native library cost ~100 ms to load, so no other run pays for them), with
 * its memory capped and spilling to a private temp directory, so that inputs larger than memory
 * are aggregated on disk. Also the readers' FROM items (read_csv with every option spelled out,
 * read_parquet) and the Parquet writer behind `-o x.parquet`.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { RfmError, dataError, inputError, usageError } from '../core/errors.js';
import { checkWritable, pendingTempFiles, producedFile, type Sink } from './output.js';

export const PARQUET_MAGIC = 'PAR1';

/** The memory DuckDB may use unless RFM_DUCKDB_MEMORY says otherwise (DuckDB's syntax: 512MB, 2GB). */
export const DEFAULT_MEMORY_LIMIT = '1GB';

/** True when the file starts with Parquet's magic bytes (whatever its name). */
export async function isParquetFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false; // the reader says why it cannot be opened
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === PARQUET_MAGIC;
  } finally {
    await handle.close();
  }
}

export const isParquetBytes = (head: Buffer) => head.length >= 4 && head.subarray(0, 4).toString('latin1') === PARQUET_MAGIC;

/** The error for a Parquet input read without DuckDB. */
export function parquetNeedsDuckdb(name: string): RfmError {
  return usageError(`${name} is a Parquet file, which only --engine duckdb reads`, `add --engine duckdb (e.g. rfm rfm ${name} --engine duckdb)`);
}

/** A string as an SQL literal (the program writes every query: this keeps a path or name from being read as SQL). */
export function sqlString(text: string): string {
  if (text.includes('\u0000')) throw usageError('a name or path with a NUL character cannot be given to DuckDB');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A name as an SQL identifier, quoted. */
export function sqlIdentifier(name: string): string {
  if (name.includes('\u0000')) throw usageError('a column name with a NUL character cannot be given to DuckDB');
  return `"${name.replace(/"/g, '""')}"`;
}

export interface DuckSettings {
  /** memory_limit (default DEFAULT_MEMORY_LIMIT, or $RFM_DUCKDB_MEMORY). */
  memoryLimit?: string;
  /** threads (default DuckDB's: one per core, or $RFM_DUCKDB_THREADS). */
  threads?: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): DuckSettings {
  // Set but empty (`RFM_DUCKDB_THREADS= rfm …`, an empty line in an env file) means unset, as for most tools.
  const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  return { memoryLimit: given(env.RFM_DUCKDB_MEMORY), threads: given(env.RFM_DUCKDB_THREADS) };
}

/** One open database: queries, then close() (which also removes its spill directory). */
export class DuckSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly spill: string,
  ) {}

  static async open(settings: DuckSettings = {}): Promise<DuckSession> {
    let api: typeof import('@duckdb/node-api');
    try {
      api = await import('@duckdb/node-api');
    } catch (error) {
      throw inputError(`--engine duckdb needs the @duckdb/node-api package, which did not load: ${(error as Error).message.split('\n')[0]}`, {
        hint: 'reinstall rfm (npm ci) on a platform DuckDB supports, or drop --engine duckdb',
      });
    }
    // Spilled pages go to a directory of this run's own, removed at the end.
    const spill = mkdtempSync(join(tmpdir(), 'rfm-duckdb-'));
    const options: Record<string, string> = {
      memory_limit: settings.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: spill,
      // Rows are aggregated, never listed in file order: DuckDB may then stream without buffering.
      preserve_insertion_order: 'false',
      // Only the file named on the command line is read: no extension downloads, no other files.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (settings.threads !== undefined) options.threads = settings.threads;
    let instance: DuckDBInstance;
    try {
      instance = await api.DuckDBInstance.create(':memory:', options);
    } catch (error) {
      rmSync(spill, { recursive: true, force: true });
      throw usageError(`DuckDB refused its settings: ${(error as Error).message}`, 'check RFM_DUCKDB_MEMORY (e.g. 2GB) and RFM_DUCKDB_THREADS (a whole number)');
    }
    return new DuckSession(instance, await instance.connect(), spill);
  }

  /** Runs one statement and returns its rows as plain JavaScript values, by column name. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Runs one statement and returns its columns (arrays of plain JavaScript values), by name. */
  async columns(sql: string): Promise<Record<string, unknown[]>> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getColumnsObjectJS() as Record<string, unknown[]>;
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** A setting's current value, as text. */
  async setting(name: string): Promise<string> {
    const [row] = await this.rows(`SELECT CAST(current_setting(${sqlString(name)}) AS VARCHAR) AS v`);
    return String(row.v);
  }

  /**
   * Runs one statement and hands its result to `visit` a chunk at a time (2,048 rows), as columns
   * of plain values (VARCHAR as strings, DOUBLE as numbers): the whole result is never held twice.
   */
  async eachChunk(sql: string, visit: (columns: unknown[][], rows: number) => void): Promise<void> {
    const result = await this.connection.stream(sql);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) return;
      visit(chunk.getColumns(), chunk.rowCount);
    }
  }

  /**
   * Runs `work` with every result in file order: insertion order preserved, on one thread unless
   * `parallel` (a scan numbered with row_number() OVER () runs in order anyway; a second thread
   * only adds work).
   */
  async inFileOrder<T>(work: () => Promise<T>, parallel = false): Promise<T> {
    const threads = await this.setting('threads');
    await this.run('SET preserve_insertion_order = true');
    if (!parallel) await this.run('SET threads = 1');
    try {
      return await work();
    } finally {
      // (After a failure the session is closed anyway: a failed reset must not hide the failure.)
      await this.run(`SET threads = ${Number(threads)}`).catch(() => undefined);
      await this.run('SET preserve_insertion_order = false').catch(() => undefined);
    }
  }

  /** Stops the running query (an interrupt): it then fails, and close() follows. */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      rmSync(this.spill, { recursive: true, force: true });
    }
  }
}

/** Runs `work` with a fresh session, closed afterwards whatever happens. */
export async function withDuckdb<T>(settings: DuckSettings, work: (db: DuckSession) => Promise<T>): Promise<T> {
  const db = await DuckSession.open(settings);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

export interface CsvRead {
  path: string;
  delimiter: ',' | ';' | '\t';
  /** Column names given to DuckDB (c0, c1, …: a header may repeat a name). */
  columnCount: number;
  gzip: boolean;
  encoding: 'utf-8' | 'latin-1';
}

/** Positional column name i of a CSV read (the header's own names stay with the tool). */
export const csvColumn = (i: number) => `c${i}`;

/** DuckDB's default longest line (2 MB), said explicitly since the buffer size is not its default. */
const CSV_MAX_LINE = 2 * 1024 * 1024;

/**
 * A read_csv FROM item that reads the file the way the tool's reader does (table.ts, fast-csv.ts):
 * the delimiter the tool sniffed, `"` quotes doubled inside quotes, one header line, every field
 * as text (values are parsed in SQL by duckdb-values.ts, the tool's way), a row with more or fewer
 * fields than the header an error, nothing sniffed or guessed by DuckDB.
 */
export function readCsvSql(read: CsvRead): string {
  const columns = Array.from({ length: read.columnCount }, (_, i) => `${sqlString(csvColumn(i))}: 'VARCHAR'`).join(', ');
  return (
    `read_csv(${sqlString(read.path)}, auto_detect = false, header = true, delim = ${sqlString(read.delimiter)}, quote = '"', escape = '"', ` +
    `columns = {${columns}}, strict_mode = true, null_padding = false, ignore_errors = false, ` +
    `compression = ${sqlString(read.gzip ? 'gzip' : 'none')}, encoding = ${sqlString(read.encoding)}, ` +
    // Buffers of 8 MB instead of 32 (a scan holds several): 46 MB less at the peak. Four times the
    // longest line, as by default, so that the same lines are too long (a smaller buffer reads
    // some of them, or fails on them with another error).
    `max_line_size = ${CSV_MAX_LINE}, buffer_size = ${4 * CSV_MAX_LINE})`
  );
}

export function readParquetSql(path: string): string {
  return `read_parquet(${sqlString(path)})`;
}

/** DuckDB's own words for a failed read, without its stack of context lines. */
export function duckMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').filter((line) => line.trim() !== '')[0] ?? text;
}

/** A DuckDB failure while reading `name` as the data error the default engine would raise in kind. */
export function readError(error: unknown, name: string): RfmError {
  if (error instanceof RfmError) return error;
  const message = duckMessage(error);
  const line = /line[: ]+(\d+)/i.exec(String((error as Error)?.message ?? ''));
  if (/out of memory/i.test(message)) {
    return inputError(`DuckDB ran out of memory reading ${name} (${message})`, { file: name, hint: `give DuckDB more with RFM_DUCKDB_MEMORY (default ${DEFAULT_MEMORY_LIMIT}, e.g. 2GB)` });
  }
  if (/invalid unicode|utf-?8/i.test(message)) {
    return inputError(`${name} is not valid text in its encoding (DuckDB: ${message})`, { file: name, hint: 'convert it to UTF-8, or drop --engine duckdb' });
  }
  return dataError(`DuckDB could not read ${name}: ${message}`, {
    file: name,
    line: line === null ? undefined : Number(line[1]),
    hint: 'every row needs one value per header column; drop --engine duckdb to have the default reader name the line and column',
  });
}

/** DuckDB's type for a records column (records.ts kinds). */
const PARQUET_TYPES: Record<string, string> = { int: 'BIGINT', number: 'DOUBLE', money: 'DOUBLE', text: 'VARCHAR' };

/**
 * `-o x.parquet`: the records are written as CSV (records.ts, shortest round-trip numbers) to a
 * private temp file, which DuckDB then copies into Parquet beside the target, renamed over it at
 * commit (output.ts producedFile). Every column has the type its kind says, nothing is sniffed.
 */
export async function parquetSink(path: string, columns: readonly { header: string; kind?: string }[], settings: DuckSettings): Promise<Sink> {
  await checkWritable(path);
  const csv = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.csv.tmp`);
  pendingTempFiles.add(csv);
  const stream = createWriteStream(csv);
  const closed = new Promise<void>((resolve, reject) => {
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  const cleanup = () => {
    rmSync(csv, { force: true });
    pendingTempFiles.delete(csv);
  };
  return {
    isTerminal: false,
    path,
    async write(text) {
      if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    },
    async commit() {
      try {
        stream.end();
        await closed;
        const types = columns.map((c) => `${sqlString(c.header)}: ${sqlString(PARQUET_TYPES[c.kind ?? 'text'])}`).join(', ');
        await producedFile(path, (temp) =>
          withDuckdb(settings, (db) =>
            db.run(
              `COPY (SELECT * FROM read_csv(${sqlString(csv)}, auto_detect = false, header = true, delim = ',', quote = '"', escape = '"', columns = {${types}}, strict_mode = true)) ` +
                `TO ${sqlString(temp)} (FORMAT parquet)`,
            ),
          ),
        );
      } finally {
        cleanup();
      }
    },
    async abort() {
      stream.destroy();
      cleanup();
    },
  };
}
