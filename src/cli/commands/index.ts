/** Commands beyond clean and rfm, registered in the order --help lists them. */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { clvCommand } from './clv.js';
import { diffCommand } from './diff.js';
import { elbowCommand } from './elbow.js';
import { fitCommand } from './fit.js';
import { inspectCommand } from './inspect.js';
import { relabelCommand } from './relabel.js';
import { reportCommand } from './report.js';
import { segmentCommand } from './segment.js';
import { serveCommand } from './serve.js';
import { sqlCommand } from './sql.js';
import { summaryCommand } from './summary.js';

export type RunWrapper = (action: (ctx: Context) => Promise<void>) => (...args: unknown[]) => Promise<void>;
export const commandList: ((run: RunWrapper) => Command)[] = [inspectCommand, elbowCommand, fitCommand, relabelCommand, segmentCommand, diffCommand, summaryCommand, clvCommand, reportCommand, sqlCommand, serveCommand];
