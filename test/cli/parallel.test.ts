/**
 * The elbow and the silhouette shared with worker threads give exactly the single-thread answer. Imported from
 * dist/ (built by `npm test`): the worker is a compiled .js file next to the module.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { elbow, type ElbowPoint } from '../../src/core/elbow.js';
import { seededRandom } from '../../src/core/random.js';
import { silhouette } from '../../src/core/silhouette.js';
import { fitSpendSteps } from '../../src/core/clv/gamma-gamma.js';
import { runSteps } from '../../src/core/steps.js';
import type * as Parallel from '../../src/cli/parallel.js';
import { BIN, fixture, runShell, tempDir } from './helpers.js';

const PARALLEL_JS = new URL('../../dist/cli/parallel.js', import.meta.url).href;
const { claim, elbowParallel, startSilhouette, startSpendFit, startHelpers, unclaimed, PARALLEL_MIN_POINTS, PARALLEL_MIN_BUYERS } = (await import(
  PARALLEL_JS
)) as typeof Parallel;

/** Four loose groups of 3-D points, enough of them for the helpers to be used. */
function points(n: number): Float64Array {
  const rng = seededRandom(7);
  return Float64Array.from({ length: n * 3 }, (_, i) => 3 * (Math.floor(i / 3) % 4) * (i % 3 === 0 ? 1 : 0) + rng.next() + rng.next());
}

describe('claim', () => {
  it('hands out every k exactly once, largest first, however the threads take turns', () => {
    for (const count of [1, 2, 10, 70_000]) {
      const ks = Array.from({ length: count }, (_, i) => i + 1);
      const job = { kind: 'elbow', x: new Float64Array(0), n: 0, d: 3, ks, options: {}, next: unclaimed(count) } as Parallel.ElbowJob;
      const taken: number[] = [];
      for (let k = claim(job); k !== undefined; k = claim(job)) taken.push(k);
      expect(taken).toEqual([...ks].reverse());
      expect(claim(job)).toBeUndefined();
      expect(claim(job)).toBeUndefined();
    }
  });
});

describe('elbowParallel', () => {
  const n = PARALLEL_MIN_POINTS + 500;
  const x = points(n);
  const options = { kMin: 1, kMax: 8, nInit: 3, seed: 42, silhouetteSample: 1_000 };
  const helpers = startHelpers(9, 3);
  afterAll(() => helpers.forEach((h) => h.stop()));

  it('starts one helper per extra core, at most the number asked for', () => {
    expect(helpers).toHaveLength(2);
    expect(startHelpers(9, 1)).toHaveLength(0);
    const one = startHelpers(1, 8);
    expect(one).toHaveLength(1);
    one[0]!.stop();
  });

  it('gives exactly the single-thread points and knee, with helpers', async () => {
    const serial = elbow(x, n, 3, options);
    expect(await elbowParallel(x, n, 3, options, helpers)).toEqual(serial);
    // Again on the same helpers: they take more than one job.
    expect(await elbowParallel(x, n, 3, { ...options, silhouettes: false }, helpers)).toEqual(elbow(x, n, 3, { ...options, silhouettes: false }));
  });

  it('lets the helpers compute some k, and none below the size threshold', async () => {
    const computed: ElbowPoint[][] = [];
    const spy = [{ run: async (job: Parallel.Job) => { const points = (await helpers[0]!.run(job)) as ElbowPoint[]; computed.push(points); return points; }, stop: () => undefined }];
    await elbowParallel(x, n, 3, options, spy as unknown as Parallel.Helper[]);
    expect(computed).toHaveLength(1);
    expect(computed[0]!.length).toBeGreaterThan(0);
    expect(computed[0]!.length).toBeLessThan(8);
    computed.length = 0;
    await elbowParallel(x.subarray(0, 300), 100, 3, options, spy as unknown as Parallel.Helper[]);
    expect(computed).toHaveLength(0);
  });

  it('recomputes the k of a failed helper on this thread', async () => {
    const broken = [{ run: () => Promise.reject(new Error('gone')), stop: () => undefined }];
    expect(await elbowParallel(x, n, 3, options, broken)).toEqual(elbow(x, n, 3, options));
  });

  it('throws the same usage error as elbow() for a bad range', async () => {
    await expect(elbowParallel(x, n, 3, { kMin: 5, kMax: 2 }, helpers)).rejects.toThrow(/k range 5..2/);
  });
});

