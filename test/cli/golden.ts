/**
 * Golden files: `expectGolden(name, output)` compares output with fixtures/golden/NAME — the one
 * helper for every golden test. A test run never rewrites them: `npm run golden:update`
 * (test/cli/golden-update.mjs) runs the golden tests with RFM_GOLDEN_CAPTURE=DIR, where this helper
 * records the output instead of comparing, then rewrites the files that changed and prints the
 * diff for review before committing. Each golden file is also backed by an independent oracle or a
 * hand check (see the README, Testing).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fixture } from './helpers.js';

export const UPDATE_COMMAND = 'npm run golden:update';

export function expectGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN !== undefined) {
    throw new Error(`UPDATE_GOLDEN is set, but a test run never rewrites golden files: run \`${UPDATE_COMMAND}\`, which rewrites them and prints the diff for review`);
  }
  const capture = process.env.RFM_GOLDEN_CAPTURE;
  if (capture) {
    const path = join(capture, name);
    // Two tests naming one golden file must print the same bytes.
    if (existsSync(path)) expect(actual, `two tests print different output for golden file ${name}`).toBe(readFileSync(path, 'utf8'));
    else writeFileSync(path, actual);
    return;
  }
  const path = fixture('golden', name);
  if (!existsSync(path)) throw new Error(`no golden file ${path}: create it with \`${UPDATE_COMMAND}\` and review it`);
  expect(actual, `output differs from fixtures/golden/${name}; if the change is meant, run \`${UPDATE_COMMAND}\` and review the diff`).toBe(readFileSync(path, 'utf8'));
}
