/**
 * The marks of src/io/special-bytes.ts: one bit per delimiter, LF and CR byte, none elsewhere, and
 * the stop bit at the end — the same from WebAssembly SIMD and from the JavaScript loop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecialBytes } from '../../src/io/special-bytes.js';

/** The marked offsets (relative to `from`) up to and including the stop bit. */
function marked(marks: SpecialBytes, length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= length; i++) if ((marks.bits[i >> 5] >>> (i & 31)) & 1) out.push(i);
  return out;
}

function expected(bytes: Uint8Array, from: number, to: number, delimiter: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (bytes[i] === delimiter || bytes[i] === 10 || bytes[i] === 13) out.push(i - from);
  out.push(to - from);
  return out;
}

describe('SpecialBytes', () => {
  it('marks the delimiter, LF and CR and nothing else, from any start, plus the stop bit', () => {
    // Every byte value, with the special ones at every place in a 32-byte block.
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 37 + (i >> 8)) & 0xff);
    for (const delimiter of [44, 59, 9]) {
      const wasm = new SpecialBytes(delimiter);
      const js = new SpecialBytes(delimiter, true);
      // Node 20 has WebAssembly SIMD: the module must validate, or the reader runs the slow loop.
      expect([wasm.simd, js.simd]).toEqual([true, false]);
      for (const [from, to] of [[0, 3000], [1, 2999], [31, 64], [5, 5], [17, 18], [100, 132], [0, 32]]) {
        wasm.mark(bytes, from, to);
        js.mark(bytes, from, to);
        const want = expected(bytes, from, to, delimiter);
        expect(marked(wasm, to - from), `${delimiter} ${from}..${to}`).toEqual(want);
        expect(marked(js, to - from)).toEqual(want);
      }
    }
  });

  it('random bytes and ranges: both ways agree with a byte-by-byte check', () => {
    const wasm = new SpecialBytes(44);
    const js = new SpecialBytes(44, true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const from = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const to = from + (b % (bytes.length - from + 1));
        // Marks left from a previous call must not leak into this one.
        wasm.mark(Uint8Array.from({ length: 400 }, () => 44), 0, 400);
        wasm.mark(bytes, from, to);
        js.mark(bytes, from, to);
        const want = expected(bytes, from, to, 44);
        expect(marked(wasm, to - from)).toEqual(want);
        expect(marked(js, to - from)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it('grows for a block larger than its memory, and marks it all', () => {
    const marks = new SpecialBytes(44);
    const big = Buffer.alloc(5 << 20, 'a');
    for (const at of [0, 1 << 20, (5 << 20) - 1]) big[at] = 10;
    marks.mark(big, 0, big.length);
    expect(marked(marks, big.length).length).toBe(4);
    expect(marked(marks, big.length)).toEqual([0, 1 << 20, (5 << 20) - 1, 5 << 20]);
  });
});