describe('startSilhouette', () => {
  const n = PARALLEL_MIN_POINTS + 700;
  const x = points(n);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  const helpers = startHelpers(1, 2);
  afterAll(() => helpers.forEach((h) => h.stop()));

  it('gives exactly silhouette(), with a helper, without one and with a failed one', async () => {
    const serial = silhouette(x, n, 3, labels, 4, { sampleSize: 10_000 });
    expect(await startSilhouette(x, n, 3, labels, 4, { sampleSize: 10_000 }, helpers)()).toBe(serial);
    expect(await startSilhouette(x, n, 3, labels, 4, { sampleSize: 10_000 }, [])()).toBe(serial);
    const broken = [{ run: () => Promise.reject(new Error('gone')), stop: () => undefined }];
    expect(await startSilhouette(x, n, 3, labels, 4, { sampleSize: 10_000 }, broken)()).toBe(serial);
  });

  it('has the helper compute a block of pair sums, and the spare block only when it claims it first', async () => {
    // Three points on a line, 0, 3 and 5 away from the origin: row 0's pairs are (0,1), (0,2).
    const plan = { p: Float64Array.of(0, 0, 0, 3, 0, 0, 5, 0, 0), m: 3, d: 3, k: 1, lab: Int32Array.of(0, 0, 0), start: Int32Array.of(0, 3) };
    const unclaimed = new Int32Array(new SharedArrayBuffer(4));
    const both = await helpers[0]!.run({ kind: 'silhouette', plan, from: 1, to: 3, spare: [0, 1], spareClaim: unclaimed });
    expect(Array.from(both.own)).toEqual([0, 2, 2]); // pair (1,2) = 2, added to both ends
    expect(Array.from(both.spare!)).toEqual([8, 3, 5]); // pairs (0,1) = 3 and (0,2) = 5
    expect(unclaimed[0]).toBe(1);
    const claimed = new Int32Array(new SharedArrayBuffer(4));
    claimed[0] = 1;
    const one = await helpers[0]!.run({ kind: 'silhouette', plan, from: 1, to: 3, spare: [0, 1], spareClaim: claimed });
    expect(one.spare).toBeUndefined();
    expect(Array.from(one.own)).toEqual([0, 2, 2]);
  });
});

describe('helpers under `node --input-type=module -e`', () => {
  it('still start (the flag is not passed on to the worker)', async () => {
    const script = `import { startHelpers } from '${PARALLEL_JS}';
const [h] = startHelpers(1, 2);
const plan = { p: Float64Array.of(0, 0, 0, 3, 4, 0), m: 2, d: 3, k: 1, lab: Int32Array.of(0, 0), start: Int32Array.of(0, 2) };
h.run({ kind: 'silhouette', plan, from: 0, to: 2, spare: [0, 0], spareClaim: new Int32Array(new SharedArrayBuffer(4)) }).then((s) => console.log('ok', s.own[0]), (e) => console.log('failed', e.message)).finally(() => h.stop());`;
    const r = await runShell(`node --input-type=module -e "$SCRIPT"`, { env: { SCRIPT: script } });
    expect(r.stdout.trim()).toBe('ok 5');
    // With a V8 flag too, which a worker refuses in an explicit list.
    const v8 = await runShell(`node --max-old-space-size=300 --input-type=module -e "$SCRIPT"`, { env: { SCRIPT: script } });
    expect(v8.stdout.trim()).toBe('ok 5');
  });
});

