/**
 * The HTTP API over one fitted model (`rfm serve`): GET /health, POST /segment (one customer or a
 * batch), GET /clusters/summary, GET /openapi.json, interactive docs at GET /docs, and a web page
 * at GET / (page.ts: the report's sections and a lookup form, under a strict CSP).
 *
 * - POST /segment bodies are checked by validate.ts (every wrong field at once, case hints,
 *   `__proto__` as an ordinary unknown field); the JSON schemas in schemas.ts describe the same
 *   rules in the OpenAPI document. An id field (`customer_id`, `id`) is echoed in the answer.
 *   A large batch is parsed, validated and scored in a worker thread (batch-pool.ts); a smaller
 *   one in chunks with a turn of the event loop in between (segment.ts): /health stays fast
 *   during batch load.
 * - Every error answer, from a route, Fastify, the docs' file server or Node's HTTP parser, is
 *   the JSON of errors.ts; an unknown path is 404, a known path with another method 405.
 * - With a token, every route but /health and the docs page needs `Authorization: Bearer <token>`,
 *   compared in constant time as UTF-8 bytes (SHA-256 digests of both sides through
 *   crypto.timingSafeEqual). The docs page loads without it and its Authorize box sends it; the
 *   document it loads names no model unless the token (or --public-docs) is given.
 * - `cors` origins get CORS headers and preflight answers; no origin does by default.
 * - Bodies may be gzip-compressed; the body limit applies to the decompressed bytes.
 * - Answers that depend only on the model (health, summary, the k possible single assignments)
 *   are serialised once; a batch is answered by joining precomputed strings.
 * - One structured JSON log line per request (method, url, status, ms) when a log stream is given.
 *
 * `buildApp` only builds: listening and shutdown belong to the caller (cli/commands/serve.ts),
 * which passes a ConnectionGuard (connections.ts) for the timeouts, the connection cap and drain.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods, type RequestPayload } from 'fastify';
import type { RfmModel } from '../core/model.js';
import { summaryFromModel } from '../core/summary.js';
import { BatchPool } from './batch-pool.js';
import type { ConnectionGuard } from './connections.js';
import { describeError, errorBody, HttpError, writeClientError, type ErrorBody, type FieldError } from './errors.js';
import { BODY_LIMIT, MAX_BATCH, clvRouteSchema, errorSchema, healthSchema, segmentRouteSchema, summarySchema } from './schemas.js';
import { answerClv } from './clv.js';
import { registerPage } from './page.js';
import { invalidBody, segmentAnswerer } from './segment.js';
import { bodyShapeError, customerErrors } from './validate.js';

export type { ErrorBody } from './errors.js';

export interface AppOptions {
  /** Bearer token every route but /health and the docs page requires; none (or empty) means no auth. */
  token?: string;
  /** Request log: false for none, true for stderr, or a stream to write JSON lines to. */
  logger: boolean | NodeJS.WritableStream;
  /** Shown in /health and the OpenAPI document (default "rfm"). */
  title?: string;
  version?: string;
  /** The server with timeouts, a connection cap and a graceful drain (without it: Node's defaults, for tests). */
  connections?: ConnectionGuard;
  /** Origins (`https://app.example.com`, or `*`) allowed to call the API from a browser. */
  cors?: readonly string[];
  /** With a token: serve the full OpenAPI document without it too. */
  publicDocs?: boolean;
  /**
   * Parse and score batch bodies of WORKER_MIN_BYTES or more in a worker thread (batch-pool.ts).
   * `rfm serve` does; off by default because the worker is the compiled dist/ file.
   */
  batchWorker?: boolean;
}

/** Batch bodies from this size on (about 1,300 customers) go to the worker: below, the round trip costs more than it saves. */
export const WORKER_MIN_BYTES = 64 * 1024;

/** A batch body kept as text, for the worker to parse. */
class RawBatch {
  constructor(readonly text: string) {}
}


