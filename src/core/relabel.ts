/**
 * Segment names chosen by people (`rfm fit --labels`, `rfm relabel`): reading a labels object —
 * keys are cluster numbers or, where allowed, the segments' current names — and renaming segments
 * without refitting. The description stays (it states the segment's numbers, which do not change);
 * the suggested action follows the new name where it is one of the vocabulary's, and stays
 * otherwise.
 */
import { usageError } from './errors.js';
import type { ModelSegment } from './model.js';
import { actionFor } from './naming.js';

const EXAMPLE = 'give a JSON object like {"0": "VIP", "Churn Risk": "Lapsed"}';

/**
 * New names by cluster from a parsed labels object for k clusters. `source` starts every message
 * ("--labels labels.json"); `names`, the segments' current names where they are known, are accepted
 * as keys too. Throws a usage error for anything else, naming the key.
 */
export function readLabels(json: unknown, source: string, k: number, names?: readonly string[]): Map<number, string> {
  const byName = names !== undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw usageError(`${source} must be a JSON object (of new names by cluster${byName ? ' or by current name' : ''})`, EXAMPLE);
  }
  const renames = new Map<number, string>();
  for (const [key, value] of Object.entries(json)) {
    let cluster: number;
    if (/^\d+$/.test(key)) {
      cluster = Number(key);
      if (cluster >= k) throw usageError(`${source}: key "${key}" is not a cluster 0..${k - 1}`, byName ? `or use a segment name: ${names.join(', ')}` : undefined);
    } else if (names?.includes(key)) {
      cluster = names.indexOf(key);
    } else {
      throw usageError(
        byName ? `${source}: key "${key}" is neither a cluster 0..${k - 1} nor a segment of this model` : `${source}: key "${key}" is not a cluster 0..${k - 1}`,
        byName ? `the segments are: ${names.map((n, i) => `${i} ${n}`).join(', ')}` : undefined,
      );
    }
    if (typeof value !== 'string' || value.trim() === '') throw usageError(`${source}: the name for cluster ${key} must be a non-empty string`);
    if (renames.has(cluster)) throw usageError(`${source}: cluster ${cluster}${byName ? ` (${names[cluster]})` : ''} is renamed twice`, 'give each cluster one new name');
    renames.set(cluster, value.trim());
  }
  return renames;
}

/** The segments with the new names, and the actions that follow them. */
export function withNames(segments: readonly ModelSegment[], renames: ReadonlyMap<number, string>): ModelSegment[] {
  return segments.map((s) => {
    const name = renames.get(s.cluster);
    return name === undefined ? s : { ...s, name, action: actionFor(name) ?? s.action };
  });
}

/** `withNames`, refusing names that two segments would share. */
export function renameSegments(segments: readonly ModelSegment[], renames: ReadonlyMap<number, string>, source: string): ModelSegment[] {
  const renamed = withNames(segments, renames);
  const names = renamed.map((s) => s.name);
  const duplicate = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (duplicate >= 0) {
    const first = names.indexOf(names[duplicate]);
    throw usageError(`${source}: clusters ${first} and ${duplicate} would both be named "${names[duplicate]}"`, 'give each segment a different name');
  }
  return renamed;
}
