/** The BTYD summary accumulator, on hand-worked logs. */
import { describe, expect, it } from 'vitest';
import type { ParsedRow } from '../../../src/core/clean.js';
import { BtydAccumulator, type SummaryOptions, tableRows } from '../../../src/core/clv/index.js';

const at = (date: string) => Date.parse(`${date}T00:00:00Z`);
const row = (customerId: string, time: number, amount: number): ParsedRow => ({
  customerId,
  invoice: '',
  time,
  quantity: NaN,
  price: NaN,
  amount,
  hasQuantity: false,
  hasPrice: false,
  hasAmount: true,
});

function summarise(lines: [string, string, number][], options: Partial<SummaryOptions> = {}) {
  const acc = new BtydAccumulator({ period: 'day', ...options });
  for (const [id, date, amount] of lines) acc.addRow(row(id, at(date) + 13 * 3_600_000, amount));
  return acc.finish();
}

describe('BTYD summary', () => {
  it('counts distinct purchase days, whatever the order; same-day rows are one purchase', () => {
    const s = summarise([
      ['A', '2024-01-10', 5],
      ['A', '2024-01-01', 10],
      ['A', '2024-01-10', 7],
      ['A', '2024-01-04', 3],
    ], { calibrationEnd: at('2024-01-31') });
    // Days 1, 4, 10 → frequency 2; recency 9 days; T 30 days; repeat days are worth 3 and 12.
    expect(tableRows(s.customers)).toEqual([{ customerId: 'A', frequency: 2, recency: 9, T: 30, monetaryValue: 7.5 }]);
  });

  it('the first day is the earliest even when it arrives last, and its value is left out of monetary_value', () => {
    const s = summarise([
      ['A', '2024-01-05', 20],
      ['A', '2024-01-02', 4],
      ['A', '2024-01-02', 6],
    ], { calibrationEnd: at('2024-01-09') });
    expect(tableRows(s.customers)[0]).toMatchObject({ frequency: 1, recency: 3, T: 7, monetaryValue: 20 });
  });

  it('weeks and months are whole days divided by 7 and 30; the default calibration end is the latest purchase day', () => {
    const lines: [string, string, number][] = [
      ['A', '2024-01-01', 1],
      ['A', '2024-01-22', 1],
      ['B', '2024-03-01', 1],
    ];
    expect(tableRows(summarise(lines, { period: 'week' }).customers)[0]).toMatchObject({ recency: 3, T: 60 / 7 });
    expect(tableRows(summarise(lines, { period: 'month' }).customers)[0]).toMatchObject({ recency: 21 / 30, T: 2 });
    expect(summarise(lines).calibrationEnd).toBe(at('2024-03-01'));
  });

  it('splits calibration and holdout; customers who first buy in the holdout are left out and counted', () => {
    const s = summarise([
      ['A', '2024-01-01', 1],
      ['A', '2024-01-20', 1],
      ['A', '2024-02-03', 1],
      ['A', '2024-02-03', 1],
      ['A', '2024-02-10', 1],
      ['A', '2024-03-01', 1],
      ['B', '2024-02-05', 1],
    ], { calibrationEnd: at('2024-01-31'), holdoutEnd: at('2024-02-29') });
    expect(tableRows(s.customers)).toEqual([{ customerId: 'A', frequency: 1, recency: 19, T: 30, monetaryValue: 1, holdoutFrequency: 2 }]);
    expect(s.firstAfterCalibration).toBe(1);
    expect(s.afterEnd).toBe(1); // 2024-03-01 is after the holdout end
    expect(s.holdoutLength).toBe(29);
    expect([...s.repeatsByDay.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('a $0 purchase is a purchase day with value 0', () => {
    const s = summarise([
      ['A', '2024-01-01', 10],
      ['A', '2024-01-08', 0],
    ], { calibrationEnd: at('2024-01-31') });
    expect(tableRows(s.customers)[0]).toMatchObject({ frequency: 1, monetaryValue: 0 });
  });
});
