/**
 * The stored CLV model's predictions in SQL (`rfm sql segment --clv`): per customer of a table that
 * has the BTYD fields, P(alive), the purchases expected over the model's horizon, the Gamma-Gamma
 * expected spend and the discounted CLV, with ../clv-model.ts predictClv's formulas term for term
 * (../clv/bgnbd.ts, pareto-nbd.ts, gamma-gamma.ts, value.ts): a month is 30 days, the CLV sums
 *   Σ_{i=1..H} (E[Y(i months)] − E[Y((i−1) months)]) × spend / (1 + d)^i
 * which is written here as Σ_i E[Y(i months)] × w_i with w_i = (1 + d)^−i − (1 + d)^−(i+1) (and
 * w_H = (1 + d)^−H): the weights are numbers computed here, and no month needs the one before it.
 *
 * The Gauss hypergeometric 2F1 in both purchase models is a power series summed in SQL: the k-th
 * term's logarithm is a running SUM over k (a window over a generated series, of the logs of the
 * term ratio's factors), then exp'd and summed. Each series is first put in a form whose terms
 * shrink fast (Euler's transformation for BG/NBD, which also makes the numerator parameters
 * constants; the same for Pareto/NBD's A₀), and the number of terms is taken for the worst
 * argument the model can meet (T = 0, the horizon's last month) so that the rest of the series is
 * below 1e-20 of its sum; an argument further from 1 gets proportionally fewer. A model whose
 * series would need more than MAX_TERMS terms is refused. The work is done once per distinct
 * (frequency, T) (and recency, for Pareto/NBD), not per customer.
 *
 * A row whose BTYD values ../clv-model.ts btydProblems would refuse (NULL, not finite, a
 * fractional or negative frequency, recency outside [0, T], a one-time buyer with recency > 0,
 * negative monetary) gets NULL predictions; every function is applied only to arguments that are
 * in its domain, so that no row can make the query fail.
 */
import { MONTH_DAYS, PERIOD_DAYS } from '../clv/data.js';
import { usageError } from '../errors.js';
import type { ModelClv } from '../model.js';
import { doubleLiteral, expm1Sql, type Dialect } from './dialects.js';

/** The BTYD columns of the table, as stored (quoted as given). */
export interface BtydTableColumns {
  frequency: string;
  recency: string;
  T: string;
  monetary: string;
}

export const DEFAULT_BTYD_COLUMNS: BtydTableColumns = { frequency: 'btyd_frequency', recency: 'btyd_recency', T: 'btyd_t', monetary: 'btyd_monetary' };

/** The predictions' column names, as `rfm clv` names them. */
export const CLV_OUTPUT = ['p_alive', 'expected_purchases', 'expected_spend', 'clv'] as const;

/** The most series terms a query may sum per argument. */
export const MAX_TERMS = 20_000;
/** The series stop when the rest is below this share of the sum (far below a double's 1.1e-16). */
const TAIL = 1e-20;
/** A few more terms than the proportional count, for the arguments far from the worst one. */
const SPARE_TERMS = 8;
/** exp() of more than this overflows a double; of less than minus this, it is far below any term that counts. */
const EXP_LIMIT = 700;

/**
 * Terms of Σ t_n, t_0 = 1, t_{n+1} = t_n × ratio(n) × z, until the rest is below TAIL of the sum:
 * the rest after t_n is at most |t_n| ρ / (1 − ρ) with ρ the larger of |ratio(n) z| and z (the
 * ratios of these series tend to z, from above or from below).
 */
function termsNeeded(ratio: (n: number) => number, z: number): number | undefined {
  if (z === 0) return 1;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_TERMS; n++) {
    const step = ratio(n) * z;
    term *= step;
    sum += term;
    const rho = Math.max(Math.abs(step), z);
    if (rho < 1 && (term === 0 || (Math.abs(term) * rho) / (1 - rho) <= TAIL * Math.abs(sum))) return n + 1;
  }
  return undefined;
}

