/**
 * What every command needs from the outside world, in one place: the streams, colour, the
 * stderr logger and spinner, format resolution, and opening the input and output.
 * Commands receive a Context and never touch `process` or `console` themselves.
 */
import { extname } from 'node:path';
import type { Ora } from 'ora';
import { usageError } from '../core/errors.js';
import { fileSink, stdoutSink, type Sink } from '../io/output.js';
import type { MachineFormat } from '../io/records.js';
import { openInput, type InputSource } from '../io/source.js';
import { colorLevel, makeStyle, type Style } from '../render/style.js';
import type { TableView } from '../render/table.js';
import { escapeControl, wrapWords } from '../render/text.js';

export type Format = 'table' | MachineFormat;
export const FORMATS: readonly Format[] = ['table', 'csv', 'tsv', 'json', 'ndjson'];
export const MACHINE_FORMATS: readonly MachineFormat[] = ['csv', 'tsv', 'json', 'ndjson'];

/** The format an -o file gets from its extension (without --format). */
const BY_EXTENSION: Record<string, MachineFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

/** Width of a terminal that does not say (a pty whose size is unset). */
const DEFAULT_COLUMNS = 80;

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
  /** Every row of a long table on a terminal (see render/table.ts RowWindow). */
  all?: boolean;
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
  /** How tables on stdout are shown: on a terminal (no -o) they fit its width and long ones are cut. */
  view: TableView;
  /** A progress line on stderr (not with --quiet); a function is called only when it is shown. */
  info(message: string | (() => string)): void;
  warn(message: string): void;
  spinner(text: string): Spinner;
  /**
   * The output format: --format, else by the -o file's extension (an extension the command cannot
   * write is a usage error naming those it can), else table on a terminal, else `piped`.
   */
  format(piped: MachineFormat, writable?: readonly MachineFormat[]): Format;
  /** The input; with no file and a terminal on stdin, a usage error naming `alternative` too. */
  openInput(path: string | undefined, alternative?: { also: string; example: string }): Promise<InputSource>;
  openOutput(): Promise<Sink>;
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
  const noColor = options.color === false;
  const errStyle = await makeStyle(colorLevel(stderr.isTTY === true, noColor, env));
  // A file written with -o is data: never coloured, whatever FORCE_COLOR says.
  const style = await makeStyle(options.output === undefined ? colorLevel(stdout.isTTY === true, noColor, env) : 0);
  const onTerminal = stdout.isTTY === true && options.output === undefined;
  const view: TableView = { width: onTerminal ? stdout.columns || DEFAULT_COLUMNS : undefined, limitRows: onTerminal && options.all !== true };
  const errWidth = stderr.isTTY === true ? stderr.columns || DEFAULT_COLUMNS : undefined;
  const say = (text: string) => {
    const spinning = activeSpinner?.isSpinning;
    if (spinning) activeSpinner!.clear();
    stderr.write(text + '\n');
    if (spinning) activeSpinner!.render();
  };
  // Messages name files, columns and segments: escaped, then wrapped at word boundaries on a terminal.
  const lines = (text: string) => wrapWords(escapeControl(text, false), errWidth, '  ');
  const info = (message: string | (() => string)) => {
    if (!quiet) say(errStyle.chalk.dim(lines(typeof message === 'function' ? message() : message)));
  };
  let resolved: Format | undefined;
  return {
    streams,
    options,
    style,
    errStyle,
    view,
    info,
    warn(message) {
      const label = 'warning:';
      if (!quiet) say(errStyle.chalk.yellow(label) + lines(`${label} ${message}`).slice(label.length));
    },
    spinner(text) {
      if (ora === undefined) return { update: () => undefined, stop: () => undefined };
      // discardStdin: false — ora's default takes over a TTY's stdin, and Ctrl-C became a byte nobody read.
      activeSpinner = ora({ text: escapeControl(text, false), stream: stderr, color: errStyle.color ? 'cyan' : false, isEnabled: true, discardStdin: false }).start();
      const own = activeSpinner;
      return {
        update: (t) => {
          own.text = escapeControl(typeof t === 'function' ? t() : t, false);
        },
        stop: () => {
          own.stop();
          if (activeSpinner === own) activeSpinner = undefined;
        },
      };
    },
    format(piped, writable = MACHINE_FORMATS) {
      resolved ??= resolveFormat(options, stdout, piped, writable, info);
      return resolved;
    },
    async openInput(path, alternative) {
      if ((path === undefined || path === '-') && streams.stdin.isTTY === true) {
        if (alternative !== undefined) throw usageError(`no input: give a file, pipe data, or ${alternative.also}`, `e.g. ${alternative.example}`);
        throw usageError('no input: give a file, or pipe data into stdin', 'e.g. rfm rfm transactions.csv, or rfm clean tx.csv | rfm rfm -');
      }
      return openInput(path, streams.stdin);
    },
    async openOutput() {
      return options.output === undefined ? stdoutSink(stdout) : fileSink(options.output);
    },
  };
}

function resolveFormat(
  options: CommonOptions,
  stdout: NodeJS.WriteStream,
  piped: MachineFormat,
  writable: readonly MachineFormat[],
  info: (message: string) => void,
): Format {
  if (options.format !== undefined) return options.format;
  const file = options.output;
  if (file === undefined) return stdout.isTTY === true ? 'table' : piped;
  const extension = extname(file).toLowerCase();
  if (extension === '') {
    info(`writing ${piped.toUpperCase()} to ${file} (it has no extension: --format chooses another)`);
    return piped;
  }
  const format = BY_EXTENSION[extension];
  if (format === undefined || !writable.includes(format)) {
    const known = Object.keys(BY_EXTENSION).filter((e) => writable.includes(BY_EXTENSION[e]));
    throw usageError(
      `-o ${file}: cannot write ${extension} files${extension === '.xlsx' ? ' (Excel is read, not written)' : ''}`,
      `give a file ending in ${known.slice(0, -1).join(', ')} or ${known[known.length - 1]}, or say which format with --format`,
    );
  }
  return format;
}
