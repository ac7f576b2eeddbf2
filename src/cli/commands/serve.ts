/**
 * rfm serve — the HTTP API over a saved model (src/server/app.ts): GET /health, POST /segment,
 * GET /clusters/summary, GET /openapi.json, GET /docs.
 *
 * The model is read and validated once, before listening: a bad model is the usual model error
 * (exit 5) and no socket is ever opened. Loopback is the default bind; another host without a
 * token draws a warning. The listening URL and one JSON line per request go to stderr (none with
 * --quiet). SIGTERM/SIGINT stop it gracefully: no new connections, in-flight requests finish
 * (forced after a grace period), then exit 0; a second signal exits at once.
 */
import type { AddressInfo } from 'node:net';
import { Command, Option } from 'commander';
import { RfmError, usageError } from '../../core/errors.js';
import { modelPath, readModel } from '../../io/model-file.js';
import type { Context } from '../context.js';
import { addModelOption } from '../options.js';
import { takeOverShutdown } from '../shutdown.js';
import { TOOL } from '../version.js';
import type { RunWrapper } from './index.js';

/** How long in-flight requests get to finish after a stop signal before their connections are cut. */
const GRACE_MS = 10_000;

interface ServeOptions {
  model?: string;
  port?: string;
  host: string;
  token?: string;
  quiet?: boolean;
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
    .description('serve the model over HTTP: /health, /segment, /clusters/summary, /openapi.json, /docs')
    .option('--port <port>', 'TCP port (0 picks a free one; default $PORT, else 8000)')
    .option('--host <host>', 'address to bind (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--token <token>', 'require "Authorization: Bearer <token>" on every route but /health (default: $RFM_API_TOKEN)');
  addModelOption(command);
  command
    .option('-q, --quiet', 'no startup message, warnings or request log on stderr')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--verbose', 'stack traces for internal errors')
    .addOption(new Option('--errors <style>', 'error format on stderr').choices(['text', 'json']).default('text'));
  command.addHelpText(
    'after',
    `
Example:
  $ rfm serve -m rfm-model.json --port 8000
  $ curl -s localhost:8000/segment -H 'content-type: application/json' \\
      -d '{"recency":15,"frequency":2,"monetary":800}'
  {"cluster":1,"segment":"Potential Loyalists"}
  $ RFM_API_TOKEN=s3cret rfm serve --host 0.0.0.0   # every route but /health needs the token
  Interactive docs at http://127.0.0.1:8000/docs, the OpenAPI document at /openapi.json.`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const o = command.opts<ServeOptions>();
      // $PORT as Cloud Run, Heroku and the Docker image's HEALTHCHECK use it; --port wins.
      const envPort = nonEmpty(ctx.streams.env.PORT);
      const port = o.port !== undefined ? parsePort(o.port, '--port') : envPort !== undefined ? parsePort(envPort, '$PORT') : 8000;
      const host = o.host;
      if (o.token !== undefined && o.token.trim() === '') throw usageError('--token is empty', 'give a secret, or leave --token out to serve without auth');
      const envToken = ctx.streams.env.RFM_API_TOKEN;
      const token = o.token ?? (envToken !== undefined && envToken !== '' ? envToken : undefined);
      const path = modelPath(o.model, ctx.streams.env);
      const model = await readModel(path); // a bad model stops here: exit 5, nothing listens

      // Fastify and its plugins load only for this command, keeping the others' start-up short.
      const { buildApp } = await import('../../server/app.js');
      const app = await buildApp(model, { token, logger: o.quiet === true ? false : ctx.streams.stderr, version: TOOL.version });
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
          `docs at ${url}/docs, ${token === undefined ? 'no token' : 'bearer token required'}; Ctrl-C to stop`,
      );

      await new Promise<void>((resolve, reject) => {
        const release = takeOverShutdown((signal) => {
          release(); // a second signal falls through to main: immediate exit
          ctx.info(`rfm serve: ${signal}, finishing in-flight requests (send it again to stop at once)`);
          const force = setTimeout(() => app.server.closeAllConnections(), GRACE_MS);
          force.unref();
          app.close().then(() => {
            clearTimeout(force);
            resolve();
          }, reject);
        });
      });
      ctx.info('rfm serve: stopped');
    }),
  );
}
