/** The stale-build check behind test/global-setup.ts and helpers.ts assertBuilt (issue 19). */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staleBuild } from './build-state.js';
import { tempDir } from './cli/helpers.js';

const tmp = tempDir('rfm-build-state-');
afterAll(() => tmp.cleanup());

/** A project with src/cli/main.ts written at `sourceAt` and dist/cli/main.js at `builtAt` (seconds). */
function project(name: string, sourceAt: number, builtAt: number | null): string {
  const root = tmp.path(name);
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), '');
  writeFileSync(join(root, 'src', 'old.ts'), '');
  utimesSync(join(root, 'src', 'old.ts'), 1_000, 1_000);
  utimesSync(join(root, 'src', 'cli', 'main.ts'), sourceAt, sourceAt);
  if (builtAt !== null) {
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), '');
    utimesSync(join(root, 'dist', 'cli', 'main.js'), builtAt, builtAt);
  }
  return root;
}

describe('staleBuild', () => {
  it('trusts a dist/ built after the last change to src/', () => {
    expect(staleBuild(project('fresh', 2_000, 3_000))).toBeNull();
  });

  it('names the source file changed after the build, found however deep it is', () => {
    expect(staleBuild(project('stale', 4_000, 3_000))).toBe('dist/ is older than src/ (src/cli/main.ts changed after the last build)');
  });

  it('reports a missing dist/', () => {
    expect(staleBuild(project('unbuilt', 2_000, null))).toBe('dist/ is missing');
  });
});
