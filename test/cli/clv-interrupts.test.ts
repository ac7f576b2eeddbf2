/**
 * rfm clv stops within a second on SIGINT / SIGTERM at every stage of a long run (built binary):
 * during the BG/NBD fit, and after the fits (the predictions per group of customers, then the
 * writing of every row), exit 130 / 143 with "interrupted", no output file and no temp file left. The input is a
 * 400,000-customer BTYD table simulated by test/bench/clv-bench.mjs (whole-day grid, deterministic).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let TABLE = '';

beforeAll(async () => {
  tmp = tempDir('rfm-clv-interrupts-');
  TABLE = tmp.path('btyd.csv');
  // @ts-expect-error: a plain .mjs script without types
  const { generateTable } = await import('../bench/clv-bench.mjs');
  generateTable(TABLE, 400_000);
}, 120_000);
afterAll(() => tmp?.cleanup());

function start(args: string[]) {
  const env = { ...process.env };
  for (const key of ['CI', 'FORCE_COLOR', 'NO_COLOR']) delete env[key];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let markedAt = 0;
  const waiters: { match: string; resolve: () => void }[] = [];
  child.stdout.resume();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    text += chunk;
    for (const w of waiters.filter((w) => text.includes(w.match))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const exited = new Promise<{ code: number | null; afterMark: number; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, afterMark: performance.now() - markedAt, output: text })),
  );
  return {
    seen: (match: string) =>
      new Promise<void>((resolve, reject) => {
        if (text.includes(match)) return resolve();
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`exited before "${match}" appeared; stderr: ${text.slice(-500)}`)));
      }),
    kill(signal: NodeJS.Signals) {
      markedAt = performance.now();
      child.kill(signal);
    },
    exited,
  };
}

describe('rfm clv on a 400,000-customer BTYD table, interrupted', () => {
  it('SIGINT during the BG/NBD fit: exit 130 within a second, no output file', async () => {
    const run = start(['clv', TABLE, '--format', 'csv', '-o', 'out-fit.csv']);
    await run.seen('recency and T read as weeks'); // the table is read: the fit starts
    run.kill('SIGINT');
    const { code, afterMark, output } = await run.exited;
    expect(output).not.toContain('log-likelihood');
    expect(code).toBe(130);
    expect(output).toContain('rfm: error: interrupted');
    expect(afterMark).toBeLessThan(1000);
    expect(existsSync(tmp.path('out-fit.csv'))).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('SIGTERM once the fits are done (the predictions, then the writing of 400,000 rows): exit 143 within a second, no output file', async () => {
    const run = start(['clv', TABLE, '--format', 'csv', '-o', 'out-predict.csv']);
    await run.seen('Gamma-Gamma'); // the model lines: both fits are over, the predictions start
    run.kill('SIGTERM');
    const { code, afterMark, output } = await run.exited;
    expect(code).toBe(143);
    expect(output).toContain('rfm: error: terminated');
    expect(afterMark).toBeLessThan(1000);
    expect(existsSync(tmp.path('out-predict.csv'))).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