describe('helpers under `node --max-old-space-size=… rfm`', () => {
  it('inherit the V8 flag instead of failing on it (an explicit list may not hold V8 flags)', async () => {
    const tmp = tempDir();
    try {
      const r = await runShell(`"$NODE" --max-old-space-size=300 "$BIN" fit "$LOG" -k auto -m "$MODEL" --format json`, {
        env: { NODE: process.execPath, BIN, LOG: fixture('online_retail_sample.csv'), MODEL: tmp.path('m.json') },
      });
      expect(r.stderr).not.toContain('internal error');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).model.k).toBe(3);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('startSpendFit', () => {
  // Repeat buyers with 1..8 repeat purchases and a mean spend around 20, made up and seeded.
  const buyersOf = (n: number) => {
    const rng = seededRandom(11);
    return {
      frequency: Float64Array.from({ length: n }, () => 1 + Math.floor(8 * rng.next())),
      monetary: Float64Array.from({ length: n }, () => 5 + 30 * rng.next() * rng.next()),
    };
  };
  const buyers = buyersOf(PARALLEL_MIN_BUYERS + 5_000);
  const helpers = startHelpers(1, 2);
  afterAll(() => helpers.forEach((h) => h.stop()));

  it('gives exactly the single-thread Gamma-Gamma fit, with a helper, without one and with a failed one', async () => {
    const serial = runSteps(fitSpendSteps(buyers, {}));
    expect(await startSpendFit(buyers, {}, helpers)()).toEqual(serial);
    expect(await startSpendFit(buyers, {}, [])()).toEqual(serial);
    const broken = [{ run: () => Promise.reject(new Error('gone')), stop: () => undefined }];
    expect(await startSpendFit(buyers, {}, broken)()).toEqual(serial);
  });

  it('sends the fit to the helper from PARALLEL_MIN_BUYERS buyers on, and not below', async () => {
    const sent: Parallel.Job[] = [];
    const spy = [{ run: (job: Parallel.Job) => (sent.push(job), helpers[0]!.run(job)), stop: () => undefined }] as unknown as Parallel.Helper[];
    await startSpendFit(buyers, {}, spy)();
    expect(sent.map((job) => job.kind)).toEqual(['spend']);
    sent.length = 0;
    await startSpendFit(buyersOf(PARALLEL_MIN_BUYERS - 1), {}, spy)();
    expect(sent).toEqual([]);
  });

  it("a model error on the helper's thread reaches the command as this thread's own RfmError (kind, message, hint)", async () => {
    // Every buyer spends exactly 10: nothing identifies the spread of spend, the fit runs to the boundary.
    const n = PARALLEL_MIN_BUYERS + 5_000;
    const flat = { frequency: Float64Array.from({ length: n }, (_, i) => 1 + (i % 5)), monetary: new Float64Array(n).fill(10) };
    await expect(startSpendFit(flat, {}, helpers)()).rejects.toMatchObject({
      kind: 'model',
      message: expect.stringMatching(/the Gamma-Gamma fit ran to the boundary/),
      hint: expect.stringContaining('--penalizer'),
    });
  });
});

describe('startRecords (the second half of rfm clv\'s CSV or TSV on a helper)', async () => {
  const Records = (await import(new URL('../../dist/cli/clv-records.js', import.meta.url).href)) as typeof import('../../src/cli/clv-records.js');
  const Clv = (await import(new URL('../../dist/core/clv/index.js', import.meta.url).href)) as typeof import('../../src/core/clv/index.js');
  const { writeRecords } = (await import(new URL('../../dist/io/records.js', import.meta.url).href)) as typeof import('../../src/io/records.js');
  const { startRecords } = (await import(PARALLEL_JS)) as typeof Parallel;
  // 3,000 made-up customers: ids with commas, quotes and non-ASCII text among them, one-time and repeat buyers.
  const rng = seededRandom(5);
  const rows = Array.from({ length: 3_000 }, (_, i) => {
    const frequency = Math.floor(5 * rng.next());
    const T = 10 + Math.floor(30 * rng.next()) / 7;
    return {
      customerId: i % 97 === 0 ? `café, "${i}"` : String(100_000 - i),
      frequency,
      recency: frequency === 0 ? 0 : Math.floor(T * 7 * rng.next()) / 7,
      T,
      monetaryValue: frequency === 0 ? 0 : Math.round(2_000 * rng.next()) / 100,
      holdoutFrequency: Math.floor(3 * rng.next()),
    };
  });
  const customers = Clv.asTable(rows);
  const bg = Clv.fitBgNbd(customers, 'week');
  const gg = Clv.fitGammaGamma(customers);
  const table = runSteps(Clv.valueTableSteps(bg, gg, customers, { horizonMonths: 12, monthlyDiscount: 0.01 }));
  const holdout = { actual: customers.holdout!, predicted: Float64Array.from(rows, (_, i) => i / 7) };
  const helpers = startHelpers(1, 2);
  afterAll(() => helpers.forEach((h) => h.stop()));

  /** The bytes one thread writes for rows [from, to), with or without the header. */
  async function serial(format: 'csv' | 'tsv', from: number, to: number, header: boolean): Promise<Buffer> {
    const parts: Buffer[] = [];
    const sink = { isTerminal: false, write: async (t: string | Uint8Array) => void parts.push(Buffer.from(t)), commit: async () => undefined, abort: async () => undefined };
    await writeRecords(sink, format, Records.clvColumns(customers, table, holdout), Records.range(from, to), { header });
    return Buffer.concat(parts);
  }

  it('the helper writes exactly the bytes of those rows, and with the first half they are the whole output', async () => {
    for (const format of ['csv', 'tsv'] as const) {
      for (const half of [1, 1_500, 2_999]) {
        const blocks = await startRecords(Records.recordsJob(format, customers, table, holdout, half, rows.length), helpers);
        expect(blocks).toBeDefined();
        const theirs = Buffer.concat(blocks!.map((b) => Buffer.from(b)));
        expect(theirs.equals(await serial(format, half, rows.length, false)), `${format}, from row ${half}`).toBe(true);
        const whole = Buffer.concat([await serial(format, 0, half, true), theirs]);
        expect(whole.equals(await serial(format, 0, rows.length, true))).toBe(true);
      }
    }
    // The non-ASCII and quoted ids came through (not a vacuous comparison).
    expect((await serial('csv', 0, 1, true)).toString()).toContain('"café, ""0"""');
  });

  it('a table read with digit ids sends them as codes, and the helper writes the same ids (leading zeros, any length)', async () => {
    const { loadBtyd } = (await import(new URL('../../dist/io/btyd.js', import.meta.url).href)) as typeof import('../../src/io/btyd.js');
    const { DEFAULT_CLEANING } = (await import(new URL('../../dist/core/clean.js', import.meta.url).href)) as typeof import('../../src/core/clean.js');
    const ids = rows.map((_, i) => (i % 3 === 0 ? `00${i}` : i % 3 === 1 ? String(i * 7_919) : `0${(i * 13) % 1_000}`));
    const csv = `customer_id,frequency,recency,T,monetary_value\n${rows.map((r, i) => `${ids[i]},${r.frequency},${r.recency},${r.T},${r.monetaryValue}`).join('\n')}\n`;
    const source = { name: 'btyd.csv', kind: 'text' as const, bytes: (async function* () { yield Buffer.from(csv); })() };
    const options = { columns: {}, dateOrder: 'ymd' as const, cleaning: DEFAULT_CLEANING, inputKind: 'auto' as const, period: 'week' as const };
    const read = (await loadBtyd(source, options, runSteps)).summary.customers;
    expect(read.digitIds).toBeDefined();
    const readTable = runSteps(Clv.valueTableSteps(bg, gg, read, { horizonMonths: 12, monthlyDiscount: 0.01 }));
    const one = async (from: number, to: number, header: boolean) => {
      const parts: Buffer[] = [];
      const sink = { isTerminal: false, write: async (t: string | Uint8Array) => void parts.push(Buffer.from(t)), commit: async () => undefined, abort: async () => undefined };
      await writeRecords(sink, 'csv', Records.clvColumns(read, readTable, undefined), Records.range(from, to), { header });
      return Buffer.concat(parts);
    };
    const job = Records.recordsJob('csv', read, readTable, undefined, 1_000, read.size);
    expect(Array.isArray(job.ids)).toBe(false);
    const theirs = Buffer.concat((await startRecords(job, helpers))!.map((b) => Buffer.from(b)));
    expect(theirs.equals(await one(1_000, read.size, false))).toBe(true);
    // Every id written as it was read, leading zeros kept.
    const written = (await one(0, read.size, true)).toString().trim().split('\n').slice(1).map((line) => line.split(',')[0]);
    expect([...written].sort()).toEqual([...ids].sort());
    expect(written).toContain('000');
  });

  it('gives undefined without a helper or with a failed one (the command then writes the rows itself)', async () => {
    const job = Records.recordsJob('csv', customers, table, undefined, 10, 20);
    expect(await startRecords(job, [])).toBeUndefined();
    const broken = [{ run: () => Promise.reject(new Error('gone')), stop: () => undefined }];
    expect(await startRecords(job, broken)).toBeUndefined();
  });
});
