/**
 * Horizontal bar charts drawn with block characters (asciichart draws lines, not bars), labelled
 * with values, fitting the given width (80 columns by default), one colour per segment.
 */
import type { Style } from './style.js';
import { displayWidth, escapeControl, pad, truncate } from './text.js';

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
  // Labels are segment names from a model file: escaped, and measured in terminal cells.
  const labels = bars.map((b) => escapeControl(b.label, false));
  const labelWidth = Math.min(28, Math.max(...labels.map(displayWidth)));
  const textWidth = Math.max(...bars.map((b) => b.text.length));
  const cells = Math.max(10, width - labelWidth - textWidth - 6);
  const max = Math.max(...bars.map((b) => b.value), 0);
  const lines = [style.chalk.bold(title)];
  for (const [i, b] of bars.entries()) {
    const label = pad(truncate(labels[i], labelWidth), labelWidth, 'left');
    const bar = barOf(max > 0 ? b.value / max : 0, cells);
    const painted = b.color ? style.chalk[b.color](bar) : bar;
    lines.push(`  ${label}  ${painted}${' '.repeat(cells - [...bar].length)}  ${b.text.padStart(textWidth)}`);
  }
  return lines.join('\n') + '\n';
}
