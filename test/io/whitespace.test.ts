/**
 * Whitespace-separated text read for a fast sink (src/io/whitespace.ts: lines split on the bytes)
 * must give exactly what the handler's rows() get from the text path: the same header, fields,
 * line numbers and errors, however the bytes are cut into chunks, whatever the line ends, the
 * Unicode whitespace (NBSP, ideographic space: separators in `\s`; U+0085: not) and the encoding,
 * and when the sink asks for a flush after some records (a promise the reading waits for).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutInto, read, type Outcome } from './read-paths.js';

/** The fast outcome with a flush asked for every `flushEvery` records. */
const fastRead = (chunks: Buffer[], flushEvery: number) => read(chunks, true, { flushEvery });

async function expectSame(all: Buffer): Promise<Outcome> {
  const want = await read([all], false);
  for (const flushEvery of [0, 1, 2]) {
    expect(await fastRead([all], flushEvery)).toEqual(want);
    for (let cut = 1; cut < all.length; cut++) {
      const chunks = () => [all.subarray(0, cut), all.subarray(cut)];
      expect(await fastRead(chunks(), flushEvery), `cut at ${cut}, flush every ${flushEvery}`).toEqual(await read(chunks(), false));
    }
  }
  return want;
}

describe('whitespace-separated text: fast sink = rows()', () => {
  it.each([
    ['CDNOW', ' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n'],
    ['LF, tabs and runs of spaces', 'id date  amount\n1 \t 2011-01-01\t\t5\n\n2  2011-01-02 6'],
    ['bare CR line ends and blank lines', 'a b\r1 2\r\r3 4\r'],
    ['mixed line ends', 'a b\n1 2\r\n3 4\r5 6\n\r\n7 8'],
    ['vertical tab and form feed separate', 'a b c\n1\u000b2\u000c3\n'],
    ['NBSP and ideographic space separate, U+0085 does not', 'a b\n1\u00a02\n3\u30004\n5\u00856 7\n\u00a0 8 9 \u00a0\n'],
    ['fields that are not numbers, quotes kept as text', 'id amount\n"7" 1,5\ncaf\u00e9 -3\n'],
    ['wrong field counts are passed on', 'a b c\n1 2\n1 2 3 4\n'],
    ['only a header', ' a  b \n'],
    ['empty after the header lines', 'a b\n   \n\t\n'],
  ])('%s', async (_name, text) => {
    const want = await expectSame(Buffer.from(text, 'utf8'));
    expect(want).toMatchObject({ delimiter: 'whitespace' });
  });

  it('a blank first line: the same error both ways', async () => {
    expect(await expectSame(Buffer.from('\n \n a b\n1 2\n'))).toMatchObject({ kind: 'input' });
  });

  it('the fast sink gets the records (the path under test is taken)', async () => {
    const stats = { fastRecords: 0 };
    const outcome = await read([Buffer.from('a b\n1 2\n3 4\n')], true, { stats });
    expect(outcome).toMatchObject({ rows: [[2, '1', '2'], [3, '3', '4']] });
    expect(stats.fastRecords).toBe(2);
  });

  it('latin1 input (not UTF-8) and NUL bytes: the same fields and errors', async () => {
    await expectSame(Buffer.concat([Buffer.from('id amount\n1 caf'), Buffer.from([0xe9, 0x20, 0x35, 0x0a, 0x32, 0xa0, 0x33, 0x0a])]));
    const nul = await expectSame(Buffer.from('a b\n1 2\n3 \u0000\n'));
    expect(nul).toMatchObject({ kind: 'input' });
  });

  it('random inputs, cut into random chunks, with flushes asked for', async () => {
    const alphabet = ['a', '1', '.', ' ', '  ', '\t', '\n', '\r\n', '\r', '\u00a0', '\u0085', '\u00e9', '\u3000', '"'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(' h1  h2 h3\n', 'a b\r\n', '', '\n\nx\r'),
        fc.array(fc.constantFrom(...alphabet), { maxLength: 50 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 3 }),
        async (header, tokens, sizes, flushEvery) => {
          const all = Buffer.from(header + tokens.join(''), 'utf8');
          const chunks = () => cutInto(all, sizes);
          expect(await fastRead(chunks(), flushEvery)).toEqual(await read(chunks(), false));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
