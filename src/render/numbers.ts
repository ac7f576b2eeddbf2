/**
 * Number formats for human tables (machine formats keep full precision). The Intl formatters are
 * made on first use: building them costs ~20 ms of ICU start-up that a run printing only JSON
 * should not pay.
 */
const formatters = new Map<string, Intl.NumberFormat>();

function intl(minimumFractionDigits: number, maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${minimumFractionDigits}-${maximumFractionDigits}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits, maximumFractionDigits });
    formatters.set(key, format);
  }
  return format;
}

/**
 * A whole number with en-US digit grouping ("1,067,371"). Safe integers are grouped by hand, with
 * the same result as Intl: a piped run prints only such counts (on stderr), and making the Intl
 * format would cost it ~15 ms of ICU start-up. Anything else (fractions, -0, huge) goes to Intl.
 */
export function formatInt(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return intl(0, 0).format(n);
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
export const formatMoney = (n: number) => intl(2, 2).format(n);
/** Exactly `digits` decimals, grouped: "12,345.68" for an inertia, "0.4321" for a silhouette. */
export const formatFixed = (n: number, digits: number) => intl(digits, digits).format(n);
export const formatOne = (n: number) => intl(1, 1).format(n);
export const formatPercent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Up to 4 significant decimals without trailing zeros, for plain measurements. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return formatInt(n);
  return intl(0, Math.abs(n) >= 100 ? 2 : 4).format(n);
}

/** "1 customer", "4,339 customers". */
export const plural = (n: number, word: string) => `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;
