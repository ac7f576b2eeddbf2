/**
 * POST /clv: one customer's BTYD values (or a batch of them) in, P(alive), expected purchases,
 * expected spend and CLV out, from the model's clv section (rfm fit --clv). Bodies are checked by
 * hand as POST /segment's are (validate.ts): every wrong field at once, case hints, the BTYD rules
 * of core/clv-model.ts; a batch is answered BATCH_CHUNK customers at a time with a turn of the
 * event loop in between.
 */
import { btydProblems, predictClv, type BtydField } from '../core/clv-model.js';
import type { ModelClv } from '../core/model.js';
import { errorBody, type ErrorBody, type FieldError } from './errors.js';
import { ID_FIELDS, MAX_BATCH } from './schemas.js';
import { BATCH_CHUNK, invalidBody } from './segment.js';
import { shown } from './validate.js';

/** Body field → the BTYD value it carries. */
const FIELDS: Record<string, BtydField> = { frequency: 'frequency', recency: 'recency', T: 'T', monetary_value: 'monetaryValue' };
const NAMES = Object.keys(FIELDS);
const KNOWN = new Set([...NAMES, ...ID_FIELDS]);
const BY_LOWER_CASE = new Map([...KNOWN].map((f) => [f.toLowerCase(), f]));
const FIELD_OF = Object.fromEntries(NAMES.map((name) => [FIELDS[name], name])) as Record<BtydField, string>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Appends the problems of one customer to `out`; `index` is its place in a batch. */
export function btydErrors(value: unknown, index: number | undefined, out: FieldError[]): void {
  const at = index === undefined ? {} : { index };
  const where = index === undefined ? '' : `customer ${index}: `;
  if (!isObject(value)) {
    out.push({ ...at, message: `${where}each customer must be a JSON object {"frequency", "recency", "T", "monetary_value"} (got ${shown(value)})` });
    return;
  }
  const before = out.length;
  for (const name of NAMES) {
    const v = Object.hasOwn(value, name) ? value[name] : undefined;
    if (v === undefined) {
      const near = Object.keys(value).find((k) => k !== name && k.toLowerCase() === name.toLowerCase());
      out.push({ ...at, field: name, message: `${where}${name} is required${near === undefined ? '' : ` (the body has "${near}": write it ${name})`}` });
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      out.push({ ...at, field: name, message: `${where}${name} must be a finite JSON number (got ${shown(v)})` });
    }
  }
  if (out.length === before) {
    const values = Object.fromEntries(NAMES.map((name) => [FIELDS[name], value[name]]));
    for (const [field, requirement] of btydProblems(values)) {
      const name = FIELD_OF[field];
      out.push({ ...at, field: name, message: `${where}${name} ${requirement} (got ${shown(value[name])})` });
    }
  }
  for (const key of Object.keys(value)) {
    if (ID_FIELDS.includes(key)) {
      if (!isId(value[key])) out.push({ ...at, field: key, message: `${where}${key} must be a string or a finite number (got ${shown(value[key])})` });
    } else if (!KNOWN.has(key)) {
      const near = BY_LOWER_CASE.get(key.toLowerCase());
      const hint = near === undefined ? ' (a customer has frequency, recency, T, monetary_value and optionally customer_id or id)' : ` — did you mean ${near}?`;
      out.push({ ...at, field: key, message: `${where}unknown field ${JSON.stringify(key)}${hint}` });
    }
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The answer to a POST /clv body (already parsed), or the error to send. */
export async function answerClv(clv: ModelClv | undefined, body: unknown): Promise<string | ErrorBody> {
  if (clv === undefined) {
    return errorBody(404, 'not_found', 'this model has no lifetime-value models: fit it with rfm fit --clv, then serve it again');
  }
  const answer = (customer: Record<string, unknown>) => {
    const p = predictClv(clv, { frequency: customer.frequency as number, recency: customer.recency as number, T: customer.T as number, monetaryValue: customer.monetary_value as number });
    const ids: Record<string, unknown> = {};
    for (const key of ID_FIELDS) if (customer[key] !== undefined) ids[key] = customer[key];
    return JSON.stringify({ ...ids, p_alive: p.pAlive, expected_purchases: p.expectedPurchases, expected_spend: p.expectedSpend, clv: p.clv });
  };
  const errors: FieldError[] = [];
  if (!Array.isArray(body)) {
    if (!isObject(body)) {
      return invalidBody([{ message: `the body must be a JSON object {"frequency", "recency", "T", "monetary_value"} or an array of up to ${MAX_BATCH} of them (got ${shown(body)})` }]);
    }
    btydErrors(body, undefined, errors);
    return errors.length > 0 ? invalidBody(errors) : answer(body);
  }
  if (body.length > MAX_BATCH) return invalidBody([{ message: `a batch holds at most ${MAX_BATCH} customers (got ${body.length})` }]);
  const parts = new Array<string>(body.length);
  for (let start = 0; start < body.length; start += BATCH_CHUNK) {
    if (start > 0) await nextTurn();
    for (let i = start; i < Math.min(body.length, start + BATCH_CHUNK); i++) {
      btydErrors(body[i], i, errors);
      if (errors.length === 0) parts[i] = answer(body[i] as Record<string, unknown>);
    }
  }
  return errors.length > 0 ? invalidBody(errors) : '[' + parts.join(',') + ']';
}
