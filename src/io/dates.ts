/**
 * Hand-written date parsing for the layouts transaction logs use. `new Date(string)` is slow and
 * depends on the machine's time zone for some layouts; here every timestamp without a zone is UTC,
 * a timestamp with a zone is that instant (so its UTC day counts), and impossible dates (Feb 30,
 * hour 25) are rejected rather than rolled over.
 *
 * Accepted (EXPORTS-SPEC.md "Values"):
 * - YYYY-MM-DD[ HH:MM[:SS[.fff]]], the same with `T`, then an optional zone: Z, ±HH:MM, ±HHMM, UTC,
 *   with or without a space before it (Shopify writes `2024-01-05 10:22:11 -0500`); YYYY/MM/DD too;
 * - YYYYMMDD (CDNOW);
 * - M/D/YYYY and D/M/YYYY, one or two digits each, with an optional ` H:MM[:SS]`: the order is the
 *   column's (value-layouts.ts infers it; `order` here says which to read);
 * - D.M.YYYY and DD-MM-YYYY, always day first, with the same optional time;
 * - English month names or their 3-letter abbreviations: `Jan 5, 2024`, `05-Jan-2024`,
 *   `5 January 2024`, with the same optional time.
 * `order` 'ymd' accepts only year-first dates: a slashed D/M/YYYY or M/D/YYYY value is then invalid.
 */
export type DateOrder = 'ymd' | 'mdy' | 'dmy';

export const DAY_MS = 86_400_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const max = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  return day <= max;
}

/** Reads `count` ASCII digits at `at`, or -1 if any is not a digit. */
function digits(s: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || i >= s.length) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** Parses `HH:MM[:SS[.fff]]` and an optional zone starting at `at`; returns ms offset from midnight UTC. */
function parseTimeAndZone(s: string, at: number): number {
  const hour = s.charCodeAt(at + 1) === 58 /* : */ ? digits(s, at, 1) : digits(s, at, 2);
  if (hour < 0 || hour > 23) return NaN;
  let i = at + (s.charCodeAt(at + 1) === 58 ? 1 : 2);
  if (s.charCodeAt(i) !== 58) return NaN;
  const minute = digits(s, i + 1, 2);
  if (minute < 0 || minute > 59) return NaN;
  i += 3;
  let second = 0;
  let ms = 0;
  if (s.charCodeAt(i) === 58) {
    second = digits(s, i + 1, 2);
    if (second < 0 || second > 59) return NaN;
    i += 3;
    if (s.charCodeAt(i) === 46 /* . */) {
      let j = i + 1;
      let scale = 100;
      while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
        ms += (s.charCodeAt(j) - 48) * scale;
        scale /= 10;
        j++;
      }
      if (j === i + 1) return NaN;
      ms = Math.floor(ms);
      i = j;
    }
  }
  let offsetMinutes = 0;
  // One space may separate the time from its zone (` -0500`, ` UTC`), but then a zone must follow.
  if (i < s.length - 1 && s.charCodeAt(i) === 32) i++;
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if ((c === 90 || c === 122) && i === s.length - 1) {
      // Z
    } else if (i === s.length - 3 && s.slice(i).toUpperCase() === 'UTC') {
      // UTC
    } else if (c === 43 || c === 45) {
      const sign = c === 43 ? 1 : -1;
      const zh = digits(s, i + 1, 2);
      const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
      const zm = digits(s, i + 3 + colon, 2);
      if (zh < 0 || zm < 0 || zh > 14 || zm > 59 || i + 5 + colon !== s.length) return NaN;
      offsetMinutes = sign * (zh * 60 + zm);
    } else {
      return NaN;
    }
  }
  return ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms;
}

function utc(year: number, month: number, day: number, s: string, timeAt: number): number {
  if (!validDay(year, month, day)) return NaN;
  // Date.UTC reads years 0-99 as 1900-1999: set the year itself (0001-01-01 is a real sentinel date).
  const midnight = year < 100 ? new Date(Date.UTC(2000, month - 1, day)).setUTCFullYear(year) : Date.UTC(year, month - 1, day);
  if (timeAt >= s.length) return midnight;
  const time = parseTimeAndZone(s, timeAt);
  return midnight + time;
}

/**
 * Parses a timestamp to milliseconds since the epoch (UTC), or NaN when it is not a valid date in
 * one of the accepted layouts.
 */
