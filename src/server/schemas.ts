/**
 * JSON schemas of the HTTP API: they validate requests (Ajv, no type coercion, no silent removal
 * of extra fields) and, through @fastify/swagger, are the OpenAPI document — one source for both.
 * The request rules are the CLI's (`valueProblems` in core/assign.ts): finite numbers,
 * recency >= 0, frequency >= 1, monetary >= 0.
 */

/** Most customers one POST /segment may carry (≈ 450 KB of compact JSON, under the 1 MB body limit). */
export const MAX_BATCH = 10_000;

/** Largest request body accepted, in bytes, after gzip decompression (larger → 413). */
export const BODY_LIMIT = 1024 * 1024;

/** Optional customer id fields: echoed in the answer so that a batch caller can match answers to customers. */
export const ID_FIELDS: readonly string[] = ['customer_id', 'id'];

const idSchema = (name: string) =>
  ({
    oneOf: [{ type: 'string' }, { type: 'number' }],
    description: `Optional; echoed as \`${name}\` in the answer.`,
    example: 'C-1001',
  }) as const;

export const customerSchema = {
  type: 'object',
  description: "One customer's RFM values.",
  additionalProperties: false,
  required: ['recency', 'frequency', 'monetary'],
  properties: {
    recency: { type: 'number', minimum: 0, description: 'Days since the last purchase (>= 0).', example: 30 },
    frequency: { type: 'number', minimum: 1, description: 'Number of purchases (>= 1).', example: 4 },
    monetary: { type: 'number', minimum: 0, description: 'Total spend (>= 0).', example: 2500 },
    customer_id: idSchema('customer_id'),
    id: idSchema('id'),
  },
} as const;

const assignmentSchema = {
  type: 'object',
  required: ['cluster', 'segment'],
  properties: {
    customer_id: { oneOf: [{ type: 'string' }, { type: 'number' }], description: "The request's customer_id, when it had one." },
    id: { oneOf: [{ type: 'string' }, { type: 'number' }], description: "The request's id, when it had one." },
    cluster: { type: 'integer', description: 'Cluster index, 0..k-1.', example: 1 },
    segment: { type: 'string', description: 'Segment name.', example: 'Potential Loyalists' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  description:
    'Every error answer has this shape, whether a route, the docs or the HTTP parser produced it. For a body that fails ' +
    'validation, `errors` lists every wrong field (with `index` in a batch); `field`/`index`/`message` repeat the first.',
  required: ['statusCode', 'error', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', description: 'HTTP reason phrase.', example: 'Bad Request' },
    code: {
      type: 'string',
      description: 'Machine-readable cause.',
      enum: [
        'bad_request',
        'invalid_body',
        'invalid_json',
        'unauthorized',
        'forbidden',
        'forbidden_origin',
        'not_found',
        'method_not_allowed',
        'request_timeout',
        'body_too_large',
        'unsupported_media_type',
        'unsupported_encoding',
        'headers_too_large',
        'internal',
        'server_busy',
        'service_unavailable',
      ],
      example: 'invalid_body',
    },
    message: { type: 'string', example: 'frequency must be >= 1 (got 0)' },
    field: { type: 'string', description: 'The offending field, when one is to blame.', example: 'frequency' },
    index: { type: 'integer', description: 'Position of the offending customer in a batch.', example: 3 },
    errors: {
      type: 'array',
      description: `Every wrong field of the body (at most 100 listed), in body order.`,
      items: {
        type: 'object',
        required: ['message'],
        properties: { field: { type: 'string' }, index: { type: 'integer' }, message: { type: 'string' } },
      },
    },
  },
} as const;

const statsSchema = {
  type: ['object', 'null'],
  properties: { mean: { type: 'number' }, median: { type: 'number' }, min: { type: 'number' }, max: { type: 'number' } },
} as const;

export const summarySchema = {
  type: 'object',
  description: 'Per-segment statistics of the training customers: the object `rfm summary --format json` prints.',
  properties: {
    model: {
      type: 'object',
      properties: {
        createdAt: { type: 'string' },
        k: { type: 'integer' },
        transform: { type: 'string' },
        source: { type: 'string' },
        asOf: { type: ['string', 'null'] },
        customers: { type: 'integer' },
        inertia: { type: 'number' },
        silhouette: { type: ['number', 'null'] },
      },
    },
    data: {
      type: 'object',
      properties: { source: { type: 'string' }, customers: { type: 'integer' }, asOf: { type: ['string', 'null'] } },
    },
    segments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          cluster: { type: 'integer' },
          name: { type: 'string' },
          description: { type: 'string' },
          action: { type: 'string' },
          size: { type: 'integer' },
          share: { type: 'number' },
          revenue: { type: 'number' },
          revenueShare: { type: 'number' },
          recency: statsSchema,
          frequency: statsSchema,
          monetary: statsSchema,
        },
      },
    },
    clv: {
      type: 'object',
      description: 'Only for a model fitted with rfm fit --clv: the training customers\' mean P(alive), expected purchases, spend and CLV per segment.',
      properties: {
        period: { type: 'string', enum: ['day', 'week', 'month'] },
        calibrationEnd: { type: 'string' },
        horizonMonths: { type: 'integer' },
        monthlyDiscount: { type: 'number' },
        purchaseModel: { type: 'string', enum: ['bgnbd', 'paretoNbd'] },
        segments: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              cluster: { type: 'integer' },
              name: { type: 'string' },
              customers: { type: 'integer' },
              pAlive: { type: 'number' },
              expectedPurchases: { type: 'number' },
              expectedSpend: { type: 'number' },
              clv: { type: 'number' },
              clvTotal: { type: 'number' },
            },
          },
        },
      },
    },
  },
} as const;

