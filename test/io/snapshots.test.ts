/**
 * loadCustomers' snapshotAsOf (rfm diff): further as-of dates aggregated from the same read,
 * each table the one a separate read at that as-of gives, on the fast path and the general one.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANING } from '../../src/core/clean.js';
import { RfmError } from '../../src/core/errors.js';
import { loadCustomers, type LoadOptions } from '../../src/io/customers.js';
import { openInput } from '../../src/io/source.js';
import { fixture } from '../cli/helpers.js';

const base: LoadOptions = { columns: {}, cleaning: DEFAULT_CLEANING, inputKind: 'auto' };
const SAMPLE = fixture('online_retail_sample.csv');
const load = async (options: Partial<LoadOptions>) => loadCustomers(await openInput(SAMPLE, new PassThrough()), { ...base, ...options });
const day = (text: string) => Date.parse(`${text}T00:00:00Z`);

describe('snapshotAsOf', () => {
  it.each([
    ['the byte reader', {}],
    // --dedupe needs whole rows: the general path.
    ['the general path', { cleaning: { ...DEFAULT_CLEANING, dedupe: true } }],
  ])('gives each date the table of its own read, on %s', async (_, extra) => {
    const both = await load({ ...extra, asOf: day('2011-12-09'), snapshotAsOf: [day('2011-06-30'), day('2011-03-01')] });
    const june = await load({ ...extra, asOf: day('2011-06-30') });
    const march = await load({ ...extra, asOf: day('2011-03-01') });
    const december = await load({ ...extra, asOf: day('2011-12-09') });
    expect(both.snapshots.map((t) => t.asOf)).toEqual([day('2011-06-30'), day('2011-03-01')]);
    expect(both.snapshots[0].customers).toEqual(june.customers);
    expect(both.snapshots[1].customers).toEqual(march.customers);
    expect(both.customers).toEqual(december.customers);
    // The cleaning report is the main as-of's.
    expect(both.report).toEqual(december.report);
    expect(june.snapshots).toEqual([]);
  });

  it('a snapshot before the first purchase is empty, not an error', async () => {
    const loaded = await load({ snapshotAsOf: [day('2000-01-01')] });
    expect(loaded.snapshots[0].customers).toEqual([]);
    expect(loaded.customers).toHaveLength(4339);
  });

  it('refuses an RFM table', async () => {
    const source = { name: 'rfm.csv', kind: 'text' as const, bytes: (async function* () { yield Buffer.from('customer_id,recency,frequency,monetary\nA,1,1,1\n'); })() };
    const error = await loadCustomers(source, { ...base, snapshotAsOf: [day('2011-06-30')] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RfmError);
    expect((error as RfmError).kind).toBe('usage');
    expect((error as RfmError).message).toBe('rfm.csv is an RFM table, which holds one as-of date');
  });
});
