/**
 * Integer options take decimal digits only, and -k / --k-max above 50 need --allow-large-k
 * (issue 13): `Number()` read `1e1` as 10, `0x4` as 4 and `0b11` as 3, and `elbow --k-max 1000`
 * ran for hours.
 */
import { describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from './helpers.js';

const SAMPLE = fixture('online_retail_sample.csv');

describe('integer options: decimal digits only', () => {
  const cases: [string[], string, string][] = [];
  for (const value of ['1e1', '0x4', '0b11', '4.0', ' 4', '+4', '-4', '4 ', '', '٤']) {
    cases.push([['fit', SAMPLE, '-k', value], '-k', value]);
  }
  for (const [command, flag] of [
    ['fit', '--n-init'],
    ['fit', '--max-iter'],
    ['fit', '--seed'],
    ['elbow', '--n-init'],
    ['elbow', '--k-min'],
    ['elbow', '--k-max'],
  ]) {
    cases.push([[command, SAMPLE, flag, '1e1'], flag, '1e1']);
    cases.push([[command, SAMPLE, flag, '0x4'], flag, '0x4']);
  }

  it.each(cases)('%j is a usage error naming the option and the value', async (args, flag, value) => {
    // fit's -m in a missing directory: had the value been taken, the run would fail with exit 3 instead.
    const r = await runRfm(args[0] === 'fit' ? [...args, '-m', '/nonexistent-dir/never-written.json'] : args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rfm: error: ${flag} "${value}" is not a whole number in decimal digits; write it with the digits 0-9 only, e.g. ${flag} 10\n`);
  });

  it('plain digits still work, leading zeros included (-k 03 is 3)', async () => {
    const tmp = tempDir('rfm-int-');
    try {
      const r = await runRfm(['fit', SAMPLE, '-k', '03', '--n-init', '2', '-q', '-m', tmp.path('m.json'), '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).model.k).toBe(3);
    } finally {
      tmp.cleanup();
    }
  });

  it('a value below the minimum keeps its range message', async () => {
    const r = await runRfm(['fit', SAMPLE, '-k', '0', '-m', '/nonexistent-dir/m.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: -k "0" must be an integer >= 1\n');
  });
});

describe('-k and --k-max above 50 need --allow-large-k', () => {
  it('elbow --k-max 51 is refused before any work, with why and what to do', async () => {
    const r = await runRfm(['elbow', SAMPLE, '--k-max', '51']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rfm: error: --k-max 51 is above 50: each k costs a full k-means run, so a large k-max can take hours; use --k-max 50 or less, or add --allow-large-k if you mean it\n',
    );
  });

  it('fit -k 51 is refused the same way', async () => {
    const r = await runRfm(['fit', SAMPLE, '-k', '51', '-m', '/nonexistent-dir/m.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'rfm: error: -k 51 is above 50: every k-means iteration costs k distances per customer, and more than 50 segments are rarely usable; choose -k 50 or less (rfm elbow suggests one), or add --allow-large-k if you mean it\n',
    );
  });

  it('50 is allowed without the flag, and 51 with it', async () => {
    const at50 = await runRfm(['elbow', SAMPLE, '-q', '--k-min', '50', '--k-max', '50', '--n-init', '1', '--format', 'json']);
    expect(at50.code).toBe(0);
    expect(JSON.parse(at50.stdout).points.map((p: { k: number }) => p.k)).toEqual([50]);
    const at51 = await runRfm(['elbow', SAMPLE, '-q', '--k-min', '51', '--k-max', '51', '--n-init', '1', '--format', 'json', '--allow-large-k']);
    expect(at51.code).toBe(0);
    expect(JSON.parse(at51.stdout).points.map((p: { k: number }) => p.k)).toEqual([51]);
  });
});