const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/**
 * `Authorization: Bearer <token>` check in constant time: equal-length SHA-256 digests of the
 * UTF-8 bytes. Node hands header values over as latin1 strings (one char per byte), so the
 * header's bytes are taken back with 'latin1' — a non-ASCII token sent as UTF-8 matches.
 * Spaces inside the token are allowed; spaces and tabs around it are not part of it.
 */
export function bearerChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(Buffer.from(token, 'utf8'));
  return (header) => {
    const match = header === undefined ? null : /^Bearer[ \t]+([^ \t](?:.*[^ \t])?)[ \t]*$/is.exec(header);
    // Hash something even without a token so both paths cost the same.
    return timingSafeEqual(digest(Buffer.from(match === null ? '' : match[1], 'latin1')), expected) && match !== null;
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

const JSON_TYPE = 'application/json; charset=utf-8';
const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const ROUTE_LIST = 'routes: GET / (web page), GET /health, POST /segment, POST /clv, GET /clusters/summary, GET /openapi.json, GET /docs';

function sendError(reply: FastifyReply, body: ErrorBody): void {
  void reply.code(body.statusCode).type(JSON_TYPE).send(JSON.stringify(body));
}

/** The one Content-Encoding refusal: 415, naming what is understood. */
function unsupportedEncoding(encoding: string): HttpError {
  return new HttpError(
    errorBody(415, 'unsupported_encoding', `Content-Encoding ${JSON.stringify(encoding)} is not supported: send the body uncompressed or with "Content-Encoding: gzip"`),
  );
}

/** Builds (does not start) the API for `model`. Call `app.listen` or `app.inject` on it. */
export async function buildApp(model: RfmModel, options: AppOptions): Promise<FastifyInstance> {
  const logStream = options.logger === true ? process.stderr : options.logger === false ? undefined : options.logger;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    ...(options.connections === undefined ? {} : { serverFactory: options.connections.serverFactory }),
    // `rfm serve` drains connections (connections.ts) before closing, so nothing is in flight at
    // close; without a guard, a request arriving during close is answered, not a foreign-shaped 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Parser-level errors (bad framing, 431, timeouts) in the documented JSON shape.
    clientErrorHandler: writeClientError,
    frameworkErrors: (error, request, reply) => sendError(reply, describeError(error, { bodyLimit: BODY_LIMIT, maxBatch: MAX_BATCH }, request.headers['content-type'])),
    // `__proto__` and `constructor` stay ordinary keys of the parsed body (JSON.parse makes them
    // own properties, never the prototype); validate.ts refuses them as unknown fields.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    ajv: { customOptions: { keywords: ['example'] } }, // OpenAPI annotation in the schemas, not a validation rule
  });

  // JSON only: Fastify's default text/plain parser would turn a form or a plain string into a
  // confusing validation error; without it such a body is a 415.
  app.removeContentTypeParser('text/plain');

  const pool = options.batchWorker === true ? new BatchPool(model) : undefined;
  if (pool !== undefined) {
    app.addHook('onClose', async () => pool.close());
    // A large array body stays text for the worker; anything else is Fastify's own JSON parsing.
    const parseJson = app.getDefaultJsonParser('ignore', 'ignore');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = body as string;
      if (text.length >= WORKER_MIN_BYTES && text.trimStart().startsWith('[')) done(null, new RawBatch(text));
      else parseJson(request, text, done);
    });
  }

  const summaryJson = JSON.stringify(summaryFromModel(model));
  const healthJson = JSON.stringify(healthOf(model));
  const title = options.title ?? 'rfm';
  const token = options.token === undefined || options.token === '' ? undefined : options.token;
  const corsOrigins = new Set(options.cors ?? []);
  const anyOrigin = corsOrigins.has('*');

  const log = logStream === undefined ? undefined : batchedLines(logStream);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = describeError(error, { bodyLimit: BODY_LIMIT, maxBatch: MAX_BATCH }, request.headers['content-type']);
    // The cause of a 5xx goes to the log, never into the answer.
    if (body.statusCode >= 500) log?.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', method: request.method, url: request.url, error: error.message }));
    sendError(reply, body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    // A known path with another method is 405 with the methods it has.
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    // A route of this very method that sent us here is the docs' file server finding no file.
    if (allowed.includes(request.method as HTTPMethods)) {
      sendError(reply, errorBody(404, 'not_found', `no such file: ${path}`));
      return;
    }
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      sendError(reply, errorBody(405, 'method_not_allowed', `${request.method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`));
      return;
    }
    sendError(reply, errorBody(404, 'not_found', `no route ${request.method} ${path} (${ROUTE_LIST})`));
  });

  if (corsOrigins.size > 0) {
    // Registered first: CORS headers go on every answer to an allowed origin, 401s included,
    // so that a browser page can read why it was refused.
    app.addHook('onRequest', (request, reply, done) => {
      const origin = request.headers.origin;
      void reply.header('vary', 'Origin');
      if (origin !== undefined && (anyOrigin || corsOrigins.has(origin))) void reply.header('access-control-allow-origin', origin);
      done();
    });
    app.options('/*', { schema: { hide: true } }, (request, reply) => {
      const origin = request.headers.origin;
      if (origin === undefined || !(anyOrigin || corsOrigins.has(origin))) {
        sendError(reply, errorBody(403, 'forbidden_origin', `origin ${JSON.stringify(origin ?? '')} is not allowed to call this API (rfm serve --cors ORIGIN)`));
        return;
      }
      void reply
        .code(204)
        .header('access-control-allow-methods', 'GET, HEAD, POST, OPTIONS')
        .header('access-control-allow-headers', 'Authorization, Content-Type, Content-Encoding')
        .header('access-control-max-age', '600')
        .send();
    });
  }

  const authorized = token === undefined ? () => true : bearerChecker(token);
  if (token !== undefined) {
    const unauthorized = JSON.stringify(errorBody(401, 'unauthorized', 'this route needs the header "Authorization: Bearer <token>" with the server\'s token'));
    app.addHook('onRequest', (request, reply, done) => {
      // The matched route, not the raw URL: neither a query string nor an encoding can fool it.
      const route = request.routeOptions.url;
      const open =
        route === '/health' ||
        (route === '/openapi.json' && options.publicDocs === true) ||
        // The docs page and its files: a browser opens them without the header (the page's
        // Authorize box sends it to the API); the document they load is trimmed without it.
        (route !== undefined && route.startsWith('/docs')) ||
        (request.method === 'OPTIONS' && corsOrigins.size > 0 && route !== undefined);
      if (open || authorized(request.headers.authorization)) {
        done();
        return;
      }
      void reply.code(401).header('www-authenticate', 'Bearer').type(JSON_TYPE).send(unauthorized);
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

  const modelDescription =
    `Segments customers with the k-means model fitted by \`rfm fit\` on ${model.training.source} ` +
    `(k = ${model.params.k}, created ${model.createdAt}): ${model.segments.map((s) => s.name).join(', ')}.`;
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: `${title} segmentation API`, version: options.version ?? model.tool.version, description: modelDescription },
      ...(token === undefined
        ? {}
        : {
            components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: "The server's token (--token or $RFM_API_TOKEN)." } } },
            security: [{ bearerAuth: [] }],
          }),
    },
  });
  const docsShowModel = (header: string | undefined) => token === undefined || options.publicDocs === true || authorized(header);
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: false },
    // Without the token the page still gets the routes, the body rules and the security scheme
    // (so its Authorize box is there), but not the model's source, segments or dates.
    transformSpecification: (spec, request) => {
      if (docsShowModel(request.headers.authorization)) return spec;
      const info = (spec as { info: Record<string, unknown> }).info;
      info.description = 'Segments customers with the model this server was started with. Authorize (the button on the right) with the server\'s token to call the routes; the model is described in GET /openapi.json, which needs the token.';
      return spec;
    },
  });

  app.get('/health', { schema: { summary: 'Liveness and the model served (never needs a token)', security: [], response: { 200: healthSchema } } }, (_request, reply) => {
    void reply.type(JSON_TYPE).send(healthJson);
  });

  const segment = segmentAnswerer(model);

  /** A gzip body (Content-Encoding) inflated on the way in, for POST /segment and POST /clv. */
  const gunzipBody = (request: FastifyRequest, reply: FastifyReply, payload: RequestPayload, done: (error: Error | null, body?: RequestPayload) => void) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding === undefined || encoding === '' || encoding === 'identity') return done(null, payload);
    if (encoding !== 'gzip' && encoding !== 'x-gzip') return done(unsupportedEncoding(request.headers['content-encoding'] ?? ''));
    const gunzip = Object.assign(createGunzip(), { receivedEncodedLength: 0 });
    // Fastify compares this with Content-Length, and the decompressed length with the body limit.
    payload.on('data', (chunk: Buffer) => (gunzip.receivedEncodedLength += chunk.length));
    payload.on('error', (error: Error) => gunzip.destroy(error));
    // Past the limit (a gzip bomb) Fastify answers 413 and stops reading: stop inflating too.
    reply.raw.once('close', () => gunzip.destroy());
    payload.pipe(gunzip);
    done(null, gunzip);
  };

  app.post(
    '/segment',
    {
      schema: segmentRouteSchema,
      // The schema documents the body; validate.ts checks it (all errors at once, in chunks).
      validatorCompiler: () => () => true,
      preParsing: gunzipBody,
    },
    (request, reply) => {
      const body = request.body;
      if (body instanceof RawBatch) {
        pool!.score(body.text).then(
          (answer) => (typeof answer === 'string' ? void reply.type(JSON_TYPE).send(answer) : sendError(reply, answer)),
          (error: Error) => reply.send(error),
        );
        return;
      }
      const shape = bodyShapeError(body);
      if (shape !== undefined) return sendError(reply, invalidBody([shape]));
      if (!Array.isArray(body)) {
        const errors: FieldError[] = [];
        customerErrors(body, undefined, errors);
        if (errors.length > 0) return sendError(reply, invalidBody(errors));
        void reply.type(JSON_TYPE).send(segment.one(body as Record<string, unknown>));
        return;
      }
      segment
        .batch(body).then(
        (answer) => (typeof answer === 'string' ? void reply.type(JSON_TYPE).send(answer) : sendError(reply, answer)),
        (error: Error) => reply.send(error),
      );
    },
  );

  app.post(
    '/clv',
    // The schema documents the body; server/clv.ts checks it as validate.ts checks /segment's.
    { schema: clvRouteSchema, validatorCompiler: () => () => true, preParsing: gunzipBody },
    (request, reply) => {
      let body = request.body;
      if (body instanceof RawBatch) {
        // A large array kept as text for the /segment worker: parsed here (it fits the body limit).
        try {
          body = JSON.parse(body.text);
        } catch {
          return sendError(reply, errorBody(400, 'invalid_json', 'the body is not valid JSON'));
        }
      }
      answerClv(model.clv, body).then(
        (answer) => (typeof answer === 'string' ? void reply.type(JSON_TYPE).send(answer) : sendError(reply, answer)),
        (error: Error) => reply.send(error),
      );
    },
  );

  app.get('/clusters/summary', { schema: { summary: 'Per-segment statistics (as `rfm summary --format json`)', response: { 200: summarySchema, 401: errorSchema } } }, (_request, reply) => {
    void reply.type(JSON_TYPE).send(summaryJson);
  });

  await registerPage(app, model);

  let openapiJson: string | undefined;
  app.get('/openapi.json', { schema: { hide: true } }, (_request, reply) => {
    openapiJson ??= JSON.stringify(app.swagger());
    void reply.type(JSON_TYPE).send(openapiJson);
  });

  return app;
}
