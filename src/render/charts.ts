/**
 * Horizontal bar charts drawn with block characters (asciichart draws lines, not bars), labelled
 * with values, fitting the given width (80 columns by default), one colour per segment.
 */
import type { Style } from './style.js';

export interface Bar {
  label: string;
  value: number;
  /** Text shown after the bar, e.g. "1,540 (35.5%)". */
  text: string;
  color?: SegmentColor;
}

/** Every colour a segment can have, in the order clusters without a named colour take them. */
export const PALETTE = ['green', 'cyan', 'yellow', 'red', 'magenta', 'blue', 'greenBright', 'cyanBright', 'yellowBright', 'white'] as const;
export type SegmentColor = (typeof PALETTE)[number];
const NAMED: Record<string, SegmentColor> = {
  'Loyal High-Value': 'green',
  'Potential Loyalists': 'cyan',
  'Occasional Buyers': 'yellow',
  'Churn Risk': 'red',
};

export function segmentColor(name: string, cluster: number): SegmentColor {
  return NAMED[name] ?? PALETTE[cluster % PALETTE.length];
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `cells` character cells, with eighth-block precision. */
export function barOf(fraction: number, cells: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * cells * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export function barChart(title: string, bars: readonly Bar[], style: Style, width = 80): string {
  const labelWidth = Math.min(28, Math.max(...bars.map((b) => b.label.length)));
  const textWidth = Math.max(...bars.map((b) => b.text.length));
  const cells = Math.max(10, width - labelWidth - textWidth - 6);
  const max = Math.max(...bars.map((b) => b.value), 0);
  const lines = [style.chalk.bold(title)];
  for (const b of bars) {
    const label = b.label.length > labelWidth ? b.label.slice(0, labelWidth - 1) + '…' : b.label.padEnd(labelWidth);
    const bar = barOf(max > 0 ? b.value / max : 0, cells);
    const painted = b.color ? style.chalk[b.color](bar) : bar;
    lines.push(`  ${label}  ${painted}${' '.repeat(cells - [...bar].length)}  ${b.text.padStart(textWidth)}`);
  }
  return lines.join('\n') + '\n';
}
