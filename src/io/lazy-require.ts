/**
 * A CommonJS package loaded on first use rather than at start-up: papaparse and
 * asciichart serve only some runs (papaparse what the byte reader hands over, asciichart the
 * elbow chart), and importing them up front cost every command ~35 ms.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `() => require(id)`, loaded once, on the first call. */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
