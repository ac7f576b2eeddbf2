/** `rfm inspect` for people: what reading the file would decide, as three small tables. */
import type { InputDescription } from '../io/describe.js';
import { formatInt } from './numbers.js';
import type { Style } from './style.js';
import { tableWithNotes, type TableCell, type TableView } from './table.js';

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', whitespace: 'runs of spaces' };

export function inspectText(d: InputDescription, style: Style, view: TableView): string {
  const table = (head: string[], rows: TableCell[][]) =>
    tableWithNotes({ head, align: head.map((_, i) => (i === 3 ? 'right' : 'left')), rows }, style, view);
  const facts: TableCell[][] = [

    ['format', d.format],
    ['delimiter', d.delimiter === null ? '—' : DELIMITERS[d.delimiter] ?? d.delimiter],
    ['encoding', d.encoding],
    ['header', d.header],
    ['input', d.kind === 'rfm' ? 'RFM table' : d.kind === 'transactions' ? 'transaction log' : '—'],
    ['layout', d.layout ?? (d.kind === 'transactions' ? 'generic (column synonyms)' : '—')],
    ['dates', d.dateLayout],
    ['decimal mark', d.decimalMark],
  ];
  let text = table(['file', d.file], facts);
  if (d.hint !== null) return text + `${d.hint}\n`;
  text += table(['role', 'column', 'from'], d.columns.map((c) => [c.role, c.column, c.source]));
  if (d.rules.length > 0) {
    const rows = d.rules.map((r) => {
      const n = (d.sample.dropped as Record<string, number>)[r.rule];
      return [r.rule, r.applies ? 'yes' : 'no', r.detail, n === undefined ? '' : formatInt(n)];
    });
    text += table(['rule', 'applies', 'detail', 'sample drops'], rows);
  }
  const scope = d.sample.complete ? 'the whole file' : `the first ${formatInt(d.sample.rows)} rows`;
  text += `sample: ${scope}, ${formatInt(d.sample.rows)} read, ${formatInt(d.sample.kept)} kept\n`;
  return text;
}
