/**
 * An independent check of what segment names and descriptions claim. It reads only the words of a
 * segment's name, description and action, and recomputes every claim from the raw customers and
 * their cluster labels — plain loops over the rows, nothing from src/core/describe-segment.ts or
 * naming.ts — so a wrong fact, a misfitting name or a false qualifier is a listed problem.
 * The definitions below are written from DESIGN.md §2 and the README (Segment names and descriptions).
 */
import type { ModelSegment } from '../../src/core/model.js';

export interface Customer {
  recency: number;
  frequency: number;
  monetary: number;
}

type Metric = 'recency' | 'frequency' | 'monetary';
const METRICS: Metric[] = ['recency', 'frequency', 'monetary'];

const PHRASES: Record<Metric, Record<string, 'below' | 'above' | 'equal'>> = {
  recency: { 'longer ago than': 'below', 'more recently than': 'above', 'the same as': 'equal' },
  frequency: { 'more than': 'below', 'fewer than': 'above', 'the same as': 'equal' },
  monetary: { 'more than': 'below', 'less than': 'above', 'the same as': 'equal' },
};

const NUMBER = '([0-9][0-9,]*(?:\\.[0-9]+)?)';
const RELATIVE = '\\((longer ago than|more recently than|more than|fewer than|less than|the same as) ([0-9]+) % of customers\\)';
const DESCRIPTION = new RegExp(`^Last bought ${NUMBER} days? ago on average ${RELATIVE}, ${NUMBER} orders ${RELATIVE}, spent ${NUMBER} ${RELATIVE}$`);

export interface Claim {
  metric: Metric;
  value: number;
  decimals: number;
  side: 'below' | 'above' | 'equal';
  percent: number;
}

/** The three claims of a description, or null when it does not read as one. */
export function parseDescription(text: string): Claim[] | null {
  const m = DESCRIPTION.exec(text);
  if (m === null) return null;
  const claims: Claim[] = [];
  for (const [j, metric] of METRICS.entries()) {
    const [number, phrase, percent] = [m[1 + 3 * j], m[2 + 3 * j], m[3 + 3 * j]];
    const side = PHRASES[metric][phrase];
    if (side === undefined) return null;
    const decimals = number.includes('.') ? number.split('.')[1].length : 0;
    claims.push({ metric, value: Number(number.replace(/,/g, '')), decimals, side, percent: Number(percent) });
  }
  return claims;
}

/** R/F grid cells per name (R = recency score, 5 = most recent fifth; F = frequency score). */
const GRID: Record<string, (r: number, f: number) => boolean> = {
  Champions: (r, f) => r === 5 && f >= 4,
  Loyal: (r, f) => (r === 3 || r === 4) && f >= 4,
  'Potential Loyalists': (r, f) => r >= 4 && (f === 2 || f === 3),
  'New Customers': (r, f) => r === 5 && f === 1,
  Promising: (r, f) => r === 4 && f === 1,
  'Need Attention': (r, f) => r === 3 && f === 3,
  'About to Sleep': (r, f) => r === 3 && f <= 2,
  'At Risk': (r, f) => r <= 2 && (f === 3 || f === 4),
  "Can't Lose Them": (r, f) => r <= 2 && f === 5,
  Hibernating: (r, f) => r === 2 && f <= 2,
  Lost: (r, f) => r === 1 && f <= 2,
};

const ACTION_WORDS: Record<string, RegExp> = {
  'Loyal High-Value': /rewards.*VIP.*early access/i,
  'Potential Loyalists': /personalised offers/i,
  'Occasional Buyers': /cross-sell/i,
  'Churn Risk': /win-back/i,
  Lost: /low-cost win-back/i,
  'All customers': /-k 2/,
};

interface Facts {
  mean: Record<Metric, number>;
  shown: Record<Metric, number>;
  score: Record<Metric, number>;
}

/** Score 1..5 of `value` in the base by its mid-rank, checked against the fifths' bounds. */
function fifth(values: readonly number[], value: number): number {
  let below = 0;
  let equal = 0;
  for (const v of values) {
    if (v < value) below++;
    else if (v === value) equal++;
  }
  // mid-rank p = (below + equal / 2) / n lies in [(q - 1) / 5, q / 5): compare 10 n p with 2 n q.
  const tenNp = 5 * (2 * below + equal);
  for (let q = 1; q <= 5; q++) if (tenNp < 2 * values.length * q) return q;
  return 5;
}

/**
 * Every problem with the segments' names, descriptions and actions against the raw customers
 * (labels[i] = the cluster of customers[i]); an empty list when all claims hold.
 */
