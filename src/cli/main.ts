/**
 * Entry point: builds the commander program, runs one command, and is the one place that turns
 * errors into messages and exit codes (usage 2, input/IO 3, data 4, model 5, internal 1,
 * interrupted 130, or 143 for SIGTERM). A closed stdout (`| head`) ends quietly with 0.
 */
import { Command, CommanderError } from 'commander';
import { RfmError, type ErrorKind } from '../core/errors.js';
import { afterFileOperations, committedFile, removePendingTempFiles, writeError } from '../io/output.js';
import { escapeControl } from '../render/text.js';
import { makeContext, stopActiveSpinner, type CommonOptions, type Context, type Streams } from './context.js';
import { commandMakers } from './commands/index.js';
import { delegateShutdown, requestStop, type ShutdownSignal } from './shutdown.js';
import { TOOL } from './version.js';

const EXIT_CODES: Record<ErrorKind, number> = { usage: 2, input: 3, data: 4, model: 5, internal: 1, interrupted: 130 };


const streams: Streams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
const argv = process.argv.slice(2);
const wantsJsonErrors = argv.some((a, i) => a === '--errors=json' || (a === '--errors' && argv[i + 1] === 'json'));
const verbose = argv.includes('--verbose');

function toRfmError(error: unknown): RfmError {
  if (error instanceof RfmError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RfmError('internal', `internal error: ${message}`, {
    hint: 'this is a bug in rfm: please report it with the command you ran (add --verbose for the stack trace)',
    cause: error,
  });
}

/** Messages are one line: a line break inside one (a quoted value, a library's message) is shown as a space. */
// Other control characters (from a binary file read as text) would garble the terminal: escaped.
const oneLine = (text: string) => escapeControl(text.replace(/\s*[\r\n]+\s*/g, ' '));

/**
 * The message with its location: `FILE:LINE:COLUMN: message`, or, when the message names the file
 * itself, FILE there becomes FILE:LINE:COLUMN (unless the message already says which line).
 */
function located(error: RfmError): string {
  const { file, line, column, message } = error;
  if (file === undefined) return message;
  const where = [file, line, column].filter((p) => p !== undefined).join(':');
  if (!message.includes(file)) return `${where}: ${message}`;
  if (line === undefined || message.includes(`line ${line}`)) return message;
  return message.replace(file, () => where);
}

function report(error: RfmError): void {
  stopActiveSpinner();
  error = new RfmError(error.kind, oneLine(error.message), {
    hint: error.hint === undefined ? undefined : oneLine(error.hint),
    file: error.file,
    line: error.line,
    column: error.column,
    cause: error.cause,
  });
  if (wantsJsonErrors) {
    const { kind, message, hint, file, line, column } = error;
    streams.stderr.write(JSON.stringify({ code: EXIT_CODES[kind], kind, message, hint: hint ?? null, file: file ?? null, line: line ?? null, column: column ?? null }) + '\n');
    return;
  }
  streams.stderr.write(`rfm: error: ${located(error)}${error.hint ? `; ${error.hint}` : ''}\n`);
  if (verbose && error.kind === 'internal' && error.cause instanceof Error && error.cause.stack) {
    streams.stderr.write(error.cause.stack + '\n');
  }
}

function exit(code: number): never {
  process.exit(code);
}

/** Wraps a command action: builds its context from its options, and lets errors reach main. */
function run(this: void, action: (ctx: Context) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.opts<CommonOptions>();
    await action(await makeContext(streams, options));
  };
}

/** The program with the command that argv names (or, when it names none, every command). */
export async function buildProgram(): Promise<Command> {
  const program = new Command('rfm')
    .description('Customer segmentation from a transaction log: clean, RFM, elbow, k-means, named segments')
    .version(TOOL.version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      outputError: () => undefined,
    });
  program.addHelpText(
    'after',
    `
Example:
  $ rfm fit transactions.csv        # clean, aggregate, fit k=4, save rfm-model.json
  $ rfm segment --recency 15 --frequency 2 --monetary 800
  {"cluster":1,"segment":"Potential Loyalists"}

Exit codes: 0 ok, 2 usage, 3 input/IO, 4 data, 5 model, 1 internal error, 130 interrupted (143 SIGTERM).`,
  );
  for (const make of await commandMakers(argv[0])) {
    program.addCommand(make(run).exitOverride().configureOutput({ outputError: () => undefined }));
  }
  return program;
}

/** Set by the first signal. */
let stopping = false;

/**
 * Ctrl-C, SIGINT, SIGTERM: stop now. The rename of the result is the commit point — while one is
 * under way the exit waits for it (milliseconds); after it the result is in place and the run
 * ends with 0, before it the old file is untouched and the exit is 130 (SIGINT) or 143 (SIGTERM),
 * as shells report a process killed by them. Temp files are removed either way.
 */
function onSignal(signal: ShutdownSignal): void {
  if (delegateShutdown(signal)) return; // a command (rfm serve) stops gracefully itself
  requestStop(signal);
  // A second signal while the first waits for a file operation (a rename on a hung network
  // disk, say) does not wait: the user asked twice.
  const waitForFiles = stopping ? (then: () => void) => then() : afterFileOperations;
  stopping = true;
  waitForFiles(() => {
    stopActiveSpinner();
    removePendingTempFiles();
    const done = committedFile();
    if (done !== undefined) {
      streams.stderr.write(`rfm: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} after ${done} was written in full; stopped there\n`);
      exit(0);
    }
    report(new RfmError('interrupted', signal === 'SIGINT' ? 'interrupted' : 'terminated (SIGTERM)'));
    exit(signal === 'SIGINT' ? 130 : 143);
  });
}

async function main(): Promise<void> {
  streams.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    report(writeError(error, 'stdout'));
    exit(3);
  });
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const program = await buildProgram();
  if (argv.length === 0) {
    program.outputHelp();
    exit(2);
  }
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) exit(0);
      const message = error.message.replace(/^error: /, '').replace(/\.$/, '');
      report(new RfmError('usage', message, { hint: 'see rfm --help, or rfm <command> --help' }));
      exit(2);
    }
    // A closed stdout can also surface as a failed write (a synchronous stream): quiet, like the event.
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') exit(0);
    const rfmError = toRfmError(error);
    report(rfmError);
    exit(EXIT_CODES[rfmError.kind]);
  }
  // Let stdout drain before exiting: a pending write must reach a pipe.
  streams.stdout.write('', () => exit(0));
}

void main();
