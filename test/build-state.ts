/**
 * Is dist/ built from the current src/? CLI tests run the built binary, so a bare `npx vitest run`
 * after editing src/ would test the old build. The newest file under src/ is compared with the
 * newest under dist/ (tsc rewrites every output on each build). test/global-setup.ts rebuilds
 * once before the workers start; test/cli/helpers.ts refuses to run a stale binary.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The newest file under `dir` (recursively) whose name ends in `suffix`, or null if none. */
export function newestFile(dir: string, suffix: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  if (!existsSync(dir)) return null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestFile(path, suffix) : entry.name.endsWith(suffix) ? { path, mtimeMs: statSync(path).mtimeMs } : null;
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate;
  }
  return newest;
}

/** Why dist/ under `root` cannot be trusted (missing, or older than src/), or null when it can. */
export function staleBuild(root: string): string | null {
  const source = newestFile(join(root, 'src'), '.ts');
  const built = newestFile(join(root, 'dist'), '.js');
  if (!existsSync(join(root, 'dist', 'cli', 'main.js')) || !built) return 'dist/ is missing';
  if (source && source.mtimeMs > built.mtimeMs) {
    return `dist/ is older than src/ (${relative(root, source.path)} changed after the last build)`;
  }
  return null;
}