/** The monthly points of the horizon: t_i in the model's period and the CLV weight w_i. */
function months(section: ModelClv): { i: number; t: number; w: number }[] {
  const perMonth = MONTH_DAYS / PERIOD_DAYS[section.period];
  const factors: number[] = [];
  let factor = 1;
  for (let i = 0; i < section.horizonMonths; i++) factors.push((factor /= 1 + section.monthlyDiscount));
  return factors.map((f, i) => ({ i: i + 1, t: (i + 1) * perMonth, w: i + 1 < factors.length ? f - factors[i + 1] : f }));
}

/** n × 10^j rows numbered 0..count−1 from a ten-row table: no dialect's series function needed. */
function seriesSql(count: number): string {
  const digits = `digits AS (\n  SELECT 0 AS d${Array.from({ length: 9 }, (_, i) => ` UNION ALL SELECT ${i + 1}`).join('')}\n)`;
  const places = Math.max(1, Math.ceil(Math.log10(count)));
  const parts = Array.from({ length: places }, (_, j) => `d${j}.d${j === 0 ? '' : ` * ${10 ** j}`}`);
  const from = Array.from({ length: places }, (_, j) => `digits d${j}`).join(' CROSS JOIN ');
  return `${digits},\nseries AS (\n  SELECT k FROM (SELECT ${parts.join(' + ')} AS k FROM ${from}) numbered WHERE k < ${count}\n)`;
}

/** exp(e), 0 where it would underflow (some engines raise an error there). */
const safeExp = (e: string) => `CASE WHEN ${e} < -${EXP_LIMIT} THEN 0 ELSE EXP(${e}) END`;

