/**
 * The HTTP API (src/server/app.ts) on a real ephemeral loopback port: every route, every error
 * code, auth on and off, batch order, the request log. The model is written by hand (transform
 * none, identity scaler) so that each answer can be worked out from the centroids.
 */
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi, onTestFinished } from 'vitest';
import { waitUntil } from '../wait.js';
import { assignCustomer } from '../../src/core/assign.js';
import { validateModel, type RfmModel } from '../../src/core/model.js';
import { summaryFromModel } from '../../src/core/summary.js';
import { batchedLines, bearerChecker, buildApp } from '../../src/server/app.js';
import type { FieldError } from '../../src/server/errors.js';
import { segmentRouteSchema } from '../../src/server/schemas.js';
import { BATCH_CHUNK, segmentAnswerer } from '../../src/server/segment.js';
import { bodyShapeError, customerErrors } from '../../src/server/validate.js';
import { send, type HttpResult } from './http.js';

const stats = (mean: number) => ({ mean, median: mean, min: mean, max: mean });
const segment = (cluster: number, name: string, [r, f, m]: number[], size: number) => ({
  cluster,
  name,
  description: `${name} description`,
  action: `${name} action`,
  size,
  share: size / 100,
  revenue: size * m,
  revenueShare: 0.25,
  recency: stats(r),
  frequency: stats(f),
  monetary: stats(m),
  centroid: { recency: r, frequency: f, monetary: m },
});
const CENTROIDS = [
  [10, 20, 5000],
  [30, 4, 2500],
  [200, 2, 300],
  [400, 1, 20],
];
const NAMES = ['Loyal High-Value', 'Potential Loyalists', 'Occasional Buyers', 'Churn Risk'];

/** A valid k = 4 model whose scaled space is the raw space: nearest centroid by plain distance. */
export const MODEL: RfmModel = validateModel({
  schema: 'rfm-model',
  version: 1,
  createdAt: '2024-01-02T03:04:05.000Z',
  tool: { name: 'rfm', version: '0.1.0' },
  training: { source: 'hand-made.csv', asOf: '2011-12-10T00:00:00Z', rowsRead: 100, rowsKept: 100, dropped: null, customers: 100 },
  params: { k: 4, transform: 'none', nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 },
  scaler: { mean: [0, 0, 0], scale: [1, 1, 1] },
  centroids: CENTROIDS,
  inertia: 123.5,
  silhouette: 0.5,
  segments: CENTROIDS.map((c, i) => segment(i, NAMES[i], c, 25)),
});

const JSON_TYPE = /^application\/json/;
const customer = (recency: unknown, frequency: unknown, monetary: unknown) => ({ recency, frequency, monetary });

