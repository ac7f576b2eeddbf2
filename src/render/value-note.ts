/** The one stderr line saying how the read path chose to read values (src/io/value-layouts.ts decides). */
import type { ValueLayouts } from '../io/value-layouts.js';

/**
 * The one stderr line saying what was inferred, or undefined when nothing needed saying (UTF-8,
 * dates whose layout fixes their order, plain decimal points): latin1, a day/month order read from
 * the values, a decimal comma, thousands separators, a currency stripped.
 */
export function valueNote(layouts: ValueLayouts): string | undefined {
  const parts: string[] = [];
  if (layouts.encoding === 'latin1') parts.push('encoding latin1 (the input is not valid UTF-8)');
  const date = layouts.date;
  if (date !== null && date.decidedBy?.by === 'value') {
    const order = date.order === 'dmy' ? 'D/M/YYYY (day first' : 'M/D/YYYY (month first';
    parts.push(`date "${date.column}" ${order}: "${date.decidedBy.value}" on line ${date.decidedBy.line})`);
  }
  for (const n of layouts.numbers) {
    const said: string[] = [];
    if (n.decimal === ',' && n.decidedBy?.by === 'value') said.push(`decimal comma ("${n.decidedBy.value}" on line ${n.decidedBy.line})`);
    if (n.thousands !== null) said.push(`thousands separator ${n.thousands === ' ' || n.thousands === '\u00a0' || n.thousands === '\u202f' ? 'space' : `"${n.thousands}"`}`);
    if (n.currency !== null) said.push(`currency ${n.currency} stripped`);
    if (said.length > 0) parts.push(`${n.role} "${n.column}" ${said.join(', ')}`);
  }
  return parts.length === 0 ? undefined : `values: ${parts.join('; ')}`;
}
