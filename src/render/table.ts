/** Human tables (cli-table3) for rows of records, with numbers right-aligned and rounded. */
import type CliTable from 'cli-table3';
import { lazyRequire } from '../io/lazy-require.js';
import type { Cell, Column } from '../io/records.js';
import { formatInt, formatMoney, formatNumber } from './numbers.js';
import type { Style } from './style.js';

// A run that prints JSON or CSV never draws a table.
const Table = lazyRequire<typeof CliTable>('cli-table3');

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