export function claimProblems(segments: readonly ModelSegment[], customers: readonly Customer[], labels: ArrayLike<number>): string[] {
  const problems: string[] = [];
  const k = segments.length;
  const base = Object.fromEntries(METRICS.map((m) => [m, customers.map((c) => c[m])])) as Record<Metric, number[]>;
  const n = customers.length;
  const facts: Facts[] = [];
  for (const segment of segments) {
    const where = `cluster ${segment.cluster} "${segment.name}"`;
    const members = customers.filter((_, i) => labels[i] === segment.cluster);
    if (members.length !== segment.size) problems.push(`${where}: ${members.length} customers, the model says ${segment.size}`);
    const claims = parseDescription(segment.description);
    if (claims === null) {
      problems.push(`${where}: description does not read as the three facts: ${segment.description}`);
      facts.push({ mean: { recency: NaN, frequency: NaN, monetary: NaN }, shown: { recency: NaN, frequency: NaN, monetary: NaN }, score: { recency: 0, frequency: 0, monetary: 0 } });
      continue;
    }
    const fact: Facts = { mean: {} as Record<Metric, number>, shown: {} as Record<Metric, number>, score: {} as Record<Metric, number> };
    for (const claim of claims) {
      const m = claim.metric;
      const mean = members.reduce((s, c) => s + c[m], 0) / members.length;
      fact.mean[m] = mean;
      fact.shown[m] = claim.value;
      // The printed value is the mean, rounded to its printed decimals.
      const half = 0.5 * 10 ** -claim.decimals;
      if (Math.abs(claim.value - mean) > half * (1 + 1e-9) + 1e-9 * Math.abs(mean)) problems.push(`${where}: ${m} ${claim.value} is not the mean ${mean} rounded`);
      let below = 0;
      let above = 0;
      for (const v of base[m]) {
        if (v < claim.value) below++;
        else if (v > claim.value) above++;
      }
      const count = claim.side === 'below' ? below : claim.side === 'above' ? above : n - below - above;
      const share = (100 * count) / n;
      // "more than X %": X is the share rounded down, so the statement is true and as strong as it can be.
      if (!(claim.percent <= share + 1e-9 && share < claim.percent + 1)) problems.push(`${where}: ${m} claims ${claim.percent} % ${claim.side}, the share is ${share} %`);
      fact.score[m] = fifth(base[m], claim.value);
    }
    fact.score.recency = 6 - fact.score.recency;
    facts.push(fact);
  }

  const names = segments.map((s) => s.name);
  for (const [i, name] of names.entries()) if (names.indexOf(name) !== i) problems.push(`two segments are named "${name}"`);

  for (const [i, segment] of segments.entries()) {
    const where = `cluster ${i} "${segment.name}"`;
    const qualified = /^(.*) \(([^()]*)\)$/.exec(segment.name);
    const name = qualified ? qualified[1] : segment.name;
    const { r, f, m } = { r: facts[i].score.recency, f: facts[i].score.frequency, m: facts[i].score.monetary };
    const recency = facts.map((x) => x.shown.recency);
    const spend = facts.map((x) => x.shown.monetary);
    let fits: boolean;
    switch (name) {
      case 'All customers':
        fits = k === 1;
        break;
      case 'Churn Risk':
        fits = k === 4 && r <= 2 && recency.every((x) => x <= recency[i]);
        break;
      case 'Loyal High-Value':
        fits = k === 4 && r >= 3 && f >= 4 && m >= 4 && spend.every((x) => x <= spend[i]);
        break;
      case 'Occasional Buyers':
        fits = k === 4 && r >= 2 && r <= 4 && f <= 4 && recency.some((x) => x < recency[i]) && recency.some((x) => x > recency[i]);
        break;
      case 'Potential Loyalists':
        // The k = 4 name (recent, not yet frequent) and the grid cell coincide but for F 1.
        fits = GRID[name](r, f) || (k === 4 && r >= 4 && f === 1);
        break;
      default:
        fits = GRID[name]?.(r, f) ?? false;
    }
    if (!fits) problems.push(`${where}: R ${r} F ${f} M ${m} does not fit "${name}" (k = ${k})`);
    if (segment.action.trim() === '') problems.push(`${where}: no suggested action`);
    if (ACTION_WORDS[name] && !ACTION_WORDS[name].test(segment.action)) problems.push(`${where}: action "${segment.action}" does not follow the name`);
    if (qualified) {
      const group = segments.flatMap((s, j) => (s.name.startsWith(`${name} (`) && /\)$/.test(s.name) ? [j] : []));
      const problem = qualifierProblem(qualified[2], i, group, facts);
      if (problem) problems.push(`${where}: ${problem}`);
    }
  }
  return problems;
}

/** Whether a qualifier such as "higher spend", "2nd-most orders" or "least recent" is true in its group. */
function qualifierProblem(words: string, i: number, group: number[], facts: Facts[]): string | undefined {
  const kinds: [RegExp, Metric, 1 | -1][] = [
    [/^(highest|higher|lower|lowest|(\d+)(st|nd|rd|th)-highest) spend$/, 'monetary', 1],
    [/^(most|more|fewer|fewest|(\d+)(st|nd|rd|th)-most) orders$/, 'frequency', 1],
    [/^(most|more|less|least|(\d+)(st|nd|rd|th)-most) recent$/, 'recency', -1],
  ];
  for (const [pattern, metric, direction] of kinds) {
    const m = pattern.exec(words);
    if (m === null) continue;
    // Rank 1 = the most spend / orders / recent (lowest recency) of the group.
    const mine = facts[i].shown[metric] * direction;
    const rank = 1 + group.filter((j) => facts[j].shown[metric] * direction > mine).length;
    if (group.some((j) => j !== i && facts[j].shown[metric] === facts[i].shown[metric])) return `"${words}" but its ${metric} ties another`;
    const first = ['highest', 'higher', 'most', 'more'];
    const expected = m[2] !== undefined ? Number(m[2]) : first.includes(m[1]) ? 1 : group.length;
    if (group.length === 2 !== ['higher', 'lower', 'more', 'fewer', 'less'].includes(m[1])) return `"${words}" is the wrong degree for a group of ${group.length}`;
    return rank === expected ? undefined : `"${words}" but it ranks ${rank} of ${group.length} by ${metric}`;
  }
  const cluster = /^cluster (\d+)$/.exec(words);
  return cluster && Number(cluster[1]) === i ? undefined : `unknown qualifier "${words}"`;
}
