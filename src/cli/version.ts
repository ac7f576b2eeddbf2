/** The tool's own name and version, stamped into every model it writes. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const TOOL = { name: 'rfm', version: (require('../../package.json') as { version: string }).version };

/**
 * The model's createdAt: now, or SOURCE_DATE_EPOCH (seconds) when set, the reproducible-builds
 * convention, so that a pipeline can produce byte-identical models.
 */
export function createdAt(env: NodeJS.ProcessEnv): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
  return new Date().toISOString();
}