export function parseTimestamp(text: string, order: DateOrder = 'mdy'): number {
  const s = text.trim();
  const n = s.length;
  if (n < 8) return NaN;
  // YYYY-MM-DD or YYYY/MM/DD, then optional ' ' or 'T' and a time (the common case: checked first).
  const sep = s.charCodeAt(4);
  if ((sep === 45 || sep === 47) && s.charCodeAt(7) === sep) {
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    if (year < 0 || month < 0 || day < 0) return NaN;
    if (n === 10) return utc(year, month, day, s, n);
    const t = s.charCodeAt(10);
    if (t !== 32 && t !== 84 && t !== 116) return NaN;
    return utc(year, month, day, s, 11);
  }
  // YYYYMMDD
  if (n === 8 && digits(s, 0, 8) >= 0) {
    return utc(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2), s, n);
  }
  // D/M/YYYY, M/D/YYYY, D.M.YYYY, DD-MM-YYYY (one or two digits each), optional ' H:MM[:SS]'.
  const sep1 = s.charCodeAt(1) < 48 ? 1 : s.charCodeAt(2) < 48 ? 2 : -1;
  const c1 = s.charCodeAt(sep1);
  if (sep1 > 0 && (c1 === 47 || c1 === 46 || c1 === 45)) {
    const sep2 = s.charCodeAt(sep1 + 2) === c1 ? sep1 + 2 : s.charCodeAt(sep1 + 3) === c1 ? sep1 + 3 : -1;
    if (sep2 < 0) return parseMonthName(s);
    const a = digits(s, 0, sep1);
    const b = digits(s, sep1 + 1, sep2 - sep1 - 1);
    const year = digits(s, sep2 + 1, 4);
    if (a < 0 || b < 0 || year < 0) return NaN;
    let month: number;
    let day: number;
    if (c1 !== 47) [day, month] = [a, b]; // dots and dashes: always day first
    else if (order === 'ymd') return NaN;
    else [month, day] = order === 'dmy' ? [b, a] : [a, b];
    return withOptionalTime(year, month, day, s, sep2 + 5);
  }
  return parseMonthName(s);
}

/** The date, then nothing, or ' ' / 'T' and a time, from `end` on. */
function withOptionalTime(year: number, month: number, day: number, s: string, end: number): number {
  if (end === s.length) return utc(year, month, day, s, end);
  const c = s.charCodeAt(end);
  if (c !== 32 && c !== 84) return NaN;
  return utc(year, month, day, s, end + 1);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** A month's number from its English name or 3-letter abbreviation (any case), or -1. */
function monthNumber(word: string): number {
  const w = word.toLowerCase();
  const i = w.length === 3 ? MONTHS.indexOf(w) : MONTH_NAMES.indexOf(w);
  return i < 0 ? -1 : i + 1;
}

// `Jan 5, 2024`, `January 5 2024`; `05-Jan-2024`, `5 January 2024`, `5 Jan 2024`; then the time.
const MONTH_FIRST = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})(?=$|[ T])/;
const DAY_FIRST = /^(\d{1,2})([ -])([A-Za-z]{3,9})\.?\2(\d{4})(?=$|[ T])/;

/** The month-name layouts (rare: only values that reach here pay for the regular expressions). */
function parseMonthName(s: string): number {
  let m = MONTH_FIRST.exec(s);
  if (m !== null) {
    const month = monthNumber(m[1]);
    return month < 0 ? NaN : withOptionalTime(Number(m[3]), month, Number(m[2]), s, m[0].length);
  }
  m = DAY_FIRST.exec(s);
  if (m !== null) {
    const month = monthNumber(m[3]);
    return month < 0 ? NaN : withOptionalTime(Number(m[4]), month, Number(m[1]), s, m[0].length);
  }
  return NaN;
}

/** What a value says about its column's day/month order. */
export type OrderEvidence = 'none' | 'dmy' | 'mdy' | 'either' | 'neither';

const SLASHED = /^\s*(\d{1,2})\/(\d{1,2})\/\d{4}(?:$|[ T])/;

/**
 * For a slashed date (`a/b/YYYY`): 'dmy' when only day first makes sense (a > 12), 'mdy' when
 * only month first does (b > 12), 'either' when both are ≤ 12, 'neither' when both are > 12;
 * 'none' for every other layout, whose order is fixed.
 */
export function orderEvidence(text: string): OrderEvidence {
  const m = SLASHED.exec(text);
  if (m === null) return 'none';
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a > 12) return b > 12 ? 'neither' : 'dmy';
  return b > 12 ? 'mdy' : 'either';
}

/** A name for the layout of a date value, for `rfm inspect` and the notes (slow: once per column layout seen). */
export function dateLayoutName(text: string, order: DateOrder | undefined): string {
  const s = text.trim();
  if (/^\d{4}-\d{2}-\d{2}(?:$|[ Tt])/.test(s)) {
    if (/[ T]\d{1,2}:\d{2}.*(?:[Zz]|UTC|[+-]\d{2}:?\d{2})$/.test(s)) return 'YYYY-MM-DD HH:MM ±zone';
    return s.length > 10 ? 'YYYY-MM-DD HH:MM' : 'YYYY-MM-DD';
  }
  if (/^\d{4}\/\d{2}\/\d{2}/.test(s)) return 'YYYY/MM/DD';
  if (/^\d{8}$/.test(s)) return 'YYYYMMDD';
  if (SLASHED.test(s)) return order === 'dmy' ? 'D/M/YYYY' : order === 'mdy' ? 'M/D/YYYY' : 'D/M or M/D/YYYY';
  if (/^\d{1,2}\.\d{1,2}\.\d{4}/.test(s)) return 'D.M.YYYY';
  if (/^\d{1,2}-\d{1,2}-\d{4}/.test(s)) return 'DD-MM-YYYY';
  return 'month name';
}

/** Midnight UTC of the day containing `ms`. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** `YYYY-MM-DD` in UTC. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM:SSZ` in UTC (milliseconds only when present). */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, 19) + 'Z' : iso;
}
