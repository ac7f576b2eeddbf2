/**
 * rfm clean <tx> — applies the cleaning rules and writes the kept transactions, columns as read.
 * The per-rule drop counts go to stderr and, with --report FILE, into a JSON file.
 */
import { Command } from 'commander';
import { dataError } from '../../core/errors.js';
import { isRfmHeader } from '../../io/columns.js';
import { delimitedLine, type Cell, type Column } from '../../io/records.js';
import { readTable } from '../../io/table.js';
import { nothingKeptError, transactionScanner } from '../../io/transactions.js';
import { withSink } from '../../io/output.js';
import { formatInt } from '../../render/numbers.js';
import { renderWindow, RowWindow } from '../../render/table.js';
import { valueNote } from '../../render/value-note.js';
import type { Context } from '../context.js';
import { announceDrops, cleaningSummary, writeReport } from '../load.js';
import { dropWarnings } from '../../io/drop-warnings.js';
import { addCommonOptions, addInputOptions, loadOptions, type RawInputOptions } from '../options.js';

export function cleanCommand(run: (action: (ctx: Context) => Promise<void>) => (...args: unknown[]) => Promise<void>): Command {
  const command = new Command('clean')
    .description('apply the cleaning rules and write the kept transactions')
    .argument('[input]', 'transaction log (CSV, .gz, .xlsx); - or nothing for stdin')
    .option('--report <file>', 'also write the per-rule drop counts as JSON to FILE');
  addInputOptions(command);
  addCommonOptions(command);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm clean online_retail_II.csv -o clean.csv --report drops.json
  read 1,067,371 rows from online_retail_II.csv, kept 805,549; dropped: no customer id 243,007 · ...`,
  );
  return command.action(
    run(async (ctx) => {
      const [input] = command.args;
      const raw = command.opts<RawInputOptions & { report?: string }>();
      const options = loadOptions(raw);
      const format = ctx.format('csv');
      const source = await ctx.openInput(input);
      const sink = await ctx.openOutput();
      const spinner = ctx.spinner(`cleaning ${source.name}`);
      options.onProgress = (rows) => spinner.update(() => `cleaning ${source.name}: ${formatInt(rows)} rows`);
      let header: string[] = [];
      let pending: string[] = [];
      // On a terminal: the first rows of a long log (all with --all, or when it is short).
      const preview = new RowWindow<string[]>(ctx.view.limitRows);
      // --as-of: rows after the as-of instant are left out of the cleaned log too (as rfm does).
      let afterAsOf = 0;
      const scanner = transactionScanner(source, options, (fields, parsed) => {
        if (options.asOf !== undefined && parsed.time > options.asOf) {
          afterAsOf++;
          return;
        }
        if (format === 'table') {
          preview.push(fields);
        } else if (format === 'csv' || format === 'tsv') {
          pending.push(delimitedLine(format, fields));
        } else {
          const record: Record<string, string> = {};
          header.forEach((h, i) => (record[h] = fields[i]));
          pending.push(JSON.stringify(record) + (format === 'ndjson' ? '\n' : ''));
        }
      });
      let first = true;
      const flush = async () => {
        if (pending.length === 0) return;
        if (format === 'json') {
          await sink.write((first ? '[\n' : ',\n') + pending.join(',\n'));
          first = false;
        } else {
          await sink.write(pending.join(''));
        }
        pending = [];
      };
      await withSink(sink, async () => {
        // Batches are written as they are cleaned, and reading waits for the writer: the log never
        // sits in memory.
        await readTable(
          source,
          {
            header(fields, delimiter) {
              if (isRfmHeader(fields) && raw.inputKind !== 'transactions') {
                throw dataError(`${source.name} is already an RFM table, not a transaction log`, {
                  file: source.name,
                  line: 1,
                  hint: 'clean takes the raw transactions; pass an RFM table straight to fit or segment',
                });
              }
              scanner.header(fields, delimiter);
              header = fields;
              if (format === 'csv' || format === 'tsv') pending.push(delimitedLine(format, fields));
            },
            rows(rows, lines) {
              scanner.rows(rows, lines);
              return flush();
            },
          },
          { sheet: raw.sheet, names: options.names },
        );
        await flush();
        spinner.stop();
        const report = scanner.report();
        report.dropped.after_as_of = afterAsOf;
        report.rowsKept -= afterAsOf;
        const notice = scanner.mapping().notice;
        if (notice !== undefined) ctx.info(notice);
        if (report.rowsKept === 0) throw nothingKeptError(report);
        const warnings = dropWarnings(report, scanner.firstBad());
        // With --strict, -o FILE is then never renamed into place; stdout may have had rows already.
        if (raw.strict === true) announceDrops(ctx, source.name, warnings, true);
        if (format === 'json') await sink.write(first ? '[]\n' : '\n]\n');
        if (format === 'table') {
          const columns: Column<string[]>[] = header.map((h, i) => ({ header: h, value: (r: string[]): Cell => r[i] }));
          await sink.write(renderWindow(columns, preview, ctx.style, ctx.view));
        }
        const note = valueNote(scanner.layouts());
        if (note !== undefined) ctx.info(note);
        ctx.info(cleaningSummary(report));
        announceDrops(ctx, source.name, warnings, false);
        if (raw.report !== undefined) await writeReport(raw.report, report);
      });
    }),
  );
}
