/**
 * The text encoding of an input, decided once before any of its text is used (EXPORTS-SPEC.md
 * "Values"): an input that is not valid UTF-8 anywhere is latin1 from its first byte, so that one
 * customer never gets two spellings (`José` from the UTF-8 part, `JosÃ©` from the rest).
 *
 * Deciding costs nothing while the bytes are ASCII, which both encodings read the same: chunks
 * pass through with one isAscii() each (as fast as the isUtf8() the fast reader did per chunk
 * before). At the first chunk that is not ASCII, the rest of the input is validated before that
 * chunk is handed on: a plain file by reading ahead to its end with positional reads (its own
 * position, and so the reader's, is not moved); stdin and .gz by spooling the rest to a temporary
 * file while validating it, then reading that file back. The temporary file is unlinked as soon as
 * it is created (only its open descriptor keeps it), so nothing is left behind even on a crash.
 * Memory stays bounded by one chunk either way.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { unlinkedTempFile } from './temp-file.js';
import type { EncodingName } from './value-layouts.js';

const EMPTY: Buffer = Buffer.alloc(0);

/** One input's decision, shared by the byte source and the decoders (source.ts, fast-csv.ts). */
export class EncodingDecision {
  /** Set once a byte that is not ASCII was seen: from then on `latin1` is final. */
  decided = false;
  /** The input is not valid UTF-8 (somewhere): read it all as latin1. */
  latin1 = false;
  /** Set by the decoder when the input is UTF-16 (byte-order mark or zero bytes). */
  utf16: 'utf-16le' | 'utf-16be' | undefined;

  get name(): EncodingName {
    return this.utf16 ?? (this.latin1 ? 'latin1' : 'utf-8');
  }
}

/**
 * Streaming UTF-8 validation chunk by chunk (isUtf8 per chunk; a sequence cut by the end of a
 * chunk is completed by the next one).
 */
export class Utf8Tracker {
  private pending: Buffer = EMPTY;

  /** False when the chunk (with the bytes pending from the last one) is not valid UTF-8. */
  accept(chunk: Buffer): boolean {
    let data = chunk;
    if (this.pending.length > 0) {
      const lead = this.pending[0];
      const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
      const need = Math.min(length - this.pending.length, chunk.length);
      const joined = Buffer.concat([this.pending, chunk.subarray(0, need)]);
      data = chunk.subarray(need);
      if (joined.length < length) {
        this.pending = joined;
        return true;
      }
      this.pending = EMPTY;
      if (!isUtf8(joined)) return false;
    }
    const complete = completeUtf8Length(data);
    if (!isUtf8(data.subarray(0, complete))) return false;
    this.pending = Buffer.from(data.subarray(complete));
    return true;
  }

  /** At the end of the input: false when it stops inside a sequence. */
  end(): boolean {
    return this.pending.length === 0;
  }
}

/** Length of `buf` without a trailing multi-byte sequence that the next chunk may complete. */
export function completeUtf8Length(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead
    const length = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? n - back : n;
  }
  return n;
}

const VALIDATE_CHUNK = 1 << 20;

/**
 * For a plain file whose bytes up to `chunk` were ASCII: decides from `chunk` and everything after
 * it, read with positional reads from `position` (the offset just after `chunk`).
 */
export async function decideFromFile(decision: EncodingDecision, chunk: Buffer, handle: FileHandle | undefined, position: number): Promise<void> {
  const tracker = new Utf8Tracker();
  let valid = tracker.accept(chunk);
  const buffer = Buffer.allocUnsafe(handle === undefined ? 0 : VALIDATE_CHUNK);
  for (let at = position; valid && handle !== undefined; ) {
    const { bytesRead } = await handle.read(buffer, 0, VALIDATE_CHUNK, at);
    if (bytesRead === 0) break;
    at += bytesRead;
    valid = tracker.accept(buffer.subarray(0, bytesRead));
  }
  decision.decided = true;
  decision.latin1 = !(valid && tracker.end());
}

/**
 * Chunks of a stream (stdin, a gunzip) that decide the encoding before handing on the first chunk
 * that is not ASCII: from there on, the rest is spooled to an unlinked temporary file while it is
 * validated, and read back from it.
 */
export async function* decidingChunks(chunks: AsyncIterable<Buffer>, decision: EncodingDecision): AsyncGenerator<Buffer> {
  const it = chunks[Symbol.asyncIterator]();
  for (;;) {
    const next = await it.next();
    if (next.done) return;
    const chunk = next.value;
    if (decision.decided || isAscii(chunk)) {
      yield chunk;
      continue;
    }
    const spool = await unlinkedTempFile('rfm-spool-');
    try {
      const tracker = new Utf8Tracker();
      let valid = tracker.accept(chunk);
      let size = 0;
      for (let piece: Buffer | undefined = chunk; piece !== undefined; ) {
        await spool.write(piece, 0, piece.length, size);
        size += piece.length;
        const more = await it.next();
        piece = more.done ? undefined : more.value;
        if (piece !== undefined && valid) valid = tracker.accept(piece);
      }
      decision.decided = true;
      decision.latin1 = !(valid && tracker.end());
      for (let at = 0; at < size; ) {
        const buffer = Buffer.allocUnsafe(Math.min(VALIDATE_CHUNK, size - at));
        const { bytesRead } = await spool.read(buffer, 0, buffer.length, at);
        if (bytesRead === 0) break;
        at += bytesRead;
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      await spool.close();
    }
    return;
  }
}
