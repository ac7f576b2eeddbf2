/**
 * The HTTP server under Fastify, with the limits that keep `rfm serve` answering under hostile or
 * careless clients, and a graceful stop that drops no request it has received.
 *
 * - Timeouts (Node's own, checked every `connectionsCheckingInterval`): the headers of a request
 *   must arrive within `headersTimeoutMs`, the whole request within `requestTimeoutMs` (a client
 *   that sends headers and then one byte is answered 408 and closed), and an idle keep-alive
 *   connection is closed after `keepAliveTimeoutMs`. Each slow client holds one socket, never the
 *   event loop, so the others are answered as usual.
 * - A cap on open connections: past `maxConnections`, a new connection gets a JSON 503
 *   (`server_busy`) and is closed — never silently dropped, never left to exhaust descriptors.
 * - `drain(deadlineMs)` (SIGTERM/SIGINT): new connections get a JSON 503 for DRAIN_ACCEPT_MS (so
 *   that those already in the kernel's accept queue are answered, not reset), then the listener
 *   closes. Every request already received is answered; the last one known on each connection
 *   carries `Connection: close`, so clients stop sending there; a connection with no request in
 *   progress is closed after DRAIN_IDLE_MS of quiet (a request already on the wire arrives in that
 *   time, and is answered). Whatever is still open at the deadline is cut.
 *
 * Node's `server.close()` is not used to stop listening: it closes every connection that is idle
 * at that instant, dropping a request sent a moment before (the next one of a keep-alive client).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { errorBody, rawResponse } from './errors.js';

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1000,
};

/** How long new connections are still accepted (and answered 503) after a stop signal. */
const DRAIN_ACCEPT_MS = 250;
/** How long a connection with no request in progress stays open during a drain. */
const DRAIN_IDLE_MS = 500;

export interface DrainResult {
  /** Requests in progress when the deadline cut their connections (0: everything was answered). */
  cut: number;
}

interface Tracked {
  /** Requests received on this connection and not yet fully answered. */
  pending: number;
  /** The newest of them: during a drain, the one that says `Connection: close`. */
  last?: ServerResponse;
  /** The response whose keep-alive this guard turned off (and may turn back on). */
  forced?: ServerResponse;
  idleTimer?: NodeJS.Timeout;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Answers a connection no parser will ever own with a JSON error, then lets it go. */
function refuse(socket: Socket, statusCode: number, code: string, message: string): void {
  socket.on('error', () => undefined);
  socket.end(rawResponse(errorBody(statusCode, code, message), { 'Retry-After': '1' }));
  socket.resume(); // read and discard what the client sends, so that closing does not reset the answer
  setTimeout(() => socket.destroy(), 1000).unref();
}

export class ConnectionGuard {
  private server?: Server;
  private readonly tracked = new Map<Socket, Tracked>();
  private draining = false;

  constructor(private readonly limits: ServerLimits) {}

  /** For Fastify's `serverFactory` option. */
  readonly serverFactory = (handler: Handler): Server => {
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = this.limits;
    const server = createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        // Node checks both timeouts on this period (30 s by default, which would stretch a 10 s limit to 40 s).
        connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs) / 4))),
      },
      (request, response) => {
        this.onRequest(request, response);
        handler(request, response);
      },
    );
    server.keepAliveTimeout = keepAliveTimeoutMs;
    // Node's http server parses a connection from its own 'connection' listener; wrap it so that a
    // connection past the cap (or during a drain) is answered 503 instead of being parsed.
    const listeners = server.listeners('connection') as ((socket: Socket) => void)[];
    if (listeners.length !== 1) throw new Error(`expected one 'connection' listener on the HTTP server, found ${listeners.length}`);
    const parse = listeners[0];
    server.removeListener('connection', parse);
    server.on('connection', (socket: Socket) => {
      if (this.draining) return refuse(socket, 503, 'service_unavailable', 'the server is shutting down; retry on another instance or later');
      if (this.tracked.size >= this.limits.maxConnections) {
        return refuse(socket, 503, 'server_busy', `the server has its maximum of ${this.limits.maxConnections} open connections (--max-connections); retry shortly`);
      }
      this.tracked.set(socket, { pending: 0 });
      socket.once('close', () => {
        const state = this.tracked.get(socket);
        if (state?.idleTimer !== undefined) clearTimeout(state.idleTimer);
        this.tracked.delete(socket);
      });
      parse.call(server, socket);
    });
    this.server = server;
    return server;
  };

  /** Open connections the server parses (refused ones not counted). */
  get open(): number {
    return this.tracked.size;
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const state = this.tracked.get(request.socket as Socket);
    if (state === undefined) return; // fastify.inject: no socket of ours
    state.pending++;
    if (state.idleTimer !== undefined) {
      clearTimeout(state.idleTimer);
      state.idleTimer = undefined;
    }
    if (this.draining) this.makeLast(state, response);
    else state.last = response;
    let done = false;
    response.once('close', () => {
      if (done) return;
      done = true;
      state.pending--;
      if (state.last === response) state.last = undefined;
      if (state.forced === response) state.forced = undefined;
      if (this.draining && state.pending === 0) this.closeWhenQuiet(request.socket as Socket, state);
    });
  }

  /** During a drain: `response` becomes the connection's last one (Connection: close), the one before it no longer is. */
  private makeLast(state: Tracked, response: ServerResponse): void {
    const previous = state.forced;
    if (previous !== undefined && previous !== response && !previous.headersSent) previous.shouldKeepAlive = true;
    state.last = response;
    state.forced = undefined;
    // A response that already closes the connection (HTTP/1.0, the client's Connection: close) stays as it is.
    if (!response.headersSent && response.shouldKeepAlive) {
      response.shouldKeepAlive = false;
      state.forced = response;
    }
  }

  private closeWhenQuiet(socket: Socket, state: Tracked): void {
    if (state.idleTimer !== undefined) clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(() => {
      if (state.pending === 0) socket.destroy();
    }, DRAIN_IDLE_MS);
  }

  /**
   * Stops gracefully (see the file comment). Resolves when every connection is closed, or at
   * `deadlineMs` after cutting what is left.
   */
  drain(deadlineMs: number): Promise<DrainResult> {
    const server = this.server;
    if (server === undefined || this.draining) return Promise.resolve({ cut: 0 });
    this.draining = true;
    for (const [socket, state] of this.tracked) {
      if (state.last !== undefined) this.makeLast(state, state.last);
      if (state.pending === 0) this.closeWhenQuiet(socket, state);
    }
    return new Promise((resolve) => {
      let settled = false;
      const finish = (cut: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ cut });
      };
      const deadline = setTimeout(() => {
        let cut = 0;
        for (const [socket, state] of this.tracked) {
          cut += state.pending;
          socket.destroy();
        }
        finish(cut);
      }, deadlineMs);
      deadline.unref();
      setTimeout(() => {
        // The net-level close: stop listening, call back once every connection has closed.
        NetServer.prototype.close.call(server, () => finish(0));
      }, DRAIN_ACCEPT_MS);
    });
  }
}
