/**
 * `rfm serve` as a user runs it: the BUILT binary as a child process on an ephemeral loopback
 * port, with a model fitted on the committed CDNOW fixture. Startup message and port on stderr,
 * the request log, --quiet, tokens from the flag and the environment, a bad model (exit 5, never
 * listens), usage and listen errors, and graceful shutdown on SIGTERM/SIGINT with a request in
 * flight. Build first (`npm test` does).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isListening, send, sendInTwoParts } from '../server/http.js';
import { fitCdnow, killChildren, listeningPort, serve as serveModel, spawnServe, type Served } from '../server/spawn.js';
import { fixture, runRfm, tempDir } from './helpers.js';
import { waitUntil } from '../wait.js';

const tmp = tempDir('rfm-serve-');
const MODEL = tmp.path('model.json');

const serve = (args: string[], env: Record<string, string | undefined> = {}) => serveModel(MODEL, args, env);

/** Waits until the server stops accepting connections (it keeps running while requests finish). */
async function waitUntilStopped(s: Served): Promise<void> {
  await waitUntil(`rfm serve on port ${s.port} to stop accepting connections`, async () => !(await isListening(s.port)), 15_000, 25);
}

beforeAll(async () => {
  await fitCdnow(MODEL, fixture('cdnow', 'CDNOW_master.txt'));
});

afterEach(killChildren);

afterAll(() => tmp.cleanup());

