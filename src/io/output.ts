/**
 * Where output goes: stdout, or a file written atomically — to a temp file beside it, renamed
 * over the target only when everything was written. A failed or interrupted run leaves any
 * existing file untouched and no temp file behind (temp files are registered for the SIGINT
 * handler in cli/main.ts to remove).
 *
 * The rename is the run's commit point: before it the old file is untouched, after it the new one
 * is complete. The signal handler asks `afterFileOperations` to wait while a rename (or a temp
 * file's creation) is under way, then `committedFile` tells it which side of the point it is on.
 * A path that is a symbolic link is written through: its target is replaced, the link stays.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { lstat, readlink, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { inputError, RfmError } from '../core/errors.js';

/** Temp files being written right now; removed if the process is interrupted. */
export const pendingTempFiles = new Set<string>();

export function removePendingTempFiles(): void {
  for (const path of pendingTempFiles) {
    try {
      rmSync(path, { force: true });
    } catch {
      // best effort on the way out
    }
  }
  pendingTempFiles.clear();
}

/**
 * File operations an exit must not cut short: a temp file being created (removed before it exists,
 * it would be left behind) and a rename (the exit could report "interrupted" while the new file
 * takes the old one's place).
 */
let unsettled = 0;
const whenSettled: (() => void)[] = [];

/** Marks a file operation under way; the returned function (idempotent) marks its end. */
function holdExit(): () => void {
  unsettled++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--unsettled === 0) for (const then of whenSettled.splice(0)) then();
  };
}

/** Calls `then` at once, or as soon as no temp file creation or rename is under way. */
export function afterFileOperations(then: () => void): void {
  if (unsettled === 0) then();
  else whenSettled.push(then);
}

let committed: string | undefined;

/** The file whose rename committed this run's result (see fileSink's `commitPoint`), if any yet. */
export const committedFile = (): string | undefined => committed;

export interface Sink {
  /** True when writing to a terminal (stdout is a TTY). */
  readonly isTerminal: boolean;
  /** The target file, or undefined for stdout. */
  readonly path?: string;
  /** Text (UTF-8), or bytes as they are (a PDF). */
  write(text: string | Uint8Array): Promise<void>;
  /** Finishes: flushes, and for a file renames the temp file over the target. */
  commit(): Promise<void>;
  /** Gives up: for a file removes the temp file; the target is untouched. */
  abort(): Promise<void>;
}

/** The IO error for a failed write to `path` (or "stdout"), with what to do. */
export function writeError(error: unknown, path: string): RfmError {
  const e = error as NodeJS.ErrnoException;
  const hint =
    e.code === 'ENOSPC'
      ? 'the disk is full: free some space and run again'
      : e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS'
        ? 'choose a directory you can write to'
        : e.code === 'ENOENT'
          ? 'create the directory first, or choose another path'
          : undefined;
  const reasons: Record<string, string> = {
    ENOENT: `directory ${dirname(path)} does not exist`,
    ENOTDIR: `${dirname(path)} is not a directory`,
    ENOSPC: 'no space left on device',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
  };
  const reason = (e.code !== undefined ? reasons[e.code] : undefined) ?? e.message ?? String(error);
  return inputError(`cannot write ${path}: ${reason}`, { file: path, hint: hint ?? (e.code === 'ENOTDIR' ? 'choose a path inside a directory' : undefined) });
}

function streamWrite(stream: Writable, text: string | Uint8Array): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/**
 * Ends a file stream, rejecting if any write failed: a write that fits in the stream's buffer
 * fails only later (ENOSPC on a nearly full disk), and end()'s callback then gets the error.
 */
function endStream(stream: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Largest piece written to a terminal at once: see stdoutSink. */
const TERMINAL_PIECE = 16 * 1024;

/**
 * Writes to a terminal are synchronous in Node (the process waits until the terminal has taken the
 * bytes), so a 5 MB table written at once would hold off Ctrl-C until the terminal had drawn it
 * all. Written in pieces with a turn of the event loop between them, a signal is seen within one
 * piece's drawing.
 */
async function writeToTerminal(stdout: NodeJS.WriteStream, text: string): Promise<void> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + TERMINAL_PIECE);
    if (end < text.length) {
      const newline = text.lastIndexOf('\n', end);
      if (newline > at) end = newline + 1; // whole lines, so that no escape sequence is split
    }
    await streamWrite(stdout, text.slice(at, end));
    at = end;
    if (at < text.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export function stdoutSink(stdout: NodeJS.WriteStream): Sink {
  const terminal = stdout.isTTY === true;
  return {
    isTerminal: terminal,
    async write(text) {
      try {
        await (terminal && typeof text === 'string' && text.length > TERMINAL_PIECE ? writeToTerminal(stdout, text) : streamWrite(stdout, text));
      } catch (error) {
        // A closed pipe ends quietly in cli/main.ts; any other failure (`> /dev/full`) is an IO error.
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw error;
        throw writeError(error, 'stdout');
      }
    },
    commit: () => Promise.resolve(),
    abort: () => Promise.resolve(),
  };
}

/** Checks the target can be written before any work is done (fail early, not after an hour). */
export async function checkWritable(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  } catch (error) {
    throw writeError(error, path);
  }
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw inputError(`cannot write ${path}: it is a directory`, { file: path, hint: 'give a file name' });
  } catch (error) {
    if (error instanceof RfmError) throw error;
  }
}

