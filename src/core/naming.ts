/**
 * Business names for clusters, decided deterministically from what the segments' numbers say
 * (describe-segment.ts), so that a name never claims what its segment's numbers contradict:
 * - k = 1: "All customers".
 * - k = 4: the original four-segment vocabulary, assigned by the rule in DESIGN.md §2 (from the
 *   centroids); each name is kept only where the segment's profile fits the name's definition
 *   (FOUR_FITS), otherwise that segment gets its R/F grid name.
 * - any other k: the R/F grid name of each segment's R and F scores (gridName).
 * Names that would repeat get a qualifier that is true of them ("Loyal (higher spend)"), never a
 * bare number. Suggested actions follow the name.
 */
import type { SegmentProfile } from './describe-segment.js';

export interface CentroidView {
  /** Centroid in original units (days, count, money). */
  recency: number;
  frequency: number;
  monetary: number;
  /** Centroid in the scaled feature space: [R, F, M]. */
  scaled: readonly number[];
}

export const ALL_CUSTOMERS = 'All customers';

export const SEGMENT_ACTIONS: Record<string, string> = {
  'Loyal High-Value': 'Reward them: loyalty rewards, VIP offers, early access to new products',
  'Potential Loyalists': 'Turn them into regulars: personalised offers and timely reminders',
  'Occasional Buyers': 'Grow the basket: cross-sell and product recommendations',
  'Churn Risk': 'Win them back: win-back campaigns and reactivation discounts',
  Champions: 'Reward them; ask for reviews and referrals; early access',
  Loyal: 'Upsell higher-value products; loyalty programme',
  'New Customers': 'Onboard them well: welcome series, first-repeat incentive',
  Promising: 'Build the relationship: brand content, a small offer',
  'Need Attention': 'Limited-time offers based on past purchases',
  'About to Sleep': 'Re-engage with popular products and a discount',
  'At Risk': 'Personalised win-back emails and offers',
  "Can't Lose Them": 'Win them back with new products; talk to them',
  Hibernating: 'Low-cost reactivation; do not over-spend on them',
  Lost: 'One low-cost win-back attempt at most; otherwise leave them out of campaigns',
  [ALL_CUSTOMERS]: 'One message for everyone; fit with -k 2 or more to tell customers apart',
};

/** The k = 4 rule of DESIGN.md §2. Returns one name per centroid, in centroid order. */
export function nameFour(centroids: readonly CentroidView[]): string[] {
  const names: string[] = new Array(4);
  const remaining = [0, 1, 2, 3];
  const takeBest = (score: (c: CentroidView) => number): number => {
    let best = remaining[0];
    for (const i of remaining) if (score(centroids[i]) > score(centroids[best])) best = i;
    remaining.splice(remaining.indexOf(best), 1);
    return best;
  };
  names[takeBest((c) => c.recency)] = 'Churn Risk';
  names[takeBest((c) => (c.scaled[1] + c.scaled[2]) / 2)] = 'Loyal High-Value';
  names[takeBest((c) => -c.recency)] = 'Potential Loyalists';
  names[remaining[0]] = 'Occasional Buyers';
  return names;
}

/**
 * The R/F grid of `rfm rfm --scores` (DESIGN.md §2) by a segment's R and F scores, with its
 * Hibernating corner split as the R `rfm` package does: the least recent fifth (R 1) with few
 * orders is Lost, R 2 Hibernating.
 */
export function gridName(r: number, f: number): string {
  if (r <= 2) {
    if (f <= 2) return r === 1 ? 'Lost' : 'Hibernating';
    return f <= 4 ? 'At Risk' : "Can't Lose Them";
  }
  if (r === 3) return f <= 2 ? 'About to Sleep' : f === 3 ? 'Need Attention' : 'Loyal';
  if (f >= 4) return r === 4 ? 'Loyal' : 'Champions';
  if (f === 1) return r === 4 ? 'Promising' : 'New Customers';
  return 'Potential Loyalists';
}