async function start(options: Parameters<typeof buildApp>[1]): Promise<{ app: FastifyInstance; base: string }> {
  const app = await buildApp(MODEL, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** Every error answer: JSON, the status repeated, a code, a message, and nothing internal. */
function expectErrorBody(r: HttpResult, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.headers['content-type']).toMatch(JSON_TYPE);
  expect(r.json).toMatchObject({ statusCode: status, code });
  expect(typeof r.json.message).toBe('string');
  expect(r.text).not.toMatch(/node_modules|\n\s+at |stack|FST_/);
}

describe('without a token', () => {
  let app: FastifyInstance;
  let base: string;
  const log = new PassThrough();
  const logLines: string[] = [];
  log.on('data', (b: Buffer) => logLines.push(...b.toString('utf8').split('\n').filter((l) => l !== '')));

  beforeAll(async () => {
    ({ app, base } = await start({ logger: log }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('GET /health names the model', async () => {
    const r = await send(base, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(JSON_TYPE);
    expect(r.json).toEqual({
      status: 'ok',
      model: {
        createdAt: '2024-01-02T03:04:05.000Z',
        k: 4,
        transform: 'none',
        source: 'hand-made.csv',
        asOf: '2011-12-10T00:00:00Z',
        customers: 100,
        segments: NAMES,
        tool: { name: 'rfm', version: '0.1.0' },
      },
    });
  });

  it('POST /segment answers the nearest centroid for one customer', async () => {
    const r = await send(base, 'POST', '/segment', { body: customer(30, 4, 2500) });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(JSON_TYPE);
    expect(r.json).toEqual({ cluster: 1, segment: 'Potential Loyalists' });
    for (const [i, c] of CENTROIDS.entries()) {
      const near = await send(base, 'POST', '/segment', { body: customer(c[0] + 1, c[1], c[2] + 5) });
      expect(near.json).toEqual({ cluster: i, segment: NAMES[i] });
    }
  });

  it('accepts the boundary values (recency 0, frequency 1, monetary 0) and fractions', async () => {
    const r = await send(base, 'POST', '/segment', { body: customer(0, 1, 0) });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(assignCustomer(MODEL, { recency: 0, frequency: 1, monetary: 0 }));
    const f = await send(base, 'POST', '/segment', { body: customer(12.5, 3.5, 99.99) });
    expect(f.status).toBe(200);
  });

  it('a batch answers an array in the same order', async () => {
    const order = [3, 0, 2, 1, 1, 3, 0];
    const body = order.map((i) => customer(...CENTROIDS[i]));
    const r = await send(base, 'POST', '/segment', { body });
    expect(r.status).toBe(200);
    expect(r.json).toEqual(order.map((i) => ({ cluster: i, segment: NAMES[i] })));
  });

  it('a batch of 10,000 agrees with assignCustomer customer for customer', async () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const body = Array.from({ length: 10_000 }, () => customer(Math.floor(next() * 500), 1 + Math.floor(next() * 30), Math.round(next() * 600000) / 100));
    const r = await send(base, 'POST', '/segment', { body });
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(10_000);
    expect(r.json).toEqual(body.map((c) => assignCustomer(MODEL, c as never)));
    expect(new Set(r.json.map((a: { cluster: number }) => a.cluster)).size).toBe(4);
  });

  it('an empty batch answers []', async () => {
    const r = await send(base, 'POST', '/segment', { body: [] });
    expect(r.status).toBe(200);
    expect(r.json).toEqual([]);
  });

  it('GET /clusters/summary is summaryFromModel(model), as `rfm summary --format json` prints it', async () => {
    const r = await send(base, 'GET', '/clusters/summary');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(JSON_TYPE);
    expect(r.json).toEqual(JSON.parse(JSON.stringify(summaryFromModel(MODEL))));
  });

  it('GET /openapi.json describes the API routes and the body rules', async () => {
    const r = await send(base, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.0.3');
    expect(Object.keys(r.json.paths).sort()).toEqual(['/clusters/summary', '/clv', '/health', '/segment']);
    const body = r.json.paths['/segment'].post.requestBody.content['application/json'].schema;
    const one = body.oneOf[0];
    expect(one.required).toEqual(['recency', 'frequency', 'monetary']);
    expect(one.additionalProperties).toBe(false);
    expect(one.properties.frequency).toMatchObject({ type: 'number', minimum: 1 });
    expect(body.oneOf[1]).toMatchObject({ type: 'array', maxItems: 10000 });
    expect(r.json.components?.securitySchemes).toBeUndefined();
  });

  it('GET /docs serves Swagger UI from the installed package (no external URLs)', async () => {
    const r = await send(base, 'GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.text).toContain('swagger-ui');
    expect(r.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const css = await send(base, 'GET', '/docs/static/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const js = await send(base, 'GET', '/docs/static/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.text.length).toBeGreaterThan(100_000);
  });

  describe('400: the body is wrong, and the answer names the field', () => {
    const cases: [string, unknown, string | undefined, RegExp][] = [
      ['missing recency', { frequency: 4, monetary: 2500 }, 'recency', /recency is required/],
      ['missing frequency', { recency: 30, monetary: 2500 }, 'frequency', /frequency is required/],
      ['missing monetary', { recency: 30, frequency: 4 }, 'monetary', /monetary is required/],
      ['non-numeric "abc"', customer(30, 'abc', 2500), 'frequency', /frequency must be a finite JSON number \(got the string "abc"\)/],
      ['a numeric string "30" (no coercion)', customer('30', 4, 2500), 'recency', /recency must be a finite JSON number \(got the string "30"\)/],
      ['the string "NaN"', customer(30, 4, 'NaN'), 'monetary', /monetary must be a finite JSON number \(got the string "NaN"\)/],
      ['the string "Infinity"', customer('Infinity', 4, 1), 'recency', /finite JSON number/],
      ['null', customer(30, null, 2500), 'frequency', /frequency must be a finite JSON number \(got null\)/],
      ['a boolean', customer(true, 4, 2500), 'recency', /recency must be a finite JSON number/],
      ['negative recency', customer(-1, 4, 2500), 'recency', /recency must be >= 0 \(got -1\)/],
      ['frequency 0', customer(30, 0, 2500), 'frequency', /frequency must be >= 1 \(got 0\)/],
      ['frequency 0.5', customer(30, 0.5, 2500), 'frequency', /frequency must be >= 1/],
      ['negative monetary', customer(30, 4, -0.01), 'monetary', /monetary must be >= 0 \(got -0.01\)/],
      ['an extra field', { ...customer(30, 4, 2500), segment: 'C1' }, 'segment', /unknown field "segment"/],
      ['a number body', 42, undefined, /the body must be a JSON object/],
      ['a string body', 'recency=30', undefined, /the body must be a JSON object/],
      ['a null body', null, undefined, /the body must be a JSON object/],
    ];
    for (const [name, body, field, message] of cases) {
      it(name, async () => {
        const r = await send(base, 'POST', '/segment', { body });
        expectErrorBody(r, 400, 'invalid_body');
        expect(r.json.message).toMatch(message);
        expect(r.json.field).toBe(field);
        expect(r.json.index).toBeUndefined();
      });
    }

    it('a number too large for a double (1e400 parses to Infinity)', async () => {
      const r = await send(base, 'POST', '/segment', { raw: '{"recency":1e400,"frequency":4,"monetary":1}', headers: { 'content-type': 'application/json' } });
      expectErrorBody(r, 400, 'invalid_body');
      expect(r.json.field).toBe('recency');
    });

    it('a bad customer in a batch: field and index', async () => {
      const body = [customer(1, 1, 1), customer(2, 2, 2), customer(3, 'NaN', 3)];
      const r = await send(base, 'POST', '/segment', { body });
      expectErrorBody(r, 400, 'invalid_body');
      expect(r.json).toMatchObject({ field: 'frequency', index: 2 });
      expect(r.json.message).toMatch(/^customer 2: frequency/);
      const extra = await send(base, 'POST', '/segment', { body: [customer(1, 1, 1), { ...customer(1, 1, 1), x: 1 }] });
      expect(extra.json).toMatchObject({ field: 'x', index: 1, code: 'invalid_body' });
      const missing = await send(base, 'POST', '/segment', { body: [{ recency: 1, frequency: 1 }] });
      expect(missing.json).toMatchObject({ field: 'monetary', index: 0 });
      const notObject = await send(base, 'POST', '/segment', { body: [customer(1, 1, 1), 5] });
      expect(notObject.json).toMatchObject({ index: 1 });
      expect(notObject.json.message).toMatch(/customer 1: each customer must be a JSON object/);
    });

    it('a batch over 10,000 customers', async () => {
      const body = Array.from({ length: 10_001 }, () => customer(1, 1, 1));
      const r = await send(base, 'POST', '/segment', { body });
      expectErrorBody(r, 400, 'invalid_body');
      expect(r.json.message).toMatch(/at most 10000 customers \(got 10001\)/);
    });

    it('invalid JSON, an empty body', async () => {
      const headers = { 'content-type': 'application/json' };
      const broken = await send(base, 'POST', '/segment', { raw: '{"recency": 30,', headers });
      expectErrorBody(broken, 400, 'invalid_json');
      const empty = await send(base, 'POST', '/segment', { raw: '', headers });
      expectErrorBody(empty, 400, 'invalid_json');
    });

    it('__proto__, constructor and prototype keys are ordinary unknown fields, named', async () => {
      const headers = { 'content-type': 'application/json' };
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        for (const value of ['{}', '{"prototype":{"x":1}}', '1']) {
          const r = await send(base, 'POST', '/segment', { raw: `{"recency":15,"frequency":2,"monetary":800,"${key}":${value}}`, headers });
          expectErrorBody(r, 400, 'invalid_body');
          expect(r.json.field).toBe(key);
          expect(r.json.message).toBe(`unknown field "${key}" (a customer has recency, frequency, monetary and optionally customer_id or id)`);
        }
        const inBatch = await send(base, 'POST', '/segment', { raw: `[{"recency":1,"frequency":1,"monetary":1},{"recency":1,"frequency":1,"monetary":1,"${key}":{}}]`, headers });
        expect(inBatch.json).toMatchObject({ statusCode: 400, field: key, index: 1 });
      }
      // Nothing leaked into the prototype of plain objects.
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    it('every wrong field of a body at once in errors[], the first repeated on top', async () => {
      const r = await send(base, 'POST', '/segment', { body: { recency: -1, frequency: 'x', extra: true } });
      expectErrorBody(r, 400, 'invalid_body');
      expect(r.json.errors).toEqual([
        { field: 'recency', message: 'recency must be >= 0 (got -1)' },
        { field: 'frequency', message: 'frequency must be a finite JSON number (got the string "x")' },
        { field: 'monetary', message: 'monetary is required' },
        { field: 'extra', message: 'unknown field "extra" (a customer has recency, frequency, monetary and optionally customer_id or id)' },
      ]);
      expect(r.json).toMatchObject({ field: 'recency', message: 'recency must be >= 0 (got -1)' });

      const batch = await send(base, 'POST', '/segment', { body: [customer(1, 1, 1), customer(1, 0, 1), customer(1, 1, 1), { recency: 1, frequency: 1 }, 7] });
      expect(batch.json.errors).toEqual([
        { index: 1, field: 'frequency', message: 'customer 1: frequency must be >= 1 (got 0)' },
        { index: 3, field: 'monetary', message: 'customer 3: monetary is required' },
        { index: 4, message: 'customer 4: each customer must be a JSON object {"recency", "frequency", "monetary"} (got 7)' },
      ]);
      expect(batch.json).toMatchObject({ index: 1, field: 'frequency' });
    });

    it('at most 100 errors are listed', async () => {
      const body = Array.from({ length: 300 }, () => customer(-1, 1, 1));
      const r = await send(base, 'POST', '/segment', { body });
      expect(r.json.errors).toHaveLength(100);
      expect(r.json.errors[99]).toEqual({ index: 99, field: 'recency', message: 'customer 99: recency must be >= 0 (got -1)' });
    });

    it('a field that differs only by case: "did you mean recency?"', async () => {
      const r = await send(base, 'POST', '/segment', { body: { Recency: 15, frequency: 2, MONETARY: 800 } });
      expectErrorBody(r, 400, 'invalid_body');
      expect(r.json.errors.map((e: { message: string }) => e.message)).toEqual([
        'recency is required (the body has "Recency": field names are lower case)',
        'monetary is required (the body has "MONETARY": field names are lower case)',
        'unknown field "Recency" — did you mean recency?',
        'unknown field "MONETARY" — did you mean monetary?',
      ]);
      const id = await send(base, 'POST', '/segment', { body: { ...customer(1, 1, 1), Customer_ID: 'x' } });
      expect(id.json.message).toBe('unknown field "Customer_ID" — did you mean customer_id?');
    });
  });

  it('415: a body that is not JSON, or has no content type', async () => {
    const text = await send(base, 'POST', '/segment', { raw: '{"recency":30,"frequency":4,"monetary":2500}', headers: { 'content-type': 'text/plain' } });
    expectErrorBody(text, 415, 'unsupported_media_type');
    expect(text.json.message).toMatch(/Content-Type: application\/json/);
    const form = await send(base, 'POST', '/segment', { raw: 'recency=30&frequency=4&monetary=2500', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectErrorBody(form, 415, 'unsupported_media_type');
    const none = await send(base, 'POST', '/segment', { raw: '{"recency":30,"frequency":4,"monetary":2500}' });
    expectErrorBody(none, 415, 'unsupported_media_type');
  });

  it('413: a body over 1 MB', async () => {
    const big = JSON.stringify(Array.from({ length: 30_000 }, () => customer(30, 4, 2500)));
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const r = await send(base, 'POST', '/segment', { raw: big, headers: { 'content-type': 'application/json' } });
    expectErrorBody(r, 413, 'body_too_large');
  });

  it('404: an unknown path, as JSON', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/segments'],
      ['GET', '/clusters'],
    ]) {
      const r = await send(base, method, path);
      expectErrorBody(r, 404, 'not_found');
      expect(r.json.message).toContain(path);
    }
  });

  it('405: a known path with another method, with an Allow header', async () => {
    for (const [method, path, allow] of [
      ['GET', '/segment', 'POST'],
      ['DELETE', '/health', 'GET, HEAD'],
      ['POST', '/clusters/summary', 'GET, HEAD'],
      ['PUT', '/openapi.json', 'GET, HEAD'],
    ]) {
      const r = await send(base, method, path);
      expectErrorBody(r, 405, 'method_not_allowed');
      expect(r.headers.allow).toBe(allow);
      expect(r.json.message).toBe(`${method} is not allowed on ${path} (allowed: ${allow})`);
    }
  });

  describe('an id field is echoed, first, in the answer', () => {
    it('customer_id or id, string or number, single and batch', async () => {
      const one = await send(base, 'POST', '/segment', { body: { customer_id: 'C-1001', ...customer(30, 4, 2500) } });
      expect(one.status).toBe(200);
      expect(one.text).toBe('{"customer_id":"C-1001","cluster":1,"segment":"Potential Loyalists"}');
      const num = await send(base, 'POST', '/segment', { body: { ...customer(400, 1, 20), id: 17 } });
      expect(num.text).toBe('{"id":17,"cluster":3,"segment":"Churn Risk"}');
      const batch = await send(base, 'POST', '/segment', {
        body: [
          { id: 'a', ...customer(10, 20, 5000) },
          customer(30, 4, 2500),
          { customer_id: 12345678901, id: 'x"y', ...customer(200, 2, 300) },
        ],
      });
      expect(batch.json).toEqual([
        { id: 'a', cluster: 0, segment: 'Loyal High-Value' },
        { cluster: 1, segment: 'Potential Loyalists' },
        { customer_id: 12345678901, id: 'x"y', cluster: 2, segment: 'Occasional Buyers' },
      ]);
    });

    it('an id that is not a string or a finite number is a 400 naming it', async () => {
      for (const bad of [null, true, {}, [1]]) {
        const r = await send(base, 'POST', '/segment', { body: { ...customer(1, 1, 1), customer_id: bad } });
        expectErrorBody(r, 400, 'invalid_body');
        expect(r.json.field).toBe('customer_id');
        expect(r.json.message).toMatch(/^customer_id must be a string or a finite number/);
      }
    });
  });

  it('logs one JSON line per request: method, url, status, ms', async () => {
    // Lines are written in batches (every 100 ms): wait for a marker request's line, so that the
    // earlier tests' lines are out of the way, then for the line of the last request.
    const logged = (url: string) => () => logLines.findIndex((l) => JSON.parse(l).url === url) + 1;
    await send(base, 'GET', '/health?marker=before');
    const start = await waitUntil('the log line of GET /health?marker=before', logged('/health?marker=before'), 5_000);
    await send(base, 'POST', '/segment', { body: customer(30, 4, 2500) });
    await send(base, 'GET', '/nope?x="1"\\');
    const end = await waitUntil('the log line of GET /nope?x="1"\\', logged('/nope?x="1"\\'), 5_000);
    const lines = logLines.slice(start, end).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', method: 'POST', url: '/segment', status: 200 });
    expect(lines[1]).toMatchObject({ method: 'GET', url: '/nope?x="1"\\', status: 404 }); // quotes escaped
    for (const line of lines) {
      expect(typeof line.ms).toBe('number');
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });
});

describe('with a token', () => {
  const TOKEN = 'correct-horse-battery-staple';
  let app: FastifyInstance;
  let base: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    ({ app, base } = await start({ logger: false, token: TOKEN }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('/health stays open', async () => {
    const r = await send(base, 'GET', '/health');
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('ok');
    expect((await send(base, 'GET', '/health?probe=1')).status).toBe(200);
    expect((await send(base, 'HEAD', '/health')).status).toBe(200);
  });

  it('only the /health route is open, whatever the URL says', async () => {
    for (const path of ['/clusters/summary?/health', '/health/', '/HEALTH', '/health/../clusters/summary', '/clusters/summary#/health']) {
      const r = await send(base, 'GET', path);
      expect(r.status, path).toBe(401);
    }
  });

  it('every other route answers 401 without the right bearer token', async () => {
    const wrong: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: 'Bearer nope' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer ' },
    ];
    for (const headers of wrong) {
      for (const [method, path, body] of [
        ['POST', '/segment', customer(30, 4, 2500)],
        ['GET', '/clusters/summary'],
        ['GET', '/openapi.json'],
        ['GET', '/nope'],
      ] as const) {
        const r = await send(base, method, path, { headers, body });
        expectErrorBody(r, 401, 'unauthorized');
        expect(r.headers['www-authenticate']).toBe('Bearer');
      }
    }
  });

  it('the right token opens every route (scheme case-insensitive)', async () => {
    const seg = await send(base, 'POST', '/segment', { headers: auth, body: customer(30, 4, 2500) });
    expect(seg.status).toBe(200);
    expect(seg.json).toEqual({ cluster: 1, segment: 'Potential Loyalists' });
    const lower = await send(base, 'POST', '/segment', { headers: { authorization: `bearer ${TOKEN}` }, body: [customer(400, 1, 20)] });
    expect(lower.json).toEqual([{ cluster: 3, segment: 'Churn Risk' }]);
    expect((await send(base, 'GET', '/clusters/summary', { headers: auth })).status).toBe(200);
    expect((await send(base, 'GET', '/docs', { headers: auth })).status).toBe(200);
    const openapi = await send(base, 'GET', '/openapi.json', { headers: auth });
    expect(openapi.json.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(openapi.json.security).toEqual([{ bearerAuth: [] }]);
    expect(openapi.json.paths['/health'].get.security).toEqual([]);
    // Past auth, the other errors are as without a token.
    expectErrorBody(await send(base, 'GET', '/nope', { headers: auth }), 404, 'not_found');
    expectErrorBody(await send(base, 'POST', '/segment', { headers: auth, body: customer(-1, 4, 1) }), 400, 'invalid_body');
  });
});

describe('bearerChecker', () => {
  it('accepts exactly "Bearer <token>"', () => {
    const check = bearerChecker('abc');
    expect(check('Bearer abc')).toBe(true);
    expect(check('bearer abc')).toBe(true);
    expect(check('Bearer  abc ')).toBe(true);
    for (const header of [undefined, '', 'abc', 'Bearer', 'Bearer ', 'Bearer abcd', 'Bearer ab', 'Bearer abc def', 'Token abc', 'Basic abc']) {
      expect(check(header)).toBe(false);
    }
  });

  it('an empty token turns auth off in buildApp', async () => {
    const app = await buildApp(MODEL, { logger: false, token: '' });
    const r = await app.inject({ method: 'GET', url: '/clusters/summary' });
    expect(r.statusCode).toBe(200);
    await app.close();
  });
});

describe('batchedLines', () => {
  it('writes the lines of 100 ms in one call, at once past 64 KB, and on flush', async () => {
    const writes: string[] = [];
    const sink = { write: (text: string) => writes.push(text) } as unknown as NodeJS.WritableStream;
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const lines = batchedLines(sink);
    lines.write('a');
    lines.write('b');
    vi.advanceTimersByTime(99);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(['a\nb\n']);
    lines.write('x'.repeat(70_000));
    expect(writes).toHaveLength(2);
    lines.write('c');
    lines.flush();
    expect(writes[2]).toBe('c\n');
    lines.flush();
    expect(writes).toHaveLength(3);
  });

  it('the server flushes pending lines when it closes', async () => {
    const text: string[] = [];
    const log = new PassThrough();
    log.on('data', (b: Buffer) => text.push(b.toString('utf8')));
    const app = await buildApp(MODEL, { logger: log });
    await app.inject({ method: 'GET', url: '/health' });
    expect(text).toEqual([]);
    await app.close();
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(text.join(''))).toMatchObject({ method: 'GET', url: '/health', status: 200 });
  });
});


describe('bearerChecker and UTF-8', () => {
  it('compares the header bytes (Node gives them as latin1) with the UTF-8 bytes of the token; spaces inside count', () => {
    const check = bearerChecker('clé ü');
    const asNodeGivesIt = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    expect(check(asNodeGivesIt('Bearer clé ü'))).toBe(true);
    expect(check('Bearer clé ü')).toBe(false); // latin1 bytes E9, FC: not the token's bytes
    expect(check(asNodeGivesIt('Bearer clé'))).toBe(false);
    expect(bearerChecker('a b')('Bearer a b')).toBe(true);
    expect(bearerChecker('a b')('Bearer a  b')).toBe(false);
  });
});

describe('segmentAnswerer: batches in steps', () => {
  it(`a 10,000-customer batch gives the event loop a turn every ${BATCH_CHUNK} customers, and answers in order`, async () => {
    const answerer = segmentAnswerer(MODEL);
    const body = Array.from({ length: 10_000 }, (_, i) => customer(i % 500, 1 + (i % 30), i * 3));
    let turns = 0;
    let running = true;
    const tick = () => {
      if (!running) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const answer = await answerer.batch(body);
    running = false;
    expect(turns).toBeGreaterThanOrEqual(10_000 / BATCH_CHUNK - 1);
    expect(JSON.parse(answer as string)).toEqual(body.map((c) => assignCustomer(MODEL, c as never)));
  });

  it('a batch with a wrong customer answers the 400 with every error', async () => {
    const body = [customer(1, 1, 1), customer(1, 1, -5), ...Array.from({ length: 2500 }, () => customer(1, 1, 1)), customer('x', 1, 1)];
    const answer = await segmentAnswerer(MODEL).batch(body);
    expect(answer).toMatchObject({ statusCode: 400, code: 'invalid_body', index: 1, field: 'monetary' });
    expect((answer as { errors: { index: number }[] }).errors.map((e) => e.index)).toEqual([1, 2502]);
  });
});

describe('validate.ts and the JSON schema of the OpenAPI document say the same', () => {
  it('every generated body: refused by both or accepted by both', async () => {
    // The schema's verdict: Fastify's own Ajv validation of the documented body schema.
    const reference = Fastify({ onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore', ajv: { customOptions: { coerceTypes: false, removeAdditional: false, strictNumbers: true, keywords: ['example'] } } });
    reference.post('/check', { schema: { body: segmentRouteSchema.body } }, (_request, reply) => void reply.send('ok'));
    await reference.ready();
    const keys = ['recency', 'frequency', 'monetary', 'customer_id', 'id', 'Recency', 'x', '__proto__', 'constructor'];
    const value = fc.oneof(
      fc.integer({ min: -3, max: 600 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 1e6 }),
      fc.constantFrom(null, true, '30', '', {}, [], 0.5),
      fc.string({ maxLength: 4 }),
    );
    const valid = fc.record({ recency: fc.nat(500), frequency: fc.integer({ min: 1, max: 50 }), monetary: fc.nat(10_000) });
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 3 }), fc.array(fc.constantFrom('recency', 'frequency', 'monetary'), { maxLength: 2 })).map(([base, extra, drop]) => {
      const entries: [string, unknown][] = Object.entries(base).filter(([k]) => !drop.includes(k));
      for (const [k, v] of extra) {
        const at = entries.findIndex(([key]) => key === k);
        if (at === -1) entries.push([k, v]);
        else entries[at] = [k, v];
      }
      return Object.fromEntries(entries);
    });
    const one = fc.oneof(valid, mutated, value);
    const body = fc.oneof(one, fc.array(one, { maxLength: 4 }));
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const text = JSON.stringify(b);
        const parsed: unknown = JSON.parse(text);
        const errors: FieldError[] = [];
        const shape = bodyShapeError(parsed);
        if (shape === undefined) (Array.isArray(parsed) ? parsed : [parsed]).forEach((c, i) => customerErrors(c, Array.isArray(parsed) ? i : undefined, errors));
        const ours = shape === undefined && errors.length === 0;
        const schema = (await reference.inject({ method: 'POST', url: '/check', payload: text, headers: { 'content-type': 'application/json' } })).statusCode === 200;
        if (ours) accepted++;
        expect(ours, text).toBe(schema);
      }),
      { numRuns: 400, seed: 13 },
    );
    expect(accepted).toBeGreaterThan(50); // the corpus has both kinds
    await reference.close();
  });
});
