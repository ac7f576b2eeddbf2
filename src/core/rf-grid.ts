/**
 * The R/F score grid of a customer base (R's `rfm` package's heat map): customers by recency
 * score (5 = most recent) × frequency score (quintiles, core/scores.ts), with each cell's count,
 * mean monetary value and the R/F vocabulary's segment name. All 25 cells are listed, empty ones
 * with 0 customers and a null mean.
 */
import type { RfmRow } from './rfm.js';
import { computeScores, scoreSegment, type ScoreSegment, type ScoreThresholds } from './scores.js';

export interface RfCell {
  r: number;
  f: number;
  customers: number;
  /** Mean monetary value of the cell's customers; null for an empty cell. */
  meanMonetary: number | null;
  segment: ScoreSegment;
}

export interface RfGrid {
  customers: number;
  thresholds: ScoreThresholds;
  /** R 5..1, and within each F 1..5: the order the grid is read in, top left first. */
  cells: RfCell[];
}

export function rfGrid(rows: readonly RfmRow[]): RfGrid {
  const { thresholds, scores } = computeScores(rows);
  const count = new Array<number>(25).fill(0);
  const sum = new Array<number>(25).fill(0);
  scores.forEach((s, i) => {
    const at = (s.r - 1) * 5 + (s.f - 1);
    count[at]++;
    sum[at] += rows[i].monetary;
  });
  const cells: RfCell[] = [];
  for (let r = 5; r >= 1; r--) {
    for (let f = 1; f <= 5; f++) {
      const at = (r - 1) * 5 + (f - 1);
      cells.push({ r, f, customers: count[at], meanMonetary: count[at] > 0 ? sum[at] / count[at] : null, segment: scoreSegment(r, f) });
    }
  }
  return { customers: rows.length, thresholds, cells };
}
