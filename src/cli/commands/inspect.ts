/**
 * rfm inspect <file> — what reading FILE would decide, from its header and first rows: delimiter,
 * encoding, header, export layout, the role of each column and where that came from, the value
 * layouts and the rules that apply. A table on a terminal, JSON when piped.
 */
import { Command } from 'commander';
import { describeInput } from '../../io/describe.js';
import { withSink } from '../../io/output.js';
import { inspectText } from '../../render/inspect.js';
import type { Context } from '../context.js';
import { addCommonOptions, addInputOptions, loadOptions, type RawInputOptions } from '../options.js';
import type { RunWrapper } from './index.js';

export function inspectCommand(run: RunWrapper): Command {
  const command = new Command('inspect')
    .description('show how a file will be read: delimiter, encoding, header, layout, columns, rules')
    .argument('[input]', 'transaction log or RFM table (CSV, .gz, .xlsx); - or nothing for stdin');
  addInputOptions(command);
  addCommonOptions(command, ['table', 'json']);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm inspect orders_export.csv --format json | jq -r .layout
  Shopify orders export`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const [input] = command.args;
      const raw = command.opts<RawInputOptions>();
      const options = loadOptions(raw);
      const source = await ctx.openInput(input);
      const description = await describeInput(source, {
        ...options,
      });
      const format = ctx.format('json');
      await withSink(await ctx.openOutput(), async (out) => {
        if (format === 'table') await out.write(inspectText(description, ctx.style, ctx.view));
        else await out.write(JSON.stringify(description, null, 2) + '\n');
      });
    }),
  );
}
