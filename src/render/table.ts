/** Human tables (cli-table3) for rows of records, with numbers right-aligned and rounded. */
import { createRequire } from 'node:module';
import type CliTable from 'cli-table3';
import type { Cell, Column } from '../io/records.js';
import { formatInt, formatMoney, formatNumber } from './numbers.js';
import type { Style } from './style.js';

// cli-table3 is required on first use: a run that prints JSON or CSV never draws a table.
const require = createRequire(import.meta.url);
let cliTable: typeof CliTable | undefined;
const Table = (): typeof CliTable => (cliTable ??= require('cli-table3') as typeof CliTable);

function cellText(value: Cell, kind: Column<unknown>['kind']): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'money':
      return formatMoney(value);
    case 'int':
      return formatInt(value);
    default:
      return formatNumber(value);
  }
}

export function newTable(head: string[], style: Style, align?: ('left' | 'right')[]): CliTable.Table {
  return new (Table())({
    head: head.map((h) => style.chalk.bold(h)),
    colAligns: align,
    // No rule between body rows: compact, like `column -t`.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: style.color ? { head: [], border: ['grey'] } : { head: [], border: [] },
  });
}

export function renderRecords<T>(columns: readonly Column<T>[], rows: Iterable<T>, style: Style): string {
  const align = columns.map((c) => (c.kind && c.kind !== 'text' ? 'right' : 'left')) as ('left' | 'right')[];
  const table = newTable(
    columns.map((c) => c.header),
    style,
    align,
  );
  for (const row of rows) table.push(columns.map((c) => cellText(c.value(row), c.kind)));
  return table.toString() + '\n';
}
