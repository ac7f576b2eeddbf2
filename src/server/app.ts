/**
 * The HTTP API over one fitted model (`rfm serve`): GET /health, POST /segment (one customer or a
 * batch), GET /clusters/summary, GET /openapi.json and interactive docs at GET /docs.
 *
 * - Requests are validated with the route JSON schemas (Ajv without type coercion: "30" is not a
 *   number; extra fields are refused, not dropped); every error answer is JSON naming the field,
 *   never a stack trace.
 * - With a token, every route but /health needs `Authorization: Bearer <token>`, compared in
 *   constant time (SHA-256 digests of both sides through crypto.timingSafeEqual).
 * - Answers that depend only on the model (health, summary, the k possible single assignments)
 *   are serialised once; a batch is answered by joining precomputed strings.
 * - One structured JSON log line per request (method, url, status, ms) when a log stream is given.
 *
 * `buildApp` only builds: listening and shutdown belong to the caller (cli/commands/serve.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { batchAssigner, type CustomerValues } from '../core/assign.js';
import type { RfmModel } from '../core/model.js';
import { summaryFromModel } from '../core/summary.js';
import { BODY_LIMIT, MAX_BATCH, errorSchema, healthSchema, segmentRouteSchema, summarySchema } from './schemas.js';

export interface AppOptions {
  /** Bearer token every route but /health requires; none (or empty) means no auth. */
  token?: string;
  /** Request log: false for none, true for stderr, or a stream to write JSON lines to. */
  logger: boolean | NodeJS.WritableStream;
  /** Shown in /health and the OpenAPI document (default "rfm"). */
  title?: string;
  version?: string;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  field?: string;
  index?: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function errorBody(statusCode: number, code: string, message: string, extra: { field?: string; index?: number } = {}): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message, ...extra };
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A value as it reads in an error message: `the string "abc"`, `null`, `0`. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a number out of range';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

const BODY_SHAPE = `a JSON object {"recency", "frequency", "monetary"} or an array of up to ${MAX_BATCH} of them`;

/**
 * Turns Ajv's errors for the POST /segment body (a oneOf of one customer or an array of them)
 * into one readable answer naming the field. The branch that does not match the body's type
 * reports only "must be object/array" at the root; those are dropped to keep the real cause.
 */
export function describeBodyErrors(errors: readonly AjvError[], body: unknown): ErrorBody {
  const cause = errors.find((e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && e.instancePath === ''));
  if (cause === undefined || body === null || body === undefined || (typeof body !== 'object')) {
    return errorBody(400, 'invalid_body', `the body must be ${BODY_SHAPE}`);
  }
  const parts = cause.instancePath.split('/').slice(1);
  const batch = Array.isArray(body);
  const index = batch && parts.length > 0 ? Number(parts.shift()) : undefined;
  const customer: unknown = index === undefined ? body : (body as unknown[])[index];
  const where = index === undefined ? '' : `customer ${index}: `;
  const extra = (field?: string) => ({ ...(field === undefined ? {} : { field }), ...(index === undefined ? {} : { index }) });
  switch (cause.keyword) {
    case 'required': {
      const field = String(cause.params.missingProperty);
      return errorBody(400, 'invalid_body', `${where}${field} is required`, extra(field));
    }
    case 'additionalProperties': {
      const field = String(cause.params.additionalProperty);
      return errorBody(400, 'invalid_body', `${where}unknown field "${field}" (a customer has only recency, frequency and monetary)`, extra(field));
    }
    case 'maxItems':
      return errorBody(400, 'invalid_body', `a batch holds at most ${MAX_BATCH} customers (got ${(body as unknown[]).length})`);
    case 'type':
    case 'minimum': {
      if (parts.length === 0) return errorBody(400, 'invalid_body', `${where}each customer must be a JSON object {"recency", "frequency", "monetary"} (got ${shown(customer)})`, extra());
      const field = parts[0];
      const value = (customer as Record<string, unknown>)[field];
      const rule = cause.keyword === 'minimum' ? `must be >= ${String(cause.params.limit)}` : 'must be a finite JSON number';
      return errorBody(400, 'invalid_body', `${where}${field} ${rule} (got ${shown(value)})`, extra(field));
    }
    default:
      return errorBody(400, 'invalid_body', `${where}${cause.instancePath || 'body'} ${cause.message ?? 'is invalid'}`, extra(parts[0]));
  }
}

