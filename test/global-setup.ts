/** Before any test file: rebuild dist/ once if it is missing or older than src/ (see build-state.ts). */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuild } from './build-state.js';

export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const why = staleBuild(root);
  if (why === null) return;
  console.error(`test setup: ${why}: building with tsc -p tsconfig.json`);
  const tsc = spawnSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`test setup: the build failed (tsc exit ${tsc.status}); the CLI tests would run an old binary`);
}