/** Running sum over k within a partition, k included. */
const running = (expr: string, partition: string) => `SUM(${expr}) OVER (PARTITION BY ${partition} ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;

/** A sign from a count of negative factors: -1 when odd. */
const parity = (d: Dialect, count: string) => `(1 - 2 * (${count} - 2 * FLOOR(${d.double(count)} / 2)))`;

/** CTEs (without WITH, comma-separated) ending with `predicted`: the rows' `keep` columns and CLV_OUTPUT. */
export type ClvSql = string;

/** The SELECT list items reading the table's BTYD columns as doubles: raw_f, raw_r, raw_t, raw_m. */
export function btydColumnsSql(d: Dialect, columns: BtydTableColumns): string {
  const values = [columns.frequency, columns.recency, columns.T, columns.monetary].map((c) => d.double(d.identifier(c)));
  return values.map((v, i) => `${v} AS ${RAW[i]}`).join(', ');
}

const RAW = ['raw_f', 'raw_r', 'raw_t', 'raw_m'] as const;
export const RAW_BTYD = RAW.join(', ');

/**
 * The `btyd` CTE over `rows` (which has raw_f, raw_r, raw_t, raw_m and `keep` columns): btyd_x,
 * btyd_tx, btyd_age, btyd_m, all four NULL unless the values are usable (btydProblems' rules).
 */
export function checkedBtydSql(d: Dialect, rows: string, keep: string): string {
  const [f, r, t, m] = RAW;
  const finite = RAW.map((v) => `${v} IS NOT NULL AND ${d.isFinite(v)}`).join(' AND ');
  const valid = `${finite} AND ${f} >= 0 AND ${f} = FLOOR(${f}) AND ${r} >= 0 AND ${r} <= ${t} AND (${f} > 0 OR ${r} = 0) AND ${m} >= 0`;
  const out = [[f, 'btyd_x'], [r, 'btyd_tx'], [t, 'btyd_age'], [m, 'btyd_m']].map(([v, name]) => `CASE WHEN usable THEN ${v} END AS ${name}`).join(', ');
  return `btyd AS (\n  SELECT ${keep}, ${out}\n  FROM (SELECT ${rows}.*, ${valid} AS usable FROM ${rows}) checked\n)`;
}

/** The Gamma-Gamma expected spend of a row (gammaGammaExpectedSpend). */
function spendSql(num: (v: number) => string, section: ModelClv): string {
  const { p, q, gamma } = section.gammaGamma;
  const x = `CASE WHEN b.btyd_x > 0 AND b.btyd_m > 0 THEN b.btyd_x ELSE 0 END`;
  const m = `CASE WHEN b.btyd_x > 0 AND b.btyd_m > 0 THEN b.btyd_m ELSE 0 END`;
  return `${num(p)} * (${num(gamma)} + (${x}) * (${m})) / (${num(p)} * (${x}) + ${num(q)} - 1)`;
}

/**
 * The CTEs of the predictions. `rows` names a CTE with the btyd_x, btyd_tx, btyd_age, btyd_m
 * columns (checkedBtydSql) and the `keep` columns, which `predicted` passes on.
 */
export function clvSql(d: Dialect, section: ModelClv, rows: string, keep: string): ClvSql {
  if (!(section.gammaGamma.q > 1)) throw usageError('the Gamma-Gamma parameter q is not above 1, where the expected spend is not defined', 'refit the model (rfm fit --clv)');
  const model = section.purchaseModel === 'bgnbd' ? bgnbdSql(d, section, rows) : paretoSql(d, section, rows);
  const num = (v: number) => doubleLiteral(d, v);
  const kept = keep.split(', ').map((c) => `b.${c}`).join(', ');
  // P(alive) is 1 / (1 + exp(log_odds)) but where the model fixes it (fixed_alive >= 0, or NULL: no prediction).
  const fixed = model.fixed.map(([when, value]) => `WHEN ${when} THEN ${value}`).join(' ');
  const alive =
    `alive AS (\n  SELECT ${kept}, p.horizon, p.discounted,\n    CASE ${fixed} ELSE -1 END AS fixed_alive,\n` +
    `    CASE WHEN ${model.fixed.map(([when]) => `(${when})`).join(' OR ')} THEN NULL ELSE ${model.logOdds} END AS log_odds,\n` +
    `    CASE WHEN b.btyd_x IS NOT NULL THEN ${spendSql(num, section)} END AS expected_spend\n  FROM ${rows} b\n  ${model.joins}\n)`;
  const chance =
    `chance AS (\n  SELECT ${keep}, horizon, discounted, expected_spend,\n` +
    `    CASE WHEN fixed_alive IS NULL OR fixed_alive >= 0 THEN fixed_alive WHEN log_odds > ${EXP_LIMIT} THEN 0 WHEN log_odds < -${EXP_LIMIT} THEN 1 ELSE 1 / (1 + EXP(log_odds)) END AS p_alive\n  FROM alive\n)`;
  const predicted = `predicted AS (\n  SELECT ${keep}, p_alive, horizon * p_alive AS expected_purchases, expected_spend, discounted * p_alive * expected_spend AS clv FROM chance\n)`;
  return [...model.ctes, alive, chance, predicted].join(',\n');
}

/**
 * A purchase model's CTEs (ending with `paths`: x, age, discounted, horizon), the conditions that
 * fix P(alive) of a row `b` (in order, with the value), its log odds otherwise, and the joins they
 * and `p` (paths) need.
 */
interface ModelSql {
  ctes: string[];
  fixed: [string, string][];
  logOdds: string;
  joins: string;
}

function monthsSql(d: Dialect, section: ModelClv): string {
  const num = (v: number) => doubleLiteral(d, v);
  const list = months(section).map((m) => `SELECT ${m.i} AS i, ${num(m.t)} AS t, ${num(m.w)} AS w`);
  return `months AS (\n  ${list.join('\n  UNION ALL ')}\n)`;
}

function tooLong(section: ModelClv, model: string): never {
  throw usageError(
    `the ${model} series of this model need more than ${MAX_TERMS} terms in SQL (horizon ${section.horizonMonths} months)`,
    'refit with a shorter --horizon (rfm fit --clv --horizon N), or score the customers with rfm clv',
  );
}

/**
 * BG/NBD (FHL 2005 eq. 10). With Euler's transformation 2F1(r+x, b+x; a+b+x−1; z) =
 * (1−z)^(a−1−r−x) 2F1(a+b−1−r, a−1; a+b+x−1; z), the numerator is
 *   (a+b+x−1)/(a−1) × (1 − (1−z)^(a−1) 2F1(A, B; C; z)),  A = a+b−1−r, B = a−1, C = a+b+x−1,
 * z = t / (α + T + t), whose series has constant A and B; and E[Y(t)] = numerator × P(alive).
 */
function bgnbdSql(d: Dialect, section: ModelClv, rows: string): ModelSql {
  const { r, alpha, a, b } = section.bgnbd;
  const num = (v: number) => doubleLiteral(d, v);
  const A = a + b - 1 - r;
  const B = a - 1;
  if (B === 0) throw usageError('the BG/NBD parameter a is 1, where the expected purchases are not defined', 'refit the model (rfm fit --clv)');
  const plan = months(section);
  const tMax = plan[plan.length - 1].t;
  const zMax = tMax / (alpha + tMax);
  // The slowest series: T = 0, and x = 0 or 1 (C grows with x, and the ratios shrink with it).
  let count = 0;
  for (const x of [0, 1]) {
    const C = a + b + x - 1;
    if (C <= 0 && C === Math.floor(C)) throw usageError('the BG/NBD parameters make a + b − 1 a whole number <= 0, where 2F1 has a pole', 'refit the model (rfm fit --clv)');
    const n = termsNeeded((k) => ((A + k) * (B + k)) / ((C + k) * (k + 1)), zMax);
    if (n === undefined) tooLong(section, 'BG/NBD');
    count = Math.max(count, n);
  }
  // (A whole number <= 0 would end the series early, a case no fit meets: refused rather than special-cased.)
  if (A <= 0 && A === Math.floor(A)) throw usageError('the BG/NBD parameters make a + b − 1 − r a whole number <= 0', 'refit the model (rfm fit --clv)');
  count = Math.max(count, SPARE_TERMS);
  const C = (x: string) => `(${num(a + b - 1)} + ${x})`;
  const factor = (v: string) => `LN(ABS(${v}))`;
  const negative = (v: string) => `CASE WHEN ${v} < 0 THEN 1 ELSE 0 END`;
  const ratio = `${factor(`${num(A)} + k`)} + ${factor(`${num(B)} + k`)} - ${factor(`${C('x')} + k`)} - LN(${d.double('k + 1')})`;
  const negatives = `${negative(`${num(A)} + k`)} + ${negative(`${num(B)} + k`)} + ${negative(`${C('x')} + k`)}`;
  const z = `m.t / (${num(alpha)} + p.age + m.t)`;
  const limit = zMax === 0 ? `${count}` : `${count} * LN(${num(zMax)}) / LN(${z}) + ${SPARE_TERMS}`;
  const exponent = `c.log_term + ${d.double('c.k + 1')} * g.ln_z`;
  const sign = parity(d, 'c.negatives');
  const ctes = [
    seriesSql(count),
    monthsSql(d, section),
    `pairs AS (\n  SELECT DISTINCT btyd_x AS x, btyd_age AS age FROM ${rows} WHERE btyd_x IS NOT NULL\n)`,
    `ratios AS (\n  SELECT x, k, ${ratio} AS log_ratio, ${negatives} AS negative\n  FROM (SELECT DISTINCT x FROM pairs) xs CROSS JOIN series\n)`,
    // Term k + 1 of the series (term 0 is 1): the product of the ratios 0..k, as a log and a sign.
    `terms AS (\n  SELECT x, k, ${running('log_ratio', 'x')} AS log_term, ${running('negative', 'x')} AS negatives FROM ratios\n)`,
    `grid AS (\n  SELECT p.x, p.age, m.i, m.w, LN(${z}) AS ln_z, LN((${num(alpha)} + p.age) / (${num(alpha)} + p.age + m.t)) AS ln_rest, ${limit} AS n_terms\n  FROM pairs p CROSS JOIN months m\n)`,
    `sums AS (\n  SELECT g.x, g.age, g.i, SUM(${sign} * (${safeExp(exponent)})) AS rest\n  FROM grid g JOIN terms c ON c.x = g.x AND c.k < g.n_terms\n  GROUP BY g.x, g.age, g.i\n)`,
    `numerators AS (\n  SELECT g.x, g.age, g.i, g.w, ${C('g.x')} / ${num(B)} * (1 - EXP(${num(B)} * g.ln_rest) * (1 + s.rest)) AS purchases\n` +
      `  FROM grid g JOIN sums s ON s.x = g.x AND s.age = g.age AND s.i = g.i\n)`,
    `paths AS (\n  SELECT x, age, SUM(w * purchases) AS discounted, SUM(CASE WHEN i = ${section.horizonMonths} THEN purchases END) AS horizon\n  FROM numerators\n  GROUP BY x, age\n)`,
  ];
  // P(alive) = 1 / (1 + a/(b+x−1) ((α+T)/(α+t_x))^(r+x)), 1 for x = 0; (b + x − 1 > 0 for x >= 1.)
  const l = `LN(${num(a)} / (${num(b)} + b.btyd_x - 1)) + (${num(r)} + b.btyd_x) * (LN(${num(alpha)} + b.btyd_age) - LN(${num(alpha)} + b.btyd_tx))`;
  return { ctes, fixed: [['b.btyd_x IS NULL', 'NULL'], ['b.btyd_x = 0', d.double('1')]], logOdds: l, joins: PATHS_JOIN };
}

const PATHS_JOIN = 'LEFT JOIN paths p ON p.x = b.btyd_x AND p.age = b.btyd_age';

/**
 * Pareto/NBD (FH 2005 note, eq. 18-22). A₀'s two terms are log 2F1(m, b'; m+1; z_u) − m log(max(α, β) + u)
 * with m = r+s+x, z_u = |α−β| / (max(α, β) + u), u = t_x and T; Euler's transformation makes the
 * series 2F1(1, m+1−b'; m+1; z_u) (1−z_u)^(1−b'), whose term ratios are below z_u. P(alive) =
 * 1 / (1 + s/(r+s+x) (α+T)^(r+x) (β+T)^s A₀), and E[Y(t)] = (r+x)(β+T)/(α+T) × lifetime(t) × P(alive).
 */
function paretoSql(d: Dialect, section: ModelClv, rows: string): ModelSql {
  const { r, alpha, s, beta } = section.paretoNbd;
  const num = (v: number) => doubleLiteral(d, v);
  const [big, small] = alpha >= beta ? [alpha, beta] : [beta, alpha];
  const gap = Math.abs(alpha - beta);
  const zMax = gap / big;
  // Every ratio is below 1: the terms are below z^n, whatever x.
  let count = termsNeeded(() => 1, zMax);
  if (count === undefined) tooLong(section, 'Pareto/NBD');
  count = Math.max(count, SPARE_TERMS);
  const m = (x: string) => `(${num(r + s)} + ${x})`;
  // b' and m + 1 − b' of the two branches (a0Term in ../clv/pareto-nbd.ts).
  const second = (x: string) => (alpha >= beta ? num(s + 1) : `(${num(r)} + ${x})`);
  const upper = (x: string) => (alpha >= beta ? `(${num(r)} + ${x})` : num(s + 1));
  const z = (u: string) => `${num(gap)} / (${num(big)} + ${u})`;
  const limit = (u: string) => `${count} * LN(${num(zMax)}) / LN(${z(u)}) + ${SPARE_TERMS}`;
  const lifetime = (ratio: string) =>
    Math.abs(s - 1) < 1e-9 ? `-LN(${ratio})` : `-(${expm1Sql(d, `${num(s - 1)} * LN(${ratio})`)}) / ${num(s - 1)}`;
  const ctes = [
    seriesSql(count),
    monthsSql(d, section),
    `points AS (\n  SELECT DISTINCT x, u FROM (\n    SELECT btyd_x AS x, btyd_tx AS u FROM ${rows} WHERE btyd_x IS NOT NULL\n    UNION ALL\n    SELECT btyd_x, btyd_age FROM ${rows} WHERE btyd_x IS NOT NULL\n  ) both_ends\n)`,
  ];
  // The log of the transformed series at each (x, u): 0 when α = β (z = 0, the series is 1).
  let logSeries = '0';
  if (gap > 0) {
    ctes.push(
      `ratios AS (\n  SELECT x, k, LN(${upper('x')} + k) - LN(${m('x')} + 1 + k) AS log_ratio\n  FROM (SELECT DISTINCT x FROM points) xs CROSS JOIN series\n)`,
      `terms AS (\n  SELECT x, k, ${running('log_ratio', 'x')} AS log_term FROM ratios\n)`,
      `sums AS (\n  SELECT q.x, q.u, SUM(${safeExp(`c.log_term + ${d.double('c.k + 1')} * LN(${z('q.u')})`)}) AS rest\n` +
        `  FROM points q JOIN terms c ON c.x = q.x AND c.k < ${limit('q.u')}\n  GROUP BY q.x, q.u\n)`,
    );
    logSeries = 'LN(1 + s.rest)';
  }
  const sumsJoin = gap > 0 ? ' JOIN sums s ON s.x = q.x AND s.u = q.u' : '';
  ctes.push(
    `a0 AS (\n  SELECT q.x, q.u, (1 - ${second('q.x')}) * LN((${num(small)} + q.u) / (${num(big)} + q.u)) + ${logSeries} - ${m('q.x')} * LN(${num(big)} + q.u) AS term\n  FROM points q${sumsJoin}\n)`,
    `paths AS (\n  SELECT x, age, SUM(w * purchases) AS discounted, SUM(CASE WHEN i = ${section.horizonMonths} THEN purchases END) AS horizon\n` +
      `  FROM (\n    SELECT p.x, p.age, m.i, m.w, (${num(r)} + p.x) * (${num(beta)} + p.age) / (${num(alpha)} + p.age) * (${lifetime(`(${num(beta)} + p.age) / (${num(beta)} + p.age + m.t)`)}) AS purchases\n` +
      `    FROM (SELECT DISTINCT btyd_x AS x, btyd_age AS age FROM ${rows} WHERE btyd_x IS NOT NULL) p CROSS JOIN months m\n  ) monthly\n  GROUP BY x, age\n)`,
  );
  // P(alive): 1 when t_x = T (A₀ = 0) or A₀'s terms are equal; NULL where they are out of order
  // (the tool refuses those predictions as not finite).
  const x = 'b.btyd_x';
  const l = `LN(${num(s)} / (${m(x)})) + (${num(r)} + ${x}) * LN(${num(alpha)} + b.btyd_age) + ${num(s)} * LN(${num(beta)} + b.btyd_age) + e.term + LN(-(${expm1Sql(d, 'l.term - e.term')}))`;
  const fixed: [string, string][] = [[`${x} IS NULL`, 'NULL'], ['b.btyd_tx = b.btyd_age OR e.term = l.term', d.double('1')], ['e.term < l.term', 'NULL']];
  return { ctes, fixed, logOdds: l, joins: `LEFT JOIN a0 e ON e.x = b.btyd_x AND e.u = b.btyd_tx\n  LEFT JOIN a0 l ON l.x = b.btyd_x AND l.u = b.btyd_age\n  ${PATHS_JOIN}` };
}
