/**
 * Interrupts at any moment (issue 13), on the built binary:
 * - Ctrl-C typed on a real pseudo-terminal (util-linux `script` gives rfm a pty; the byte 0x03
 *   written to it is turned into SIGINT by the terminal's line discipline, as a keyboard does)
 *   while the spinner turns, while k-means runs and while a long table is drawn: exit 130 in
 *   under a second, the existing model byte-identical;
 * - SIGINT and SIGTERM from process.kill during k-means (fit) and during the elbow: 130 / 143 in
 *   under a second, with the helper threads stopped with the process;
 * - the commit point: SIGINT at many moments around the model's rename never gives 130 with the
 *   new model in place, nor a half-written model, nor a temp file left behind.
 * Inputs are generated into a temp dir: a 300,000-row log (51,350 customers) on which
 * `fit -k 8 --n-init 50` takes seconds.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fixture, ROOT, runRfm, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let LOG = '';
const SAMPLE = fixture('online_retail_sample.csv');
const OLD_MODEL = readFileSync(fixture('models', 'sample-model.json'));
const hasScript = spawnSync('script', ['--version']).status === 0;

beforeAll(() => {
  tmp = tempDir('rfm-interrupts-');
  LOG = tmp.path('log.csv');
  execFileSync(process.execPath, [join(ROOT, 'test/bench/generate-retail.mjs'), '--rows', '300000', '--customers', '50000', '--seed', '3', '--out', LOG]);
}, 120_000);
afterAll(() => tmp?.cleanup());

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** The environment of a child: no CI (it turns the spinner off), no colour variables. */
function env(): NodeJS.ProcessEnv {
  const e = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };
  for (const key of ['CI', 'FORCE_COLOR', 'NO_COLOR', 'RFM_MODEL']) delete e[key];
  return e;
}

interface Running {
  /** Resolves once `text` has appeared in the output so far. */
  seen(text: string | RegExp): Promise<void>;
  /** Resolves with the exit code and the ms from `mark()` to the exit. */
  exited: Promise<{ code: number | null; afterMark: number; output: string }>;
  mark(): void;
  output(): string;
}

/** Watches a child's output (stdout + stderr, or the pty's) for text and its exit. */
function follow(child: ReturnType<typeof spawn>, streams: NodeJS.ReadableStream[]): Running {
  let text = '';
  const waiters: { match: string | RegExp; resolve: () => void }[] = [];
  const test = (m: string | RegExp) => (typeof m === 'string' ? text.includes(m) : m.test(text));
  for (const stream of streams) {
    stream.setEncoding('utf8'); // a character split between two chunks stays whole
    stream.on('data', (chunk: string) => {
      text += chunk;
      for (const w of waiters.filter((w) => test(w.match))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
  }
  let markedAt = 0;
  const exited = new Promise<{ code: number | null; afterMark: number; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, afterMark: performance.now() - markedAt, output: text })),
  );
  return {
    seen: (match) =>
      new Promise<void>((resolve, reject) => {
        if (test(match)) return resolve();
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`exited before ${String(match)} appeared; output: ${text.slice(-500)}`)));
      }),
    exited,
    mark: () => (markedAt = performance.now()),
    output: () => text,
  };
}

