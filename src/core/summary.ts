/**
 * The per-segment summary that `rfm summary`, `rfm fit` and GET /clusters/summary share: from the
 * model's stored statistics, or recomputed for new customers assigned with the model.
 */
import { assignRows } from './assign.js';
import type { ModelClv, RfmModel, SegmentClv } from './model.js';
import type { RfmRow } from './rfm.js';
import { segmentStats, type Stats } from './segments.js';

export interface SegmentSummary {
  cluster: number;
  name: string;
  description: string;
  action: string;
  size: number;
  share: number;
  revenue: number;
  revenueShare: number;
  recency: Stats | null;
  frequency: Stats | null;
  monetary: Stats | null;
}

export interface Summary {
  model: {
    createdAt: string;
    k: number;
    transform: string;
    source: string;
    asOf: string | null;
    customers: number;
    inertia: number;
    silhouette: number | null;
  };
  /** Where the statistics come from: the model's training customers, or new data. */
  data: { source: string; customers: number; asOf: string | null };
  segments: SegmentSummary[];
  /** The training customers' lifetime-value figures per segment, when the model has them (rfm fit --clv). */
  clv?: ClvSummary;
}

export interface ClvSummary {
  period: ModelClv['period'];
  calibrationEnd: string;
  horizonMonths: number;
  monthlyDiscount: number;
  purchaseModel: ModelClv['purchaseModel'];
  segments: (SegmentClv & { name: string })[];
}

function clvSummary(clv: ModelClv, model: RfmModel): ClvSummary {
  const { period, calibrationEnd, horizonMonths, monthlyDiscount, purchaseModel } = clv;
  return { period, calibrationEnd, horizonMonths, monthlyDiscount, purchaseModel, segments: clv.segments.map((s) => ({ ...s, name: model.segments[s.cluster].name })) };
}

function modelHeader(model: RfmModel): Summary['model'] {
  return {
    createdAt: model.createdAt,
    k: model.params.k,
    transform: model.params.transform,
    source: model.training.source,
    asOf: model.training.asOf,
    customers: model.training.customers,
    inertia: model.inertia,
    silhouette: model.silhouette,
  };
}

export function summaryFromModel(model: RfmModel): Summary {
  return {
    model: modelHeader(model),
    data: { source: model.training.source, customers: model.training.customers, asOf: model.training.asOf },
    segments: model.segments.map((s) => ({
      cluster: s.cluster,
      name: s.name,
      description: s.description,
      action: s.action,
      size: s.size,
      share: s.share,
      revenue: s.revenue,
      revenueShare: s.revenueShare,
      recency: s.recency,
      frequency: s.frequency,
      monetary: s.monetary,
    })),
    ...(model.clv === undefined ? {} : { clv: clvSummary(model.clv, model) }),
  };
}

export function summaryForData(model: RfmModel, rows: readonly RfmRow[], source: string, asOf: string | null): Summary {
  const stats = segmentStats(rows, assignRows(model, rows), model.params.k);
  return {
    model: modelHeader(model),
    data: { source, customers: rows.length, asOf },
    segments: model.segments.map((s, i) => ({
      cluster: s.cluster,
      name: s.name,
      description: s.description,
      action: s.action,
      ...stats[i],
    })),
  };
}
