/**
 * Server paths no other test reached (issue 19): the 503 a connection gets while the server
 * drains (ConnectionGuard, on a real loopback port), and the 500 answer and log line of a route
 * that fails unexpectedly (the app's own error handler).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { validateModel } from '../../src/core/model.js';
import { buildApp } from '../../src/server/app.js';
import { ConnectionGuard, DEFAULT_LIMITS } from '../../src/server/connections.js';
import { fixture } from '../cli/helpers.js';
import { waitUntil, withDeadline } from '../wait.js';
import { send, sendInTwoParts } from './http.js';

const MODEL = validateModel(JSON.parse(readFileSync(fixture('models', 'sample-model.json'), 'utf8')), 'sample-model.json');

describe('while shutting down', () => {
  it('a new connection gets a JSON 503 service_unavailable with Retry-After; the request in flight is answered', async () => {
    const guard = new ConnectionGuard(DEFAULT_LIMITS);
    const app = await buildApp(MODEL, { logger: false, connections: guard });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const body = JSON.stringify({ recency: 30, frequency: 4, monetary: 2500 });
    // A request half sent keeps the drain going; the guard must have seen it before the drain.
    const inFlight = sendInTwoParts(base, '/segment', body.slice(0, 5), body.slice(5));
    await waitUntil('the half-sent request to reach the server', () => guard.open === 1, 5_000);
    const drained = guard.drain(10_000);
    const refused = await send(base, 'GET', '/health');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'service_unavailable',
      message: 'the server is shutting down; retry on another instance or later',
    });
    inFlight.finish();
    const answered = await withDeadline(inFlight.response, 'the answer to the request in flight');
    expect(answered.status).toBe(200);
    expect(answered.json).toEqual({ cluster: 2, segment: 'Occasional Buyers' });
    expect(answered.headers.connection).toBe('close');
    expect(await withDeadline(drained, 'the drain to finish')).toEqual({ cut: 0 });
    await app.close();
  });
});

describe('an unexpected error in a route', () => {
  it('is a 500 "internal" that hides the cause, which goes to the log as an error line', async () => {
    const log = new PassThrough();
    const lines: string[] = [];
    log.on('data', (b: Buffer) => lines.push(...b.toString('utf8').split('\n').filter((l) => l !== '')));
    const app = await buildApp(MODEL, { logger: log });
    app.get('/boom', async () => {
      throw new Error('secret detail of the failure');
    });
    const r = await app.inject({ method: 'GET', url: '/boom' });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', code: 'internal', message: 'internal error (the server log has the details)' });
    expect(r.body).not.toContain('secret');
    await app.close(); // flushes the batched log lines
    await waitUntil('the two log lines of GET /boom', () => lines.length >= 2, 5_000);
    const records = lines.map((l) => JSON.parse(l));
    expect(records[0]).toMatchObject({ level: 'error', method: 'GET', url: '/boom', error: 'secret detail of the failure' });
    expect(records[1]).toMatchObject({ level: 'error', method: 'GET', url: '/boom', status: 500 });
  });
});