/**
 * A device, FIFO or socket (`-o /dev/stdout`, `-o /dev/null`, a named pipe) cannot be replaced by
 * a rename — that would put a regular file in its place — so it is written directly.
 */
async function isSpecialFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    return !info.isFile() && !info.isDirectory();
  } catch {
    return false;
  }
}

/**
 * A write stream that remembers its first error: `write` throws it (or a failed write) as a write
 * error naming `path`; `end` flushes and closes, throwing the raw error for the caller to wrap.
 */
function guardedStream(stream: WriteStream, path: string): { write(text: string | Uint8Array): Promise<void>; end(): Promise<void> } {
  let failure: unknown;
  stream.on('error', (error) => {
    failure ??= error;
  });
  return {
    async write(text) {
      if (failure) throw writeError(failure, path);
      try {
        await streamWrite(stream, text);
      } catch (error) {
        throw writeError(error, path);
      }
    },
    async end() {
      if (failure) throw failure;
      await endStream(stream);
      if (failure) throw failure;
    },
  };
}

function directSink(path: string): Sink {
  const stream: WriteStream = createWriteStream(path, { flags: 'w' });
  const out = guardedStream(stream, path);
  return {
    isTerminal: false,
    path,
    write: out.write,
    async commit() {
      try {
        await out.end();
      } catch (error) {
        throw writeError(error, path);
      }
    },
    async abort() {
      stream.destroy();
    },
  };
}

/**
 * The file a write to `path` replaces: `path` itself, or the end of its chain of symbolic links
 * (which may not exist yet). A link's relative target is relative to the link's directory.
 */
async function linkTarget(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!(await lstat(current)).isSymbolicLink()) return current;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw writeError(error, path);
    }
    current = resolve(dirname(current), await readlink(current));
  }
  throw inputError(`cannot write ${path}: too many levels of symbolic links`, { file: path, hint: 'check the links for a loop' });
}

export interface FileSinkOptions {
  /**
   * Whether this file's rename commits the run (default true): once it is renamed, an interrupt
   * reports success, since the result is in place. False for side files such as --report.
   */
  commitPoint?: boolean;
}

export async function fileSink(path: string, options: FileSinkOptions = {}): Promise<Sink> {
  await checkWritable(path);
  if (await isSpecialFile(path)) return directSink(path);
  const target = await linkTarget(path);
  if (target !== path) await checkWritable(target);
  // Beside the target: a rename is atomic only within one file system.
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pendingTempFiles.add(temp);
  const created = holdExit();
  const stream: WriteStream = createWriteStream(temp, { flags: 'wx' });
  for (const event of ['open', 'error', 'close']) stream.once(event, created);
  const out = guardedStream(stream, path);
  // Wait for the stream to close before removing the file: a stream destroyed while its open() is
  // still pending creates the file afterwards, which left empty temp files behind a failed run.
  const cleanup = async () => {
    if (!stream.closed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
    rmSync(temp, { force: true });
    pendingTempFiles.delete(temp);
  };
  return {
    isTerminal: false,
    path,
    write: out.write,
    async commit() {
      try {
        await out.end();
        const renamed = holdExit();
        try {
          await rename(temp, target);
          pendingTempFiles.delete(temp);
          if (options.commitPoint !== false) committed ??= path;
        } finally {
          renamed();
        }
      } catch (error) {
        await cleanup();
        throw writeError(error, path);
      }
    },
    async abort() {
      await cleanup();
    },
  };
}

/** Runs `work` against a sink, committing on success and aborting (temp file removed) on failure. */
export async function withSink<T>(sink: Sink, work: (sink: Sink) => Promise<T>): Promise<T> {
  try {
    const result = await work(sink);
    await sink.commit();
    return result;
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/**
 * A file another writer produces (DuckDB's COPY … TO for `-o x.parquet`): `produce` writes the
 * temp file beside the target, which is then renamed over it (the commit point, as fileSink's).
 * On failure the temp file is removed and the target left as it was.
 */
export async function producedFile(path: string, produce: (temp: string) => Promise<void>): Promise<void> {
  await checkWritable(path);
  const target = await linkTarget(path);
  if (target !== path) await checkWritable(target);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pendingTempFiles.add(temp);
  try {
    await produce(temp);
    const renamed = holdExit();
    try {
      await rename(temp, target);
      pendingTempFiles.delete(temp);
      committed ??= path;
    } finally {
      renamed();
    }
  } catch (error) {
    rmSync(temp, { force: true });
    pendingTempFiles.delete(temp);
    throw error instanceof RfmError ? error : writeError(error, path);
  }
}
