/**
 * `rfm serve` (the BUILT binary on 127.0.0.1, port 0) as a browser, a scripted client and a
 * careless operator use it: tokens with spaces, surrounding whitespace and non-ASCII bytes; the
 * docs page with a token (--public-docs); CORS (--cors); gzip request bodies and a gzip bomb.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from '../cli/helpers.js';
import { WORKER_MIN_BYTES } from '../../src/server/app.js';
import { send } from './http.js';
import { httpText, rawRequest } from './raw.js';
import { fitCdnow, killChildren, serve, spawnServe, type Served } from './spawn.js';

const tmp = tempDir('rfm-serve-features-');
const MODEL = tmp.path('model.json');
const CUSTOMER = { recency: 30, frequency: 4, monetary: 2500 };

beforeAll(async () => {
  await fitCdnow(MODEL, fixture('cdnow', 'CDNOW_master.txt'));
});
afterAll(() => {
  killChildren();
  tmp.cleanup();
});

async function stop(s: Served): Promise<void> {
  s.child.kill('SIGTERM');
  expect((await s.exited).code).toBe(0);
}

describe('the token', () => {
  it('may hold spaces: "my secret" is the whole token', async () => {
    const s = await serve(MODEL, ['--token', 'my secret']);
    const as = (authorization: string) => send(s.base, 'GET', '/clusters/summary', { headers: { authorization } });
    expect((await as('Bearer my secret')).status).toBe(200);
    expect((await as('Bearer   my secret  ')).status).toBe(200); // spaces around it are not part of it
    expect((await as('Bearer my')).status).toBe(401);
    expect((await as('Bearer mysecret')).status).toBe(401);
    expect((await as('Bearer my  secret')).status).toBe(401);
    await stop(s);
  });

  it('surrounding whitespace in $RFM_API_TOKEN or --token is trimmed', async () => {
    for (const [args, env] of [
      [[], { RFM_API_TOKEN: '  s3cret \n' }],
      [['--token', '\ts3cret  '], {}],
    ] as const) {
      const s = await serve(MODEL, [...args], env);
      expect((await send(s.base, 'GET', '/clusters/summary', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect((await send(s.base, 'GET', '/clusters/summary', { headers: { authorization: 'Bearer s3cre' } })).status).toBe(401);
      await stop(s);
    }
  });

  it('a non-ASCII token matches the UTF-8 bytes of the header (raw socket), not their latin1 reading', async () => {
    const token = 'clé ü';
    const s = await serve(MODEL, ['--token', token]);
    const utf8 = await rawRequest(s.port, httpText('GET', '/clusters/summary', { Authorization: `Bearer ${token}` }));
    expect(utf8.status).toBe(200);
    expect(utf8.json.segments).toHaveLength(4);
    // The UTF-8 bytes are the token: the same characters sent as latin1 bytes (é = 0xE9) are another.
    const latin1 = Buffer.from(`GET /clusters/summary HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer clé ü\r\n\r\n`, 'latin1');
    expect(latin1.includes(Buffer.from([0xe9, 0x20, 0xfc]))).toBe(true);
    const refused = await rawRequest(s.port, latin1);
    expect(refused.status).toBe(401);
    expect(refused.json.code).toBe('unauthorized');
    await stop(s);
  });

  it('empty after trimming is a usage error (exit 2), from the flag or the environment', async () => {
    for (const [args, env, message] of [
      [['--token', '   '], {}, /--token is empty/],
      [['--token', ''], {}, /--token is empty/],
      [[], { RFM_API_TOKEN: ' \t\n' }, /\$RFM_API_TOKEN is only whitespace/],
    ] as const) {
      const s = spawnServe(['-m', MODEL, '--port', '0', ...args], env);
      expect((await s.exited).code).toBe(2);
      expect(s.stderr()).toMatch(message);
      expect(s.stderr()).not.toMatch(/listening/);
    }
  });
});

describe('/docs with a token', () => {
  it('the page and its files load without the token; its document has the Authorize scheme but not the model', async () => {
    const s = await serve(MODEL, ['--token', 'tok']);
    const page = await send(s.base, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    for (const file of ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css', '/docs/static/swagger-initializer.js']) {
      expect((await send(s.base, 'GET', file)).status, file).toBe(200);
    }
    const doc = await send(s.base, 'GET', '/docs/json');
    expect(doc.status).toBe(200);
    // The Authorize box: a bearer scheme required by every route but /health.
    expect(doc.json.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.json.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.json.paths['/health'].get.security).toEqual([]);
    expect(Object.keys(doc.json.paths)).toContain('/segment');
    expect(doc.json.info.description).not.toMatch(/CDNOW|Churn Risk|k = 4/);
    // What the Authorize box sends opens the API and the full document.
    const auth = { authorization: 'Bearer tok' };
    expect((await send(s.base, 'POST', '/segment', { body: CUSTOMER, headers: auth })).status).toBe(200);
    expect((await send(s.base, 'GET', '/docs/json', { headers: auth })).json.info.description).toMatch(/CDNOW_master\.txt \(k = 4/);
    // The OpenAPI document itself stays protected.
    const openapi = await send(s.base, 'GET', '/openapi.json');
    expect(openapi.status).toBe(401);
    expect(openapi.json.code).toBe('unauthorized');
    expect((await send(s.base, 'GET', '/openapi.json', { headers: auth })).json.info.description).toMatch(/CDNOW/);
    await stop(s);
  });

  it('--public-docs serves the full document without the token; the API still needs it', async () => {
    const s = await serve(MODEL, ['--token', 'tok', '--public-docs']);
    const openapi = await send(s.base, 'GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.json.info.description).toMatch(/CDNOW/);
    expect((await send(s.base, 'GET', '/docs/json')).json.info.description).toMatch(/CDNOW/);
    expect((await send(s.base, 'POST', '/segment', { body: CUSTOMER })).status).toBe(401);
    expect((await send(s.base, 'GET', '/clusters/summary')).status).toBe(401);
    await stop(s);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) => ({ origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' });

  it('by default no origin gets CORS headers, preflight included', async () => {
    const s = await serve(MODEL, []);
    const pre = await send(s.base, 'OPTIONS', '/segment', { headers: preflight('https://app.example.com') });
    expect(pre.status).toBe(405);
    expect(pre.json.code).toBe('method_not_allowed');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const post = await send(s.base, 'POST', '/segment', { body: CUSTOMER, headers: { origin: 'https://app.example.com' } });
    expect(post.status).toBe(200);
    expect(Object.keys(post.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    await stop(s);
  });

  it('--cors ORIGIN (repeatable): preflight 204 with the CORS headers for those origins only, even with a token', async () => {
    const s = await serve(MODEL, ['--cors', 'https://app.example.com', '--cors', 'http://localhost:3000', '--token', 'tok']);
    for (const origin of ['https://app.example.com', 'http://localhost:3000']) {
      const pre = await send(s.base, 'OPTIONS', '/segment', { headers: preflight(origin) });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      expect(pre.headers['access-control-allow-methods']).toMatch(/\bPOST\b/);
      expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
      expect(pre.headers['access-control-allow-headers']).toMatch(/Content-Type/);
      expect(pre.headers['access-control-max-age']).toBe('600');
      expect(pre.headers.vary).toMatch(/Origin/);
    }
    const evil = await send(s.base, 'OPTIONS', '/segment', { headers: preflight('https://evil.example.com') });
    expect(evil.status).toBe(403);
    expect(evil.json).toMatchObject({ statusCode: 403, code: 'forbidden_origin' });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();

    const ok = await send(s.base, 'POST', '/segment', { body: CUSTOMER, headers: { origin: 'https://app.example.com', authorization: 'Bearer tok' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    // A refusal is readable by the page too.
    const denied = await send(s.base, 'POST', '/segment', { body: CUSTOMER, headers: { origin: 'https://app.example.com' } });
    expect(denied.status).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await send(s.base, 'POST', '/segment', { body: CUSTOMER, headers: { origin: 'https://evil.example.com', authorization: 'Bearer tok' } });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await stop(s);
  });

  it('a value that is not an origin is a usage error', async () => {
    const r = await runRfm(['serve', '-m', MODEL, '--port', '0', '--cors', 'app.example.com/path']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cors "app\.example\.com\/path" is not an origin/);
  });
});

describe('large batches (parsed and scored in a worker thread)', () => {
  it('a 10,000-customer batch answers as the same customers sent 500 at a time (scored in the main thread)', async () => {
    const s = await serve(MODEL, []);
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ customer_id: `C${i}`, recency: (i * 37) % 700, frequency: 1 + (i % 25), monetary: (i * 7919) % 20_000 }));
    expect(JSON.stringify(batch).length).toBeGreaterThan(WORKER_MIN_BYTES);
    const whole = await send(s.base, 'POST', '/segment', { body: batch });
    expect(whole.status).toBe(200);
    const pieces: unknown[] = [];
    for (let i = 0; i < batch.length; i += 500) {
      const part = await send(s.base, 'POST', '/segment', { body: batch.slice(i, i + 500) });
      expect(JSON.stringify(batch.slice(i, i + 500)).length).toBeLessThan(WORKER_MIN_BYTES);
      pieces.push(...part.json);
    }
    expect(whole.json).toEqual(pieces);
    expect(new Set(whole.json.map((a: { segment: string }) => a.segment)).size).toBe(4);

    // Its errors, as in the main thread: every wrong field, with the index.
    const bad = batch.map((c, i) => (i === 4321 ? { ...c, frequency: 0 } : i === 9000 ? { ...c, Monetary: 1 } : c));
    const refused = await send(s.base, 'POST', '/segment', { body: bad });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'invalid_body', index: 4321, field: 'frequency', message: 'customer 4321: frequency must be >= 1 (got 0)' });
    expect(refused.json.errors.map((e: { index: number; field: string }) => `${e.index} ${e.field}`)).toEqual(['4321 frequency', '9000 Monetary']);
    const broken = await send(s.base, 'POST', '/segment', { raw: JSON.stringify(batch).slice(0, -2), headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.json.code).toBe('invalid_json');
    const tooMany = await send(s.base, 'POST', '/segment', { body: Array.from({ length: 10_001 }, () => ({ recency: 1, frequency: 1, monetary: 1 })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.message).toBe('a batch holds at most 10000 customers (got 10001)');
    await stop(s);
  });
});

describe('gzip request bodies', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(MODEL, []);
  });
  afterAll(() => stop(s));
  const gz = (encoding: string, body: Buffer) => httpText('POST', '/segment', { 'Content-Type': 'application/json', 'Content-Encoding': encoding }, body);

  it('a gzip body is answered as the plain one', async () => {
    const plain = await send(s.base, 'POST', '/segment', { body: CUSTOMER });
    for (const encoding of ['gzip', 'x-gzip', 'GZIP']) {
      const r = await rawRequest(s.port, gz(encoding, gzipSync(JSON.stringify(CUSTOMER))));
      expect(r.status, r.body).toBe(200);
      expect(r.json).toEqual(plain.json);
    }
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ id: i, recency: i % 400, frequency: 1 + (i % 20), monetary: i }));
    const r = await rawRequest(s.port, gz('gzip', gzipSync(JSON.stringify(batch))));
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(10_000);
    expect(r.json[9999].id).toBe(9999);
  });

  it('the 1 MB limit applies after decompression: a gzip bomb is a 413, answered at once', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(100_000);
    const started = performance.now();
    const r = await rawRequest(s.port, gz('gzip', bomb));
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ statusCode: 413, code: 'body_too_large' });
    expect(r.json.message).toMatch(/after decompression/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await send(s.base, 'GET', '/health')).status).toBe(200);
  });

  it('a body that is not gzip is a 400; another encoding a 415', async () => {
    const broken = await rawRequest(s.port, gz('gzip', Buffer.from(JSON.stringify(CUSTOMER))));
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ code: 'invalid_body', message: expect.stringMatching(/not valid gzip/) });
    const deflate = await rawRequest(s.port, gz('deflate', Buffer.from('x')));
    expect(deflate.status).toBe(415);
    expect(deflate.json).toMatchObject({ code: 'unsupported_encoding', message: expect.stringMatching(/"deflate" is not supported/) });
  });
});
