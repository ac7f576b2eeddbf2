/**
 * How values are read, through the built binary (EXPORTS-SPEC.md "Values"): date orders and
 * layouts, decimal marks, thousands separators, currencies and the encoding, each decided per
 * column (or input) and verified on every row. The fixtures are under fixtures/io/values; every
 * expected table is worked out by hand in the comment above it.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { latin1Late } from '../io/latin1-late.js';
import { fixture, runRfm, tempDir } from './helpers.js';

const values = (name: string) => fixture('io', 'values', name);
const RFM_HEADER = 'customer_id,recency,frequency,monetary\n';
const valueLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('values:'));

describe('dates: the day/month order is the column\'s', () => {
  it('inferred D/M from the first day above 12, said once on stderr', async () => {
    // D/M: C1 3 Apr + 12 Apr (2×5 + 7.5), C2 5 Apr (20), C3 25 Apr (3×2); as-of 26 Apr.
    const r = await runRfm(['rfm', values('dmy.csv'), '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(RFM_HEADER + 'C1,14,2,17.5\nC2,21,1,20\nC3,1,1,6\n');
    expect(valueLines(r.stderr)).toEqual(['values: date "InvoiceDate" D/M/YYYY (day first: "25/4/2024" on line 5)']);
  });

  it('ambiguous throughout: exit 4 naming --date-format dmy|mdy, with file, line and column', async () => {
    const r = await runRfm(['rfm', values('ambiguous.csv'), '--format', 'csv']);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `rfm: error: ${values('ambiguous.csv')}:2:2: date column "InvoiceDate" has no date with a day above 12, so "3/4/2024" on line 2 may be day first or month first; say which with --date-format dmy (D/M/YYYY) or --date-format mdy (M/D/YYYY)\n`,
    );
  });

  it('--date-format decides it: mdy and dmy give their own hand-worked tables', async () => {
    // mdy: C1 4 Mar + 4 Dec, C2 4 May; as-of 5 Dec: C2 is 215 days back (27+30+31+31+30+31+30+5).
    const mdy = await runRfm(['rfm', values('ambiguous.csv'), '--format', 'csv', '--date-format', 'mdy']);
    expect(mdy.code, mdy.stderr).toBe(0);
    expect(mdy.stdout).toBe(RFM_HEADER + 'C1,1,2,17.5\nC2,215,1,20\n');
    // dmy: C1 3 Apr + 12 Apr, C2 5 Apr; as-of 13 Apr.
    const dmy = await runRfm(['rfm', values('ambiguous.csv'), '--format', 'csv', '--date-format', 'dmy']);
    expect(dmy.stdout).toBe(RFM_HEADER + 'C1,1,2,17.5\nC2,8,1,20\n');
    expect(valueLines(dmy.stderr)).toEqual([]);
  });

  it('both orders in one column: exit 4 with the line of the first contradiction', async () => {
    const r = await runRfm(['rfm', values('contradiction.csv')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `${values('contradiction.csv')}:4:2: date column "InvoiceDate" mixes date orders: "25/4/2024" on line 2 is day first (D/M/YYYY), "4/26/2024" on line 4 is month first (M/D/YYYY)`,
    );
  });

  it('zone offsets are instants: recency in whole UTC days', async () => {
    // As-of 2024-01-08 00:00Z. A 22:30 -0500 on Jan 5 = Jan 6 03:30Z → 1 (2 if the zone were
    // ignored); B Jan 6 09:00Z → 1; C Jan 4 23:59 UTC → 3; D Jan 6 23:30 -05:00 = Jan 7 04:30Z → 0.
    const r = await runRfm(['rfm', values('zones.csv'), '--format', 'csv', '--as-of', '2024-01-08']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(RFM_HEADER + 'A,1,1,10\nB,1,1,10\nC,3,1,10\nD,0,1,10\n');
  });

  it('month names: Jan 5, 2024 / 05-Jan-2024 / 5 January 2024 / 31 Dec 2023 18:00', async () => {
    // As-of Jan 6 (latest Jan 5 + 1 day): A, B, C 1 day; D 5 days 6 h → 5.
    const r = await runRfm(['rfm', values('month-names.csv'), '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(RFM_HEADER + 'A,1,1,10\nB,1,1,10\nC,1,1,10\nD,5,1,10\n');
  });
});

describe('numbers: decimal mark, thousands and currency are the column\'s', () => {
  it('a semicolon file with decimal commas (D.M.YYYY dates): inferred and said once', async () => {
    // A: 2 × 5,74 + 3 × 0,99 = 14.45; B: 1.234,50 = 1234.5; as-of Jan 7.
    const r = await runRfm(['rfm', values('euro.csv'), '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(RFM_HEADER + 'A,1,2,14.45\nB,1,1,1234.5\n');
    expect(valueLines(r.stderr)).toEqual(['values: price "Price" decimal comma ("5,74" on line 2), thousands separator "."']);
  });

  it('not in a comma-delimited file: "5,74" is an invalid number there', async () => {
    const r = await runRfm(['rfm', values('comma-refusal.csv'), '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(RFM_HEADER + 'A,1,1,2.5\n');
    expect(r.stderr).toContain('dropped: unparseable quantity, price or amount 1');
  });

  it('1.234 alone is ambiguous: exit 4 naming --decimal; --decimal , and --decimal . decide', async () => {
    const r = await runRfm(['rfm', values('euro-ambiguous.csv')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `rfm: error: ${values('euro-ambiguous.csv')}:2:4: price column "Price" has no value that tells a decimal point from a thousands separator: "1.234" on line 2 may be 1.234 or 1234; say which with --decimal . or --decimal ,\n`,
    );
    // A: 1 × 1234 + 2 × 3 = 1240, or 1.234 + 6 = 7.234.
    const comma = await runRfm(['rfm', values('euro-ambiguous.csv'), '--format', 'csv', '--decimal', ',']);
    expect(comma.stdout).toBe(RFM_HEADER + 'A,1,2,1240\n');
    const point = await runRfm(['rfm', values('euro-ambiguous.csv'), '--format', 'csv', '--decimal', '.']);
    expect(point.stdout).toBe(RFM_HEADER + 'A,1,2,7.234\n');
  });

  it('a currency the column carries is stripped, with its thousands separators, and said once', async () => {
    // CG-1: $261.96 + $1,731.00 = 1992.96, last Nov 9; DV-2: $14.62, Nov 10; as-of Nov 11.
    const r = await runRfm(['rfm', values('currency.csv'), '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(RFM_HEADER + 'CG-1,2,2,1992.96\nDV-2,1,1,14.62\n');
    expect(valueLines(r.stderr)).toEqual(['values: amount "Sales" thousands separator ",", currency $ stripped']);
  });

  it('-q silences the note', async () => {
    const r = await runRfm(['rfm', values('currency.csv'), '--format', 'csv', '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('--decimal only takes , or .', async () => {
    const r = await runRfm(['rfm', values('euro.csv'), '--decimal', ';']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument ';' is invalid. Allowed choices are ,, .");
  });
});

describe('encoding: the latin1-late log gives one customer per name from a file, stdin and .gz', () => {
  const tmp = tempDir();
  const spool = tmp.path('tmp');
  mkdirSync(spool);
  afterAll(() => tmp.cleanup());
  const late = latin1Late();
  const file = tmp.path('late.csv');
  const gz = tmp.path('late.csv.gz');
  writeFileSync(file, late);
  writeFileSync(gz, gzipSync(late));
  const env = { TMPDIR: spool };

  const check = (r: Awaited<ReturnType<typeof runRfm>>) => {
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => !/^A\d,/.test(l));
    // José (latin1 E9) is José; Zoë's UTF-8 bytes read as latin1 are one customer ZoÃ«, never also Zoë.
    expect(rows).toEqual(['customer_id,recency,frequency,monetary', 'José,2,3,30', 'ZoÃ«,1,2,10', '']);
    expect(valueLines(r.stderr)).toEqual(['values: encoding latin1 (the input is not valid UTF-8)']);
    expect(readdirSync(spool)).toEqual([]);
  };

  it('rfm rfm FILE', async () => check(await runRfm(['rfm', file, '--format', 'csv'], { env })));
  it('rfm rfm - < FILE', async () => check(await runRfm(['rfm', '-', '--format', 'csv'], { env, stdin: late })));
  it('rfm rfm FILE.gz, and .gz on stdin', async () => {
    check(await runRfm(['rfm', gz, '--format', 'csv'], { env }));
    check(await runRfm(['rfm', '-', '--format', 'csv'], { env, stdin: gzipSync(late) }));
  });

  it('rfm clean to stdout streams rows decided from the first byte (stdin)', async () => {
    const r = await runRfm(['clean', '-', '--format', 'csv'], { env, stdin: late });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.endsWith(',José'))).toHaveLength(3);
    expect(lines.filter((l) => l.endsWith(',ZoÃ«'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('Zoë'))).toHaveLength(0);
    expect(readdirSync(spool)).toEqual([]);
  });
});
