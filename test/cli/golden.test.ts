/** The golden helper (test/cli/golden.ts): a test run compares, and never rewrites. */
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { expectGolden } from './golden.js';
import { fixture, tempDir } from './helpers.js';

const NAME = 'segment-batch.csv';
const before = readFileSync(fixture('golden', NAME), 'utf8');
const saved = { update: process.env.UPDATE_GOLDEN, capture: process.env.RFM_GOLDEN_CAPTURE };
afterEach(() => {
  for (const [key, value] of [['UPDATE_GOLDEN', saved.update], ['RFM_GOLDEN_CAPTURE', saved.capture]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('expectGolden', () => {
  it('passes on the same bytes and fails on others, naming the file and the command that updates it', () => {
    expectGolden(NAME, before);
    expect(() => expectGolden(NAME, before + 'x')).toThrow(`output differs from fixtures/golden/${NAME}; if the change is meant, run \`npm run golden:update\` and review the diff`);
  });

  it('with UPDATE_GOLDEN set, fails pointing to npm run golden:update and leaves the file alone', () => {
    process.env.UPDATE_GOLDEN = '1';
    expect(() => expectGolden(NAME, 'rewritten?\n')).toThrow('UPDATE_GOLDEN is set, but a test run never rewrites golden files: run `npm run golden:update`');
    expect(readFileSync(fixture('golden', NAME), 'utf8')).toBe(before);
  });

  it('a missing golden file is an error, not a file written', () => {
    expect(() => expectGolden('no-such-golden.txt', 'x')).toThrow(/no golden file .*no-such-golden\.txt: create it with `npm run golden:update`/);
    expect(readdirSync(fixture('golden'))).not.toContain('no-such-golden.txt');
  });

  it('in the capture mode of golden:update, records into its directory, never into fixtures/golden', () => {
    const dir = tempDir('rfm-golden-capture-');
    try {
      process.env.RFM_GOLDEN_CAPTURE = dir.dir;
      expectGolden(NAME, 'new output\n');
      expect(readFileSync(dir.path(NAME), 'utf8')).toBe('new output\n');
      expect(readFileSync(fixture('golden', NAME), 'utf8')).toBe(before);
      // Two tests printing different bytes for one golden file is a failure, not last-one-wins.
      expect(() => expectGolden(NAME, 'other output\n')).toThrow(`two tests print different output for golden file ${NAME}`);
    } finally {
      dir.cleanup();
    }
  });
});