/** rfm on a pseudo-terminal of 100 × 30 (script -q: no banner; -e: its exit code is rfm's; -f: flush at once). */
function onTerminal(args: string[]) {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `stty cols 100 rows 30; exec '${process.execPath}' '${BIN}' ${quoted}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: tmp.dir, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
  const run = follow(child, [child.stdout!, child.stderr!]);
  return {
    ...run,
    /** Types Ctrl-C on the terminal and starts the clock. */
    ctrlC() {
      run.mark();
      child.stdin!.write('\x03');
    },
  };
}

function plain(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp.dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  const run = follow(child, [child.stderr!]);
  child.stdout!.resume();
  return {
    ...run,
    pid: child.pid!,
    kill(signal: NodeJS.Signals) {
      run.mark();
      child.kill(signal);
    },
  };
}

describe.skipIf(!hasScript)('Ctrl-C typed on a terminal (a real pty)', () => {
  it('while the spinner turns (reading): exit 130 within a second, the model untouched', async () => {
    writeFileSync(tmp.path('model.json'), OLD_MODEL);
    const run = onTerminal(['fit', LOG, '-m', 'model.json', '-k', '8', '--n-init', '50']);
    await run.seen(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](?:\u001b\[\d+m)* reading \S*log\.csv/); // one of ora's frames: the spinner is on
    run.ctrlC();
    const { code, afterMark, output } = await run.exited;
    expect(output).not.toContain('read 300,000 rows'); // it stopped while reading
    expect(code).toBe(130);
    expect(output).toContain('rfm: error: interrupted');
    expect(afterMark).toBeLessThan(1000);
    expect(readFileSync(tmp.path('model.json'))).toEqual(OLD_MODEL);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it('while k-means runs (fit -k 8 --n-init 50): exit 130 within a second, the model untouched', async () => {
    writeFileSync(tmp.path('model.json'), OLD_MODEL);
    const run = onTerminal(['fit', LOG, '-m', 'model.json', '-k', '8', '--n-init', '50']);
    await run.seen('read 300,000 rows'); // the cleaning summary: reading is over, k-means starts
    run.ctrlC();
    const { code, afterMark, output } = await run.exited;
    expect(output).not.toContain('model written');
    expect(code).toBe(130);
    expect(afterMark).toBeLessThan(1000);
    expect(readFileSync(tmp.path('model.json'))).toEqual(OLD_MODEL);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });
});

describe.skipIf(!hasScript)('Ctrl-C while a table is drawn on a terminal', () => {
  it('rfm --all (51,350 rows): exit 130 within a second, the table not finished', async () => {
    const run = onTerminal(['rfm', LOG, '--all', '-q']);
    await run.seen(/(?:\n[^\n]*){300}/); // 300 lines of the table are on the terminal (-q: nothing else)
    run.ctrlC();
    const { code, afterMark, output } = await run.exited;
    expect(code).toBe(130);
    expect(afterMark).toBeLessThan(1000);
    expect(output).toContain('rfm: error: interrupted');
    expect(output).not.toContain('└'); // the bottom border: the drawing stopped part-way
  });
});

describe('SIGINT and SIGTERM during the computation', () => {
  it.each([
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated (SIGTERM)'],
  ] as const)('fit -k 8 --n-init 50, %s in k-means: exit %i within a second, model untouched', async (signal, expected, message) => {
    writeFileSync(tmp.path('model.json'), OLD_MODEL);
    const run = plain(['fit', LOG, '-m', 'model.json', '-k', '8', '--n-init', '50']);
    await run.seen('read 300,000 rows');
    run.kill(signal);
    const { code, afterMark, output } = await run.exited;
    expect(code).toBe(expected);
    expect(output).toContain(`rfm: error: ${message}\n`);
    expect(output).not.toContain('model written');
    expect(afterMark).toBeLessThan(1000);
    expect(readFileSync(tmp.path('model.json'))).toEqual(OLD_MODEL);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('elbow (k = 1..10, its k values on two threads), %s: exit %i within a second, no output file', async (signal, expected) => {
    writeFileSync(tmp.path('elbow.json'), 'old elbow\n');
    const run = plain(['elbow', LOG, '--n-init', '20', '-o', 'elbow.json']);
    await run.seen('read 300,000 rows');
    run.kill(signal);
    const { code, afterMark } = await run.exited;
    expect(code).toBe(expected);
    expect(afterMark).toBeLessThan(1000);
    expect(readFileSync(tmp.path('elbow.json'), 'utf8')).toBe('old elbow\n');
    expect(tempFiles(tmp.dir)).toEqual([]);
  });
});

describe('the commit point: the rename of the model', () => {
  it('SIGINT at 24 moments around the rename: 130 only with the old model, 0 only with the complete new one', async () => {
    const dir = tempDir('rfm-race-');
    try {
      // The complete new model, from an uninterrupted run (createdAt fixed by SOURCE_DATE_EPOCH).
      const reference = await runRfm(['fit', SAMPLE, '-q', '-m', dir.path('reference.json')], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
      expect(reference.code).toBe(0);
      const NEW_MODEL = readFileSync(dir.path('reference.json'));
      expect(NEW_MODEL).not.toEqual(OLD_MODEL);
      const outcomes = { interrupted: 0, committed: 0 };
      for (let i = 0; i < 24; i++) {
        const model = dir.path('model.json');
        writeFileSync(model, OLD_MODEL);
        const oldInode = statSync(model).ino;
        // Even runs fire when the temp file appears (before the rename), odd runs when the model's
        // inode changes (the rename has happened); each after a delay of 0-5 ms.
        const atRename = i % 2 === 1;
        const delay = Math.floor(i / 2) % 6;
        const child = spawn(process.execPath, [BIN, 'fit', SAMPLE, '-m', model], { cwd: dir.dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
        let fired = false;
        const fire = () => {
          if (fired) return;
          fired = true;
          setTimeout(() => child.kill('SIGINT'), delay);
        };
        const watcher = watch(dir.dir, () => {
          if (atRename ? (() => { try { return statSync(model).ino !== oldInode; } catch { return false; } })() : tempFiles(dir.dir).length > 0) fire();
        });
        const code = await exited;
        watcher.close();
        const now = readFileSync(model);
        expect(tempFiles(dir.dir), `run ${i}: no temp file left`).toEqual([]);
        if (code === 130) {
          outcomes.interrupted++;
          expect(now, `run ${i}: exit 130 must leave the old model`).toEqual(OLD_MODEL);
          expect(stderr).toContain('rfm: error: interrupted');
        } else {
          expect(code, `run ${i}: the exit is 0 or 130; stderr: ${stderr}`).toBe(0);
          outcomes.committed++;
          expect(now, `run ${i}: exit 0 must leave the complete new model`).toEqual(NEW_MODEL);
        }
        if (atRename && fired) expect(code, `run ${i}: a signal after the rename is not an interruption`).toBe(0);
      }
      // Both sides of the commit point were hit.
      expect(outcomes.interrupted).toBeGreaterThan(0);
      expect(outcomes.committed).toBeGreaterThan(0);
    } finally {
      dir.cleanup();
    }
  }, 240_000);
});
