/**
 * Charts as SVG strings, for `rfm report` and the page of `rfm serve` (one module for both, so the
 * pictures come from the same numbers as the tables). Pure: data in, markup out.
 *
 * - Every string that can come from a model or a file (segment names, axis labels, titles) goes
 *   through `escapeMarkup`, in text and in attributes alike.
 * - Colours are presentation attributes, never `style="…"`: the served page's Content-Security-
 *   Policy (style-src 'self') would drop inline styles.
 * - Each chart is `role="img"` with a <title> and a <desc> it is labelled by; the caller puts the
 *   same numbers in a table beside it.
 * - Colours: Paul Tol's "muted" qualitative scheme (distinguishable with every common colour-vision
 *   deficiency) for segments, and viridis (perceptually uniform, colour-blind safe, readable in
 *   grey) for the heat map.
 */
import { escapeControl } from './text.js';

const MARKUP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe for HTML and SVG, in element content and in quoted attribute values alike:
 * `& < > " '` become entities, and control characters (which XML forbids and which could hide
 * text) are shown as `\xNN`. Tab and newline are kept.
 */
export function escapeMarkup(text: string): string {
  return escapeControl(String(text)).replace(/[&<>"']/g, (c) => MARKUP[c]);
}

/** Tol's muted scheme, in the order clusters take it; the pale grey last (for an 11th cluster on). */
export const SEGMENT_COLORS = ['#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499', '#DDDDDD'] as const;

export const segmentFill = (cluster: number) => SEGMENT_COLORS[((cluster % SEGMENT_COLORS.length) + SEGMENT_COLORS.length) % SEGMENT_COLORS.length];

/** Text colour readable on `fill` (#rrggbb): black on light fills, white on dark ones (WCAG relative luminance). */
export function inkOn(fill: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(fill.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast against black (L + 0.05) / 0.05 vs. white 1.05 / (L + 0.05): equal near L = 0.179.
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/** Viridis at 0, 0.25, 0.5, 0.75, 1 (matplotlib's values). */
const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/** The viridis colour at `t` in 0..1, linearly between its five stops. */
export function viridis(t: number): string {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const mix = (j: number) => {
    const a = parseInt(VIRIDIS[i].slice(j, j + 2), 16);
    const b = parseInt(VIRIDIS[i + 1].slice(j, j + 2), 16);
    return Math.round(a + (b - a) * f)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${mix(1)}${mix(3)}${mix(5)}`;
}

/** A number for an SVG attribute: at most 2 decimals, no "-0". */
const n = (x: number) => String(Math.round(x * 100) / 100 || 0);

/** An id usable in `id="…"` and `aria-labelledby`: letters, digits and dashes only. */
const safeId = (id: string) => id.replace(/[^A-Za-z0-9-]/g, '-');

/** At most `max` characters, ending in "…" when cut (the whole text is in the element's <title>). */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('').trimEnd() + '…';
}

interface Frame {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
}

/** The <svg> element around a chart's body: sized by its viewBox (it scales to the page), labelled. */
function frame(f: Frame, body: string): string {
  const id = safeId(f.id);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${id}" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" ` +
    `role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, sans-serif" font-size="12">` +
    `<title id="${id}-title">${escapeMarkup(f.title)}</title><desc id="${id}-desc">${escapeMarkup(f.description)}</desc>` +
    body +
    '</svg>'
  );
}

const text = (x: number, y: number, content: string, attributes = '') => `<text x="${n(x)}" y="${n(y)}"${attributes}>${escapeMarkup(content)}</text>`;

export interface BarDatum {
  label: string;
  value: number;
  /** The value as people read it ("1,540", "16.7 days"), drawn after the bar. */
  valueText: string;
  /** #rrggbb; default the first segment colour. */
  fill?: string;
}

export interface BarChartSpec {
  id: string;
  title: string;
  /** What the chart shows, for screen readers (the <desc>); default: the bars as "label: value" pairs. */
  description?: string;
  bars: readonly BarDatum[];
}

export const BAR = { width: 640, rowHeight: 28, barHeight: 18, labelWidth: 190, valueWidth: 110, top: 8, bottom: 8 } as const;

/**
 * Horizontal bars, one per datum, lengths proportional to the values (from 0; a negative value
 * draws no bar), labelled on the left with the label and on the right with `valueText`.
 */
export function barChartSvg(spec: BarChartSpec): string {
  const plot = BAR.width - BAR.labelWidth - BAR.valueWidth;
  const max = Math.max(0, ...spec.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const height = BAR.top + BAR.bottom + spec.bars.length * BAR.rowHeight;
  const rows = spec.bars.map((b, i) => {
    const y = BAR.top + i * BAR.rowHeight;
    const length = max > 0 && Number.isFinite(b.value) ? (Math.max(0, b.value) / max) * plot : 0;
    const middle = y + BAR.rowHeight / 2 + 4;
    return (
      `<g class="bar"><title>${escapeMarkup(`${b.label}: ${b.valueText}`)}</title>` +
      text(BAR.labelWidth - 8, middle, clip(b.label, 28), ' text-anchor="end"') +
      `<rect x="${BAR.labelWidth}" y="${n(y + (BAR.rowHeight - BAR.barHeight) / 2)}" width="${n(length)}" height="${BAR.barHeight}" fill="${b.fill ?? SEGMENT_COLORS[0]}"/>` +
      text(BAR.labelWidth + length + 6, middle, b.valueText) +
      '</g>'
    );
  });
  const axis = `<line x1="${BAR.labelWidth}" y1="${BAR.top}" x2="${BAR.labelWidth}" y2="${height - BAR.bottom}" stroke="#444444"/>`;
  const description = spec.description ?? spec.bars.map((b) => `${b.label}: ${b.valueText}`).join('; ');
  return frame({ id: spec.id, title: spec.title, description, width: BAR.width, height }, rows.join('') + axis);
}

export interface ElbowSpec {
  id: string;
  title: string;
  points: readonly { k: number; inertia: number }[];
  /** The k of the model, marked on the curve. */
  chosenK: number;
  /** The knee the elbow method suggests (may differ from the chosen k), or null. */
  suggestedK: number | null;
}

export const ELBOW = { width: 640, height: 300, left: 70, right: 20, top: 20, bottom: 44 } as const;

/** Inertia against k as a line with a dot per k; the chosen k ringed and labelled, the suggested k noted. */
export function elbowSvg(spec: ElbowSpec): string {
  const points = spec.points.filter((p) => Number.isFinite(p.inertia));
  const plotW = ELBOW.width - ELBOW.left - ELBOW.right;
  const plotH = ELBOW.height - ELBOW.top - ELBOW.bottom;
  const kMin = Math.min(...points.map((p) => p.k));
  const kMax = Math.max(...points.map((p) => p.k));
  const top = Math.max(...points.map((p) => p.inertia), 0);
  const x = (k: number) => ELBOW.left + (kMax > kMin ? ((k - kMin) / (kMax - kMin)) * plotW : plotW / 2);
  const y = (v: number) => ELBOW.top + (top > 0 ? (1 - v / top) * plotH : plotH);
  const bottom = ELBOW.top + plotH;
  const parts: string[] = [
    `<line x1="${ELBOW.left}" y1="${bottom}" x2="${ELBOW.left + plotW}" y2="${bottom}" stroke="#444444"/>`,
    `<line x1="${ELBOW.left}" y1="${ELBOW.top}" x2="${ELBOW.left}" y2="${bottom}" stroke="#444444"/>`,
    text(ELBOW.left + plotW / 2, ELBOW.height - 6, 'k (number of segments)', ' text-anchor="middle"'),
    text(14, ELBOW.top + plotH / 2, 'inertia', ` text-anchor="middle" transform="rotate(-90 14 ${n(ELBOW.top + plotH / 2)})"`),
    text(ELBOW.left - 6, ELBOW.top + 4, compact(top), ' text-anchor="end"'),
    text(ELBOW.left - 6, bottom, '0', ' text-anchor="end"'),
  ];
  for (const p of points) parts.push(text(x(p.k), bottom + 16, String(p.k), ' text-anchor="middle"'));
  parts.push(`<polyline class="curve" fill="none" stroke="#332288" stroke-width="2" points="${points.map((p) => `${n(x(p.k))},${n(y(p.inertia))}`).join(' ')}"/>`);
  for (const p of points) {
    const chosen = p.k === spec.chosenK;
    parts.push(
      `<circle class="${chosen ? 'point chosen' : 'point'}" cx="${n(x(p.k))}" cy="${n(y(p.inertia))}" r="${chosen ? 7 : 4}" ` +
        `fill="${chosen ? '#CC6677' : '#332288'}" stroke="#000000" stroke-width="${chosen ? 1.5 : 0}"><title>k = ${p.k}: inertia ${escapeMarkup(compact(p.inertia))}</title></circle>`,
    );
  }
  const chosen = points.find((p) => p.k === spec.chosenK);
  if (chosen !== undefined) {
    const label = `chosen k = ${spec.chosenK}` + (spec.suggestedK !== null && spec.suggestedK !== spec.chosenK ? ` (knee at k = ${spec.suggestedK})` : spec.suggestedK === spec.chosenK ? ' (the knee)' : '');
    const anchor = x(chosen.k) > ELBOW.left + plotW * 0.6 ? 'end' : 'start';
    parts.push(text(x(chosen.k) + (anchor === 'start' ? 10 : -10), y(chosen.inertia) - 10, label, ` class="chosen-label" text-anchor="${anchor}" font-weight="bold"`));
  }
  const description =
    `Inertia for k = ${kMin}..${kMax}: ` + points.map((p) => `k ${p.k}: ${compact(p.inertia)}`).join(', ') +
    `. The model uses k = ${spec.chosenK}` + (spec.suggestedK === null ? '; the curve has no clear knee.' : `; the knee is at k = ${spec.suggestedK}.`);
  return frame({ id: spec.id, title: spec.title, description, width: ELBOW.width, height: ELBOW.height }, parts.join(''));
}

/** "12,345", "1.2k", "3.4M": short axis numbers. */
export function compact(value: number): string {
  const a = Math.abs(value);
  if (a >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return a >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
}

/** One cell of a 5 × 5 R-score × F-score grid. */
export interface GridCell {
  r: number;
  f: number;
  /** Customers in the cell (0: an empty cell, drawn blank). */
  customers: number;
  /** The number drawn in the cell and used for its colour (mean monetary, or the customers). */
  value: number | null;
  valueText: string;
  /** A second line under the value (e.g. the R/F segment name). */
  note?: string;
  /** #rrggbb to paint the cell with instead of the value's viridis colour. */
  fill?: string;
}

export interface GridSpec {
  id: string;
  title: string;
  /** What a cell's value means, for the description ("mean monetary value"). */
  valueName: string;
  cells: readonly GridCell[];
}

export const GRID = { cell: 96, cellHeight: 62, left: 64, top: 12, bottom: 44 } as const;

/**
 * A 5 × 5 grid, R score 5 (most recent) at the top to 1 at the bottom, F score 1 to 5 left to
 * right; cells coloured by value with viridis (or by their own fill) and labelled with the value.
 */
export function gridSvg(spec: GridSpec): string {
  const width = GRID.left + 5 * GRID.cell + 12;
  const height = GRID.top + 5 * GRID.cellHeight + GRID.bottom;
  const values = spec.cells.filter((c) => c.customers > 0 && c.value !== null && Number.isFinite(c.value)).map((c) => c.value as number);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const parts: string[] = [];
  for (const c of spec.cells) {
    const x = GRID.left + (c.f - 1) * GRID.cell;
    const y = GRID.top + (5 - c.r) * GRID.cellHeight;
    const empty = c.customers === 0 || c.value === null || !Number.isFinite(c.value);
    const fill = empty ? '#f4f4f4' : c.fill ?? viridis(hi > lo ? ((c.value as number) - lo) / (hi - lo) : 0.5);
    const ink = inkOn(fill);
    const label = `R ${c.r}, F ${c.f}: ${empty ? 'no customers' : `${c.valueText} (${c.customers} customers)`}${c.note ? ` — ${c.note}` : ''}`;
    parts.push(
      `<g class="cell" data-r="${c.r}" data-f="${c.f}"><title>${escapeMarkup(label)}</title>` +
        `<rect x="${x}" y="${y}" width="${GRID.cell - 2}" height="${GRID.cellHeight - 2}" fill="${fill}"/>` +
        text(x + GRID.cell / 2 - 1, y + (c.note ? 24 : 34), empty ? '—' : c.valueText, ` text-anchor="middle" fill="${ink}" font-weight="bold"`) +
        (c.note ? text(x + GRID.cell / 2 - 1, y + 44, clip(c.note, 15), ` text-anchor="middle" fill="${ink}" font-size="10"`) : '') +
        '</g>',
    );
  }
  for (let s = 1; s <= 5; s++) {
    parts.push(text(GRID.left - 8, GRID.top + (5 - s) * GRID.cellHeight + GRID.cellHeight / 2 + 4, `R ${s}`, ' text-anchor="end"'));
    parts.push(text(GRID.left + (s - 1) * GRID.cell + GRID.cell / 2, GRID.top + 5 * GRID.cellHeight + 16, `F ${s}`, ' text-anchor="middle"'));
  }
  parts.push(text(GRID.left + (5 * GRID.cell) / 2, height - 6, 'frequency score (5 = most orders) →', ' text-anchor="middle"'));
  parts.push(text(12, GRID.top + (5 * GRID.cellHeight) / 2, 'recency score (5 = most recent) →', ` text-anchor="middle" transform="rotate(-90 12 ${n(GRID.top + (5 * GRID.cellHeight) / 2)})"`));
  const filled = spec.cells.filter((c) => c.customers > 0);
  const description =
    `Recency score (rows, 5 = most recent) by frequency score (columns) with the ${spec.valueName} of each cell: ` +
    filled.map((c) => `R${c.r} F${c.f} ${c.valueText}${c.note ? ` ${c.note}` : ''}`).join('; ') +
    '.';
  return frame({ id: spec.id, title: spec.title, description, width, height }, parts.join(''));
}

export interface CentroidMapSpec {
  id: string;
  title: string;
  segments: readonly { cluster: number; name: string; size: number; recency: number; monetary: number }[];
}

export const MAP = { width: 640, height: 320, left: 70, right: 24, top: 16, bottom: 44 } as const;

/** log1p scale from [lo, hi] (values >= 0) onto [a, b]; the served page's script uses the same mapping. */
export function logScale(lo: number, hi: number, a: number, b: number): (v: number) => number {
  const l0 = Math.log1p(Math.max(0, lo));
  const l1 = Math.log1p(Math.max(0, hi));
  return (v) => (l1 > l0 ? a + ((Math.log1p(Math.max(0, v)) - l0) / (l1 - l0)) * (b - a) : (a + b) / 2);
}

/**
 * The segments' centroids on recency (x, log scale, recent on the left) × monetary (y, log
 * scale), a dot per segment sized by its customers. The axes' domains are in data- attributes and
 * an empty marker (`.you`) is included, so the served page can place a customer with `logScale`.
 */
export function centroidMapSvg(spec: CentroidMapSpec): string {
  const rs = spec.segments.map((s) => s.recency);
  const ms = spec.segments.map((s) => s.monetary);
  // A margin of a factor of 3 around the centroids on the log scale, so a customer usually fits.
  const domain = { r0: 0, r1: Math.max(...rs, 1) * 3, m0: Math.max(0, Math.min(...ms) / 3), m1: Math.max(...ms, 1) * 3 };
  const x = logScale(domain.r0, domain.r1, MAP.left, MAP.width - MAP.right);
  const y = logScale(domain.m0, domain.m1, MAP.height - MAP.bottom, MAP.top);
  const largest = Math.max(1, ...spec.segments.map((s) => s.size));
  const bottom = MAP.height - MAP.bottom;
  const parts = [
    `<line x1="${MAP.left}" y1="${bottom}" x2="${MAP.width - MAP.right}" y2="${bottom}" stroke="#444444"/>`,
    `<line x1="${MAP.left}" y1="${MAP.top}" x2="${MAP.left}" y2="${bottom}" stroke="#444444"/>`,
    text(MAP.left + (MAP.width - MAP.left - MAP.right) / 2, MAP.height - 6, 'recency, days since the last purchase (log scale) →', ' text-anchor="middle"'),
    text(14, MAP.top + (bottom - MAP.top) / 2, 'monetary (log scale) →', ` text-anchor="middle" transform="rotate(-90 14 ${n(MAP.top + (bottom - MAP.top) / 2)})"`),
    text(MAP.left, bottom + 16, compact(domain.r0), ' text-anchor="middle"'),
    text(MAP.width - MAP.right, bottom + 16, compact(domain.r1), ' text-anchor="end"'),
    text(MAP.left - 6, bottom, compact(domain.m0), ' text-anchor="end"'),
    text(MAP.left - 6, MAP.top + 8, compact(domain.m1), ' text-anchor="end"'),
  ];
  for (const s of spec.segments) {
    const r = 6 + 14 * Math.sqrt(s.size / largest);
    const fill = segmentFill(s.cluster);
    parts.push(
      `<g class="centroid" data-cluster="${s.cluster}"><title>${escapeMarkup(`${s.name}: recency ${compact(s.recency)} days, monetary ${compact(s.monetary)}, ${s.size} customers`)}</title>` +
        `<circle cx="${n(x(s.recency))}" cy="${n(y(s.monetary))}" r="${n(r)}" fill="${fill}" fill-opacity="0.85" stroke="#000000"/>` +
        text(x(s.recency), y(s.monetary) - r - 4, clip(s.name, 24), ' text-anchor="middle"') +
        '</g>',
    );
  }
  parts.push('<g class="you" visibility="hidden"><circle r="7" fill="#000000"/><circle r="3" fill="#ffffff"/><text dy="-12" text-anchor="middle" font-weight="bold">this customer</text></g>');
  const description = `Segment centroids by recency and monetary value: ${spec.segments.map((s) => `${s.name} ${compact(s.recency)} days, ${compact(s.monetary)}`).join('; ')}.`;
  const svg = frame({ id: spec.id, title: spec.title, description, width: MAP.width, height: MAP.height }, parts.join(''));
  const data =
    ` data-r0="${domain.r0}" data-r1="${domain.r1}" data-m0="${domain.m0}" data-m1="${domain.m1}"` +
    ` data-x0="${MAP.left}" data-x1="${MAP.width - MAP.right}" data-y0="${bottom}" data-y1="${MAP.top}"`;
  return svg.replace('<svg ', `<svg${data} `);
}
