/**
 * The answers of POST /segment for a validated body. A single customer is one lookup in the k
 * precomputed answer strings; a batch is validated and scored BATCH_CHUNK customers at a time with
 * a turn of the event loop (setImmediate) between steps, so that a 10,000-customer batch never
 * holds the loop for more than a fraction of a millisecond per step and /health stays fast.
 * An id field (`customer_id`, `id`) is echoed first in the customer's answer.
 */
import { batchAssigner, type CustomerValues } from '../core/assign.js';
import type { RfmModel } from '../core/model.js';
import { errorBody, type ErrorBody, type FieldError } from './errors.js';
import { customerErrors, MAX_LISTED_ERRORS } from './validate.js';

/** Customers validated and scored per step of a batch before the event loop gets a turn. */
export const BATCH_CHUNK = 1000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The 400 for a body with field errors: every one listed (up to MAX_LISTED_ERRORS), the first repeated on top. */
export function invalidBody(errors: readonly FieldError[]): ErrorBody {
  const first = errors[0];
  return errorBody(400, 'invalid_body', first.message, {
    ...(first.field === undefined ? {} : { field: first.field }),
    ...(first.index === undefined ? {} : { index: first.index }),
    errors: errors.slice(0, MAX_LISTED_ERRORS),
  });
}

export interface SegmentAnswerer {
  /** The JSON answer to one customer already validated. */
  one(customer: Record<string, unknown>): string;
  /** The JSON answer to a batch (array of answers), or the 400 listing every wrong field. */
  batch(customers: readonly unknown[]): Promise<string | ErrorBody>;
  /** The same in one go, for a worker thread (nothing else waits on its event loop). */
  batchNow(customers: readonly unknown[]): string | ErrorBody;
}

export function segmentAnswerer(model: RfmModel): SegmentAnswerer {
  const assign = batchAssigner(model);
  // The k possible answers to a customer without an id, serialised once.
  const answers = model.segments.map((s) => JSON.stringify({ cluster: s.cluster, segment: s.name }));
  const one = (customer: Record<string, unknown>): string => {
    const text = answers[assign(customer as unknown as CustomerValues)];
    // (A parsed body has no undefined values: undefined means the key is absent.)
    if (customer.customer_id === undefined && customer.id === undefined) return text;
    let ids = '';
    if (customer.customer_id !== undefined) ids += `"customer_id":${JSON.stringify(customer.customer_id)},`;
    if (customer.id !== undefined) ids += `"id":${JSON.stringify(customer.id)},`;
    return '{' + ids + text.slice(1);
  };
  /** Customers start..end-1 into parts[] (or their problems into errors[]). */
  const step = (customers: readonly unknown[], start: number, end: number, parts: string[], errors: FieldError[]) => {
    for (let i = start; i < end; i++) {
      customerErrors(customers[i], i, errors);
      // Once a customer is wrong the answer is the 400: the rest are only checked.
      if (errors.length === 0) parts[i] = one(customers[i] as Record<string, unknown>);
    }
  };
  const result = (parts: string[], errors: FieldError[]) => (errors.length > 0 ? invalidBody(errors) : '[' + parts.join(',') + ']');
  const batch = async (customers: readonly unknown[]): Promise<string | ErrorBody> => {
    const parts = new Array<string>(customers.length);
    const errors: FieldError[] = [];
    for (let start = 0; start < customers.length; start += BATCH_CHUNK) {
      if (start > 0) await nextTurn();
      step(customers, start, Math.min(customers.length, start + BATCH_CHUNK), parts, errors);
    }
    return result(parts, errors);
  };
  const batchNow = (customers: readonly unknown[]): string | ErrorBody => {
    const parts = new Array<string>(customers.length);
    const errors: FieldError[] = [];
    step(customers, 0, customers.length, parts, errors);
    return result(parts, errors);
  };
  return { one, batch, batchNow };
}
