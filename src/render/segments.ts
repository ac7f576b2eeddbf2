/** The segment table and the four bar charts of `rfm fit` and `rfm summary`. */
import type { SegmentSummary } from '../core/summary.js';
import { barChart, segmentColor, type Bar } from './charts.js';
import { formatInt, formatMoney, formatOne, formatPercent } from './numbers.js';
import type { Style } from './style.js';
import { newTable } from './table.js';

export function segmentTable(segments: readonly SegmentSummary[], style: Style): string {
  const table = newTable(
    ['#', 'segment', 'customers', 'share', 'recency\nmean / median', 'frequency\nmean / median', 'monetary\nmean / median', 'revenue\nshare'],
    style,
    ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  for (const s of segments) {
    const color = segmentColor(s.name, s.cluster);
    const pair = (st: SegmentSummary['recency'], f: (n: number) => string) => (st === null ? '—' : `${f(st.mean)} / ${f(st.median)}`);
    table.push([
      String(s.cluster),
      style.chalk[color](s.name),
      formatInt(s.size),
      formatPercent(s.share),
      pair(s.recency, formatOne),
      pair(s.frequency, formatOne),
      pair(s.monetary, formatMoney),
      formatPercent(s.revenueShare),
    ]);
  }
  return table.toString() + '\n';
}

export function actionsList(segments: readonly SegmentSummary[], style: Style): string {
  return (
    segments
      .map((s) => `  ${style.chalk[segmentColor(s.name, s.cluster)](s.name)}: ${s.description}. ${style.chalk.dim('→ ' + s.action)}`)
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
