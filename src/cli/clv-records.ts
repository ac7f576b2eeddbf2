/**
 * The rows `rfm clv` writes (one per customer: the BTYD fields and the predictions), as columns for
 * io/records.ts; and what `rfm clv` hands to a helper thread (parallel.ts): the Gamma-Gamma fit, and
 * the second half of a long CSV or TSV while this thread writes the first, with the same bytes as
 * one thread (each cell's text depends on its row alone, so where the rows are cut does not change
 * them). Without a helper, or when it fails, both are done on this thread.
 */
import { distinctIndex, fitSpendSteps, ownsSpend, valueTableFrom, type BtydTable, type DigitIds, type FitOptions, type GammaGammaParams, type SpendColumns, type ValueParts, type ValueTable } from '../core/clv/index.js';
import { digitIdText } from '../io/id-column.js';
import type { Sink } from '../io/output.js';
import { writeRecords, type Column, type DelimitedFormat } from '../io/records.js';
import type { Helper } from './parallel.js';
import { runInterruptibly } from './shutdown.js';

/** Below this many repeat buyers the spend fit takes a few tens of milliseconds: this thread does it (parallel.ts). */
export const PARALLEL_MIN_BUYERS = 20_000;

/** From this many customers on, `rfm clv`'s CSV or TSV is made on two threads (about 3 µs a row on one). */
export const PARALLEL_MIN_ROWS = 100_000;

/** The holdout columns (with --holdout-end). */
export interface HoldoutColumns {
  actual: Float64Array;
  predicted: Float64Array;
}

/**
 * The number of each group's value of `column` among the groups' distinct values (groups share a
 * few hundred recency and T values: a log counts whole days), for formatting each value once.
 */
function distinctPerGroup(column: Float64Array, group: Int32Array, groups: number): Int32Array {
  const ofGroup = new Float64Array(groups);
  for (let i = 0; i < group.length; i++) ofGroup[group[i]] = column[i];
  return distinctIndex(ofGroup).index;
}

/**
 * The output columns over row indices: customers of one group (the same frequency, recency and T)
 * share those and the predictions that depend on them alone, so their fields are formatted once;
 * recency and T once per distinct value (a double's shortest text costs ~0.7 µs here, and CDNOW's
 * 8,685 groups have 271 recencies and 84 Ts).
 */
export function clvColumns(customers: BtydTable, table: ValueTable, holdout: HoldoutColumns | undefined): Column<number>[] {
  const group = (i: number) => table.group[i];
  const { frequency, recency, T, monetary } = customers;
  const groups = table.pAlive.length;
  const recencyKey = distinctPerGroup(recency, table.group, groups);
  const TKey = distinctPerGroup(T, table.group, groups);
  // One-time buyers (and repeat buyers without spend) get the population's expected spend.
  const ownSpend = (i: number) => (ownsSpend(frequency[i], monetary[i]) ? -1 : 0);
  const list: Column<number>[] = [
    { header: 'customer_id', value: (i) => customers.id(i) },
    { header: 'frequency', value: (i) => frequency[i], kind: 'int', key: group },
    { header: 'recency', value: (i) => recency[i], kind: 'number', key: (i) => recencyKey[table.group[i]] },
    { header: 'T', value: (i) => T[i], kind: 'number', key: (i) => TKey[table.group[i]] },
    { header: 'monetary_value', value: (i) => (Number.isNaN(monetary[i]) ? null : monetary[i]), kind: 'money' },
    { header: 'p_alive', value: (i) => table.pAlive[table.group[i]], kind: 'number', key: group },
    { header: 'expected_purchases', value: (i) => table.expectedPurchases[table.group[i]], kind: 'number', key: group },
    { header: 'expected_spend', value: (i) => table.expectedSpend(i), kind: 'money', key: ownSpend },
    { header: 'clv', value: (i) => table.clv(i), kind: 'money', key: (i) => (ownSpend(i) < 0 ? -1 : table.group[i]) },
  ];
  if (holdout !== undefined) {
    list.push({ header: 'holdout_actual', value: (i) => holdout.actual[i], kind: 'int' });
    list.push({ header: 'holdout_predicted', value: (i) => holdout.predicted[i], kind: 'number' });
  }
  return list;
}

