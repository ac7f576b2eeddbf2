/** Reading customers for a command, with a progress spinner and the cleaning summary on stderr. */
import { RULE_DESCRIPTIONS, type CleaningReport, type DropRule } from '../core/clean.js';
import { loadCustomers, type LoadedCustomers, type LoadOptions } from '../io/customers.js';
import { fileSink, withSink } from '../io/output.js';
import { formatInt } from '../render/numbers.js';
import type { Context } from './context.js';
import { loadOptions, type RawInputOptions } from './options.js';

export function cleaningSummary(report: CleaningReport): string {
  const drops = Object.entries(report.dropped)
    .filter(([, n]) => n > 0)
    .map(([rule, n]) => `${rule === 'after_as_of' ? 'after the as-of date' : RULE_DESCRIPTIONS[rule as DropRule]} ${formatInt(n)}`);
  return (
    `read ${formatInt(report.rowsRead)} rows from ${report.source}, kept ${formatInt(report.rowsKept)}` +
    (drops.length > 0 ? `; dropped: ${drops.join(' · ')}` : '')
  );
}

export async function writeReport(path: string, report: CleaningReport): Promise<void> {
  await withSink(await fileSink(path), (sink) => sink.write(JSON.stringify(report, null, 2) + '\n'));
}

export async function readCustomers(
  ctx: Context,
  input: string | undefined,
  raw: RawInputOptions & { report?: string },
  overrides: Partial<LoadOptions> = {},
): Promise<LoadedCustomers> {
  const source = await ctx.openInput(input);
  const spinner = ctx.spinner(`reading ${source.name}`);
  try {
    const loaded = await loadCustomers(source, {
      ...loadOptions(raw, (rows) => spinner.update(`reading ${source.name}: ${formatInt(rows)} rows`)),
      ...overrides,
    });
    spinner.stop();
    if (loaded.report !== null) {
      ctx.info(cleaningSummary(loaded.report));
      if (raw.report !== undefined) await writeReport(raw.report, loaded.report);
    }
    return loaded;
  } finally {
    spinner.stop();
  }
}
