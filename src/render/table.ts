/**
 * Human tables: box-drawn, numbers right-aligned and rounded, no rule between body rows (compact,
 * like `column -t`). Drawn here rather than with cli-table3, whose layout pass costs milliseconds a
 * row (23,000 rows took over a minute): this is one pass to measure and one to draw, linear in rows.
 *
 * On a terminal a table fits its width: long text cells are cut with "…" and, when that is not
 * enough, the last columns are left out and named below the table; a long table shows its first
 * rows and says how many more there are (see RowWindow). Every cell is escaped (text.ts).
 */
import type { Cell, Column } from '../io/records.js';
import { formatInt, formatMoney, formatNumber, plural } from './numbers.js';
import type { Paint, Style } from './style.js';
import { displayWidth, escapeControl, pad, truncate, wrapWords } from './text.js';

/** How a table is shown: `width` in cells (undefined: no limit, e.g. piped), `limitRows` on a terminal without --all. */
export interface TableView {
  width: number | undefined;
  limitRows: boolean;
}

/** The whole table, whatever its size (a file, a pipe, --all). */
export const UNLIMITED: TableView = { width: undefined, limitRows: false };

/** A table longer than this on a terminal shows only its first PREVIEW_ROWS rows. */
export const ROW_LIMIT = 50;
export const PREVIEW_ROWS = 20;

export type Align = 'left' | 'right';
/** A cell's unpainted text (escaped here) and the paint to apply after measuring it. */
export type TableCell = string | { text: string; paint?: Paint };

export interface TableSpec {
  /** Column headers; a "\n" makes a two-line header. */
  head: string[];
  align: Align[];
  rows: TableCell[][];
}

const cellText = (cell: TableCell) => escapeControl(typeof cell === 'string' ? cell : cell.text, false);
const cellPaint = (cell: TableCell) => (typeof cell === 'string' ? undefined : cell.paint);

/** Text columns are not cut below this many cells (or their header's width). */
const MIN_TEXT_WIDTH = 8;

/** The width of a table with these content widths: one space either side of a cell, one rule between. */
const tableWidth = (widths: readonly number[]) => widths.reduce((sum, w) => sum + w + 3, 1);

/**
 * Content widths that fit `limit`: the widest cuttable text column loses a cell at a time; then,
 * if still too wide, columns are dropped from the right (never the first). Returns the widths
 * of the columns kept.
 */
function fitWidths(natural: number[], headWidths: number[], align: readonly Align[], limit: number | undefined): number[] {
  const widths = [...natural];
  if (limit === undefined) return widths;
  const floor = widths.map((_, i) => (align[i] === 'left' ? Math.max(MIN_TEXT_WIDTH, headWidths[i]) : widths[i]));
  let excess = tableWidth(widths) - limit;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest])) widest = i;
    if (widest < 0) break;
    widths[widest]--;
    excess--;
  }
  while (excess > 0 && widths.length > 1) excess -= widths.pop()! + 3;
  return widths;
}

export interface DrawnTable {
  text: string;
  /** The table's width in cells. */
  width: number;
  /** Headers of the columns left out to fit the width. */
  dropped: string[];
}

export function drawTable(spec: TableSpec, style: Style, width: number | undefined): DrawnTable {
  const headLines = spec.head.map((h) => h.split('\n').map((line) => escapeControl(line, false)));
  const headHeight = Math.max(1, ...headLines.map((l) => l.length));
  const headWidths = headLines.map((lines) => Math.max(...lines.map(displayWidth)));
  const texts = spec.rows.map((row) => row.map(cellText));
  const natural = [...headWidths];
  for (const row of texts) {
    for (let i = 0; i < natural.length; i++) {
      const w = displayWidth(row[i] ?? '');
      if (w > natural[i]) natural[i] = w;
    }
  }
  const widths = fitWidths(natural, headWidths, spec.align, width);
  const border = style.color ? style.chalk.dim : (s: string) => s;
  const rule = (left: string, mid: string, right: string) => border(left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right);
  const bar = border('│');
  const line = (cells: string[]) => `${bar} ${cells.join(` ${bar} `)} ${bar}`;
  const out: string[] = [rule('┌', '┬', '┐')];
  for (let l = 0; l < headHeight; l++) {
    out.push(line(widths.map((w, i) => style.chalk.bold(pad(truncate(headLines[i][l] ?? '', w), w, spec.align[i])))));
  }
  for (let r = 0; r < texts.length; r++) {
    const row = texts[r];
    out.push(
      line(
        widths.map((w, i) => {
          const text = pad(truncate(row[i] ?? '', w), w, spec.align[i]);
          const paint = cellPaint(spec.rows[r][i]);
          return paint === undefined ? text : paint(text);
        }),
      ),
    );
  }
  out.push(rule('└', '┴', '┘'));
  return { text: out.join('\n') + '\n', width: tableWidth(widths), dropped: spec.head.slice(widths.length).map((h) => h.replace(/\n/g, ' ')) };
}

/** The table and, under it, the lines that say what it leaves out (columns, rows). */
export function tableWithNotes(spec: TableSpec, style: Style, view: TableView, hiddenRows = 0): string {
  const { text, dropped } = drawTable(spec, style, view.width);
  let notes = '';
  if (dropped.length > 0) {
    const names = dropped.map((d) => escapeControl(d, false)).join(', ');
    notes += style.chalk.dim(wrapWords(`… ${plural(dropped.length, 'more column')} (${names}) — use a wider terminal or --format csv`, view.width, '  ')) + '\n';
  }
  if (hiddenRows > 0) notes += style.chalk.dim(wrapWords(moreRowsLine(hiddenRows), view.width, '  ')) + '\n';
  return text + notes;
}


export const moreRowsLine = (hidden: number) =>
  `… ${plural(hidden, 'more row')} — use --format csv, -o FILE or a pager (--all shows every row)`;

/**
 * The rows a table shows, collected as they come: all of them when rows are not limited or there
 * are at most ROW_LIMIT; else the first PREVIEW_ROWS and a count of the rest. Memory stays at
 * ROW_LIMIT rows however long the input.
 */
export class RowWindow<T> {
  private readonly kept: T[] = [];
  private total = 0;

  constructor(private readonly limitRows: boolean) {}

  push(row: T): void {
    this.total++;
    if (!this.limitRows || this.kept.length < ROW_LIMIT) this.kept.push(row);
  }

  get shown(): T[] {
    return this.total > ROW_LIMIT && this.limitRows ? this.kept.slice(0, PREVIEW_ROWS) : this.kept;
  }

  get hidden(): number {
    return this.total - this.shown.length;
  }
}

function recordText(value: Cell, kind: Column<unknown>['kind']): string {
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

/** Rows of records as a table for `view`: the row window and the width applied. */
export function renderRecords<T>(columns: readonly Column<T>[], rows: Iterable<T>, style: Style, view: TableView = UNLIMITED): string {
  const window = new RowWindow<T>(view.limitRows);
  for (const row of rows) window.push(row);
  return renderWindow(columns, window, style, view);
}

export function renderWindow<T>(columns: readonly Column<T>[], window: RowWindow<T>, style: Style, view: TableView): string {
  const spec: TableSpec = {
    head: columns.map((c) => c.header),
    align: columns.map((c) => (c.kind && c.kind !== 'text' ? 'right' : 'left')),
    rows: window.shown.map((row) => columns.map((c) => recordText(c.value(row), c.kind))),
  };
  return tableWithNotes(spec, style, view, window.hidden);
}
