/**
 * `rfm serve` from the BUILT binary as a child process, for the tests that need the real HTTP
 * transport (timeouts, the connection cap, shutdown under load, raw sockets). It listens on
 * 127.0.0.1 port 0 and the tests use the port it prints: `serve()` resolves on the listening line
 * (an event on stderr, no polling and no sleeps). Refuses a dist/ older than src/ (helpers.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN, ROOT, assertBuilt, runRfm } from '../cli/helpers.js';

export interface Spawned {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stderr has matched `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitForStderr: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
}

export interface Served extends Spawned {
  base: string;
  port: number;
}

const children: ChildProcessWithoutNullStreams[] = [];

export function spawnServe(args: string[], env: Record<string, string | undefined> = {}): Spawned {
  assertBuilt();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['RFM_MODEL', 'RFM_API_TOKEN', 'NO_COLOR', 'FORCE_COLOR']) delete childEnv[name];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: childEnv });
  children.push(child);
  let err = '';
  let out = '';
  const watchers: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString('utf8');
    for (const w of watchers.splice(0)) {
      const match = w.pattern.exec(err);
      if (match) w.resolve(match);
      else watchers.push(w);
    }
  });
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const waitForStderr = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const match = pattern.exec(err);
      if (match) return resolve(match);
      const timer = setTimeout(() => reject(new Error(`rfm serve printed no ${pattern} on stderr within ${timeoutMs} ms; stderr so far:\n${err}`)), timeoutMs);
      watchers.push({
        pattern,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      void exited.then((how) => {
        clearTimeout(timer);
        reject(new Error(`rfm serve exited (${JSON.stringify(how)}) before printing ${pattern}:\n${err}`));
      });
    });
  return { child, stderr: () => err, stdout: () => out, exited, waitForStderr };
}

/** Starts `rfm serve -m MODEL --port 0 ...args` and resolves once it listens, with its URL. */
export async function serve(model: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Served> {
  const s = spawnServe(['-m', model, '--port', '0', ...args], env);
  const match = await s.waitForStderr(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
  return { ...s, base: match[1], port: Number(match[2]) };
}

/** Kills what the tests left running (call in afterEach). */
export function killChildren(): void {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Fits a model on the committed CDNOW fixture into `path` (k = 4, 23,502 customers). */
export async function fitCdnow(path: string, fixturePath: string): Promise<void> {
  const fit = await runRfm(['fit', fixturePath, '-m', path, '-q', '--format', 'json']);
  if (fit.code !== 0) throw new Error(`rfm fit failed: ${fit.stderr}`);
}

/**
 * The TCP port a process listens on, read from Linux's /proc (for `--quiet`, which prints no
 * port); shared with the serve benchmark (listening-port.mjs).
 */
export { listeningPort } from './listening-port.mjs';
