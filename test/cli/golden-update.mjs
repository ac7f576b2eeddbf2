#!/usr/bin/env node
/**
 * `npm run golden:update`: the one way golden files are rewritten. Builds, runs every test file
 * that calls expectGolden with RFM_GOLDEN_CAPTURE set (the helper records the output there instead
 * of comparing), then rewrites each fixtures/golden file whose output changed and prints its diff.
 * Nothing is written if a test fails. Review the diff (git diff fixtures/golden) before committing;
 * test/cli/oracle.test.ts then checks the new numbers against the independent oracle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GOLDEN = join(ROOT, 'fixtures', 'golden');

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') && readFileSync(path, 'utf8').includes('expectGolden(') ? [relative(ROOT, path)] : [];
  });
}

const run = (command, args, env = process.env) => spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' }).status;

const capture = mkdtempSync(join(tmpdir(), 'rfm-golden-'));
try {
  if (run('npx', ['tsc', '-p', 'tsconfig.json']) !== 0) throw new Error('the build failed');
  const files = testFiles(join(ROOT, 'test')).filter((f) => f !== 'test/cli/golden.test.ts');
  console.error(`golden:update: running ${files.join(' ')}`);
  const env = { ...process.env, RFM_GOLDEN_CAPTURE: capture };
  delete env.UPDATE_GOLDEN;
  if (run('npx', ['vitest', 'run', ...files], env) !== 0) throw new Error('a golden test failed: nothing was rewritten');
  let changed = 0;
  for (const name of readdirSync(capture).sort()) {
    const fresh = readFileSync(join(capture, name), 'utf8');
    const target = join(GOLDEN, name);
    if (existsSync(target) && readFileSync(target, 'utf8') === fresh) continue;
    changed++;
    if (existsSync(target)) run('diff', ['-u', `--label=a/fixtures/golden/${name}`, `--label=b/fixtures/golden/${name}`, target, join(capture, name)]);
    else console.log(`new golden file fixtures/golden/${name}:\n${fresh}`);
    writeFileSync(target, fresh);
  }
  console.error(
    changed === 0
      ? 'golden:update: every golden file is up to date'
      : `golden:update: rewrote ${changed} golden file(s), diff above; review it (git diff fixtures/golden), run npm test, then commit`,
  );
} catch (error) {
  console.error(`golden:update: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(capture, { recursive: true, force: true });
}
