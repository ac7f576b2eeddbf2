/**
 * What every command needs from the outside world, in one place: the streams, colour, the
 * stderr logger and spinner, format resolution, and opening the input and output.
 * Commands receive a Context and never touch `process` or `console` themselves.
 */
import type { Ora } from 'ora';
import { usageError } from '../core/errors.js';
import { fileSink, stdoutSink, type Sink } from '../io/output.js';
import { openInput, type InputSource } from '../io/source.js';
import { makeStyle, type Style } from '../render/style.js';

export type Format = 'table' | 'csv' | 'json' | 'ndjson';
export const FORMATS: readonly Format[] = ['table', 'csv', 'json', 'ndjson'];

export interface Streams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CommonOptions {
  format?: Format;
  output?: string;
  quiet?: boolean;
  color?: boolean;
  verbose?: boolean;
}

export interface Spinner {
  /** New text; a function is called only when a spinner is shown (not when piped or quiet). */
  update(text: string | (() => string)): void;
  stop(): void;
}

export interface Context {
  streams: Streams;
  options: CommonOptions;
  /** Style for stdout (colour only on a terminal). */
  style: Style;
  /** Style for stderr messages. */
  errStyle: Style;
  /** A progress line on stderr (not with --quiet); a function is called only when it is shown. */
  info(message: string | (() => string)): void;
  warn(message: string): void;
  spinner(text: string): Spinner;
  /** The output format: --format, else by -o extension, else table on a terminal, else `piped`. */
  format(piped: Exclude<Format, 'table'>): Format;
  openInput(path: string | undefined): Promise<InputSource>;
  openOutput(): Promise<Sink>;
}

/** Colour is on only for a terminal, and never with --no-color or NO_COLOR. */
function colorWanted(stream: NodeJS.WriteStream, options: CommonOptions, env: NodeJS.ProcessEnv): boolean {
  if (options.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

let activeSpinner: Ora | undefined;

/** Stops a running spinner (used on errors and interrupts so the terminal is left clean). */
export function stopActiveSpinner(): void {
  activeSpinner?.stop();
  activeSpinner = undefined;
}

/** ora costs ~20 ms of start-up, so it is loaded only when a spinner can be shown at all. */
export async function makeContext(streams: Streams, options: CommonOptions): Promise<Context> {
  const { stdout, stderr, env } = streams;
  const quiet = options.quiet === true;
  // ora spins forever on a zero-width terminal: only on a real one.
  const spinnerUsable = !quiet && stderr.isTTY === true && (stderr.columns ?? 0) > 0 && env.CI === undefined;
  const ora = spinnerUsable ? (await import('ora')).default : undefined;
  const errStyle = await makeStyle(colorWanted(stderr, options, env));
  const style = await makeStyle(colorWanted(stdout, options, env) && options.output === undefined);
  const say = (text: string) => {
    const spinning = activeSpinner?.isSpinning;
    if (spinning) activeSpinner!.clear();
    stderr.write(text + '\n');
    if (spinning) activeSpinner!.render();
  };
  return {
    streams,
    options,
    style,
    errStyle,
    info(message) {
      if (!quiet) say(errStyle.chalk.dim(typeof message === 'function' ? message() : message));
    },
    warn(message) {
      if (!quiet) say(`${errStyle.chalk.yellow('warning:')} ${message}`);
    },
    spinner(text) {
      if (ora === undefined) return { update: () => undefined, stop: () => undefined };
      activeSpinner = ora({ text, stream: stderr, color: 'cyan', isEnabled: true, discardStdin: false }).start();
      const own = activeSpinner;
      return {
        update: (t) => {
          own.text = typeof t === 'function' ? t() : t;
        },
        stop: () => {
          own.stop();
          if (activeSpinner === own) activeSpinner = undefined;
        },
      };
    },
    format(piped) {
      if (options.format !== undefined) return options.format;
      if (options.output !== undefined) {
        const lower = options.output.toLowerCase();
        if (lower.endsWith('.json')) return 'json';
        if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
        if (lower.endsWith('.csv')) return 'csv';
        return piped;
      }
      return stdout.isTTY === true ? 'table' : piped;
    },
    async openInput(path) {
      if ((path === undefined || path === '-') && streams.stdin.isTTY === true) {
        throw usageError('no input: give a file, or pipe data into stdin', 'e.g. rfm rfm transactions.csv, or rfm clean tx.csv | rfm rfm -');
      }
      return openInput(path, streams.stdin);
    },
    async openOutput() {
      return options.output === undefined ? stdoutSink(stdout) : fileSink(options.output);
    },
  };
}
