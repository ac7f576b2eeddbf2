/**
 * Golden files: compare output with fixtures/golden/NAME. `UPDATE_GOLDEN=1 npx vitest run …`
 * rewrites them — deliberately, and the diff is reviewed before committing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fixture } from './helpers.js';

export function expectGolden(name: string, actual: string): void {
  const path = fixture('golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file ${path} is missing: run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
