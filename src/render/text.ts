/**
 * Text for a terminal: control characters shown escaped, widths in terminal cells, truncation and
 * word wrapping. Every table, chart, heading and stderr message passes file- and model-derived text
 * through `escapeControl` before painting it, so a segment name or column name holding an escape
 * sequence is shown as `\x1b[31m` instead of recolouring (or rewriting) the user's terminal.
 */

// C0 controls but tab and newline, DEL, and C1 controls (0x80-0x9f: a lone 0x9b is a CSI too).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * `text` with every control character written as `\xNN`. Tab and newline are kept unless
 * `keepNewlines` is false (a table cell or a one-line message cannot hold a line break).
 */
export function escapeControl(text: string, keepNewlines = true): string {
  return text.replace(keepNewlines ? CONTROL : ANY_CONTROL, (c) => (c === '\t' && !keepNewlines ? ' ' : hex(c)));
}

/** Display cells of one code point: 2 for East Asian wide and emoji, 0 for combining marks. */
function cells(code: number): number {
  if (code < 0x300) return 1;
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Width of unpainted text in terminal cells (escape text first: control characters count as 1). */
export function displayWidth(text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x300) {
      width++;
      continue;
    }
    const point = text.codePointAt(i)!;
    if (point > 0xffff) i++;
    width += cells(point);
  }
  return width;
}

/** `text` cut to at most `width` cells, ending in "…" when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = cells(char.codePointAt(0)!);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return out.trimEnd() + '…';
}

/** `text` padded with spaces to `width` cells, on the right (left-aligned) or on the left. */
export function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/**
 * Unpainted `text` broken at spaces into lines of at most `width` cells; later lines start with
 * `indent`. A word longer than a line stays whole on its own line (a path is not cut in two).
 */
export function wrapWords(text: string, width: number | undefined, indent = ''): string {
  if (width === undefined || displayWidth(text) <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    const prefix = lines.length === 0 ? '' : indent;
    if (line !== '' && displayWidth(prefix + candidate) > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = candidate;
    }
  }
  lines.push((lines.length === 0 ? '' : indent) + line);
  return lines.join('\n');
}
