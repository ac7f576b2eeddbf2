/**
 * The customer-id sort as steps (core/clv/sort.ts): the order of a stable Array.prototype.sort with
 * the comparator it replaces, for any strings (ties, presorted and reversed input, code units beyond
 * ASCII), and a step after every merge, so that a million ids can be interrupted mid-sort.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortOrderSteps } from '../../../src/core/clv/index.js';
import { runSteps, type Steps } from '../../../src/core/steps.js';

const byCodeUnits = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The built-in stable sort's permutation: indices of equal keys stay ascending. */
function builtinOrder(keys: readonly string[]): number[] {
  return keys.map((_, i) => i).sort((i, j) => byCodeUnits(keys[i], keys[j]));
}

function countSteps<T>(steps: Steps<T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return { value: step.value, yields };
    yields++;
  }
}

describe('sortOrderSteps', () => {
  it('gives the built-in stable sort`s permutation for any strings (many ties from a small alphabet)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom('a', 'b', 'B', '1', '10', 'é', '\u{1F600}'), { maxLength: 3 }).map((parts) => parts.join('')), { maxLength: 300 }), (keys) => {
        expect(Array.from(runSteps(sortOrderSteps(keys)))).toEqual(builtinOrder(keys));
      }),
      { numRuns: 2_000 },
    );
  });

  it('long inputs: sorted, reversed, with equal runs, shuffled, and ids 1..n (whose text order is not their number order)', () => {
    const n = 20_000;
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const cases = {
      sorted: Array.from({ length: n }, (_, i) => `c${String(i).padStart(6, '0')}`),
      reversed: Array.from({ length: n }, (_, i) => `c${String(n - i).padStart(6, '0')}`),
      // Descending with ties: a reversal must keep equal ids in input order.
      descendingTies: Array.from({ length: n }, (_, i) => String(Math.floor((n - i) / 3))),
      shuffled: Array.from({ length: n }, () => String(Math.floor(random() * 5_000))),
      numbered: Array.from({ length: n }, (_, i) => String(i + 1)),
    };
    for (const keys of Object.values(cases)) expect(Array.from(runSteps(sortOrderSteps(keys)))).toEqual(builtinOrder(keys));
  });

  it('yields between the merges: 200,000 shuffled ids take more than one step per merge pass', () => {
    let seed = 11;
    const keys = Array.from({ length: 200_000 }, () => `id${(seed = (Math.imul(seed, 48271) + 1) >>> 0) % 1_000_003}`);
    const { value, yields } = countSteps(sortOrderSteps(keys));
    // Runs of 32 give 6,250 runs and 13 merge passes: a step after every merge, so thousands.
    expect(yields).toBeGreaterThan(6_000);
    expect(Array.from(value)).toEqual(builtinOrder(keys));
  });
});
