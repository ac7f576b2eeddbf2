/**
 * Colour for people: a chalk instance that is plain when colour is off (piped output, --no-color,
 * NO_COLOR), so no escape codes ever reach a file or a pipe.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  color: boolean;
  chalk: ChalkInstance;
}

export function makeStyle(color: boolean): Style {
  return { color, chalk: new Chalk({ level: color ? 1 : 0 }) };
}
