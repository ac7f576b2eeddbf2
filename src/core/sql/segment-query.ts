/**
 * Scoring a warehouse's RFM table with a fitted model (`rfm sql segment`): the model's transform
 * (log1p or none), its scaler and centroids, and the nearest centroid by squared distance, ties to
 * the lower cluster index — ../assign.ts's batchAssigner, term for term. A row the tool would
 * refuse (a NULL, recency < 0, frequency < 1, monetary < 0) gets a NULL cluster and segment.
 */
import { usageError } from '../errors.js';
import type { ModelClv, RfmModel } from '../model.js';
import { btydColumnsSql, checkedBtydSql, clvSql, CLV_OUTPUT, DEFAULT_BTYD_COLUMNS, RAW_BTYD, type BtydTableColumns } from './clv-query.js';
import { dialect as dialectNamed, doubleLiteral, type Dialect, type DialectName } from './dialects.js';
import { sourceSql, type SqlSource } from './rfm-query.js';

export interface RfmTableColumns {
  customer: string;
  recency: string;
  frequency: string;
  monetary: string;
}

export const DEFAULT_RFM_COLUMNS: RfmTableColumns = { customer: 'customer_id', recency: 'recency', frequency: 'frequency', monetary: 'monetary' };

type ModelPart = Pick<RfmModel, 'params' | 'scaler' | 'centroids' | 'segments'> & { clv?: ModelClv };

export interface SegmentQueryOptions {
  /** Add the model's CLV predictions (p_alive, expected_purchases, expected_spend, clv) from these BTYD columns (clv-query.ts). */
  clv?: boolean | BtydTableColumns;
}

/** customer_id, cluster, segment (and with `clv` the predictions of clv-query.ts), ordered by customer_id. */
export function segmentQuery(
  dialectName: DialectName | Dialect,
  source: SqlSource,
  model: ModelPart,
  columns: RfmTableColumns = DEFAULT_RFM_COLUMNS,
  options: SegmentQueryOptions = {},
): string {
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
  let btyd = '';
  let section: ModelClv | undefined;
  if (options.clv !== undefined && options.clv !== false) {
    if (model.clv === undefined) throw usageError('the model has no lifetime-value models (clv section) to predict with', 'refit it with rfm fit --clv');
    section = model.clv;
    btyd = btydColumnsSql(d, options.clv === true ? DEFAULT_BTYD_COLUMNS : options.clv);
  }
  const carried = section === undefined ? '' : `, ${RAW_BTYD}`;
  const withBtyd = section === undefined ? '' : `,\n    ${btyd}`;
  const names = `CASE cluster ${model.segments.map((s) => `WHEN ${s.cluster} THEN ${d.string(s.name)}`).join(' ')} END`;
  const head =
    `WITH\n` +
    `features AS (\n  SELECT ${d.text(q(columns.customer))} AS customer_id,\n    ${features.join(',\n    ')}${withBtyd}\n  FROM ${sourceSql(d, source)}\n  WHERE ${usable}\n),\n` +
    `distances AS (\n  SELECT customer_id${carried},\n    ${distances.join(',\n    ')}\n  FROM features\n),\n` +
    `nearest AS (\n  SELECT customer_id${carried}, ${cluster} AS cluster\n  FROM (SELECT customer_id${carried}, ${ds.join(', ')}, ${best} AS best FROM distances) ranked\n),\n` +
    `refused AS (\n  SELECT ${d.text(q(columns.customer))} AS customer_id${withBtyd} FROM ${sourceSql(d, source)} WHERE NOT (${usable}) OR ${values.map((v) => `${v} IS NULL`).join(' OR ')}\n)`;
  const assigned = `  SELECT customer_id, cluster, ${names} AS segment${carried} FROM nearest\n  UNION ALL\n  SELECT customer_id, NULL, NULL${carried} FROM refused\n`;
  if (section === undefined) {
    return `${head}\nSELECT customer_id, cluster, segment FROM (\n${assigned}) assigned\nORDER BY ${d.binaryOrder('customer_id')}\n`;
  }
  const keep = 'customer_id, cluster, segment';
  return (
    `${head},\nassigned AS (\n${assigned}),\n${checkedBtydSql(d, 'assigned', keep)},\n${clvSql(d, section, 'btyd', keep)}\n` +
    `SELECT ${keep}, ${CLV_OUTPUT.join(', ')}\nFROM predicted\nORDER BY ${d.binaryOrder('customer_id')}\n`
  );
}
