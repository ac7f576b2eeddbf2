/**
 * A small seeded pseudo-random generator (mulberry32). All randomness in rfm comes from here so
 * that the same seed gives byte-identical models; the global unseeded generator is never used.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** What mulberry32 adds to its state at each draw. */
const STEP = 0x6d2b79f5;

/**
 * The generator of `seed` as it is after `skip` draws (default none): mulberry32's state only
 * advances by a constant per draw, so a stream can be entered anywhere at once. Restarts of
 * k-means that each draw a known number of values use it to take their draws from one stream,
 * in turn, while running on any thread in any order.
 */
export function seededRandom(seed: number, skip = 0): Random {
  let state = (((seed >>> 0) ^ 0x9e3779b9) + Math.imul(skip >>> 0, STEP)) >>> 0;
  const next = (): number => {
    state = (state + STEP) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
