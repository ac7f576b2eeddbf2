/** The elbow chart: inertia against k as an asciichart line, the knee marked below the axis. */
import type * as AsciiChart from 'asciichart';
import type { ElbowResult } from '../core/elbow.js';
import { lazyRequire } from '../io/lazy-require.js';
import { formatFixed, formatNumber } from './numbers.js';
import type { Style } from './style.js';
import { tableWithNotes, UNLIMITED, type TableView } from './table.js';

// Only a terminal run of `rfm elbow` draws the chart.
const charts = lazyRequire<typeof AsciiChart>('asciichart');

const STEP = 6; // chart columns per k, fewer when a terminal is too narrow for them

export function elbowChart(result: ElbowResult, style: Style, width?: number): string {
  const points = result.points;
  if (points.length < 2) return '';
  // The y labels take 13 columns and the axis ends in "   k": the rest is shared among the ks.
  const room = width === undefined ? STEP : Math.floor((width - 13 - 4) / (points.length - 1));
  const step = Math.max(2, Math.min(STEP, room));
  // asciichart draws one column per value: interpolate linearly so each k gets `step` columns.
  const series: number[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    for (let s = 0; s < step; s++) series.push(points[i].inertia + ((points[i + 1].inertia - points[i].inertia) * s) / step);
  }
  series.push(points[points.length - 1].inertia);
  const labelWidth = 12;
  const chart = charts().plot(series, {
    height: 12,
    format: (x: number) => formatNumber(x).padStart(labelWidth - 1) + ' ',
    colors: style.color ? [charts().cyan] : undefined,
  });
  const offset = labelWidth + 1;
  const axis = points.map((p, i) => String(p.k).padStart(i === 0 ? 1 : step)).join('');
  let marker = '';
  if (result.suggestedK !== null) {
    const index = points.findIndex((p) => p.k === result.suggestedK);
    marker = '\n' + ' '.repeat(offset + index * step) + style.chalk.yellow(`▲ knee: k = ${result.suggestedK}`);
  }
  return `${style.chalk.bold('Inertia by k (elbow)')}\n${chart}\n${' '.repeat(offset)}${axis}   k${marker}\n`;
}

export function elbowTable(result: ElbowResult, style: Style, view: TableView = UNLIMITED): string {
  const rows = result.points.map((p) => [
    String(p.k),
    formatFixed(p.inertia, 2),
    p.silhouette === null ? '—' : formatFixed(p.silhouette, 4),
    p.k === result.suggestedK ? { text: '← suggested', paint: style.chalk.yellow } : '',
  ]);
  return tableWithNotes({ head: ['k', 'inertia', 'silhouette', ''], align: ['right', 'right', 'right', 'left'], rows }, style, view);
}
