/** Commands beyond clean and rfm, registered in the order --help lists them. */
import type { Command } from 'commander';
import type { Context } from '../context.js';

export type RunWrapper = (action: (ctx: Context) => Promise<void>) => (...args: unknown[]) => Promise<void>;
export const commandList: ((run: RunWrapper) => Command)[] = [];
