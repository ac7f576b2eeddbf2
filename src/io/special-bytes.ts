/**
 * Finds the bytes that end an unquoted field — the delimiter, LF and CR — in a block of input, 16
 * bytes per step with WebAssembly SIMD (built into Node), for the byte reader in fast-csv.ts.
 *
 * `mark(buf, from, to)` writes one bit per byte of buf[from, to) into `bits` (32 bytes per Int32:
 * bit b of word w is byte from + 32w + b), plus a stop bit at `to`, so that a search for the next
 * marked byte always ends by `to`. Scanning byte by byte in JavaScript was most of the reader's
 * time (~2 ns a byte on a 94 MB log); marking is ~0.3 ns a byte, and the reader then jumps from one
 * marked byte to the next. Where WebAssembly SIMD is missing, a JavaScript loop writes the same bits.
 */

/** WebAssembly memory pages are 64 KiB. */
const PAGE = 1 << 16;

/**
 * The module, as bytes (WebAssembly binary format; SIMD opcodes are 0xfd + an index). Its one
 * function, in the text format:
 *
 *   (func (export "mark") (param $src i32) (param $len i32) (param $dst i32) (param $delim i32)
 *     (local $end i32) (local $d v128) (local $lf v128) (local $cr v128) (local $v v128)
 *     $d = i8x16.splat($delim); $lf = i8x16.splat(10); $cr = i8x16.splat(13); $end = $src + $len
 *     loop: if $src >= $end: return
 *       i32.store($dst, bitmask(eq($v = load($src), $d) | eq($v, $lf) | eq($v, $cr))
 *                    | bitmask(eq($v = load($src + 16), $d) | eq($v, $lf) | eq($v, $cr)) << 16)
 *       $src += 32; $dst += 4; continue
 *
 * It reads whole 32-byte blocks, up to 31 bytes past $len: callers leave that much room.
 */
function moduleBytes(): Uint8Array {
  const leb = (n: number): number[] => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      out.push(b);
    } while (n !== 0);
    return out;
  };
  const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
  const name = (s: string) => [...leb(s.length), ...Buffer.from(s, 'latin1')];
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const [I32, V128, SIMD] = [0x7f, 0x7b, 0xfd];
  const [LOAD, SPLAT, EQ, OR, BITMASK] = [0x00, 0x0f, 0x23, 0x50, 0x64];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const constant = (n: number) => [0x41, ...leb(n)]; // i32.const (n < 64: one byte)
  const [SRC, LEN, DST, DELIM, END, D, LF, CR, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // The 16-bit mask of the 16 bytes at $src + offset.
  const half = (offset: number) => [
    ...get(SRC), SIMD, LOAD, 0x00, offset, ...tee(V), ...get(D), SIMD, EQ,
    ...get(V), ...get(LF), SIMD, EQ, SIMD, OR,
    ...get(V), ...get(CR), SIMD, EQ, SIMD, OR,
    SIMD, BITMASK,
  ];
  const body = [
    ...vec([[1, I32], [4, V128]]),
    ...get(DELIM), SIMD, SPLAT, ...set(D),
    ...constant(10), SIMD, SPLAT, ...set(LF),
    ...constant(13), SIMD, SPLAT, ...set(CR),
    ...get(SRC), ...get(LEN), 0x6a /* i32.add */, ...set(END),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(SRC), ...get(END), 0x4f /* i32.ge_u */, 0x0d, 1, // br_if out of the block
    ...get(DST),
    ...half(0),
    ...half(16), ...constant(16), 0x74 /* i32.shl */, 0x72 /* i32.or */,
    0x36, 0x02, 0x00, // i32.store (align 4, offset 0)
    ...get(SRC), ...constant(32), 0x6a, ...set(SRC),
    ...get(DST), ...constant(4), 0x6a, ...set(DST),
    0x0c, 0, // br to the loop
    0x0b, 0x0b, 0x0b, // end loop, block, function
  ];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // "\0asm", version 1
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32]]), 0]])), // type: (i32 × 4) → ()
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 1]])), // import memory, ≥ 1 page
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(7, vec([[...name('mark'), 0x00, 0]])), // export it as "mark"
    ...section(10, vec([[...leb(body.length), ...body]])), // its code
  ]);
}

type MarkFunction = (src: number, len: number, dst: number, delimiter: number) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not available. */
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

export class SpecialBytes {
  /** The marks: see the file comment. Valid until the next mark(). */
  bits: Int32Array = new Int32Array(1);
  private memory: WebAssembly.Memory | undefined;
  private wasmMark: MarkFunction | undefined;
  private capacity = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  /** True when the marks come from WebAssembly (false: the JavaScript loop). */
  readonly simd: boolean;

  constructor(
    private readonly delimiter: number,
    /** Use the JavaScript loop even where WebAssembly SIMD is available (tests compare the two). */
    forceJs = false,
  ) {
    const module = forceJs ? null : wasmModule();
    this.simd = module !== null;
    if (module !== null) {
      this.memory = new WebAssembly.Memory({ initial: 1 });
      const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
      this.wasmMark = instance.exports.mark as MarkFunction;
    }
  }

  /** Marks buf[from, to) (see the file comment). */
  mark(buf: Uint8Array, from: number, to: number): void {
    const length = to - from;
    const words = (length >> 5) + 1; // one more for the stop bit
    if (this.wasmMark !== undefined) {
      this.reserve(length);
      this.bytes.set(buf.subarray(from, to));
      this.wasmMark(0, length, this.capacity, this.delimiter);
    } else {
      if (this.bits.length < words) this.bits = new Int32Array(2 * words);
      this.markJs(buf, from, to);
    }
    // Clear what the last block read past the end, and set the stop bit at `to`.
    const bits = this.bits;
    const last = length >> 5;
    const stop = 1 << (length & 31);
    bits[last] = (bits[last] & (stop - 1)) | stop;
  }

  private markJs(buf: Uint8Array, from: number, to: number): void {
    const bits = this.bits;
    const delimiter = this.delimiter;
    for (let w = 0, at = from; at < to; w++, at += 32) {
      let word = 0;
      const end = Math.min(to, at + 32);
      for (let i = at; i < end; i++) {
        const c = buf[i];
        if (c === delimiter || c === 10 || c === 13) word |= 1 << (i - at);
      }
      bits[w] = word;
    }
  }

  /** Room for `length` bytes (+ 32 read past them) and their marks in the WebAssembly memory. */
  private reserve(length: number): void {
    if (length + 32 <= this.capacity) return;
    const memory = this.memory!;
    const capacity = Math.ceil(Math.max(2 * length + 32, 1 << 21) / PAGE) * PAGE;
    const need = capacity + capacity / 8 + PAGE;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    // Growing replaces memory.buffer: the views are made afresh.
    this.capacity = capacity;
    this.bytes = new Uint8Array(memory.buffer, 0, capacity);
    this.bits = new Int32Array(memory.buffer, capacity, capacity / 32 + 1);
  }
}
