/**
 * Business names for clusters, decided from the centroids in original units, deterministically.
 * - k = 4: the original four-segment vocabulary (Churn Risk, Loyal High-Value, Potential
 *   Loyalists, Occasional Buyers), by the rule in DESIGN.md §2.
 * - any other k: the R/F grid applied to each centroid's quintile position among the training
 *   customers, made unique by a spend qualifier ("Loyal (high spend)"), never by a bare number.
 */
import { ascendingScore, scoreSegment, type ScoreThresholds } from './scores.js';

export interface CentroidView {
  /** Centroid in original units (days, count, money). */
  recency: number;
  frequency: number;
  monetary: number;
  /** Centroid in the scaled feature space: [R, F, M]. */
  scaled: readonly number[];
}

export interface SegmentText {
  description: string;
  action: string;
}

export const SEGMENT_TEXT: Record<string, SegmentText> = {
  'Loyal High-Value': {
    description: 'Buy often, spend the most, bought recently',
    action: 'Reward them: loyalty rewards, VIP offers, early access to new products',
  },
  'Potential Loyalists': {
    description: 'Bought recently, a few times, moderate spend',
    action: 'Turn them into regulars: personalised offers and timely reminders',
  },
  'Occasional Buyers': {
    description: 'Buy now and then, middling recency and spend',
    action: 'Grow the basket: cross-sell and product recommendations',
  },
  'Churn Risk': {
    description: 'Have not bought for a long time, few purchases',
    action: 'Win them back: win-back campaigns and reactivation discounts',
  },
  Champions: { description: 'Bought very recently and buy often', action: 'Reward them; ask for reviews and referrals; early access' },
  Loyal: { description: 'Buy regularly and fairly recently', action: 'Upsell higher-value products; loyalty programme' },
  'New Customers': { description: 'Bought very recently, for the first time', action: 'Onboard them well: welcome series, first-repeat incentive' },
  Promising: { description: 'Recent first purchase, not yet repeated', action: 'Build the relationship: brand content, a small offer' },
  'Need Attention': { description: 'Average recency and frequency, slipping', action: 'Limited-time offers based on past purchases' },
  'About to Sleep': { description: 'Below-average recency and frequency', action: 'Re-engage with popular products and a discount' },
  'At Risk': { description: 'Used to buy often, but not for a while', action: 'Personalised win-back emails and offers' },
  "Can't Lose Them": { description: 'Bought the most often, long ago', action: 'Win them back with new products; talk to them' },
  Hibernating: { description: 'Last bought long ago, few purchases', action: 'Low-cost reactivation; do not over-spend on them' },
};

/** The k = 4 rule. Returns one name per centroid, in centroid order. */
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

const SPEND_WORDS: Record<number, string[]> = {
  2: ['high spend', 'low spend'],
  3: ['high spend', 'mid spend', 'low spend'],
  4: ['top spend', 'high spend', 'mid spend', 'low spend'],
  5: ['top spend', 'high spend', 'mid spend', 'low spend', 'lowest spend'],
};

/** The R/F grid rule for any k, with spend (then recency) qualifiers for repeated names. */
export function nameByGrid(centroids: readonly CentroidView[], thresholds: ScoreThresholds): string[] {
  const base = centroids.map((c) => {
    const r = 6 - ascendingScore(c.recency, thresholds.recency);
    const f = ascendingScore(c.frequency, thresholds.frequency);
    return scoreSegment(r, f) as string;
  });
  const names = [...base];
  for (const name of new Set(base)) {
    const members = base.flatMap((b, i) => (b === name ? [i] : []));
    if (members.length < 2) continue;
    members.sort((a, b) => centroids[b].monetary - centroids[a].monetary || centroids[a].recency - centroids[b].recency);
    const words = SPEND_WORDS[members.length];
    members.forEach((index, rank) => {
      const spend = words ? words[rank] : `spend rank ${rank + 1} of ${members.length}`;
      names[index] = `${name} (${spend})`;
    });
  }
  return names;
}

export function describe(name: string): SegmentText {
  const base = name.replace(/ \(.*\)$/, '');
  return SEGMENT_TEXT[base] ?? { description: 'Custom segment', action: 'Decide an action for this segment' };
}
