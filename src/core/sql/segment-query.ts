/**
 * Scoring a warehouse's RFM table with a fitted model (`rfm sql segment`): the model's transform
 * (log1p or none), its scaler and centroids, and the nearest centroid by squared distance, ties to
 * the lower cluster index — ../assign.ts's batchAssigner, term for term. A row the tool would
 * refuse (a NULL, recency < 0, frequency < 1, monetary < 0) gets a NULL cluster and segment.
 */
import type { RfmModel } from '../model.js';
import { dialect as dialectNamed, doubleLiteral, type Dialect, type DialectName } from './dialects.js';
import { sourceSql, type SqlSource } from './rfm-query.js';

export interface RfmTableColumns {
  customer: string;
  recency: string;
  frequency: string;
  monetary: string;
}

export const DEFAULT_RFM_COLUMNS: RfmTableColumns = { customer: 'customer_id', recency: 'recency', frequency: 'frequency', monetary: 'monetary' };

type ModelPart = Pick<RfmModel, 'params' | 'scaler' | 'centroids' | 'segments'>;

/** customer_id, cluster, segment, ordered by customer_id. */
export function segmentQuery(dialectName: DialectName | Dialect, source: SqlSource, model: ModelPart, columns: RfmTableColumns = DEFAULT_RFM_COLUMNS): string {
  const d = typeof dialectName === 'string' ? dialectNamed(dialectName) : dialectName;
  const q = (name: string) => d.identifier(name);
  const num = (v: number) => doubleLiteral(d, v);
  const log = model.params.transform === 'log';
  const values = [columns.recency, columns.frequency, columns.monetary].map((c) => d.double(q(c)));
  const features = values.map((v, j) => `(${log ? d.log1p(v) : v} - ${num(model.scaler.mean[j])}) / ${num(model.scaler.scale[j])} AS x${j}`);
  const usable = `${values[0]} >= 0 AND ${values[1]} >= 1 AND ${values[2]} >= 0`;
  const distances = model.centroids.map((centre, c) => {
    const terms = centre.map((v, j) => `(x${j} - ${num(v)}) * (x${j} - ${num(v)})`);
    return `${terms.join(' + ')} AS d${c}`;
  });
  const k = model.centroids.length;
  const ds = Array.from({ length: k }, (_, c) => `d${c}`);
  // The first index whose distance is the least: batchAssigner's strict "<" keeps the lower index.
  const cluster = k === 1 ? '0' : `CASE ${ds.map((dc, c) => `WHEN ${dc} = best THEN ${c}`).join(' ')} END`;
  const best = k === 1 ? 'd0' : `LEAST(${ds.join(', ')})`;
  const names = `CASE cluster ${model.segments.map((s) => `WHEN ${s.cluster} THEN ${d.string(s.name)}`).join(' ')} END`;
  return (
    `WITH\n` +
    `features AS (\n  SELECT ${d.text(q(columns.customer))} AS customer_id,\n    ${features.join(',\n    ')}\n  FROM ${sourceSql(d, source)}\n  WHERE ${usable}\n),\n` +
    `distances AS (\n  SELECT customer_id,\n    ${distances.join(',\n    ')}\n  FROM features\n),\n` +
    `nearest AS (\n  SELECT customer_id, ${cluster} AS cluster\n  FROM (SELECT customer_id, ${ds.join(', ')}, ${best} AS best FROM distances) ranked\n),\n` +
    `refused AS (\n  SELECT ${d.text(q(columns.customer))} AS customer_id FROM ${sourceSql(d, source)} WHERE NOT (${usable}) OR ${values.map((v) => `${v} IS NULL`).join(' OR ')}\n)\n` +
    `SELECT customer_id, cluster, segment FROM (\n` +
    `  SELECT customer_id, cluster, ${names} AS segment FROM nearest\n` +
    `  UNION ALL\n  SELECT customer_id, NULL, NULL FROM refused\n) assigned\n` +
    `ORDER BY ${d.binaryOrder('customer_id')}\n`
  );
}