/** Whether segment `i` fits a k = 4 name, judged on every segment's profile (means and scores). */
const FOUR_FITS: Record<string, (i: number, p: readonly SegmentProfile[]) => boolean> = {
  // The least recent segment, and longer ago than most customers (R 1-2).
  'Churn Risk': (i, p) => p[i].r <= 2 && p.every((o) => o.recency.value <= p[i].recency.value),
  // Spends the most of all segments, buys often and spends much (F, M 4-5), not long ago (R 3-5).
  'Loyal High-Value': (i, p) => p[i].r >= 3 && p[i].f >= 4 && p[i].m >= 4 && p.every((o) => o.monetary.value <= p[i].monetary.value),
  // Recent relative to the base (R 4-5), not yet frequent (F 1-3).
  'Potential Loyalists': (i, p) => p[i].r >= 4 && p[i].f <= 3,
  // Neither the most nor the least recent segment, middling recency (R 2-4), not the most frequent (F 1-4).
  'Occasional Buyers': (i, p) =>
    p[i].r >= 2 && p[i].r <= 4 && p[i].f <= 4 && p.some((o) => o.recency.value < p[i].recency.value) && p.some((o) => o.recency.value > p[i].recency.value),
};

/** The automatic names, one per segment (profiles in cluster order; centroids for the k = 4 rule). */
export function nameSegments(centroids: readonly CentroidView[], profiles: readonly SegmentProfile[]): string[] {
  const k = profiles.length;
  if (k === 1) return [ALL_CUSTOMERS];
  const grid = profiles.map((p) => gridName(p.r, p.f));
  const names = k === 4 ? nameFour(centroids).map((name, i) => (FOUR_FITS[name](i, profiles) ? name : grid[i])) : grid;
  return disambiguate(names, profiles);
}

type Qualifier = { metric: 'monetary' | 'frequency' | 'recency'; descending: boolean; words: (rank: number, of: number) => string };

const ordinal = (n: number) => `${n}${n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : n % 10 === 1 && n % 100 !== 11 ? 'st' : 'th'}`;

/** Words for rank 0 (the most) .. of - 1 (the least), as comparatives for two. */
const rankWords = (most: string, more: string, less: string, least: string, noun: string) => (rank: number, of: number) => {
  if (of === 2) return `${rank === 0 ? more : less} ${noun}`.trim();
  if (rank === 0) return `${most} ${noun}`.trim();
  if (rank === of - 1) return `${least} ${noun}`.trim();
  return `${ordinal(rank + 1)}-${most} ${noun}`.trim();
};

/** Tried in this order: the first whose printed values all differ within the group is used. */
const QUALIFIERS: Qualifier[] = [
  { metric: 'monetary', descending: true, words: rankWords('highest', 'higher', 'lower', 'lowest', 'spend') },
  { metric: 'frequency', descending: true, words: rankWords('most', 'more', 'fewer', 'fewest', 'orders') },
  { metric: 'recency', descending: false, words: rankWords('most recent', 'more recent', 'less recent', 'least recent', '') },
];

/**
 * Makes repeated names unique: each segment of a group sharing a name gets its rank within the
 * group by spend (or, where the printed spends tie, orders, then recency), compared on the values
 * the descriptions print, so the qualifier can be checked against them.
 */
export function disambiguate(names: readonly string[], profiles: readonly SegmentProfile[]): string[] {
  const result = [...names];
  for (const name of new Set(names)) {
    const members = names.flatMap((n, i) => (n === name ? [i] : []));
    if (members.length < 2) continue;
    const qualifier = QUALIFIERS.find((q) => new Set(members.map((i) => profiles[i][q.metric].value)).size === members.length);
    if (qualifier === undefined) {
      for (const i of members) result[i] = `${name} (cluster ${i})`;
      continue;
    }
    const value = (i: number) => profiles[i][qualifier.metric].value;
    members.sort((a, b) => (qualifier.descending ? value(b) - value(a) : value(a) - value(b)));
    members.forEach((i, rank) => (result[i] = `${name} (${qualifier.words(rank, members.length)})`));
  }
  return result;
}

/** A name without its qualifier: "Loyal (higher spend)" → "Loyal". */
export const baseName = (name: string) => name.replace(/ \([^()]*\)$/, '');

/** The suggested action of a vocabulary name (qualifiers ignored); undefined for any other name. */
export function actionFor(name: string): string | undefined {
  return Object.hasOwn(SEGMENT_ACTIONS, baseName(name)) ? SEGMENT_ACTIONS[baseName(name)] : undefined;
}
