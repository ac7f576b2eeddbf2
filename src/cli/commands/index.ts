/**
 * Every command, in the order --help lists them, each behind a loader: a run loads the modules of
 * the one command it names, not all of them (about 80 ms of a `rfm clv` start-up on this machine);
 * --help, `rfm help` and an unknown name load them all.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';

export type RunWrapper = (action: (ctx: Context) => Promise<void>) => (...args: unknown[]) => Promise<void>;
export type CommandMaker = (run: RunWrapper) => Command;

export const commandLoaders: readonly (readonly [name: string, load: () => Promise<CommandMaker>])[] = [
  ['clean', async () => (await import('./clean.js')).cleanCommand],
  ['rfm', async () => (await import('./rfm.js')).rfmCommand],
  ['inspect', async () => (await import('./inspect.js')).inspectCommand],
  ['elbow', async () => (await import('./elbow.js')).elbowCommand],
  ['fit', async () => (await import('./fit.js')).fitCommand],
  ['relabel', async () => (await import('./relabel.js')).relabelCommand],
  ['segment', async () => (await import('./segment.js')).segmentCommand],
  ['diff', async () => (await import('./diff.js')).diffCommand],
  ['summary', async () => (await import('./summary.js')).summaryCommand],
  ['clv', async () => (await import('./clv.js')).clvCommand],
  ['report', async () => (await import('./report.js')).reportCommand],
  ['sql', async () => (await import('./sql.js')).sqlCommand],
  ['serve', async () => (await import('./serve.js')).serveCommand],
];

/** The makers of the command `name` alone when it is one, else of every command (for help and suggestions). */
export async function commandMakers(name: string | undefined): Promise<CommandMaker[]> {
  const named = commandLoaders.find(([command]) => command === name);
  return Promise.all((named === undefined ? commandLoaders : [named]).map(([, load]) => load()));
}
