/**
 * rfm serve — the HTTP API over a saved model (src/server/app.ts): GET /health, POST /segment,
 * GET /clusters/summary, GET /openapi.json, GET /docs.
 *
 * The model is read and validated once, before listening: a bad model is the usual model error
 * (exit 5) and no socket is ever opened. Loopback is the default bind; another host without a
 * token draws a warning. The listening URL and one JSON line per request go to stderr (none with
 * --quiet). SIGTERM/SIGINT stop it gracefully (server/connections.ts): no new connections, every
 * request already received is answered, idle connections close, then exit 0; at the
 * --shutdown-timeout deadline what is left is cut (exit 130, interrupted); a second signal exits at once.
 */
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { RfmError, usageError } from '../../core/errors.js';
import { modelPath, readModel } from '../../io/model-file.js';
import type { Context } from '../context.js';
import { addModelOption, addStderrOptions } from '../options.js';
import { DEFAULT_LIMITS, type ServerLimits } from '../../server/connections.js';
import { takeOverShutdown } from '../shutdown.js';
import { TOOL } from '../version.js';
import type { RunWrapper } from './index.js';

/** Default of --shutdown-timeout: how long a stop signal waits for requests before cutting connections. */
const SHUTDOWN_TIMEOUT_S = 10;

interface ServeOptions {
  model?: string;
  port?: string;
  host: string;
  token?: string;
  quiet?: boolean;
  headersTimeout: string;
  requestTimeout: string;
  keepAliveTimeout: string;
  maxConnections: string;
  shutdownTimeout: string;
  cors: string[];
  publicDocs?: boolean;
}

/** A duration flag in seconds (decimal digits, an optional fraction), > 0, as milliseconds. */
function parseSeconds(flag: string, text: string): number {
  const ms = /^\d{1,7}(\.\d{1,3})?$/.test(text) ? Math.round(Number(text) * 1000) : NaN;
  if (!(ms > 0)) throw usageError(`${flag} "${text}" is not a duration in seconds`, `give a number of seconds above 0, e.g. ${flag} 10 or ${flag} 0.5`);
  return ms;
}

function parseCount(flag: string, text: string): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw usageError(`${flag} "${text}" is not a positive whole number`, `give decimal digits, e.g. ${flag} 1000`);
  return Number(text);
}

/** An origin as browsers send it (scheme://host[:port], no path), or `*` for any. */
function parseOrigin(text: string): string {
  if (text === '*' || /^https?:\/\/[^/\s?#]+$/i.test(text)) return text;
  throw usageError(`--cors "${text}" is not an origin`, 'give scheme://host[:port] without a path, e.g. --cors https://app.example.com (repeat for more), or * for any');
}

/**
 * The token from --token or $RFM_API_TOKEN, without surrounding whitespace (a copied secret often
 * carries a newline); spaces inside are kept. An empty $RFM_API_TOKEN means none; a flag or
 * variable that is only whitespace is a mistake, not "no auth".
 */
export function tokenFrom(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) {
    const token = flag.trim();
    if (token === '') throw usageError('--token is empty', 'give a secret, or leave --token out to serve without auth');
    return token;
  }
  if (env === undefined || env === '') return undefined;
  const token = env.trim();
  if (token === '') throw usageError('$RFM_API_TOKEN is only whitespace', 'set it to the secret, or unset it to serve without auth');
  return token;
}

function parsePort(text: string, from: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw usageError(`${from} "${text}" is not a port number`, 'give 0..65535 (0 picks a free port, printed on stderr)');
  }
  return Number(text);
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): RfmError {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new RfmError('input', `cannot listen on ${where}: the address is already in use`, { hint: 'stop the other server or pick another --port (0 picks a free one)' });
    case 'EACCES':
      return new RfmError('input', `cannot listen on ${where}: permission denied`, { hint: 'ports below 1024 need privileges; use e.g. --port 8000' });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RfmError('input', `cannot listen on ${where}: ${host} is not an address of this machine`, { hint: 'use --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)' });
    default:
      return new RfmError('input', `cannot listen on ${where}: ${error.message}`);
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() !== '' ? text.trim() : undefined;
}

