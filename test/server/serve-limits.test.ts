/**
 * `rfm serve` (the BUILT binary on 127.0.0.1, port 0) under slow, greedy and broken clients:
 * timeouts, the connection cap, graceful shutdown under load with no request dropped, and the
 * JSON error shape of every error Node's parser or the server produces. Small timeouts come from
 * the flags; every wait is on an event (a line on stderr, a socket closing, a response).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../cli/helpers.js';
import { send } from './http.js';
import { httpText, rawConnect, rawRequest, splitResponses, type RawResponse } from './raw.js';
import { fitCdnow, killChildren, serve, type Served } from './spawn.js';

const tmp = tempDir('rfm-serve-limits-');
const MODEL = tmp.path('model.json');
const CUSTOMER = '{"recency":30,"frequency":4,"monetary":2500}';
const SEGMENT_REQUEST = `POST /segment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${CUSTOMER.length}\r\n\r\n${CUSTOMER}`;

beforeAll(async () => {
  await fitCdnow(MODEL, fixture('cdnow', 'CDNOW_master.txt'));
});
// Each test stops its own server; a failed one leaves it to this.
afterAll(() => {
  killChildren();
  tmp.cleanup();
});

/** The documented error shape, exactly: statusCode = the status, the reason phrase, a code, a message. */
function expectErrorShape(r: RawResponse, status: number, code: string) {
  expect(r.status, r.body).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(r.json).toMatchObject({ statusCode: status, error: r.reason, code, message: expect.any(String) });
  expect(r.body).not.toMatch(/FST_|HPE_|\n\s+at /);
}

describe('slow clients', () => {
  it('200 clients holding half-sent bodies do not slow a normal one; each gets a 408 and is closed after --request-timeout', async () => {
    const s = await serve(MODEL, ['--headers-timeout', '1', '--request-timeout', '1.5']);
    const partial = 'POST /segment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{';
    const slow = await Promise.all(Array.from({ length: 200 }, () => rawConnect(s.port, partial)));
    let closedEarly = 0;
    for (const c of slow) void c.closed.then(() => closedEarly++);

    // A normal client, meanwhile: every request answered at once.
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const r = await send(s.base, 'POST', '/segment', { body: JSON.parse(CUSTOMER) });
      times.push(performance.now() - started);
      expect(r.status).toBe(200);
    }
    const stillOpen = 200 - closedEarly;
    times.sort((a, b) => a - b);
    expect(times[10], `median of ${times.map(Math.round).join(', ')} ms`).toBeLessThan(50);
    expect(stillOpen).toBe(200); // the slow ones were all still being waited for

    for (const { afterMs, responses } of await Promise.all(slow.map((c) => c.closed))) {
      expect(afterMs).toBeGreaterThanOrEqual(1400);
      expect(afterMs).toBeLessThan(6000);
      expect(responses).toHaveLength(1);
      expectErrorShape(responses[0], 408, 'request_timeout');
    }
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });

  it('headers that never end are cut after --headers-timeout, well before --request-timeout', async () => {
    const s = await serve(MODEL, ['--headers-timeout', '0.5', '--request-timeout', '20']);
    const c = await rawConnect(s.port, 'GET /health HTTP/1.1\r\nHost: x\r\n');
    const { afterMs, responses } = await c.closed;
    expect(afterMs).toBeGreaterThanOrEqual(450);
    expect(afterMs).toBeLessThan(5000);
    expectErrorShape(responses[0], 408, 'request_timeout');
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });

  it('an idle keep-alive connection is closed after --keep-alive-timeout', async () => {
    const s = await serve(MODEL, ['--keep-alive-timeout', '0.5']);
    const c = await rawConnect(s.port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const [first] = await c.responses(1);
    const answeredAt = performance.now();
    expect(first.status).toBe(200);
    expect(first.headers.connection).toBe('keep-alive');
    const { responses } = await c.closed;
    const idleMs = performance.now() - answeredAt;
    expect(idleMs).toBeGreaterThanOrEqual(450);
    expect(idleMs).toBeLessThan(3000);
    expect(responses).toHaveLength(1);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });
});