/** Maps any error reaching Fastify's error handler to a status and a JSON body without internals. */
function describeError(error: FastifyError, request: FastifyRequest): ErrorBody {
  if (error.validation) return describeBodyErrors(error.validation as AjvError[], request.body);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, 'body_too_large', `the body is over the ${BODY_LIMIT} byte limit; send at most ${MAX_BATCH} customers per request`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, 'unsupported_media_type', `send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(request.headers['content-type'] ?? '')})`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorBody(400, 'invalid_json', `the body is empty: send ${BODY_SHAPE}`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'invalid_body', 'the Content-Length header does not match the body');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return errorBody(400, 'invalid_json', `the body is not valid JSON (${error.message})`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return errorBody(status, 'invalid_body', error.message);
  if (status === 503) return errorBody(503, 'service_unavailable', 'the server is shutting down');
  return errorBody(500, 'internal', 'internal error (the server log has the details)');
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** `Authorization: Bearer <token>` check in constant time: equal-length SHA-256 digests. */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    // Hash something even without a token so both paths cost the same.
    return timingSafeEqual(digest(match === null ? '' : match[1]), expected) && match !== null;
  };
}

/** Longest a request log line waits before it is written, in ms. */
const LOG_FLUSH_MS = 100;
/** Pending log text that is written at once, whatever the timer says. */
const LOG_FLUSH_BYTES = 64 * 1024;

/**
 * A log sink that gathers lines and writes them in one call every LOG_FLUSH_MS (or as soon as
 * LOG_FLUSH_BYTES are pending). stderr to a file or a pipe is a synchronous write per call: one
 * per request halved the throughput of POST /segment. `flush` writes what is pending at once (the
 * server calls it on close); a crash can lose at most the last LOG_FLUSH_MS of lines.
 */
export function batchedLines(stream: NodeJS.WritableStream): { write(line: string): void; flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  return {
    write(line) {
      pending += line + '\n';
      if (pending.length >= LOG_FLUSH_BYTES) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, LOG_FLUSH_MS);
        timer.unref(); // pending lines never keep the process alive; close flushes them
      }
    },
    flush,
  };
}

/** The health answer: the model's identity, nothing that costs to compute. */
export function healthOf(model: RfmModel) {
  return {
    status: 'ok' as const,
    model: {
      createdAt: model.createdAt,
      k: model.params.k,
      transform: model.params.transform,
      source: model.training.source,
      asOf: model.training.asOf,
      customers: model.training.customers,
      segments: model.segments.map((s) => s.name),
      tool: model.tool,
    },
  };
}

