/**
 * Colour for people: the few paints the tables and charts use, plain when colour is off (piped
 * output, --no-color, NO_COLOR), so no escape codes ever reach a file or a pipe. chalk is loaded
 * only when colour is on: a piped run (JSON for jq, CSV for a spreadsheet) does not pay its ~7 ms
 * of start-up.
 */
import { PALETTE, type SegmentColor } from './charts.js';

export type Paint = (text: string) => string;
export type Painter = Record<'bold' | 'dim' | SegmentColor, Paint>;

export interface Style {
  color: boolean;
  chalk: Painter;
}

const NAMES: (keyof Painter)[] = ['bold', 'dim', ...PALETTE];

const plain = (text: string) => text;
const PLAIN = Object.fromEntries(NAMES.map((name) => [name, plain])) as Painter;

export async function makeStyle(color: boolean): Promise<Style> {
  if (!color) return { color, chalk: PLAIN };
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { color, chalk: Object.fromEntries(NAMES.map((name) => [name, (text: string) => chalk[name](text)])) as Painter };
}