describe('--max-connections', () => {
  it('past the cap a new connection gets a JSON 503 at once; below it again, requests are served', async () => {
    const s = await serve(MODEL, ['--max-connections', '3']);
    const held = await Promise.all([0, 1, 2].map(() => rawConnect(s.port, 'GET /health HTTP/1.1\r\nHost: x\r\n')));
    const busy = await rawRequest(s.port, httpText('GET', '/health'));
    expectErrorShape(busy, 503, 'server_busy');
    expect(busy.json.message).toMatch(/maximum of 3 open connections \(--max-connections\)/);
    expect(busy.headers['retry-after']).toBe('1');
    // The held ones are served as usual.
    held[0].socket.write('\r\n');
    expect((await held[0].responses(1))[0].status).toBe(200);
    // One gone: the server sees the close, then a new connection fits.
    held[1].socket.destroy();
    let status = 0;
    for (let attempt = 0; attempt < 200 && status !== 200; attempt++) status = (await rawRequest(s.port, httpText('GET', '/health'))).status;
    expect(status).toBe(200);
    for (const c of held) c.socket.destroy();
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  });
});

interface Load {
  sent: number;
  answered: number;
  dropped: number;
  statuses: Record<number, number>;
}

/**
 * One keep-alive connection sending bursts of `pipeline` requests in one write, the next burst
 * when the last answer is in, until an answer says `Connection: close`. A request it wrote and
 * never got an answer to is dropped. Resolves when the connection is closed.
 */
function keepAliveClient(port: number, pipeline: number, load: Load, onAnswer: () => void): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let rest = Buffer.alloc(0);
    let outstanding = 0;
    let told = false;
    const burst = () => {
      socket.write(SEGMENT_REQUEST.repeat(pipeline));
      outstanding += pipeline;
      load.sent += pipeline;
    };
    socket.on('connect', burst);
    socket.on('data', (b: Buffer) => {
      const { responses, rest: left } = splitResponses(Buffer.concat([rest, b]));
      rest = left;
      for (const r of responses) {
        outstanding--;
        load.answered++;
        load.statuses[r.status] = (load.statuses[r.status] ?? 0) + 1;
        if (r.headers.connection === 'close') told = true;
        onAnswer();
      }
      if (outstanding === 0 && !told) burst();
      else if (outstanding === 0) socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      load.dropped += outstanding;
      resolve();
    });
  });
}

