/**
 * The bad-input corpus (issue 7): every case in fixtures/bad/cases.json runs the built binary and
 * must end with its exit code and a one-line message on stderr that says what is wrong and what to
 * do (no stack trace), naming the file, line and column where the case says they are known; with
 * `--errors json` the same error is one parseable object. Inputs too large to commit (a 50 MB line,
 * a quote that never closes in a 40 MB file) are generated into a temp dir, and run with a small V8
 * heap so that holding them in memory would fail the case.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from './helpers.js';

interface BadCase {
  id: string;
  file: string | null;
  args: string[];
  exit: number;
  stderr?: string[];
  hint?: string;
  line?: number;
  column?: number;
  stdout?: string;
  stdoutLength?: number;
  env?: Record<string, string>;
  generate?: 'line-50mb' | 'unclosed-quote-40mb';
  maxOldSpaceMb?: number;
  needsNonRoot?: boolean;
}

const { cases } = JSON.parse(readFileSync(fixture('bad', 'cases.json'), 'utf8')) as { cases: BadCase[] };
// Made in beforeAll: a filtered run that skips every test here runs no hook and leaves nothing behind.
let tmp: ReturnType<typeof tempDir>;
const isRoot = process.getuid?.() === 0;
const HEADER = 'Invoice,InvoiceDate,Quantity,Price,Customer ID\n';

/** Writes `total` bytes of `unit` repeated, in 1 MB blocks (flat memory in the test too). */
function writeRepeated(path: string, head: string, unit: string, total: number, tail: string): void {
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  const block = unit.repeat(Math.ceil((1 << 20) / unit.length));
  for (let written = 0; written < total; written += block.length) writeSync(fd, block);
  writeSync(fd, tail);
  closeSync(fd);
}

const generated = (kind: NonNullable<BadCase['generate']>) => tmp.path(`${kind}.csv`);

beforeAll(() => {
  tmp = tempDir('rfm-bad-');
  // Line 2 is 50 MB long (a customer id with no end).
  writeRepeated(generated('line-50mb'), HEADER + '1,2011-01-01,1,2,', '9', 50 << 20, '\n2,2011-01-02,1,2,17851\n');
  // Line 2 opens a quote that never closes: the rest of the file would be one field.
  writeRepeated(generated('unclosed-quote-40mb'), HEADER + '1,"2011-01-01,1,2,5\n', '536365,2011-01-01 08:26:00,6,2.55,17850\n', 40 << 20, '');
  mkdirSync(tmp.path('a-directory.csv'));
  writeFileSync(tmp.path('unreadable.csv'), HEADER + '1,2011-01-01,1,2,17850\n');
  chmodSync(tmp.path('unreadable.csv'), 0o000);
});
afterAll(() => tmp?.cleanup());

function argsOf(c: BadCase): string[] {
  const file = c.generate !== undefined ? generated(c.generate) : c.file ? fixture('bad', c.file) : '';
  const values: Record<string, string> = {
    '{file}': file,
    '{model}': fixture('models', 'sample-model.json'),
    '{dir}': tmp.path('a-directory.csv'),
    '{missing}': tmp.path('no-such-file.csv'),
    '{unreadable}': tmp.path('unreadable.csv'),
  };
  return c.args.map((a) => a.replace(/\{(file|model|dir|missing|unreadable)\}/g, (p) => values[p]).replace('{tmp}', tmp.dir));
}

function envOf(c: BadCase): Record<string, string | undefined> {
  return { ...c.env, NODE_OPTIONS: c.maxOldSpaceMb === undefined ? undefined : `--max-old-space-size=${c.maxOldSpaceMb}` };
}

describe('the corpus', () => {
  it('has at least 40 inputs and one case per kind of bad input the issue lists', () => {
    const files = new Set(cases.flatMap((c) => (c.file ? [c.file] : [])));
    expect(files.size).toBeGreaterThanOrEqual(40);
    for (const file of files) expect(() => readFileSync(fixture('bad', file))).not.toThrow();
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });
});

