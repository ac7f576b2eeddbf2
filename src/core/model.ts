/**
 * The model file: its shape, and validation of anything read back (schema, version, array shapes,
 * finite numbers), naming the exact field that is wrong. Hyper-parameters (`params`) are kept apart
 * from learned state (`scaler`, `centroids`), as scikit-learn does.
 */
import { modelError } from './errors.js';
import type { DropCounts } from './clean.js';
import type { Transform } from './scale.js';
import type { Stats } from './segments.js';
import type { Period } from './clv/index.js';

export const MODEL_SCHEMA = 'rfm-model';
/** 2: the optional `clv` section (rfm fit --clv). Version-1 files are read as they are. */
export const MODEL_VERSION = 2;

type StandardErrors<K extends string> = Record<K, number | null>;

/** What a fitted BTYD model keeps: its parameters, their standard errors and the fit's statistics. */
interface FittedPart<K extends string> {
  logLikelihood: number;
  customers: number;
  se: StandardErrors<K>;
}

/** A segment's lifetime-value figures: means over its customers, and the segment's total CLV. */
export interface SegmentClv {
  cluster: number;
  /** Customers of the segment in the BTYD summary (first purchase by the calibration end). */
  customers: number;
  pAlive: number;
  /** Purchases expected over the horizon. */
  expectedPurchases: number;
  /** Gamma-Gamma expected spend per purchase. */
  expectedSpend: number;
  clv: number;
  clvTotal: number;
}

/** `rfm fit --clv`: BG/NBD, Pareto/NBD and Gamma-Gamma fitted on the training log's BTYD summary. */
export interface ModelClv {
  /** Time unit of recency, T and the purchase rates: a week is 7 days, a month 30. */
  period: Period;
  /** Last day of the calibration period (YYYY-MM-DD, inclusive). */
  calibrationEnd: string;
  /** The horizon (months of 30 days) and monthly discount rate of the stored CLV figures. */
  horizonMonths: number;
  monthlyDiscount: number;
  /** The purchase model the predictions use. */
  purchaseModel: 'bgnbd' | 'paretoNbd';
  bgnbd: { r: number; alpha: number; a: number; b: number } & FittedPart<'r' | 'alpha' | 'a' | 'b'>;
  paretoNbd: { r: number; alpha: number; s: number; beta: number } & FittedPart<'r' | 'alpha' | 's' | 'beta'>;
  gammaGamma: { p: number; q: number; gamma: number } & FittedPart<'p' | 'q' | 'gamma'>;
  /** In cluster order, one per segment. */
  segments: SegmentClv[];
}

export interface ModelSegment {
  cluster: number;
  name: string;
  description: string;
  action: string;
  size: number;
  share: number;
  revenue: number;
  revenueShare: number;
  recency: Stats;
  frequency: Stats;
  monetary: Stats;
  /** The centroid in original units (days, purchases, money). */
  centroid: { recency: number; frequency: number; monetary: number };
}

export interface ModelParams {
  k: number;
  transform: Transform;
  nInit: number;
  maxIter: number;
  tol: number;
  seed: number;
}

export interface RfmModel {
  schema: typeof MODEL_SCHEMA;
  version: typeof MODEL_VERSION;
  createdAt: string;
  tool: { name: string; version: string };
  training: {
    source: string;
    /** As-of instant (ISO) used for recency; null when trained from an RFM table. */
    asOf: string | null;
    rowsRead: number | null;
    rowsKept: number | null;
    dropped: DropCounts | null;
    customers: number;
  };
  params: ModelParams;
  scaler: { mean: number[]; scale: number[] };
  /** Centroids in the scaled feature space, [R, F, M] each. */
  centroids: number[][];
  inertia: number;
  silhouette: number | null;
  segments: ModelSegment[];
  /** Lifetime-value models (rfm fit --clv); absent otherwise. */
  clv?: ModelClv;
}

type Json = unknown;

class Checker {
  constructor(private readonly file: string | undefined) {}

  fail(path: string, problem: string): never {
    throw modelError(`model ${this.file ?? ''} is invalid: ${path} ${problem}`.replace('model  is', 'model is'), {
      file: this.file,
      hint: 'make a new one with: rfm fit <transactions>',
    });
  }

  object(value: Json, path: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be an object');
    return value as Record<string, Json>;
  }