export const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok'] },
    model: {
      type: 'object',
      properties: {
        createdAt: { type: 'string' },
        k: { type: 'integer' },
        transform: { type: 'string' },
        source: { type: 'string' },
        asOf: { type: ['string', 'null'] },
        customers: { type: 'integer' },
        segments: { type: 'array', items: { type: 'string' } },
        tool: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
      },
    },
  },
} as const;

export const segmentRouteSchema = {
  summary: 'Segment one customer, or a batch',
  description:
    `A customer object answers \`{"cluster", "segment"}\`; an array of up to ${MAX_BATCH} customers answers an array in the same order. ` +
    'Values must be JSON numbers (a string such as "30" is refused): recency >= 0, frequency >= 1, monetary >= 0; ' +
    'an optional `customer_id` or `id` (string or number) is echoed in the answer; no other fields. ' +
    'The body may be sent with `Content-Encoding: gzip` (the 1 MB limit applies to the decompressed body).',
  body: {
    oneOf: [customerSchema, { type: 'array', maxItems: MAX_BATCH, items: customerSchema }],
  },
  response: {
    200: { oneOf: [assignmentSchema, { type: 'array', items: assignmentSchema }] },
    400: errorSchema,
    401: errorSchema,
    413: errorSchema,
    415: errorSchema,
    503: errorSchema,
  },
} as const;

export const btydCustomerSchema = {
  type: 'object',
  description: "One customer's BTYD summary, in the time unit of the model's clv section (`rfm fit --clv --period`, default weeks).",
  additionalProperties: false,
  required: ['frequency', 'recency', 'T', 'monetary_value'],
  properties: {
    frequency: { type: 'integer', minimum: 0, description: 'Repeat purchase days (distinct purchase days − 1).', example: 2 },
    recency: { type: 'number', minimum: 0, description: 'Time from the first to the last purchase day (<= T; 0 when frequency is 0).', example: 30.43 },
    T: { type: 'number', minimum: 0, description: 'Time from the first purchase day to the end of the calibration period.', example: 38.86 },
    monetary_value: { type: 'number', minimum: 0, description: 'Mean value per repeat purchase day (0 for a one-time buyer).', example: 22.35 },
    customer_id: idSchema('customer_id'),
    id: idSchema('id'),
  },
} as const;

const clvAnswerSchema = {
  type: 'object',
  required: ['p_alive', 'expected_purchases', 'expected_spend', 'clv'],
  properties: {
    customer_id: { oneOf: [{ type: 'string' }, { type: 'number' }], description: "The request's customer_id, when it had one." },
    id: { oneOf: [{ type: 'string' }, { type: 'number' }], description: "The request's id, when it had one." },
    p_alive: { type: 'number', description: 'Probability that the customer is still active (BG/NBD).', example: 0.7266 },
    expected_purchases: { type: 'number', description: "Purchases expected over the model's horizon (clv.horizonMonths months of 30 days).", example: 1.545 },
    expected_spend: { type: 'number', description: 'Gamma-Gamma expected value of one purchase.', example: 24.66 },
    clv: { type: 'number', description: "Discounted value over the horizon at the model's monthly discount rate.", example: 35.88 },
  },
} as const;

export const clvRouteSchema = {
  summary: 'Lifetime value of one customer, or a batch (models fitted with rfm fit --clv)',
  description:
    `A customer object answers \`{"p_alive", "expected_purchases", "expected_spend", "clv"}\`; an array of up to ${MAX_BATCH} customers answers an array in the same order. ` +
    "Values are JSON numbers in the model's clv period; frequency is a whole number >= 0, 0 <= recency <= T, recency is 0 when frequency is 0, monetary_value >= 0; " +
    'an optional `customer_id` or `id` is echoed. A model without a clv section answers 404. Gzip bodies are accepted as for /segment.',
  body: { oneOf: [btydCustomerSchema, { type: 'array', maxItems: MAX_BATCH, items: btydCustomerSchema }] },
  response: {
    200: { oneOf: [clvAnswerSchema, { type: 'array', items: clvAnswerSchema }] },
    400: errorSchema,
    401: errorSchema,
    404: errorSchema,
    413: errorSchema,
    415: errorSchema,
  },
} as const;