export function serveCommand(run: RunWrapper): Command {
  const command = new Command('serve')
    .description('serve the model over HTTP: a web page at /, /health, /segment, /clv, /clusters/summary, /openapi.json, /docs')
    .option('--port <port>', 'TCP port (0 picks a free one; default $PORT, else 8000)')
    .option('--host <host>', 'address to bind (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--token <token>', 'require "Authorization: Bearer <token>" on every route but /health (default: $RFM_API_TOKEN)')
    .option('--public-docs', 'with a token: serve the full OpenAPI document (/openapi.json) without it too')
    .option('--cors <origin>', 'let a browser page from ORIGIN call the API (repeatable; default: none)', (value: string, list: string[]) => [...list, value], [] as string[])
    .option('--headers-timeout <seconds>', 'close a connection whose request headers take longer', String(DEFAULT_LIMITS.headersTimeoutMs / 1000))
    .option('--request-timeout <seconds>', 'close a connection whose whole request takes longer', String(DEFAULT_LIMITS.requestTimeoutMs / 1000))
    .option('--keep-alive-timeout <seconds>', 'close an idle keep-alive connection after', String(DEFAULT_LIMITS.keepAliveTimeoutMs / 1000))
    .option('--max-connections <n>', 'open connections at most; past it a new one gets a JSON 503', String(DEFAULT_LIMITS.maxConnections))
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, how long requests in progress get before connections are cut', String(SHUTDOWN_TIMEOUT_S));
  addModelOption(command);
  addStderrOptions(command, 'no startup message, warnings or request log on stderr');
  command.addHelpText(
    'after',
    `
Example:
  $ rfm serve -m rfm-model.json --port 8000
  $ curl -s localhost:8000/segment -H 'content-type: application/json' \\
      -d '{"recency":15,"frequency":2,"monetary":800}'
  {"cluster":1,"segment":"Potential Loyalists"}
  $ RFM_API_TOKEN=s3cret rfm serve --host 0.0.0.0   # every route but /health needs the token
  $ rfm serve --cors https://app.example.com --max-connections 2000 --request-timeout 60
  A web page at http://127.0.0.1:8000/ shows the segments and looks a customer up (with a token
  it needs the header, like the API). Interactive docs at /docs (open without the token; its
  Authorize button takes it), the OpenAPI document at /openapi.json. Bodies may be gzip (Content-Encoding: gzip).`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const o = command.opts<ServeOptions>();
      // $PORT as Cloud Run, Heroku and the Docker image's HEALTHCHECK use it; --port wins.
      const envPort = nonEmpty(ctx.streams.env.PORT);
      const port = o.port !== undefined ? parsePort(o.port, '--port') : envPort !== undefined ? parsePort(envPort, '$PORT') : 8000;
      const host = o.host;
      const token = tokenFrom(o.token, ctx.streams.env.RFM_API_TOKEN);
      const limits: ServerLimits = {
        headersTimeoutMs: parseSeconds('--headers-timeout', o.headersTimeout),
        requestTimeoutMs: parseSeconds('--request-timeout', o.requestTimeout),
        keepAliveTimeoutMs: parseSeconds('--keep-alive-timeout', o.keepAliveTimeout),
        maxConnections: parseCount('--max-connections', o.maxConnections),
      };
      if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
        throw usageError(`--headers-timeout (${o.headersTimeout} s) is longer than --request-timeout (${o.requestTimeout} s)`, 'the headers are part of the request: give a headers timeout no longer than the request timeout');
      }
      const shutdownMs = parseSeconds('--shutdown-timeout', o.shutdownTimeout);
      const cors = o.cors.map(parseOrigin);
      const path = modelPath(o.model, ctx.streams.env);
      const model = await readModel(path); // a bad model stops here: exit 5, nothing listens

      // Fastify and its plugins load only for this command, keeping the others' start-up short.
      const [{ buildApp }, { ConnectionGuard }] = await Promise.all([import('../../server/app.js'), import('../../server/connections.js')]);
      const connections = new ConnectionGuard(limits);
      const app = await buildApp(model, { token, logger: o.quiet === true ? false : ctx.streams.stderr, version: TOOL.version, connections, cors, publicDocs: o.publicDocs === true, batchWorker: true });
      try {
        await app.listen({ port, host });
      } catch (error) {
        await app.close();
        throw listenError(error as NodeJS.ErrnoException, host, port);
      }
      if (!isLoopback(host) && token === undefined) {
        ctx.warn(`listening on ${host} without a token: anyone who can reach this machine can use the API (set --token or $RFM_API_TOKEN)`);
      }
      const url = urlOf(app.server.address() as AddressInfo);
      ctx.info(
        `rfm serve: listening on ${url} — model ${path} (k = ${model.params.k}, ${model.training.customers} customers), ` +
          `page at ${url}/, docs at ${url}/docs, ${token === undefined ? 'no token' : 'bearer token required'}; Ctrl-C to stop`,
      );

      const { cut } = await new Promise<{ cut: number }>((resolve, reject) => {
        const release = takeOverShutdown((signal) => {
          release(); // a second signal falls through to main: immediate exit
          ctx.info(`rfm serve: ${signal}, answering the requests received (up to ${o.shutdownTimeout} s; send it again to stop at once)`);
          connections
            .drain(shutdownMs)
            .then((result) => app.close().then(() => resolve(result)))
            .catch(reject);
        });
      });
      if (cut > 0) {
        throw new RfmError('interrupted', `--shutdown-timeout (${o.shutdownTimeout} s) reached with ${cut} request(s) still in progress; their connections were cut`);
      }
      ctx.info('rfm serve: stopped, every request answered');
    }),
  );
}
