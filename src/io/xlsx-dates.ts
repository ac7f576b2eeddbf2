/**
 * Excel dates: a date is a number (days since an epoch) whose cell style has a date format. Which
 * formats are dates, and how a serial number becomes the ISO timestamp a CSV export would hold.
 *
 * Two systems exist. The 1900 system (the default) counts 1900-01-01 as day 1 and, copying a
 * Lotus 1-2-3 bug, also has a day 60 = 1900-02-29 that never was; from day 61 (1900-03-01) on it
 * is days since 1899-12-30. The 1904 system (`<workbookPr date1904="1"/>`, old Mac Excel) counts
 * from 1904-01-01 = day 0. Excel stores wall-clock time without a zone: read as UTC, like every
 * zone-less timestamp in rfm.
 */
import { DAY_MS } from './dates.js';

/** Built-in number formats that are dates or times (ECMA-376 §18.8.30): 14-22 and 45-47. */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/**
 * Whether a format code shows a date or time: a d, m, y, h or s outside quoted text ("days"),
 * brackets ([Red], [$-409], [h]), escaped characters (\d) and the fill/padding pairs (_x, *x).
 * `[h]:mm` (elapsed time) counts too: its `:mm` remains. `General` and `0.00E+00` do not.
 */
export function isDateFormatCode(code: string): boolean {
  let plain = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      const end = code.indexOf('"', i + 1);
      i = end < 0 ? code.length : end;
    } else if (c === '[') {
      const end = code.indexOf(']', i + 1);
      i = end < 0 ? code.length : end;
    } else if (c === '\\' || c === '_' || c === '*') {
      i++;
    } else {
      plain += c;
    }
  }
  return /[dmyhs]/i.test(plain);
}

/** Whether number format `id` (with its custom code, if the workbook defines one) is a date. */
export function isDateFormat(id: number, customCode: string | undefined): boolean {
  if (customCode !== undefined) return isDateFormatCode(customCode);
  return BUILTIN_DATE_FORMATS.has(id);
}

const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1900_BEFORE_MARCH = Date.UTC(1899, 11, 31);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** Excel's last date, 9999-12-31 (1900 system). */
const MAX_SERIAL = 2958465;

const two = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * The ISO timestamp (`2010-12-01T07:41:00.000Z`, rounded to the millisecond) of a serial number, or
 * undefined when it is no date (negative, or past 9999-12-31). Day 60 of the 1900 system gives
 * `1900-02-29T…`, the day Excel shows, which the date parser then rejects: it does not exist.
 */
export function serialToIso(serial: number, date1904: boolean): string | undefined {
  if (!(serial >= 0 && serial <= MAX_SERIAL + 1)) return undefined;
  const ms = Math.round(serial * DAY_MS);
  if (date1904) return new Date(EPOCH_1904 + ms).toISOString();
  if (ms >= 61 * DAY_MS) return new Date(EPOCH_1900 + ms).toISOString();
  if (ms < 60 * DAY_MS) return new Date(EPOCH_1900_BEFORE_MARCH + ms).toISOString();
  const time = ms - 60 * DAY_MS;
  const millis = time % 1000;
  const seconds = Math.floor(time / 1000);
  return `1900-02-29T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${String(millis).padStart(3, '0')}Z`;
}

/**
 * A `t="d"` cell holds an ISO 8601 text (`2024-01-05T10:22:11`, no zone = wall time): the same
 * instant in the ISO form serialToIso gives, or the text itself if it is not one.
 */
export function isoCellText(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z)?$/.exec(text.trim());
  if (m === null) return text;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = m;
  const time = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +frac.padEnd(3, '0'));
  const back = new Date(time);
  // Rolled over (Feb 30, hour 25): not a date after all.
  if (back.getUTCDate() !== +d || back.getUTCHours() !== +h) return text;
  return back.toISOString();
}
