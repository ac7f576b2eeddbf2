/**
 * Colour for people: the few paints the tables and charts use, plain when colour is off (piped
 * output, --no-color, NO_COLOR, FORCE_COLOR=0), so no escape codes reach a file or a pipe unless
 * FORCE_COLOR asks for them. chalk is loaded only when colour is on: a piped run (JSON for jq, CSV
 * for a spreadsheet) does not pay its ~7 ms of start-up.
 */
import { PALETTE, type SegmentColor } from './charts.js';

export type Paint = (text: string) => string;
export type Painter = Record<'bold' | 'dim' | SegmentColor, Paint>;

export interface Style {
  color: boolean;
  chalk: Painter;
}

/** chalk's levels: 0 none, 1 basic 16 colours, 2 256 colours, 3 truecolor. */
export type ColorLevel = 0 | 1 | 2 | 3;

const NAMES: (keyof Painter)[] = ['bold', 'dim', ...PALETTE];

const plain = (text: string) => text;
const PLAIN = Object.fromEntries(NAMES.map((name) => [name, plain])) as Painter;

/**
 * The colour level for one stream: --no-color and NO_COLOR (any non-empty value, no-color.org)
 * turn it off; else FORCE_COLOR as chalk reads it (0 or "false" off, 1/2/3 that level, "" or
 * "true" level 1) even when the stream is not a terminal; else basic colour on a terminal only.
 */
export function colorLevel(isTTY: boolean, noColorFlag: boolean, env: NodeJS.ProcessEnv): ColorLevel {
  if (noColorFlag) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === 'false' || force === '0') return 0;
    const level = Number.parseInt(force, 10);
    return Number.isNaN(level) || level < 1 ? 1 : (Math.min(level, 3) as ColorLevel);
  }
  return isTTY ? 1 : 0;
}

export async function makeStyle(level: ColorLevel | boolean): Promise<Style> {
  const chalkLevel = level === true ? 1 : level === false ? 0 : level;
  if (chalkLevel === 0) return { color: false, chalk: PLAIN };
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: chalkLevel });
  return { color: true, chalk: Object.fromEntries(NAMES.map((name) => [name, (text: string) => chalk[name](text)])) as Painter };
}
