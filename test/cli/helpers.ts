/**
 * Runs the BUILT binary (bin/rfm.js → dist/) as a child process, the way a user does. Shared by
 * every CLI test: `runRfm(['rfm', 'tx.csv'], { stdin, env, cwd })` resolves to {code, stdout, stderr}
 * and never rejects on a non-zero exit. It refuses a dist/ older than src/ (test/build-state.ts);
 * the vitest global setup rebuilds it first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuild } from '../build-state.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'rfm.js');
/** A path under fixtures/. */
export const fixture = (...parts: string[]) => join(ROOT, 'fixtures', ...parts);

export interface RunOptions {
  /** Bytes piped to stdin; without it stdin is an empty pipe (never a TTY). */
  stdin?: string | Buffer;
  /** Added to (or, with undefined values, removed from) the inherited environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the child after this many ms (default 60 s). */
  timeout?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as raw bytes (for byte-for-byte comparisons and non-UTF-8 output). */
  stdoutBytes: Buffer;
}

function childEnv(extra: RunOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A developer's shell must not change what the tests see.
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  delete env.RFM_MODEL;
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

let builtChecked = false;
/** Refuses to run the binary from a dist/ that is missing or older than src/ (checked once). */
export function assertBuilt(): void {
  if (builtChecked) return;
  const why = staleBuild(ROOT);
  if (why !== null) throw new Error(`${why}: build first with \`npx tsc -p tsconfig.json\` (npm test and the vitest global setup do it)`);
  builtChecked = true;
}

function collect(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  assertBuilt();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // the child may exit before reading all of stdin
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolvePromise({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

/** Runs `node bin/rfm.js ...args`. */
export function runRfm(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return collect(process.execPath, [BIN, ...args], options);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a shell pipeline in which `rfm` is a function calling the built binary, e.g.
 * `runShell('rfm clean tx.csv | rfm rfm -')`. The exit code is the pipeline's (the last command's).
 */
export function runShell(script: string, options: RunOptions = {}): Promise<RunResult> {
  const define = `rfm() { ${shellQuote(process.execPath)} ${shellQuote(BIN)} "$@"; }`;
  return collect('/bin/sh', ['-c', `${define}\n${script}`], options);
}

/** A fresh temporary directory; call the returned `cleanup` (e.g. in afterAll). */
export function tempDir(prefix = 'rfm-test-'): { dir: string; path: (name: string) => string; files: () => string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    files: () => readdirSync(dir).sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Parses the CSV our tool writes (no quoted newlines in RFM output) into header + rows. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.split('\n').filter((l) => l !== '');
  const split = (line: string) => {
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        fields.push(field);
        field = '';
      } else field += c;
    }
    fields.push(field);
    return fields;
  };
  const [header, ...rows] = lines.map(split);
  return { header: header ?? [], rows };
}

/** RFM CSV output as a map customer_id → {recency, frequency, monetary, ...other columns}. */
export function rfmByCustomer(text: string): Map<string, Record<string, string | number>> {
  const { header, rows } = parseCsv(text);
  const map = new Map<string, Record<string, string | number>>();
  for (const row of rows) {
    const record: Record<string, string | number> = {};
    header.forEach((h, i) => {
      record[h] = ['recency', 'frequency', 'monetary'].includes(h) ? Number(row[i]) : row[i];
    });
    map.set(row[0], record);
  }
  return map;
}

/** Matches ANSI escape sequences (colour codes). */
export const ANSI = /\u001b\[[0-9;]*m/;
