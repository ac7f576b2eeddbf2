/**
 * The BTYD accumulator (columns and day lists in flat arrays) against a plain reference written
 * from the definitions (a Set of days per customer), on random logs: rows in any order, several
 * rows a day, $0 rows, holdout rows, rows after the end, customers who first buy in the holdout,
 * and days before 1970.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedRow } from '../../../src/core/clean.js';
import { BtydAccumulator, tableRows, type BtydRow, type Period } from '../../../src/core/clv/index.js';

const DAY = 86_400_000;

interface Line {
  id: string;
  day: number;
  amount: number;
}

function parsedRow(line: Line, hour: number): ParsedRow {
  return { customerId: line.id, invoice: '', time: line.day * DAY + hour * 3_600_000, quantity: NaN, price: NaN, amount: line.amount, hasQuantity: false, hasPrice: false, hasAmount: true };
}

/** The summary from the definitions, customers in id order (code units). */
function reference(lines: Line[], period: Period, calibrationDay: number | undefined, holdoutDay: number | undefined) {
  const periodDays = { day: 1, week: 7, month: 30 }[period];
  const last = holdoutDay ?? calibrationDay;
  const kept = lines.filter((l) => last === undefined || l.day <= last);
  const end = calibrationDay ?? Math.max(...kept.map((l) => l.day));
  const byId = new Map<string, Line[]>();
  for (const l of kept) byId.set(l.id, [...(byId.get(l.id) ?? []), l]);
  const rows: BtydRow[] = [];
  const repeats = new Map<number, number>();
  const firsts = new Map<number, number>();
  let firstAfter = 0;
  for (const id of [...byId.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const own = byId.get(id)!;
    const calibration = own.filter((l) => l.day <= end);
    if (calibration.length === 0) {
      firstAfter++;
      continue;
    }
    const days = [...new Set(calibration.map((l) => l.day))].sort((a, b) => a - b);
    const holdoutDays = [...new Set(own.filter((l) => l.day > end).map((l) => l.day))];
    const x = days.length - 1;
    // Amounts are whole numbers here, so the sums are exact in any order.
    const firstValue = calibration.filter((l) => l.day === days[0]).reduce((s, l) => s + l.amount, 0);
    const total = calibration.reduce((s, l) => s + l.amount, 0);
    firsts.set(days[0], (firsts.get(days[0]) ?? 0) + 1);
    for (const d of [...days.slice(1), ...holdoutDays]) repeats.set(d, (repeats.get(d) ?? 0) + 1);
    const row: BtydRow = { customerId: id, frequency: x, recency: (days[x] - days[0]) / periodDays, T: (end - days[0]) / periodDays, monetaryValue: x > 0 ? (total - firstValue) / x : 0 };
    if (holdoutDay !== undefined) row.holdoutFrequency = holdoutDays.length;
    rows.push(row);
  }
  const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
  return { rows, firstAfter, afterEnd: lines.length - kept.length, repeats: sorted(repeats), firsts: sorted(firsts), end };
}

const lineArb = fc.record({
  id: fc.constantFrom('A', 'B', 'b', 'Ä', '10', '9'),
  // Days around 1970, day numbers below 0 too; few enough that a customer's days repeat out of order.
  day: fc.integer({ min: -12, max: 24 }),
  amount: fc.integer({ min: 0, max: 50 }),
});

describe('BTYD accumulator (property)', () => {
  it('equals the reference on random logs, with and without a calibration end and a holdout', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 60 }),
        fc.constantFrom<Period>('day', 'week', 'month'),
        fc.option(fc.integer({ min: -8, max: 20 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        fc.integer({ min: 0, max: 23 }),
        (lines, period, calibrationDay, holdoutLength, hour) => {
          const holdoutDay = calibrationDay === undefined || holdoutLength === undefined ? undefined : calibrationDay + holdoutLength;
          const acc = new BtydAccumulator({
            period,
            calibrationEnd: calibrationDay === undefined ? undefined : calibrationDay * DAY,
            holdoutEnd: holdoutDay === undefined ? undefined : holdoutDay * DAY,
          });
          for (const line of lines) acc.addRow(parsedRow(line, hour));
          const want = reference(lines, period, calibrationDay, holdoutDay);
          if (want.rows.length === 0 && calibrationDay === undefined) return;
          const got = acc.finish();
          expect(tableRows(got.customers)).toEqual(want.rows);
          expect(got.firstAfterCalibration).toBe(want.firstAfter);
          expect(got.afterEnd).toBe(want.afterEnd);
          expect(got.calibrationEnd).toBe(want.end * DAY);
          expect([...got.repeatsByDay].sort((a, b) => a[0] - b[0])).toEqual(want.repeats);
          expect([...got.firstPurchasesByDay].sort((a, b) => a[0] - b[0])).toEqual(want.firsts);
        },
      ),
      { numRuns: 3000, seed: 20261201 },
    );
  });
});
