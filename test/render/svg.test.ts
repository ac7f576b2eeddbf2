import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { BAR, ELBOW, GRID, MAP, barChartSvg, centroidMapSvg, elbowSvg, escapeMarkup, gridSvg, inkOn, logScale, viridis, type GridCell } from '../../src/render/svg.js';

interface Element {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

/** Parses an SVG with a real XML parser (saxes): throws on anything not well-formed; lists every element. */
function parseSvg(svg: string): Element[] {
  const parser = new SaxesParser();
  const elements: Element[] = [];
  const open: Element[] = [];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '' };
    elements.push(element);
    open.push(element);
  });
  parser.on('text', (text) => {
    for (const element of open) element.text += text;
  });
  parser.on('closetag', () => void open.pop());
  parser.write(svg).close();
  return elements;
}

const PAYLOADS = ['<script>window.pwned=1</script>', '"><img src=x onerror=alert(1)>', '</svg><b>bold</b>', "it's \"quoted\"", 'bell\u0007 esc\u001b[31m nul\u0000'];

describe('escapeMarkup', () => {
  it('turns markup into text', () => {
    expect(escapeMarkup('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeMarkup('"><img onerror=alert(1)>')).toBe('&quot;&gt;&lt;img onerror=alert(1)&gt;');
    expect(escapeMarkup('</svg>')).toBe('&lt;/svg&gt;');
    expect(escapeMarkup(`a'b"c`)).toBe('a&#39;b&quot;c');
  });

  it('escapes an ampersand once, so entities in the data are shown as typed', () => {
    expect(escapeMarkup('Fish & Chips &amp; &#60;')).toBe('Fish &amp; Chips &amp;amp; &amp;#60;');
  });

  it('shows control characters as \\xNN (XML forbids them), keeping tab and newline', () => {
    expect(escapeMarkup('a\u0000b\u0007c\u001b[31md\u007fe\u009bf')).toBe('a\\x00b\\x07c\\x1b[31md\\x7fe\\x9bf');
    expect(escapeMarkup('tab\there\nnew line')).toBe('tab\there\nnew line');
  });

  it('leaves other text alone (accents, CJK, emoji)', () => {
    expect(escapeMarkup('Café 顧客 🎉')).toBe('Café 顧客 🎉');
  });

  it('inside an attribute value, a payload stays one attribute value', () => {
    for (const payload of PAYLOADS) {
      const [element] = parseSvg(`<svg a="${escapeMarkup(payload)}">${escapeMarkup(payload)}</svg>`);
      expect(Object.keys(element.attributes)).toEqual(['a']);
      expect(element.attributes.a).toBe(payload.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
      expect(element.text).toBe(element.attributes.a);
    }
  });
});

describe('barChartSvg', () => {
  const chart = (values: number[], labels = values.map((_, i) => `segment ${i}`)) =>
    barChartSvg({ id: 'chart-x', title: 'Customers per segment', bars: values.map((value, i) => ({ label: labels[i], value, valueText: String(value), fill: '#332288' })) });

  it('draws bars whose lengths are proportional to the values, the largest filling the plot', () => {
    const rects = parseSvg(chart([10, 5, 2.5, 0])).filter((e) => e.name === 'rect');
    const plot = BAR.width - BAR.labelWidth - BAR.valueWidth; // 640 - 190 - 110 = 340
    expect(rects.map((r) => Number(r.attributes.width))).toEqual([plot, plot / 2, plot / 4, 0]);
    expect(rects.map((r) => Number(r.attributes.x))).toEqual([190, 190, 190, 190]);
  });

  it('draws no bar for a negative or non-finite value, and none at all when every value is 0', () => {
    const widths = (values: number[]) => parseSvg(chart(values)).filter((e) => e.name === 'rect').map((r) => Number(r.attributes.width));
    expect(widths([4, -2, Number.NaN])).toEqual([340, 0, 0]);
    expect(widths([0, 0])).toEqual([0, 0]);
  });

  it('is labelled: role img, aria-labelledby pointing at its <title> and <desc>', () => {
    const elements = parseSvg(chart([3, 1]));
    const svg = elements[0];
    expect(svg.name).toBe('svg');
    expect(svg.attributes.role).toBe('img');
    const ids = svg.attributes['aria-labelledby'].split(' ');
    expect(ids).toEqual(['chart-x-title', 'chart-x-desc']);
    expect(elements.find((e) => e.attributes.id === ids[0])).toMatchObject({ name: 'title', text: 'Customers per segment' });
    expect(elements.find((e) => e.attributes.id === ids[1])).toMatchObject({ name: 'desc', text: 'segment 0: 3; segment 1: 1' });
  });

  it('keeps hostile labels as text: well-formed XML, one <svg>, no element or attribute from the data', () => {
    const svg = chart(PAYLOADS.map((_, i) => i + 1), PAYLOADS);
    const elements = parseSvg(svg);
    expect(elements.filter((e) => e.name === 'svg')).toHaveLength(1);
    expect(new Set(elements.map((e) => e.name))).toEqual(new Set(['svg', 'title', 'desc', 'g', 'text', 'rect', 'line']));
    expect(svg).not.toMatch(/<script|<img|<b>|onerror=alert\(1\)>/);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
    // Each bar's tooltip title holds the label as text.
    const titles = elements.filter((e) => e.name === 'title').map((e) => e.text);
    expect(titles).toContain('<script>window.pwned=1</script>: 1');
  });

  it('never uses a style attribute (the page CSP has no unsafe-inline styles)', () => {
    expect(chart([1, 2])).not.toMatch(/style=/);
  });

  it('shortens a long label on the bar with an ellipsis, the whole of it in the bar title', () => {
    const long = 'A segment name that goes on and on and on';
    const elements = parseSvg(chart([1], [long]));
    expect(elements.find((e) => e.name === 'text')!.text).toBe('A segment name that goes on…');
    expect(elements.find((e) => e.name === 'g')!.text.startsWith(`${long}: 1`)).toBe(true);
  });
});

describe('elbowSvg', () => {
  const points = [
    { k: 1, inertia: 1000 },
    { k: 2, inertia: 500 },
    { k: 3, inertia: 300 },
    { k: 4, inertia: 250 },
    { k: 5, inertia: 0 },
  ];

  it('plots inertia against k: the largest at the top of the plot, 0 at its bottom, k spread evenly', () => {
    const elements = parseSvg(elbowSvg({ id: 'e', title: 'Elbow', points, chosenK: 3, suggestedK: 3 }));
    const circles = elements.filter((e) => e.name === 'circle');
    const plotW = ELBOW.width - ELBOW.left - ELBOW.right; // 550
    const plotH = ELBOW.height - ELBOW.top - ELBOW.bottom; // 236
    expect(circles.map((c) => Number(c.attributes.cx))).toEqual([70, 70 + plotW / 4, 70 + plotW / 2, 70 + (3 * plotW) / 4, 70 + plotW]);
    expect(circles.map((c) => Number(c.attributes.cy))).toEqual([20, 20 + plotH / 2, 20 + plotH * 0.7, 20 + plotH * 0.75, 20 + plotH]);
    expect(elements.find((e) => e.name === 'polyline')!.attributes.points.split(' ')).toHaveLength(5);
  });

  it('rings the chosen k and says where the knee is when it differs', () => {
    const elements = parseSvg(elbowSvg({ id: 'e', title: 'Elbow', points, chosenK: 4, suggestedK: 2 }));
    const chosen = elements.filter((e) => e.name === 'circle' && e.attributes.class === 'point chosen');
    expect(chosen).toHaveLength(1);
    expect(chosen[0].text).toBe('k = 4: inertia 250');
    expect(elements.find((e) => e.attributes.class === 'chosen-label')!.text).toBe('chosen k = 4 (knee at k = 2)');
    expect(elements.find((e) => e.name === 'desc')!.text).toContain('The model uses k = 4; the knee is at k = 2.');
  });
});

describe('gridSvg', () => {
  const cells: GridCell[] = [];
  for (let r = 5; r >= 1; r--) for (let f = 1; f <= 5; f++) cells.push({ r, f, customers: r === 1 && f === 5 ? 0 : 1, value: r === 1 && f === 5 ? null : r * 10 + f, valueText: String(r * 10 + f) });

  it('places R 5 in the top row and F 1 in the left column, and colours the lowest and highest value with viridis ends', () => {
    const rects = parseSvg(gridSvg({ id: 'g', title: 'Heat map', valueName: 'mean monetary value', cells })).filter((e) => e.name === 'rect');
    expect(rects).toHaveLength(25);
    const at = (r: number, f: number) => rects[(5 - r) * 5 + (f - 1)];
    expect([at(5, 1).attributes.x, at(5, 1).attributes.y]).toEqual([String(GRID.left), String(GRID.top)]);
    expect(Number(at(1, 1).attributes.y)).toBe(GRID.top + 4 * GRID.cellHeight);
    expect(Number(at(5, 5).attributes.x)).toBe(GRID.left + 4 * GRID.cell);
    expect(at(5, 5).attributes.fill).toBe('#fde725'); // 55, the highest
    expect(at(1, 1).attributes.fill).toBe('#440154'); // 11, the lowest
    expect(at(1, 5).attributes.fill).toBe('#f4f4f4'); // no customers
  });

  it('writes each value in its cell, a dash in an empty one, and a segment note escaped', () => {
    const noted = cells.map((c) => ({ ...c, note: '<script>x</script>' }));
    const svg = gridSvg({ id: 'g', title: 'Grid', valueName: 'customers', cells: noted });
    const groups = parseSvg(svg).filter((e) => e.name === 'g' && e.attributes.class === 'cell');
    expect(groups[0].text).toContain('R 5, F 1: 51 (1 customers) — <script>x</script>');
    expect(groups[24].text).toContain('R 1, F 5: no customers');
    expect(svg).not.toContain('<script>');
  });
});

describe('colours', () => {
  it('viridis interpolates between its stops', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(0.5)).toBe('#21918c');
    expect(viridis(1)).toBe('#fde725');
    // Half way between #440154 and #3b528b: (0x44+0x3b)/2 = 63.5 → 0x40, (0x01+0x52)/2 = 41.5 → 0x2a, (0x54+0x8b)/2 = 111.5 → 0x70.
    expect(viridis(0.125)).toBe('#402a70');
    expect(viridis(-1)).toBe('#440154');
    expect(viridis(Number.NaN)).toBe('#440154');
  });

  it('puts black text on light fills and white on dark ones', () => {
    expect(inkOn('#fde725')).toBe('#000000');
    expect(inkOn('#DDDDDD')).toBe('#000000');
    expect(inkOn('#440154')).toBe('#ffffff');
    expect(inkOn('#332288')).toBe('#ffffff');
  });
});

describe('centroidMapSvg', () => {
  const segments = [
    { cluster: 0, name: 'Loyal', size: 100, recency: 10, monetary: 3000 },
    { cluster: 1, name: '<img src=x onerror=alert(1)>', size: 25, recency: 200, monetary: 300 },
  ];

  it('puts the centroids on log scales whose domain it publishes for the page script', () => {
    const elements = parseSvg(centroidMapSvg({ id: 'm', title: 'Centroids', segments }));
    const svg = elements[0].attributes;
    expect([svg['data-r0'], svg['data-r1'], svg['data-m0'], svg['data-m1']].map(Number)).toEqual([0, 600, 100, 9000]);
    const x = logScale(0, 600, MAP.left, MAP.width - MAP.right);
    const y = logScale(100, 9000, MAP.height - MAP.bottom, MAP.top);
    const dots = elements.filter((e) => e.name === 'circle' && e.attributes.stroke === '#000000');
    expect(Number(dots[0].attributes.cx)).toBeCloseTo(x(10), 1);
    expect(Number(dots[1].attributes.cy)).toBeCloseTo(y(300), 1);
    // Radius by the square root of the size: 6 + 14·√(25/100) = 13.
    expect(Number(dots[1].attributes.r)).toBe(13);
    expect(elements.some((e) => e.name === 'img')).toBe(false);
  });

  it('logScale maps the ends of the domain to the ends of the range', () => {
    const s = logScale(0, 99, 10, 110);
    expect(s(0)).toBe(10);
    expect(s(99)).toBe(110);
    expect(s(9)).toBeCloseTo(10 + (Math.log(10) / Math.log(100)) * 100, 10); // log1p(9)/log1p(99) = 1/2
  });
});
