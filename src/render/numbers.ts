/** Number formats for human tables (machine formats keep full precision). */
const grouped0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const grouped2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const grouped1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const formatInt = (n: number) => grouped0.format(n);
export const formatMoney = (n: number) => grouped2.format(n);
export const formatOne = (n: number) => grouped1.format(n);
export const formatPercent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Up to 4 significant decimals without trailing zeros, for plain measurements. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return formatInt(n);
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: Math.abs(n) >= 100 ? 2 : 4 }).format(n);
}

/** "1 customer", "4,339 customers". */
export const plural = (n: number, word: string) => `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;
