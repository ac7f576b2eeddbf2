/** The segment table and the four bar charts of `rfm fit` and `rfm summary`. */
import type { SegmentSummary } from '../core/summary.js';
import { barChart, segmentColor, type Bar } from './charts.js';
import { formatInt, formatMoney, formatOne, formatPercent } from './numbers.js';
import type { Style } from './style.js';
import { drawTable, tableWithNotes, UNLIMITED, type Align, type TableCell, type TableSpec, type TableView } from './table.js';
import { escapeControl, wrapWords } from './text.js';

type Stat = SegmentSummary['recency'];

interface SegmentColumn {
  head: string;
  align: Align;
  cell: (s: SegmentSummary, style: Style) => TableCell;
}

const stat = (pick: (s: SegmentSummary) => Stat, f: (n: number) => string, both: boolean) => (s: SegmentSummary) => {
  const st = pick(s);
  if (st === null) return '—';
  return both ? `${f(st.mean)} / ${f(st.median)}` : f(st.mean);
};

const CLUSTER: SegmentColumn = { head: '#', align: 'right', cell: (s) => String(s.cluster) };
const NAME: SegmentColumn = {
  head: 'segment',
  align: 'left',
  cell: (s, style) => ({ text: s.name, paint: style.chalk[segmentColor(s.name, s.cluster)] }),
};
const CUSTOMERS: SegmentColumn = { head: 'customers', align: 'right', cell: (s) => formatInt(s.size) };
const SHARE: SegmentColumn = { head: 'share', align: 'right', cell: (s) => formatPercent(s.share) };
const REVENUE: SegmentColumn = { head: 'revenue\nshare', align: 'right', cell: (s) => formatPercent(s.revenueShare) };
const metrics = (both: boolean): SegmentColumn[] => {
  const sub = both ? 'mean / median' : 'mean';
  return [
    { head: `recency\n${sub}`, align: 'right', cell: stat((s) => s.recency, formatOne, both) },
    { head: `frequency\n${sub}`, align: 'right', cell: stat((s) => s.frequency, formatOne, both) },
    { head: `monetary\n${sub}`, align: 'right', cell: stat((s) => s.monetary, formatMoney, both) },
  ];
};

/**
 * The layouts of the segment table, widest first: a terminal gets the first that fits its width
 * (means without medians, then without the cluster number, then without the customers' share, which
 * the chart below shows, then without the revenue share); drawTable cuts the last one further if
 * even it is too wide.
 */
const LAYOUTS: SegmentColumn[][] = [
  [CLUSTER, NAME, CUSTOMERS, SHARE, ...metrics(true), REVENUE],
  [CLUSTER, NAME, CUSTOMERS, SHARE, ...metrics(false), REVENUE],
  [NAME, CUSTOMERS, SHARE, ...metrics(false), REVENUE],
  [NAME, CUSTOMERS, ...metrics(false), REVENUE],
  [NAME, CUSTOMERS, ...metrics(false)],
];

export function segmentTable(segments: readonly SegmentSummary[], style: Style, view: TableView = UNLIMITED): string {
  const specs = LAYOUTS.map(
    (columns): TableSpec => ({
      head: columns.map((c) => c.head),
      align: columns.map((c) => c.align),
      rows: segments.map((s) => columns.map((c) => c.cell(s, style))),
    }),
  );
  const fits = (spec: TableSpec) => view.width === undefined || drawTable(spec, style, undefined).width <= view.width;
  return tableWithNotes(specs.find(fits) ?? specs[specs.length - 1], style, view);
}

export function actionsList(segments: readonly SegmentSummary[], style: Style, width?: number): string {
  return (
    segments
      .map((s) => {
        const name = escapeControl(s.name, false);
        const description = escapeControl(s.description, false);
        const action = escapeControl(s.action, false);
        // Wrapped unpainted (the widths are of the text), then painted part by part.
        const plain = wrapWords(`  ${name}: ${description}. → ${action}`, width, '    ');
        const arrow = plain.lastIndexOf('→');
        const head = plain.slice(0, arrow);
        return head.replace(name, () => style.chalk[segmentColor(s.name, s.cluster)](name)) + style.chalk.dim(plain.slice(arrow));
      })
      .join('\n') + '\n'
  );
}

type ChartKind = 'customers' | 'recency' | 'frequency' | 'monetary';

export function segmentChart(kind: ChartKind, segments: readonly SegmentSummary[], style: Style, width = 80): string {
  const bars: Bar[] = segments.map((s) => {
    const color = segmentColor(s.name, s.cluster);
    switch (kind) {
      case 'customers':
        return { label: s.name, value: s.size, text: `${formatInt(s.size)} (${formatPercent(s.share)})`, color };
      case 'recency':
        return { label: s.name, value: s.recency?.mean ?? 0, text: `${formatOne(s.recency?.mean ?? 0)} days`, color };
      case 'frequency':
        return { label: s.name, value: s.frequency?.mean ?? 0, text: `${formatOne(s.frequency?.mean ?? 0)} orders`, color };
      case 'monetary':
        return { label: s.name, value: s.monetary?.mean ?? 0, text: formatMoney(s.monetary?.mean ?? 0), color };
    }
  });
  const titles: Record<ChartKind, string> = {
    customers: 'Customers per segment',
    recency: 'Average recency (days since last purchase)',
    frequency: 'Average frequency (orders)',
    monetary: 'Average monetary value',
  };
  return barChart(titles[kind], bars, style, width);
}

export function allCharts(segments: readonly SegmentSummary[], style: Style, width = 80): string {
  return (['customers', 'recency', 'frequency', 'monetary'] as const).map((k) => segmentChart(k, segments, style, width)).join('\n');
}