  number(value: Json, path: string, check?: (n: number) => boolean, what = ''): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, 'must be a finite number');
    if (check && !check(value as number)) this.fail(path, `must be ${what}`);
    return value as number;
  }

  string(value: Json, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    return value as string;
  }

  array(value: Json, path: string, length?: number): Json[] {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    const a = value as Json[];
    if (length !== undefined && a.length !== length) this.fail(path, `must have ${length} entries, has ${a.length}`);
    return a;
  }

  numbers(value: Json, path: string, length: number): number[] {
    return this.array(value, path, length).map((v, i) => this.number(v, `${path}[${i}]`));
  }

  stats(value: Json, path: string): Stats {
    const o = this.object(value, path);
    return {
      mean: this.number(o.mean, `${path}.mean`),
      median: this.number(o.median, `${path}.median`),
      min: this.number(o.min, `${path}.min`),
      max: this.number(o.max, `${path}.max`),
    };
  }
}

/** Upgrades older model versions to the current one, one version at a time. */
const MIGRATIONS: Record<number, (model: Record<string, Json>) => Record<string, Json>> = {
  // Version 2 only added the optional clv section: a version-1 model is a version-2 model without it.
  1: (model) => ({ ...model, version: 2 }),
};

/** The clv section, each number checked where a wrong one would give wrong predictions. */
function checkClv(c: Checker, value: Json, k: number): ModelClv {
  const o = c.object(value, 'clv');
  const positive = (v: Json, path: string) => c.number(v, path, (n) => n > 0, '> 0');
  const part = <K extends string>(name: string, keys: readonly K[]) => {
    const p = c.object(o[name], `clv.${name}`);
    const se = c.object(p.se, `clv.${name}.se`);
    const params = Object.fromEntries(keys.map((key) => [key, positive(p[key], `clv.${name}.${key}`)])) as Record<K, number>;
    const errors = Object.fromEntries(keys.map((key) => [key, se[key] === null ? null : c.number(se[key], `clv.${name}.se.${key}`)])) as StandardErrors<K>;
    return {
      ...params,
      logLikelihood: c.number(p.logLikelihood, `clv.${name}.logLikelihood`),
      customers: c.number(p.customers, `clv.${name}.customers`, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'),
      se: errors,
    };
  };
  if (o.period !== 'day' && o.period !== 'week' && o.period !== 'month') c.fail('clv.period', 'must be "day", "week" or "month"');
  const calibrationEnd = c.string(o.calibrationEnd, 'clv.calibrationEnd');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(calibrationEnd) || Number.isNaN(Date.parse(calibrationEnd))) c.fail('clv.calibrationEnd', 'must be a date YYYY-MM-DD');
  if (o.purchaseModel !== 'bgnbd' && o.purchaseModel !== 'paretoNbd') c.fail('clv.purchaseModel', 'must be "bgnbd" or "paretoNbd"');
  const segments = c.array(o.segments, 'clv.segments', k).map((s, i): SegmentClv => {
    const path = `clv.segments[${i}]`;
    const segment = c.object(s, path);
    const cluster = c.number(segment.cluster, `${path}.cluster`);
    if (cluster !== i) c.fail(`${path}.cluster`, `must be ${i} (segments are listed in cluster order)`);
    const share = (name: string) => c.number(segment[name], `${path}.${name}`, (n) => n >= 0 && n <= 1, 'between 0 and 1');
    const nonNegative = (name: string) => c.number(segment[name], `${path}.${name}`, (n) => n >= 0, '>= 0');
    return {
      cluster,
      customers: c.number(segment.customers, `${path}.customers`, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0'),
      pAlive: share('pAlive'),
      expectedPurchases: nonNegative('expectedPurchases'),
      expectedSpend: nonNegative('expectedSpend'),
      clv: nonNegative('clv'),
      clvTotal: nonNegative('clvTotal'),
    };
  });
  return {
    period: o.period as Period,
    calibrationEnd,
    horizonMonths: c.number(o.horizonMonths, 'clv.horizonMonths', (n) => Number.isInteger(n) && n >= 1, 'a whole number of months >= 1'),
    monthlyDiscount: c.number(o.monthlyDiscount, 'clv.monthlyDiscount', (n) => n >= 0, '>= 0'),
    purchaseModel: o.purchaseModel as ModelClv['purchaseModel'],
    bgnbd: part('bgnbd', ['r', 'alpha', 'a', 'b'] as const),
    paretoNbd: part('paretoNbd', ['r', 'alpha', 's', 'beta'] as const),
    gammaGamma: part('gammaGamma', ['p', 'q', 'gamma'] as const),
    segments,
  };
}

/**
 * Checks that `value` (parsed JSON) is a model this version of rfm can use, migrating an older
 * version, and returns it typed. Throws a model error naming the first wrong field.
 */
export function validateModel(value: Json, file?: string): RfmModel {
  const c = new Checker(file);
  let m = c.object(value, 'the file');
  if (m.schema !== MODEL_SCHEMA) c.fail('"schema"', `must be "${MODEL_SCHEMA}" (is this an rfm model file?)`);
  let version = c.number(m.version, '"version"', Number.isInteger, 'an integer');
  if (version > MODEL_VERSION) {
    throw modelError(`model ${file ?? ''} has version ${version}, newer than this rfm understands (${MODEL_VERSION})`, {
      file,
      hint: 'upgrade rfm (npm install -g rfm@latest), or refit the model with this version',
    });
  }
  while (version < MODEL_VERSION) {
    const migrate = MIGRATIONS[version];
    if (migrate === undefined) c.fail('"version"', `${version} is not a known model version (1 is the first)`);
    m = migrate(m);
    version = c.number(m.version, '"version"', Number.isInteger, 'an integer');
  }
  const params = c.object(m.params, 'params');
  const k = c.number(params.k, 'params.k', (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
  if (params.transform !== 'log' && params.transform !== 'none') c.fail('params.transform', 'must be "log" or "none"');
  const transform = params.transform as Transform;
  const scaler = c.object(m.scaler, 'scaler');
  const scale = c.numbers(scaler.scale, 'scaler.scale', 3);
  scale.forEach((s, i) => s > 0 || c.fail(`scaler.scale[${i}]`, 'must be > 0'));
  const centroids = c.array(m.centroids, 'centroids', k).map((row, i) => c.numbers(row, `centroids[${i}]`, 3));
  const segments = c.array(m.segments, 'segments', k).map((s, i): ModelSegment => {
    const path = `segments[${i}]`;
    const o = c.object(s, path);
    const centroid = c.object(o.centroid, `${path}.centroid`);
    const cluster = c.number(o.cluster, `${path}.cluster`);
    if (cluster !== i) c.fail(`${path}.cluster`, `must be ${i} (segments are listed in cluster order)`);
    return {
      cluster,
      name: c.string(o.name, `${path}.name`),
      description: c.string(o.description, `${path}.description`),
      action: c.string(o.action, `${path}.action`),
      size: c.number(o.size, `${path}.size`, (n) => n >= 0, '>= 0'),
      share: c.number(o.share, `${path}.share`),
      revenue: c.number(o.revenue, `${path}.revenue`),
      revenueShare: c.number(o.revenueShare, `${path}.revenueShare`),
      recency: c.stats(o.recency, `${path}.recency`),
      frequency: c.stats(o.frequency, `${path}.frequency`),
      monetary: c.stats(o.monetary, `${path}.monetary`),
      centroid: {
        recency: c.number(centroid.recency, `${path}.centroid.recency`),
        frequency: c.number(centroid.frequency, `${path}.centroid.frequency`),
        monetary: c.number(centroid.monetary, `${path}.centroid.monetary`),
      },
    };
  });
  const training = c.object(m.training, 'training');
  const tool = c.object(m.tool, 'tool');
  const nullableNumber = (v: Json, path: string) => (v === null ? null : c.number(v, path));
  return {
    schema: MODEL_SCHEMA,
    version: MODEL_VERSION,
    createdAt: c.string(m.createdAt, 'createdAt'),
    tool: { name: c.string(tool.name, 'tool.name'), version: c.string(tool.version, 'tool.version') },
    training: {
      source: c.string(training.source, 'training.source'),
      asOf: training.asOf === null ? null : c.string(training.asOf, 'training.asOf'),
      rowsRead: nullableNumber(training.rowsRead, 'training.rowsRead'),
      rowsKept: nullableNumber(training.rowsKept, 'training.rowsKept'),
      dropped: training.dropped === null ? null : (c.object(training.dropped, 'training.dropped') as unknown as DropCounts),
      customers: c.number(training.customers, 'training.customers'),
    },
    params: {
      k,
      transform,
      nInit: c.number(params.nInit, 'params.nInit'),
      maxIter: c.number(params.maxIter, 'params.maxIter'),
      tol: c.number(params.tol, 'params.tol'),
      seed: c.number(params.seed, 'params.seed'),
    },
    scaler: { mean: c.numbers(scaler.mean, 'scaler.mean', 3), scale },
    centroids,
    inertia: c.number(m.inertia, 'inertia'),
    silhouette: m.silhouette === null ? null : c.number(m.silhouette, 'silhouette'),
    segments,
    ...(m.clv === undefined ? {} : { clv: checkClv(c, m.clv, k) }),
  };
}