describe('rfm serve', () => {
  it('serves the model: the same answers as rfm segment and rfm summary, then SIGTERM exits 0', async () => {
    const s = await serve([]);
    expect(s.stderr()).toMatch(/model .*model\.json \(k = 4, 23502 customers\)/);
    expect(s.stderr()).toMatch(/no token/);

    const health = await send(s.base, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', model: { k: 4, customers: 23502 } });

    const cli = await runRfm(['segment', '--recency', '30', '--frequency', '4', '--monetary', '2500', '-m', MODEL]);
    const one = await send(s.base, 'POST', '/segment', { body: { recency: 30, frequency: 4, monetary: 2500 } });
    expect(one.status).toBe(200);
    expect(one.json).toEqual(JSON.parse(cli.stdout));

    const summaryCli = await runRfm(['summary', '-m', MODEL, '--format', 'json']);
    const summary = await send(s.base, 'GET', '/clusters/summary');
    expect(summary.status).toBe(200);
    expect(summary.json).toEqual(JSON.parse(summaryCli.stdout));

    const batch = await send(s.base, 'POST', '/segment', {
      body: [
        { recency: 500, frequency: 1, monetary: 10 },
        { recency: 30, frequency: 4, monetary: 2500 },
        { recency: 5, frequency: 40, monetary: 9000 },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.json[1]).toEqual(one.json);
    expect(batch.json[0].segment).toBe('Churn Risk');

    expect((await send(s.base, 'GET', '/docs')).status).toBe(200);
    expect((await send(s.base, 'GET', '/openapi.json')).json.openapi).toBe('3.0.3');
    expect((await send(s.base, 'GET', '/missing')).status).toBe(404);
    expect((await send(s.base, 'POST', '/segment', { body: { recency: 'NaN', frequency: 4, monetary: 1 } })).json.field).toBe('recency');

    s.child.kill('SIGTERM');
    const { code } = await s.exited;
    expect(code).toBe(0);
    expect(s.stderr()).toMatch(/stopped, every request answered/);

    // One JSON log line per request on stderr (read after exit: a line follows its response).
    const logs = s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(logs.map((l) => `${l.method} ${l.url} ${l.status}`)).toEqual([
      'GET /health 200',
      'POST /segment 200',
      'GET /clusters/summary 200',
      'POST /segment 200',
      'GET /docs 200',
      'GET /openapi.json 200',
      'GET /missing 404',
      'POST /segment 400',
    ]);
    expect(logs.every((l) => typeof l.ms === 'number' && l.level === 'info')).toBe(true);
    expect(await isListening(s.port)).toBe(false);
  });

  it('SIGTERM lets an in-flight request finish, refuses new connections, then exits 0', async () => {
    const s = await serve([]);
    const body = JSON.stringify({ recency: 30, frequency: 4, monetary: 2500 });
    const inFlight = sendInTwoParts(s.base, '/segment', body.slice(0, 10), body.slice(10));
    await send(s.base, 'GET', '/health'); // a round trip later, the server has the headers and half the body
    s.child.kill('SIGTERM');
    await s.waitForStderr(/SIGTERM, answering the requests received/);
    await waitUntilStopped(s); // no longer accepting connections...
    expect(s.child.exitCode).toBeNull(); // ...but still waiting for the request in flight
    inFlight.finish();
    const r = await inFlight.response;
    expect(r.status).toBe(200);
    expect(r.json.segment).toEqual(expect.any(String));
    const { code } = await s.exited;
    expect(code).toBe(0);
  });

  it('SIGINT stops it too, with exit 0', async () => {
    const s = await serve([]);
    expect((await send(s.base, 'GET', '/health')).status).toBe(200);
    s.child.kill('SIGINT');
    expect((await s.exited).code).toBe(0);
  });

  it('--quiet: nothing on stderr, before, during and after requests', async () => {
    const s = spawnServe(['-m', MODEL, '--port', '0', '--quiet']);
    const port = await listeningPort(s.child.pid!);
    const base = `http://127.0.0.1:${port}`;
    expect((await send(base, 'POST', '/segment', { body: { recency: 1, frequency: 1, monetary: 1 } })).status).toBe(200);
    expect((await send(base, 'GET', '/nope')).status).toBe(404);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(s.stderr()).toBe('');
    expect(s.stdout()).toBe('');
  });

  it('a token from $RFM_API_TOKEN or --token guards every route but /health', async () => {
    for (const [args, env] of [
      [[], { RFM_API_TOKEN: 'from-env' }],
      [['--token', 'from-flag'], { RFM_API_TOKEN: 'ignored' }],
    ] as const) {
      const token = args.length > 0 ? 'from-flag' : 'from-env';
      const s = await serve([...args], env);
      expect(s.stderr()).toMatch(/bearer token required/);
      expect(s.stderr()).not.toContain(token); // the secret is never printed
      expect((await send(s.base, 'GET', '/health')).status).toBe(200);
      const denied = await send(s.base, 'POST', '/segment', { body: { recency: 1, frequency: 1, monetary: 1 } });
      expect(denied.status).toBe(401);
      expect(denied.json.code).toBe('unauthorized');
      const wrong = await send(s.base, 'GET', '/clusters/summary', { headers: { authorization: 'Bearer ignored' } });
      expect(wrong.status).toBe(401);
      const ok = await send(s.base, 'GET', '/clusters/summary', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      s.child.kill('SIGTERM');
      expect((await s.exited).code).toBe(0);
    }
  });

  it('warns when binding beyond loopback without a token, not with one', async () => {
    const open = spawnServe(['-m', MODEL, '--port', '0', '--host', '0.0.0.0']);
    const withToken = spawnServe(['-m', MODEL, '--port', '0', '--host', '0.0.0.0', '--token', 't']);
    await Promise.all([open.waitForStderr(/listening on/), withToken.waitForStderr(/listening on/)]);
    open.child.kill('SIGTERM');
    withToken.child.kill('SIGTERM');
    expect((await open.exited).code).toBe(0);
    expect((await withToken.exited).code).toBe(0);
    expect(open.stderr()).toMatch(/warning:.*without a token/);
    expect(withToken.stderr()).not.toMatch(/warning/);
  });

  describe('a bad model: exit 5 with the model error, and nothing ever listens', () => {
    const cases: [string, () => string, RegExp][] = [
      ['missing', () => tmp.path('absent.json'), /no model at/],
      [
        'not JSON',
        () => {
          writeFileSync(tmp.path('broken.json'), '{"schema": "rfm-model", ');
          return tmp.path('broken.json');
        },
        /not valid JSON/,
      ],
      [
        'invalid centroids',
        () => {
          const text = JSON.stringify({ schema: 'rfm-model', version: 1, params: { k: 2, transform: 'log' }, scaler: { mean: [0, 0, 0], scale: [1, 1, 1] }, centroids: [[0, 0, 0]] });
          writeFileSync(tmp.path('invalid.json'), text);
          return tmp.path('invalid.json');
        },
        /centroids must have 2 entries/,
      ],
    ];
    for (const [name, make, message] of cases) {
      it(name, async () => {
        const s = spawnServe(['-m', make(), '--port', '0']);
        const { code } = await s.exited;
        expect(code).toBe(5);
        expect(s.stderr()).toMatch(message);
        expect(s.stderr()).not.toMatch(/listening/);
      });
    }

    it('$RFM_MODEL is used when -m is not given', async () => {
      const s = spawnServe(['--port', '0'], { RFM_MODEL: tmp.path('absent-env.json') });
      expect((await s.exited).code).toBe(5);
      expect(s.stderr()).toContain('absent-env.json');
    });
  });

  it('usage errors exit 2: a bad port, an empty token, bad limits', async () => {
    for (const [args, message] of [
      [['--port', 'abc'], /--port "abc" is not a port number/],
      [['--port', '70000'], /--port "70000" is not a port number/],
      [['--token', ''], /--token is empty/],
      [['--request-timeout', '0'], /--request-timeout "0" is not a duration in seconds/],
      [['--headers-timeout', '1e3'], /--headers-timeout "1e3" is not a duration in seconds/],
      [['--keep-alive-timeout', '-1'], /--keep-alive-timeout "-1" is not a duration/],
      [['--shutdown-timeout', 'ten'], /--shutdown-timeout "ten" is not a duration/],
      [['--max-connections', '0'], /--max-connections "0" is not a positive whole number/],
      [['--max-connections', '0x10'], /--max-connections "0x10" is not a positive whole number/],
      [['--headers-timeout', '20', '--request-timeout', '10'], /--headers-timeout \(20 s\) is longer than --request-timeout \(10 s\)/],
    ] as const) {
      const s = spawnServe(['-m', MODEL, '--port', '0', ...args]);
      expect((await s.exited).code, args.join(' ')).toBe(2);
      expect(s.stderr()).toMatch(/^rfm: error: /);
      expect(s.stderr()).toMatch(message);
    }
  });

  it('a port already in use exits 3 with a hint', async () => {
    const first = await serve([]);
    const second = spawnServe(['-m', MODEL, '--port', String(first.port)]);
    expect((await second.exited).code).toBe(3);
    expect(second.stderr()).toMatch(/already in use/);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('--help shows a worked example', async () => {
    const r = await runRfm(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example:/);
    expect(r.stdout).toMatch(/--token/);
    for (const flag of ['--headers-timeout', '--request-timeout', '--keep-alive-timeout', '--max-connections', '--shutdown-timeout', '--cors', '--public-docs']) {
      expect(r.stdout).toContain(flag);
    }
  });
});