export function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

/** Rows [from, to) of a clv output, as plain data a helper thread can be sent (structured clone). */
export interface RecordsJob {
  kind: 'records';
  format: DelimitedFormat;
  size: number;
  /** The ids: as digit codes when the table has them (a string each costs making and copying), else strings. */
  ids: DigitIds | string[];
  frequency: Float64Array;
  recency: Float64Array;
  T: Float64Array;
  monetary: Float64Array;
  /** The value table's parts, `group` cut to the rows. */
  parts: ValueParts;
  holdout?: HoldoutColumns;
}

/** The job for rows [from, to) of `customers`. */
export function recordsJob(format: DelimitedFormat, customers: BtydTable, table: ValueTable, holdout: HoldoutColumns | undefined, from: number, to: number): RecordsJob {
  const cut = (column: Float64Array) => column.slice(from, to);
  return {
    kind: 'records',
    format,
    size: to - from,
    ids:
      customers.digitIds === undefined
        ? Array.from({ length: to - from }, (_, k) => customers.id(from + k))
        : { codes: customers.digitIds.codes.slice(from, to), lengths: customers.digitIds.lengths.slice(from, to) },
    frequency: cut(customers.frequency),
    recency: cut(customers.recency),
    T: cut(customers.T),
    monetary: cut(customers.monetary),
    parts: { ...table.parts, group: table.parts.group.slice(from, to) },
    holdout: holdout === undefined ? undefined : { actual: holdout.actual.slice(from, to), predicted: holdout.predicted.slice(from, to) },
  };
}

/** The bytes in an ArrayBuffer of their own (not a slice of Buffer's pool), so that it can be transferred. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** The job's rows as the bytes writeRecords writes for them (no header line), in blocks. */
export async function formatRecords(job: RecordsJob): Promise<Uint8Array[]> {
  const ids = job.ids;
  const id = Array.isArray(ids) ? (i: number) => ids[i] : (i: number) => digitIdText(ids.codes[i], ids.lengths[i]);
  const customers: BtydTable = { size: job.size, id, frequency: job.frequency, recency: job.recency, T: job.T, monetary: job.monetary, holdout: null };
  const table = valueTableFrom(job.parts, customers);
  const blocks: Uint8Array[] = [];
  const collector: Sink = {
    isTerminal: false,
    write: async (text) => void blocks.push(ownBuffer(typeof text === 'string' ? Buffer.from(text, 'utf8') : text)),
    commit: async () => undefined,
    abort: async () => undefined,
  };
  await writeRecords(collector, job.format, clvColumns(customers, table, job.holdout), range(0, customers.size), { header: false });
  return blocks;
}

/**
 * The Gamma-Gamma fit started on a helper at once (this thread goes on with the purchase model);
 * the returned function gives it. Without a helper, for few buyers, or when the helper failed (a
 * model error thrown there arrives as a plain Error), it is computed here, interruptibly, so that
 * its errors are this thread's own. The same code on either thread: the same numbers.
 */
export function startSpendFit(buyers: SpendColumns, options: FitOptions, helpers: readonly Helper[]): () => Promise<GammaGammaParams> {
  const helper = buyers.frequency.length >= PARALLEL_MIN_BUYERS ? helpers[0] : undefined;
  const theirs = helper?.run({ kind: 'spend', buyers, options }).catch(() => undefined);
  return async () => (await theirs) ?? runInterruptibly(fitSpendSteps(buyers, options));
}

/**
 * The job's bytes made on a helper, or undefined when there is none or it failed: the caller then
 * writes those rows itself (the same bytes either way).
 */
export function startRecords(job: RecordsJob, helpers: readonly Helper[]): Promise<Uint8Array[] | undefined> {
  const helper = helpers[0];
  if (helper === undefined) return Promise.resolve(undefined);
  return helper.run(job).catch(() => undefined);
}