/** A new connection per request (Connection: close), until refused or answered 503. */
async function newConnectionClient(port: number, load: Load, onAnswer: () => void): Promise<void> {
  for (;;) {
    const connection = await rawConnect(port, httpText('POST', '/segment', { 'Content-Type': 'application/json' }, CUSTOMER)).catch(() => undefined);
    if (connection === undefined) return; // refused: nothing was sent
    load.sent++;
    const { responses } = await connection.closed;
    if (responses.length === 0) {
      load.dropped++;
      return;
    }
    load.answered++;
    load.statuses[responses[0].status] = (load.statuses[responses[0].status] ?? 0) + 1;
    onAnswer();
    if (responses[0].status === 503) return;
  }
}

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} under load (keep-alive, pipelined and new connections): every request sent gets an answer, exit 0`, async () => {
      const s: Served = await serve(MODEL, []);
      const load: Load = { sent: 0, answered: 0, dropped: 0, statuses: {} };
      let signalledAt = -1;
      let answeredAtSignal = 0;
      const onAnswer = () => {
        if (signalledAt === -1 && load.answered >= 2000) {
          signalledAt = performance.now();
          answeredAtSignal = load.answered;
          s.child.kill(signal);
        }
      };
      const clients = [
        ...Array.from({ length: 20 }, () => keepAliveClient(s.port, 1, load, onAnswer)),
        ...Array.from({ length: 5 }, () => keepAliveClient(s.port, 10, load, onAnswer)),
        ...Array.from({ length: 5 }, () => newConnectionClient(s.port, load, onAnswer)),
      ];
      await Promise.all(clients);
      const { code } = await s.exited;
      const stopMs = performance.now() - signalledAt;
      expect(signalledAt).toBeGreaterThan(0);
      expect(load.dropped, JSON.stringify(load)).toBe(0);
      expect(load.answered).toBe(load.sent);
      expect(load.answered).toBeGreaterThan(answeredAtSignal); // requests were in flight at the signal, and answered
      expect(Object.keys(load.statuses).sort()).toEqual(expect.arrayContaining(['200']));
      for (const status of Object.keys(load.statuses)) expect(['200', '503']).toContain(status);
      expect(code, s.stderr().slice(-500)).toBe(0);
      expect(stopMs).toBeLessThan(5000);
      expect(s.stderr()).toMatch(new RegExp(`${signal}, answering the requests received`));
      expect(s.stderr()).toMatch(/stopped, every request answered/);
    });
  }

  it('at --shutdown-timeout a request still in progress is cut: exit 130, saying so', async () => {
    const s = await serve(MODEL, ['--shutdown-timeout', '0.5']);
    const held = await rawConnect(s.port, 'POST /segment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await send(s.base, 'GET', '/health'); // the server has read the held request's headers by now
    const signalled = performance.now();
    s.child.kill('SIGTERM');
    const { code } = await s.exited;
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(450);
    expect(code).toBe(130);
    expect(s.stderr()).toMatch(/--shutdown-timeout \(0\.5 s\) reached with 1 request\(s\) still in progress/);
    await held.closed;
  });
});

describe('every error in the documented JSON shape, from the parser up', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(MODEL, []);
  });
  afterAll(async () => {
    s.child.kill('SIGTERM');
    await s.exited;
  });

  const cases: [string, () => Buffer, number, string, RegExp][] = [
    ['a bad URL (GET /%)', () => httpText('GET', '/%'), 400, 'bad_request', /URL is not valid/],
    ['a bad Content-Length', () => Buffer.from('POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'), 400, 'bad_request', /Content-Length/],
    ['two Content-Lengths', () => Buffer.from('POST /segment HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'), 400, 'bad_request', /Content-Length/],
    ['a bad chunk size', () => Buffer.from('POST /segment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'), 400, 'bad_request', /chunk size/],
    ['an unknown method', () => Buffer.from('FROB /health HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'bad_request', /method/],
    ['.. under /docs', () => httpText('GET', '/docs/static/../../package.json'), 403, 'forbidden', /not served/],
    ['an encoded .. under /docs', () => httpText('GET', '/docs/static/%2e%2e/%2e%2e/package.json'), 403, 'forbidden', /not served/],
    ['a missing file under /docs', () => httpText('GET', '/docs/static/nope.js'), 404, 'not_found', /no such file: \/docs\/static\/nope.js/],
    ['an unknown path', () => httpText('GET', '/nope'), 404, 'not_found', /no route GET \/nope/],
    ['a known path, another method', () => httpText('DELETE', '/health'), 405, 'method_not_allowed', /DELETE is not allowed on \/health \(allowed: GET, HEAD\)/],
    ['a body over 1 MB', () => httpText('POST', '/segment', { 'Content-Type': 'application/json' }, '['.padEnd(1024 * 1024 + 10, ' ') + ']'), 413, 'body_too_large', /1048576 byte limit/],
    ['a text/plain body', () => httpText('POST', '/segment', { 'Content-Type': 'text/plain' }, CUSTOMER), 415, 'unsupported_media_type', /application\/json/],
    ['Content-Encoding: br', () => httpText('POST', '/segment', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, CUSTOMER), 415, 'unsupported_encoding', /"br" is not supported/],
    ['headers over 16 KB', () => httpText('GET', '/health', { 'X-Big': 'x'.repeat(20_000) }), 431, 'headers_too_large', /16 KB/],
  ];
  for (const [name, request, status, code, message] of cases) {
    it(`${name}: ${status} ${code}`, async () => {
      const r = await rawRequest(s.port, request());
      expectErrorShape(r, status, code);
      expect(r.json.message).toMatch(message);
    });
  }

  it('405 names the allowed methods in an Allow header', async () => {
    const r = await rawRequest(s.port, httpText('GET', '/segment'));
    expectErrorShape(r, 405, 'method_not_allowed');
    expect(r.headers.allow).toBe('POST');
  });
});
