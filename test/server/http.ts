/**
 * A tiny HTTP client for the server tests, on node:http rather than fetch: it can send any body
 * with any (or no) content type, reports the status even when the server answers before reading
 * the whole body (413), and can hold a request open half-sent (graceful-shutdown tests).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** A value to send as JSON (sets content-type), or raw text/bytes with `raw`. */
  body?: unknown;
  raw?: string | Buffer;
  /** Fail after this long without a whole answer (default 30 s). */
  timeoutMs?: number;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function send(base: string, method: string, path: string, options: SendOptions = {}): Promise<HttpResult> {
  // The path goes out as given (no URL normalisation), so tests can send odd ones.
  const { hostname, port } = new URL(base);
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    payload = Buffer.from(JSON.stringify(options.body));
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) {
    payload = Buffer.isBuffer(options.raw) ? options.raw : Buffer.from(options.raw);
  }
  if (payload !== undefined) headers['content-length'] = String(payload.length);
  const what = `${method} ${path}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let answered = false;
    let reset: string | undefined;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${what}: waited ${timeoutMs} ms for an answer`));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const req = httpRequest({ host: hostname, port, path, method, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error(`${what}: the connection closed in the middle of the answer (status ${res.statusCode})`));
      });
    });
    // The server may answer (413) and close before the whole body is written: the answer counts,
    // but a reset with no answer at all is a failure, not a promise that never settles.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') reset = error.code;
      else fail(error);
    });
    req.on('close', () => {
      if (!answered) fail(new Error(`${what}: the connection ${reset === undefined ? 'closed' : `was reset (${reset})`} before any answer`));
    });
    req.end(payload);
  });
}

/**
 * Starts a request whose body is sent in two steps: headers and `first` now, `rest` when
 * `finish()` is called. The response promise settles after that.
 */
export function sendInTwoParts(base: string, path: string, first: string, rest: string, headers: Record<string, string> = {}) {
  const url = new URL(path, base);
  let resolveResponse!: (r: HttpResult) => void;
  let rejectResponse!: (e: unknown) => void;
  const response = new Promise<HttpResult>((resolve, reject) => {
    resolveResponse = resolve;
    rejectResponse = reject;
  });
  const req = httpRequest(
    url,
    { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(first + rest)), ...headers } },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) });
      });
    },
  );
  req.on('error', rejectResponse);
  req.write(first);
  req.flushHeaders();
  return { response, finish: () => req.end(rest) };
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
