/**
 * POST /clv on a real loopback port, with the sample model plus a clv section holding the published
 * CDNOW parameters (fixtures/models/sample-model-clv.json): answers against the scipy oracle
 * (fixtures/cdnow/btyd-oracle.json), validation, batches, gzip, the token, and the OpenAPI document.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateModel } from '../../src/core/model.js';
import { buildApp } from '../../src/server/app.js';
import { MAX_BATCH } from '../../src/server/schemas.js';
import { oracle } from '../core/clv/cdnow.js';
import { send } from './http.js';

const read = (name: string) => validateModel(JSON.parse(readFileSync(new URL(`../../fixtures/models/${name}`, import.meta.url), 'utf8')));
const WITH_CLV = read('sample-model-clv.json');
const WITHOUT = read('sample-model.json');

async function start(model: typeof WITH_CLV, options: Parameters<typeof buildApp>[1] = {}) {
  const app = await buildApp(model, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const body = (c: (typeof oracle.formulas.customers)[number]) => ({ frequency: c.x, recency: c.tx, T: c.T, monetary_value: c.m });
const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));

describe('POST /clv', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => ({ app, base } = await start(WITH_CLV)));
  afterAll(async () => app.close());

  it('answers P(alive), expected spend and CLV as scipy computes them (12 months at 1 %, weeks)', async () => {
    for (const c of oracle.formulas.customers) {
      const r = await send(base, 'POST', '/clv', { body: body(c) });
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(['p_alive', 'expected_purchases', 'expected_spend', 'clv']);
      near(r.json.p_alive, c.bgnbd.pAlive);
      near(r.json.expected_spend, c.gammaGamma.expectedSpend);
      near(r.json.clv, c.clv.bgnbdWeeks);
    }
  });

  it('a batch answers in order, echoing ids; a gzip body is accepted', async () => {
    const customers = oracle.formulas.customers.map((c, i) => ({ customer_id: `c${i}`, ...body(c) }));
    const r = await send(base, 'POST', '/clv', { body: customers });
    expect(r.status).toBe(200);
    expect(r.json.map((a: { customer_id: string }) => a.customer_id)).toEqual(customers.map((c) => c.customer_id));
    r.json.forEach((a: { clv: number }, i: number) => near(a.clv, oracle.formulas.customers[i].clv.bgnbdWeeks));
    const zipped = await send(base, 'POST', '/clv', { raw: gzipSync(JSON.stringify(customers)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(zipped.json).toEqual(r.json);
  });

  it('lists every wrong field, with the BTYD rules', async () => {
    const r = await send(base, 'POST', '/clv', {
      body: [
        { frequency: 1.5, recency: 1, T: 2, monetary_value: 3 },
        { frequency: 2, recency: 5, T: 4, monetary_value: 3 },
        { frequency: 0, recency: 1, T: 4, monetary_value: 0 },
        { Frequency: 1, recency: 1, T: 4, monetary_value: 'x' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('invalid_body');
    expect(r.json.errors).toEqual([
      { index: 0, field: 'frequency', message: 'customer 0: frequency must be a whole number >= 0 (repeat purchase days) (got 1.5)' },
      { index: 1, field: 'recency', message: 'customer 1: recency must be <= T (the last purchase is before the calibration end) (got 5)' },
      { index: 2, field: 'recency', message: 'customer 2: recency must be 0 when frequency is 0 (a one-time buyer) (got 1)' },
      { index: 3, field: 'frequency', message: 'customer 3: frequency is required (the body has "Frequency": write it frequency)' },
      { index: 3, field: 'monetary_value', message: 'customer 3: monetary_value must be a finite JSON number (got the string "x")' },
      { index: 3, field: 'Frequency', message: 'customer 3: unknown field "Frequency" — did you mean frequency?' },
    ]);
    const one = await send(base, 'POST', '/clv', { body: { frequency: 1, recency: 1, T: 4 } });
    expect(one.status).toBe(400);
    expect(one.json).toMatchObject({ field: 'monetary_value', message: 'monetary_value is required' });
    const many = await send(base, 'POST', '/clv', { body: Array.from({ length: MAX_BATCH + 1 }, () => ({ frequency: 0, recency: 0, T: 1, monetary_value: 0 })) });
    expect(many.status).toBe(400);
    expect(many.json.message).toBe(`a batch holds at most ${MAX_BATCH} customers (got ${MAX_BATCH + 1})`);
  });

  it('is in the OpenAPI document with its body and answer', async () => {
    const doc = (await send(base, 'GET', '/openapi.json')).json;
    const route = doc.paths['/clv'].post;
    expect(route.summary).toMatch(/Lifetime value/);
    const schema = route.requestBody.content['application/json'].schema.oneOf[0];
    expect(schema.required).toEqual(['frequency', 'recency', 'T', 'monetary_value']);
    expect(Object.keys(route.responses['200'].content['application/json'].schema.oneOf[0].properties)).toEqual(['customer_id', 'id', 'p_alive', 'expected_purchases', 'expected_spend', 'clv']);
  });
});

describe('POST /clv without a clv section, and with a token', () => {
  it('answers 404 naming rfm fit --clv', async () => {
    const { app, base } = await start(WITHOUT);
    const r = await send(base, 'POST', '/clv', { body: { frequency: 0, recency: 0, T: 1, monetary_value: 0 } });
    await app.close();
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 'not_found', message: 'this model has no lifetime-value models: fit it with rfm fit --clv, then serve it again' });
  });

  it('needs the token like /segment', async () => {
    const { app, base } = await start(WITH_CLV, { token: 's3cret' });
    const customer = { frequency: 0, recency: 0, T: 1, monetary_value: 0 };
    const without = await send(base, 'POST', '/clv', { body: customer });
    const withToken = await send(base, 'POST', '/clv', { body: customer, headers: { authorization: 'Bearer s3cret' } });
    await app.close();
    expect(without.status).toBe(401);
    expect(withToken.status).toBe(200);
  });
});