describe.concurrent('bad inputs', () => {
  for (const c of cases) {
    const skip = c.needsNonRoot === true && isRoot;
    // Root reads a chmod-000 file anyway (CAP_DAC_OVERRIDE): that case is only meaningful otherwise.
    it.skipIf(skip)(`${c.id} → exit ${c.exit}${skip ? ' (skipped: running as root, which can read a chmod-000 file)' : ''}`, async () => {
      const r = await runRfm(argsOf(c), { env: envOf(c), timeout: 30_000 });
      expect(r.signal, 'the run must not hang or be killed').toBeNull();
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: c.exit });
      expect(r.stderr).not.toMatch(/^\s+at /m); // never a stack trace
      for (const fragment of c.stderr ?? []) expect(r.stderr).toContain(fragment);
      if (c.exit === 0) {
        if (c.stdout !== undefined) expect(r.stdout).toBe(c.stdout);
        if (c.stdoutLength !== undefined) expect(r.stdout.length).toBe(c.stdoutLength);
        expect(r.stderr).not.toContain('error');
        return;
      }
      expect(r.stdout).toBe('');
      // One line: "rfm: error: [FILE:LINE:COLUMN: ]what is wrong; what to do".
      const lines = r.stderr.split('\n').filter((l) => l !== '' && !/^(read |as-of |warning: )/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^rfm: error: \S/);
      expect(lines[0].length).toBeLessThan(600);
      if (c.exit !== 2) expect(lines[0], 'a hint says what to do').toMatch(/; \S/);
      if (c.hint !== undefined) expect(lines[0].slice(lines[0].indexOf('; '))).toContain(c.hint);
      if (c.file && (c.exit === 3 || c.line !== undefined)) expect(lines[0]).toContain(c.file);
      // FILE:LINE[:COLUMN], unless the message says "line N" in words.
      if (c.line !== undefined && !lines[0].includes(`line ${c.line}`)) {
        expect(lines[0]).toContain(`${c.file}:${c.line}${c.column === undefined ? '' : `:${c.column}`}`);
      }

      // Where a location is known, --errors json must carry it as fields.
      if (c.line !== undefined || c.column !== undefined) {
        const j = await runRfm([...argsOf(c), '--errors', 'json'], { env: envOf(c), timeout: 30_000 });
        expect(j.code).toBe(c.exit);
        const jsonLines = j.stderr.split('\n').filter((l) => l.startsWith('{'));
        expect(jsonLines).toHaveLength(1);
        const error = JSON.parse(jsonLines[0]) as Record<string, unknown>;
        expect(Object.keys(error)).toEqual(expect.arrayContaining(['code', 'message', 'hint', 'file', 'line']));
        expect(error.code).toBe(c.exit);
        for (const fragment of c.stderr ?? []) expect(error.message).toContain(fragment);
        if (c.hint !== undefined) expect(error.hint).toContain(c.hint);
        if (c.line !== undefined) expect(error.line).toBe(c.line);
        if (c.column !== undefined) expect(error.column).toBe(c.column);
        if (c.file && c.exit !== 2) expect(String(error.file)).toContain(c.file);
      }
    });
  }
});

describe('--errors json', () => {
  it('prints one parseable {code, kind, message, hint, file, line, column} object and nothing else', async () => {
    const r = await runRfm(['rfm', fixture('bad', 'ragged-short.csv'), '--errors', 'json', '-q']);
    expect(r.code).toBe(4);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stderr)).toEqual({
      code: 4,
      kind: 'data',
      message: 'line 3 has 4 fields but the header has 5',
      hint: 'every row needs one value per header column; check for a stray delimiter or a missing quote',
      file: fixture('bad', 'ragged-short.csv'),
      line: 3,
      column: 5,
    });
  });

  it('gives null for what is not known, and works for usage errors too', async () => {
    const r = await runRfm(['rfm', '--fomat', 'csv', '--errors=json']);
    expect(r.code).toBe(2);
    const error = JSON.parse(r.stderr);
    expect(error).toMatchObject({ code: 2, kind: 'usage', file: null, line: null, column: null });
    expect(error.message).toBe("unknown option '--fomat' (Did you mean --format?)");
  });
});
