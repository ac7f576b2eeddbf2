/**
 * Sorting a million customer ids as steps (core/steps.ts), so that Ctrl-C is seen during the sort
 * too: Array.prototype.sort cannot be paused, and on a million ids it runs for a large part of a
 * second. A stable natural merge sort in code-unit order (the order of `<` on strings): the input's
 * ascending runs (descending ones reversed, short ones extended by insertion to MIN_RUN), then
 * merges of neighbouring runs, pass after pass, with a step after every merge. Ids read from a file
 * are often in some order (1, 2, …, 9, 10, …), which makes few runs and few passes. The result is
 * the order of a stable sort with the comparator (x < y ? -1 : x > y ? 1 : 0): equal ids keep
 * their input order.
 */
import type { Steps } from '../steps.js';

const MIN_RUN = 32;
/** Elements scanned for runs between two steps. */
const SCAN_PER_STEP = 1 << 16;

/** Merges the sorted from[lo, mid) and from[mid, hi) into to[lo, hi); on ties the left one first. */
function merge(keys: readonly string[], from: Int32Array, to: Int32Array, lo: number, mid: number, hi: number): void {
  let left = lo;
  let right = mid;
  let out = lo;
  while (left < mid && right < hi) {
    if (keys[from[right]] < keys[from[left]]) to[out++] = from[right++];
    else to[out++] = from[left++];
  }
  while (left < mid) to[out++] = from[left++];
  while (right < hi) to[out++] = from[right++];
}

/** The end of the run that starts at lo, made ascending (and at least MIN_RUN long when it can be). */
function run(keys: readonly string[], order: Int32Array, lo: number, n: number): number {
  let hi = lo + 1;
  if (hi === n) return hi;
  if (keys[order[hi]] < keys[order[lo]]) {
    // Strictly descending (so that reversing keeps equal ids in order).
    while (hi + 1 < n && keys[order[hi + 1]] < keys[order[hi]]) hi++;
    order.subarray(lo, hi + 1).reverse();
  } else {
    while (hi + 1 < n && !(keys[order[hi + 1]] < keys[order[hi]])) hi++;
  }
  hi++;
  const end = Math.min(Math.max(hi, lo + MIN_RUN), n);
  // Insertion of the rest: each after the equal ones before it.
  for (let i = hi; i < end; i++) {
    const item = order[i];
    const key = keys[item];
    let j = i - 1;
    while (j >= lo && key < keys[order[j]]) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = item;
  }
  return end;
}

/** The permutation that sorts `keys`: keys[order[0]] <= keys[order[1]] <= …, ties in input order. */
export function* sortOrderSteps(keys: readonly string[]): Steps<Int32Array> {
  const n = keys.length;
  let from = new Int32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  let bounds = [0];
  for (let lo = 0, scanned = 0; lo < n; ) {
    const hi = run(keys, from, lo, n);
    bounds.push(hi);
    scanned += hi - lo;
    lo = hi;
    if (scanned >= SCAN_PER_STEP) {
      scanned = 0;
      yield;
    }
  }
  let to = new Int32Array(n);
  while (bounds.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r];
      if (r + 2 < bounds.length) {
        // At most a million ids a merge: some tens of milliseconds.
        merge(keys, from, to, lo, bounds[r + 1], bounds[r + 2]);
        next.push(bounds[r + 2]);
      } else {
        to.set(from.subarray(lo, n), lo);
        next.push(n);
      }
      yield;
    }
    bounds = next;
    [from, to] = [to, from];
  }
  return from;
}
