/**
 * Hand-written date parsing for the layouts transaction logs use. `new Date(string)` is slow and
 * depends on the machine's time zone for some layouts; here every timestamp without a zone is UTC,
 * and impossible dates (Feb 30, hour 25) are rejected rather than rolled over.
 *
 * Accepted: YYYY-MM-DD[ HH:MM[:SS[.fff]]], the same with `T` and an optional zone (Z, ±HH:MM, ±HHMM),
 * M/D/YYYY[ H:MM[:SS]] (US, the Online Retail CSV export; D/M/YYYY with dateOrder 'dmy'),
 * YYYY/MM/DD, and YYYYMMDD.
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
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if ((c === 90 || c === 122) && i === s.length - 1) {
      // Z
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
  // YYYY-MM-DD or YYYY/MM/DD, then optional ' ' or 'T' and a time.
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
  if (n === 8) {
    const year = digits(s, 0, 4);
    const month = digits(s, 4, 2);
    const day = digits(s, 6, 2);
    if (year < 0 || month < 0 || day < 0) return NaN;
    return utc(year, month, day, s, n);
  }
  // M/D/YYYY or D/M/YYYY (one or two digits each), optional ' H:MM[:SS]'.
  const slash1 = s.indexOf('/');
  if (slash1 === 1 || slash1 === 2) {
    const slash2 = s.indexOf('/', slash1 + 1);
    if (slash2 !== slash1 + 2 && slash2 !== slash1 + 3) return NaN;
    const a = digits(s, 0, slash1);
    const b = digits(s, slash1 + 1, slash2 - slash1 - 1);
    const year = digits(s, slash2 + 1, 4);
    if (a < 0 || b < 0 || year < 0) return NaN;
    const [month, day] = order === 'dmy' ? [b, a] : [a, b];
    const end = slash2 + 5;
    if (end === n) return utc(year, month, day, s, n);
    if (s.charCodeAt(end) !== 32 && s.charCodeAt(end) !== 84) return NaN;
    return utc(year, month, day, s, end + 1);
  }
  return NaN;
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
