/**
 * rfm clv through the built binary: the acceptance figures of issue #14 on the CDNOW fixtures,
 * input detection, $0 and negative amounts, units, validation and the errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, parseCsv, runRfm, tempDir } from './helpers.js';

const SUMMARY = fixture('cdnow', 'cdnow_customers_summary.csv');
const SAMPLE = fixture('cdnow', 'CDNOW_sample.txt');
const HEADERLESS = ['--no-header', '--columns', '_,id,date,quantity,amount'];
const tmp = tempDir('rfm-clv-');
afterAll(() => tmp.cleanup());

/** lifetimes' published table, by numeric id. */
const published = new Map(
  readFileSync(SUMMARY, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number))
    .map(([id, frequency, recency, T]) => [id, { frequency, recency, T }]),
);

describe('rfm clv on the published CDNOW summary (a BTYD table)', () => {
  it('BG/NBD: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL −9582.4; says what it detected and that there is no spend', async () => {
    const r = await runRfm(['clv', SUMMARY, '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect([out.bgnbd.r, out.bgnbd.alpha, out.bgnbd.a, out.bgnbd.b].map((v: number) => v.toFixed(3))).toEqual(['0.243', '4.414', '0.793', '2.426']);
    expect(out.bgnbd.logLikelihood.toFixed(1)).toBe('-9582.4');
    expect(out.units).toMatchObject({ period: 'week', periodDays: 7, horizonMonths: 12, monthDays: 30, monthlyDiscount: 0.01 });
    expect(out.gammaGamma).toBeNull();
    expect(out.customers).toHaveLength(2357);
    expect(out.customers[0]).toMatchObject({ customer_id: '1', frequency: 2, recency: 30.43, T: 38.86, expected_spend: null, clv: null });
    expect(r.stderr).toContain('cdnow_customers_summary.csv is a BTYD summary table (ID, frequency, recency, T');
    expect(r.stderr).toContain('recency and T read as weeks (--period)');
    expect(r.stderr).toContain('warning: ');
    expect(r.stderr).toContain('has no monetary_value column: expected_spend and clv are left empty');
  });

  it('--model pareto-nbd: r = 0.5534, α = 10.5802, s = 0.6061, β = 11.6562 to 3 significant digits, LL −9595.0', async () => {
    const r = await runRfm(['clv', SUMMARY, '--model', 'pareto-nbd', '--format', 'json']);
    expect(r.code).toBe(0);
    const fit = JSON.parse(r.stdout).paretoNbd;
    expect([fit.r, fit.alpha, fit.s, fit.beta].map((v: number) => v.toPrecision(3))).toEqual(['0.553', '10.6', '0.606', '11.7']);
    expect(fit.logLikelihood.toFixed(1)).toBe('-9595.0');
  });
});

describe('rfm clv on the raw CDNOW sample, --calibration-end 1997-09-30 --period week', () => {
  it('its BTYD summary equals cdnow_customers_summary.csv row for row (to 0.01 week), and the same BG/NBD fit follows', async () => {
    const r = await runRfm(['clv', SAMPLE, ...HEADERLESS, '--calibration-end', '1997-09-30', '--period', 'week', '--format', 'csv']);
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual(['customer_id', 'frequency', 'recency', 'T', 'monetary_value', 'p_alive', 'expected_purchases', 'expected_spend', 'clv']);
    expect(rows).toHaveLength(published.size);
    for (const row of rows) {
      const expected = published.get(Number(row[0]))!;
      expect(Number(row[1])).toBe(expected.frequency);
      expect(Math.abs(Number(row[2]) - expected.recency)).toBeLessThan(0.01);
      expect(Math.abs(Number(row[3]) - expected.T)).toBeLessThan(0.01);
    }
    expect(r.stderr).toContain('CDNOW_sample.txt is a transaction log: BTYD summary of 2,357 customers to 1997-09-30');
    expect(r.stderr).toContain('BG/NBD (weeks): r = 0.2426');
  });

  it('Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44 (±0.01)', async () => {
    const r = await runRfm(['clv', SAMPLE, ...HEADERLESS, '--calibration-end', '1997-09-30', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.gammaGamma.customers).toBe(946);
    for (const [name, value] of [['p', 6.25], ['q', 3.74], ['gamma', 15.44]] as const) expect(Math.abs(out.gammaGamma[name] - value)).toBeLessThanOrEqual(0.01);
    expect(out.bgnbd.logLikelihood.toFixed(1)).toBe('-9582.4');
    expect(out.units.calibrationEnd).toBe('1997-09-30');
    // Every prediction is a finite number.
    for (const c of out.customers) for (const key of ['p_alive', 'expected_purchases', 'expected_spend', 'clv']) expect(Number.isFinite(c[key])).toBe(true);
  });

  it('--period day gives recency and T in days: 7 × the weeks', async () => {
    const r = await runRfm(['clv', SAMPLE, ...HEADERLESS, '--calibration-end', '1997-09-30', '--period', 'day', '--format', 'csv']);
    expect(r.code).toBe(0);
    const first = parseCsv(r.stdout).rows[0];
    expect(first.slice(0, 4)).toEqual(['0001', '2', '213', '272']);
    expect(r.stderr).toContain('time unit: 1 day = 1 day');
  });

  it('--holdout-end 1998-06-30: per-customer holdout purchases, MAE/RMSE, the 0..7+ histogram and the weekly tracking curve', async () => {
    const r = await runRfm(['clv', SAMPLE, ...HEADERLESS, '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30', '--format', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // Independently: distinct purchase days after 1997-09-30 per customer, counted from the raw file.
    const days = new Map<string, Set<string>>();
    for (const line of readFileSync(SAMPLE, 'utf8').trim().split('\n')) {
      const [, id, date] = line.trim().split(/\s+/);
      if (date > '19970930') (days.get(id) ?? days.set(id, new Set()).get(id)!).add(date);
    }
    const holdoutTotal = [...days.values()].reduce((s, d) => s + d.size, 0);
    expect(out.validation.actualTotal).toBe(holdoutTotal);
    expect(out.customers.find((c: { customer_id: string }) => c.customer_id === '0001').holdout_actual).toBe(days.get('0001')!.size);
    expect(out.validation.holdoutLength).toBeCloseTo(39, 10);
    // The calibration histogram's actual counts are those of the published table.
    const counts = new Array(8).fill(0);
    for (const { frequency } of published.values()) counts[Math.min(frequency, 7)]++;
    expect(out.validation.histogram.map((b: { actual: number }) => b.actual)).toEqual(counts);
    const modelTotal = out.validation.histogram.reduce((s: number, b: { model: number }) => s + b.model, 0);
    expect(modelTotal).toBeCloseTo(2357, 6);
    // 78 weeks from 1997-01-01 to 1998-06-30; the curve ends at the holdout's total repeat purchases.
    const tracking = out.validation.tracking;
    expect(tracking).toHaveLength(78);
    const calibrationRepeats = [...published.values()].reduce((s, p) => s + p.frequency, 0);
    expect(tracking[tracking.length - 1].actual).toBe(calibrationRepeats + holdoutTotal);
    expect(out.validation.mae).toBeGreaterThan(0);
    expect(out.validation.rmse).toBeGreaterThanOrEqual(out.validation.mae);
  });

  it('--format table shows the units, the top customers, the deciles and the validation charts', async () => {
    const r = await runRfm(['clv', SAMPLE, ...HEADERLESS, '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30', '--format', 'table', '--top', '5']);
    expect(r.code).toBe(0);
    for (const text of ['time unit: 1 week = 7 days', 'Top 5 customers by CLV', 'By decile (1 = most valuable)', 'Calibration: customers by repeat purchases', 'Cumulative repeat purchases by week']) {
      expect(r.stdout).toContain(text);
    }
    // The top customer (most CLV) first: 0509 with 18 repeat purchases.
    expect(r.stdout.split('\n').find((l) => l.includes('0509'))).toMatch(/│ 0509 +│ +18 │/);
  });
});

describe('amounts and cleaning', () => {
  it('an amount of 0 is a purchase; a negative amount is dropped and counted', async () => {
    // The sample plus customer 9999: $10 on 1997-01-05, $0 on 1997-03-01, −$5 on 1997-04-01.
    const log = tmp.path('sample-plus.txt');
    writeFileSync(log, readFileSync(SAMPLE, 'utf8') + ' 99999 9999 19970105 1 10.00\n 99999 9999 19970301 1 0.00\n 99999 9999 19970401 1 -5.00\n');
    const r = await runRfm(['clv', log, ...HEADERLESS, '--calibration-end', '1997-09-30', '--period', 'day', '--format', 'csv']);
    expect(r.code).toBe(0);
    const row = parseCsv(r.stdout).rows.find((c) => c[0] === '9999')!;
    // One repeat day (the $0 one), 55 days after the first; its mean repeat value is 0.
    expect(row.slice(0, 5)).toEqual(['9999', '1', '55', '268', '0']);
    expect(r.stderr).toContain('dropped: price (or amount) <= 0 1 · after the calibration end 1,959; $0 amounts kept as purchases');
  });

  it('too few repeat buyers for the spend model (or a degenerate fit) is a model error naming what to try', async () => {
    const log = tmp.path('tiny.csv');
    writeFileSync(log, 'customer_id,date,amount\nA,2024-01-01,10\nA,2024-01-08,4\nB,2024-01-01,7\nB,2024-01-29,3\n');
    const r = await runRfm(['clv', log]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/rfm: error: the BG\/NBD fit ran to the boundary: .* \(the data do not identify the model\); try --penalizer 0\.001/);
  });
});

describe('rfm clv --help', () => {
  it('the example answers as shown (the published BG/NBD estimates)', async () => {
    const help = (await runRfm(['clv', '--help'])).stdout;
    const m = /\$ rfm clv (\S+) -q --format json \| jq .*\n\s*(\[.*\])/.exec(help)!;
    const r = await runRfm(['clv', m[1], '-q', '--format', 'json']);
    const fit = JSON.parse(r.stdout).bgnbd;
    expect(JSON.stringify([fit.r, fit.alpha, fit.a, fit.b].map((v: number) => Math.round(v * 1000) / 1000))).toBe(m[2]);
  });
});

describe('errors', () => {
  it('--holdout-end without --calibration-end is a usage error', async () => {
    const r = await runRfm(['clv', SAMPLE, ...HEADERLESS, '--holdout-end', '1998-06-30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--holdout-end needs a --calibration-end before it');
  });

  it('--calibration-end on a BTYD table is a usage error', async () => {
    const r = await runRfm(['clv', SUMMARY, '--calibration-end', '1997-09-30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--calibration-end applies to a transaction log, but');
  });

  it('a BTYD row with recency after T names the file, line and customer', async () => {
    const table = tmp.path('bad.csv');
    writeFileSync(table, 'id,frequency,recency,T\n1,2,30,38\n2,1,40,38\n');
    const r = await runRfm(['clv', table]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('bad.csv:3');
    expect(r.stderr).toContain('customer 2: recency 40 is after T 38');
  });

  it('a log in which nobody buys twice cannot be fitted: exit 5 with what to do', async () => {
    const log = tmp.path('once.csv');
    writeFileSync(log, 'customer_id,date,amount\nA,2024-01-01,10\nB,2024-01-02,7\nC,2024-01-05,3\n');
    const r = await runRfm(['clv', log]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('no customer made a repeat purchase in the calibration period');
    expect(r.stderr).toContain('choose a later --calibration-end');
  });

  it('--discount must be a rate from 0 to 1', async () => {
    const r = await runRfm(['clv', SUMMARY, '--discount', '5%']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--discount "5%" is not a number from 0 to 1');
  });
});

describe('rfm clv on 120,000 customers: the CSV made on two threads', () => {
  it('has the header once and the rows of the (one-thread) NDJSON output, in order, value for value', async () => {
    // Made-up customers (seeded): past PARALLEL_MIN_ROWS (100,000), where the helper writes the second half.
    let seed = 9;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const lines = ['customer_id,frequency,recency,T,monetary_value'];
    for (let i = 0; i < 120_000; i++) {
      const x = Math.floor(4 * next());
      const T = (70 + Math.floor(200 * next())) / 7;
      lines.push(`${i % 1_000 === 0 ? `"id ${i}, café"` : 500_000 + i},${x},${x === 0 ? 0 : (Math.floor(T * 7 * next()) / 7).toFixed(6)},${T.toFixed(6)},${x === 0 ? 0 : (5 + Math.floor(4_000 * next()) / 100).toFixed(2)}`);
    }
    const input = tmp.path('many.csv');
    writeFileSync(input, lines.join('\n') + '\n');
    const csv = await runRfm(['clv', input, '-q', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const ndjson = await runRfm(['clv', input, '-q', '--format', 'ndjson']);
    expect(ndjson.code).toBe(0);
    const table = parseCsv(csv.stdout);
    expect(table.header).toEqual(['customer_id', 'frequency', 'recency', 'T', 'monetary_value', 'p_alive', 'expected_purchases', 'expected_spend', 'clv']);
    const objects = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string | number>);
    expect(table.rows).toHaveLength(120_000);
    expect(objects).toHaveLength(120_000);
    for (let i = 0; i < objects.length; i++) {
      const row = table.rows[i];
      const object = objects[i];
      const same = table.header.every((h, c) => (typeof object[h] === 'number' ? Number(row[c]) === object[h] : row[c] === object[h]));
      if (!same) expect({ i, row }).toEqual({ i, row: table.header.map((h) => String(object[h])) });
    }
    // Quoted ids with a comma and non-ASCII text came through both halves (ids sort as text: they are last).
    expect(table.rows.filter((row) => row[0].startsWith('id ')).map((row) => row[0])).toHaveLength(120);
    expect(table.rows[table.rows.length - 1][0]).toBe('id 99000, café');
  }, 60_000);
});