/** Builds (does not start) the API for `model`. Call `app.listen` or `app.inject` on it. */
export async function buildApp(model: RfmModel, options: AppOptions): Promise<FastifyInstance> {
  const logStream = options.logger === true ? process.stderr : options.logger === false ? undefined : options.logger;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // Keep the answers of a closing server coming: in-flight requests finish, new ones get 503.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: {
      customOptions: {
        coerceTypes: false, // "30" (a string) is a 400, not 30
        removeAdditional: false, // an extra field is a 400, not silently dropped
        allErrors: false,
        strictNumbers: true, // Infinity (JSON 1e400) is not a number
        keywords: ['example'], // OpenAPI annotation in the schemas, not a validation rule
      },
    },
  });

  // JSON only: Fastify's default text/plain parser would turn a form or a plain string into a
  // confusing validation error; without it such a body is a 415.
  app.removeContentTypeParser('text/plain');

  const assign = batchAssigner(model);
  // The k possible answers to a single customer, serialised once.
  const answers = model.segments.map((s) => JSON.stringify({ cluster: s.cluster, segment: s.name }));
  const summaryJson = JSON.stringify(summaryFromModel(model));
  const healthJson = JSON.stringify(healthOf(model));
  const title = options.title ?? 'rfm';
  const token = options.token === undefined || options.token === '' ? undefined : options.token;

  const log = logStream === undefined ? undefined : batchedLines(logStream);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = describeError(error, request);
    // The cause of a 5xx goes to the log, never into the answer.
    if (body.statusCode >= 500) log?.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', method: request.method, url: request.url, error: error.message }));
    void reply.code(body.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
  app.setNotFoundHandler((request, reply) => {
    const body = errorBody(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]} (routes: GET /health, POST /segment, GET /clusters/summary, GET /openapi.json, GET /docs)`);
    void reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify(body));
  });

  if (token !== undefined) {
    const authorized = bearerChecker(token);
    const unauthorized = JSON.stringify(errorBody(401, 'unauthorized', 'this route needs the header "Authorization: Bearer <token>" with the server\'s token'));
    app.addHook('onRequest', (request, reply, done) => {
      // The matched route, not the raw URL: neither a query string nor an encoding can fool it.
      if (request.routeOptions.url === '/health' || authorized(request.headers.authorization)) {
        done();
        return;
      }
      void reply.code(401).header('www-authenticate', 'Bearer').type('application/json; charset=utf-8').send(unauthorized);
    });
  }
  if (log !== undefined) {
    // One JSON line per finished request: method, url, status, ms.
    // Written as a template (only the URL needs JSON escaping: the method is a token, the rest
    // numbers): the same line as JSON.stringify of the object, at a fraction of the cost.
    app.addHook('onResponse', (request, reply, done) => {
      const status = reply.statusCode;
      const ms = Math.round(reply.elapsedTime * 1000) / 1000;
      log.write(
        `{"time":"${new Date().toISOString()}","level":"${status >= 500 ? 'error' : 'info'}","method":"${request.method}","url":${JSON.stringify(request.url)},"status":${status},"ms":${ms}}`,
      );
      done();
    });
    app.addHook('onClose', (_instance, done) => {
      log.flush();
      done();
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: `${title} segmentation API`,
        version: options.version ?? model.tool.version,
        description:
          `Segments customers with the k-means model fitted by \`rfm fit\` on ${model.training.source} ` +
          `(k = ${model.params.k}, created ${model.createdAt}): ${model.segments.map((s) => s.name).join(', ')}.`,
      },
      ...(token === undefined
        ? {}
        : {
            components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
            security: [{ bearerAuth: [] }],
          }),
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } });

  const json = 'application/json; charset=utf-8';
  app.get('/health', { schema: { summary: 'Liveness and the model served (never needs a token)', security: [], response: { 200: healthSchema } } }, (_request, reply) => {
    void reply.type(json).send(healthJson);
  });

  app.post('/segment', { schema: segmentRouteSchema }, (request, reply) => {
    const body = request.body as CustomerValues | CustomerValues[];
    let text: string;
    if (Array.isArray(body)) {
      const parts = new Array<string>(body.length);
      for (let i = 0; i < body.length; i++) parts[i] = answers[assign(body[i])];
      text = '[' + parts.join(',') + ']';
    } else {
      text = answers[assign(body)];
    }
    void reply.type(json).send(text);
  });

  app.get('/clusters/summary', { schema: { summary: 'Per-segment statistics (as `rfm summary --format json`)', response: { 200: summarySchema, 401: errorSchema } } }, (_request, reply) => {
    void reply.type(json).send(summaryJson);
  });

  let openapiJson: string | undefined;
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => {
    openapiJson ??= JSON.stringify(app.swagger());
    void reply.type(json).send(openapiJson);
  });

  return app;
}
