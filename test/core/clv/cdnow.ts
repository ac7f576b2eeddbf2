/** Reading the CDNOW fixtures for the clv tests (fixtures/cdnow, copied from ../shared/data). */
import { readFileSync } from 'node:fs';
import type { ParsedRow } from '../../../src/core/clean.js';
import type { BtydRow } from '../../../src/core/clv/index.js';

const fixture = (name: string) => new URL(`../../../fixtures/cdnow/${name}`, import.meta.url);

/** cdnow_customers_summary.csv: lifetimes' BTYD summary of the sample (weeks), as published. */
export function publishedSummary(): BtydRow[] {
  const lines = readFileSync(fixture('cdnow_customers_summary.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [id, frequency, recency, T] = line.split(',');
    return { customerId: id, frequency: Number(frequency), recency: Number(recency), T: Number(T), monetaryValue: NaN };
  });
}

/** CDNOW_sample.txt as parsed rows (second column = the sample's customer id). */
export function sampleRows(): ParsedRow[] {
  return readFileSync(fixture('CDNOW_sample.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [, id, date, , value] = line.trim().split(/\s+/);
      const time = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
      return { customerId: id, invoice: '', time, quantity: NaN, price: NaN, amount: Number(value), hasQuantity: false, hasPrice: false, hasAmount: true };
    });
}

export interface Oracle {
  formulas: {
    params: Record<string, Record<string, number>>;
    customers: {
      x: number;
      tx: number;
      T: number;
      m: number;
      bgnbd: { logLikelihood: number; pAlive: number; expected: number[]; expectedDays: number[] };
      paretoNbd: { logLikelihood: number; pAlive: number; expected: number[] };
      paretoNbdAlphaGtBeta: { logLikelihood: number; pAlive: number; expected: number[] };
      gammaGamma: { logLikelihood: number | null; expectedSpend: number };
      clv: { bgnbdWeeks: number; bgnbdDays: number; paretoNbdWeeks: number; bgnbdWeeks24NoDiscount: number };
    }[];
    new: { horizons: number[]; bgnbd: number[]; paretoNbd: number[]; bgnbdProbability: Record<string, number[]> };
    hyp2f1: { a: number; b: number; c: number; z: number; value: number }[];
  };
  fits: {
    bgnbd: Record<string, number>;
    paretoNbd: Record<string, number>;
    gammaGamma: Record<string, number>;
    summaryTotals: Record<string, number>;
    logLikelihoodAtPublished: Record<string, number>;
  };
}

/** fixtures/cdnow/btyd-oracle.json, written by test/oracle/btyd_scipy.py (scipy, pandas). */
export const oracle: Oracle = JSON.parse(readFileSync(fixture('btyd-oracle.json'), 'utf8'));

/** |actual − expected| within rel × max(1, |expected|). */
export function close(actual: number, expected: number, rel: number): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
}
