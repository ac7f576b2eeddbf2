/**
 * The POST /segment body rules, checked by hand rather than by Ajv so that one pass over a batch
 * can (1) report every wrong field of every customer at once, (2) hint at a field that differs
 * only by case ("Recency"), and (3) run in chunks between which the event loop breathes.
 * The JSON schema in schemas.ts states the same rules for the OpenAPI document; a test checks
 * that both agree on every body of a generated corpus.
 *
 * Keys are read with Object.keys and hasOwn only: a `__proto__` or `constructor` key (kept as an
 * ordinary own property by the JSON parser) is just an unknown field.
 */
import type { CustomerValues } from '../core/assign.js';
import type { FieldError } from './errors.js';
import { ID_FIELDS, MAX_BATCH } from './schemas.js';

const VALUE_RULES: readonly [keyof CustomerValues, number][] = [
  ['recency', 0],
  ['frequency', 1],
  ['monetary', 0],
];
const KNOWN = new Set<string>([...VALUE_RULES.map(([f]) => f), ...ID_FIELDS]);
const BY_LOWER_CASE = new Map([...KNOWN].map((f) => [f.toLowerCase(), f]));

/** Most field errors one answer lists; the message says how many more there were. */
export const MAX_LISTED_ERRORS = 100;

/** A value as it reads in an error message: `the string "abc"`, `null`, `0`. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a number out of range';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isId = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/**
 * True when a customer breaks no rule: the fast path, run on every customer of every request,
 * allocates nothing (the messages are built only when something is wrong).
 */
export function isUsableCustomer(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { recency, frequency, monetary } = value;
  if (!(typeof recency === 'number' && Number.isFinite(recency) && recency >= 0)) return false;
  if (!(typeof frequency === 'number' && Number.isFinite(frequency) && frequency >= 1)) return false;
  if (!(typeof monetary === 'number' && Number.isFinite(monetary) && monetary >= 0)) return false;
  for (const key in value) {
    if (key === 'recency' || key === 'frequency' || key === 'monetary') continue;
    if ((key === 'customer_id' || key === 'id') && isId(value[key])) continue;
    return false;
  }
  return true;
}

/**
 * Appends the problems of one customer to `out` (nothing when it is usable). `index` is its
 * position in a batch, undefined for a single-customer body.
 */
export function customerErrors(value: unknown, index: number | undefined, out: FieldError[]): void {
  if (isUsableCustomer(value)) return;
  const at = index === undefined ? {} : { index };
  const where = index === undefined ? '' : `customer ${index}: `;
  if (!isObject(value)) {
    out.push({ ...at, message: `${where}each customer must be a JSON object {"recency", "frequency", "monetary"} (got ${shown(value)})` });
    return;
  }
  for (const [field, min] of VALUE_RULES) {
    const v = Object.hasOwn(value, field) ? value[field] : undefined;
    if (v === undefined) {
      const near = Object.keys(value).find((k) => k !== field && k.toLowerCase() === field);
      const hint = near === undefined ? '' : ` (the body has "${near}": field names are lower case)`;
      out.push({ ...at, field, message: `${where}${field} is required${hint}` });
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      out.push({ ...at, field, message: `${where}${field} must be a finite JSON number (got ${shown(v)})` });
    } else if (v < min) {
      out.push({ ...at, field, message: `${where}${field} must be >= ${min} (got ${v})` });
    }
  }
  for (const key of Object.keys(value)) {
    if (ID_FIELDS.includes(key)) {
      const id = value[key];
      if (!isId(id)) {
        out.push({ ...at, field: key, message: `${where}${key} must be a string or a finite number (got ${shown(id)})` });
      }
    } else if (!KNOWN.has(key)) {
      const near = BY_LOWER_CASE.get(key.toLowerCase());
      const hint = near === undefined ? ' (a customer has recency, frequency, monetary and optionally customer_id or id)' : ` — did you mean ${near}?`;
      out.push({ ...at, field: key, message: `${where}unknown field ${JSON.stringify(key)}${hint}` });
    }
  }
}

/** What is wrong with the body as a whole, before looking at any customer (undefined: nothing). */
export function bodyShapeError(body: unknown): FieldError | undefined {
  if (Array.isArray(body)) {
    return body.length > MAX_BATCH ? { message: `a batch holds at most ${MAX_BATCH} customers (got ${body.length})` } : undefined;
  }
  if (!isObject(body)) {
    return { message: `the body must be a JSON object {"recency", "frequency", "monetary"} or an array of up to ${MAX_BATCH} of them (got ${shown(body)})` };
  }
  return undefined;
}
