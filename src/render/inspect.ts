/** `rfm inspect` for people: what reading the file would decide, as three small tables. */
import type { InputDescription } from '../io/describe.js';
import { formatInt } from './numbers.js';
import type { Style } from './style.js';
import { newTable } from './table.js';

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', whitespace: 'runs of spaces' };

export function inspectText(d: InputDescription, style: Style): string {
  const facts = newTable(['file', d.file], style, ['left', 'left']);
  facts.push(
    ['format', d.format],
    ['delimiter', d.delimiter === null ? '—' : DELIMITERS[d.delimiter] ?? d.delimiter],
    ['encoding', d.encoding],
    ['header', d.header],
    ['input', d.kind === 'rfm' ? 'RFM table' : d.kind === 'transactions' ? 'transaction log' : '—'],
    ['layout', d.layout ?? (d.kind === 'transactions' ? 'generic (column synonyms)' : '—')],
    ['dates', d.dateLayout],
    ['decimal mark', d.decimalMark],
  );
  let text = facts.toString() + '\n';
  if (d.hint !== null) return text + `${d.hint}\n`;
  const columns = newTable(['role', 'column', 'from'], style, ['left', 'left', 'left']);
  for (const c of d.columns) columns.push([c.role, c.column, c.source]);
  text += columns.toString() + '\n';
  if (d.rules.length > 0) {
    const rules = newTable(['rule', 'applies', 'detail', 'sample drops'], style, ['left', 'left', 'left', 'right']);
    for (const r of d.rules) {
      const n = (d.sample.dropped as Record<string, number>)[r.rule];
      rules.push([r.rule, r.applies ? 'yes' : 'no', r.detail, n === undefined ? '' : formatInt(n)]);
    }
    text += rules.toString() + '\n';
  }
  const scope = d.sample.complete ? 'the whole file' : `the first ${formatInt(d.sample.rows)} rows`;
  text += `sample: ${scope}, ${formatInt(d.sample.rows)} read, ${formatInt(d.sample.kept)} kept\n`;
  return text;
}
