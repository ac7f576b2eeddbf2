/**
 * HTTP/1.1 over a raw TCP socket, for what an HTTP client library will not send: broken framing,
 * a bad URL, non-ASCII header bytes, pipelined requests, half-sent bodies. Responses are parsed
 * by hand (status line, headers, Content-Length body) from the bytes the server wrote.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
  json: any;
}

/** Splits the bytes a server wrote into complete responses (Content-Length framed) and the bytes left over. */
export function splitResponses(bytes: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const out: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end === -1) return { responses: out, rest: bytes.subarray(at) };
    const head = bytes.subarray(at, end).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(head[0]);
    if (status === null) return { responses: out, rest: bytes.subarray(at) };
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (bytes.length < end + 4 + length) return { responses: out, rest: bytes.subarray(at) };
    const body = bytes.subarray(end + 4, end + 4 + length).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    out.push({ status: Number(status[1]), reason: status[2], headers, body, json });
    at = end + 4 + length;
  }
}

export const parseResponses = (bytes: Buffer): RawResponse[] => splitResponses(bytes).responses;

export interface RawConnection {
  socket: Socket;
  /** Every byte received so far. */
  received: () => Buffer;
  /** Resolves when the server has closed the connection, with when (ms since connect) and what it sent. */
  closed: Promise<{ afterMs: number; responses: RawResponse[] }>;
  /** Resolves once `n` complete responses have arrived. */
  responses: (n: number) => Promise<RawResponse[]>;
}

/** Opens a connection to 127.0.0.1:port and writes `first` (if any) as soon as it is connected. */
export function rawConnect(port: number, first?: string | Buffer): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    const waiters: { n: number; resolve: (r: RawResponse[]) => void }[] = [];
    socket.on('data', (b: Buffer) => {
      chunks.push(b);
      const parsed = parseResponses(Buffer.concat(chunks));
      for (const w of waiters.splice(0)) {
        if (parsed.length >= w.n) w.resolve(parsed);
        else waiters.push(w);
      }
    });
    const closed = new Promise<{ afterMs: number; responses: RawResponse[] }>((done) => {
      socket.on('close', () => done({ afterMs: Date.now() - started, responses: parseResponses(Buffer.concat(chunks)) }));
    });
    socket.on('error', () => undefined); // a reset shows as 'close' with what was received
    socket.once('connect', () => {
      if (first !== undefined) socket.write(first);
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        closed,
        responses: (n) =>
          new Promise((done, fail) => {
            const parsed = parseResponses(Buffer.concat(chunks));
            if (parsed.length >= n) return done(parsed);
            waiters.push({ n, resolve: done });
            void closed.then(({ responses }) => (responses.length >= n ? done(responses) : fail(new Error(`connection closed after ${responses.length} of ${n} responses`))));
          }),
      });
    });
    socket.once('error', reject);
  });
}

/** Sends one request and returns the response the server wrote before closing (or the first one). */
export async function rawRequest(port: number, request: string | Buffer): Promise<RawResponse> {
  const c = await rawConnect(port, request);
  const { responses } = await c.closed.then(
    (r) => r,
    () => ({ responses: [] as RawResponse[] }),
  );
  if (responses.length === 0) throw new Error(`no response to ${JSON.stringify(request.toString().slice(0, 60))}: got ${JSON.stringify(c.received().toString('latin1'))}`);
  return responses[0];
}

/** A request with `Connection: close` and a correct Content-Length. */
export function httpText(method: string, path: string, headers: Record<string, string> = {}, body: string | Buffer = ''): Buffer {
  const payload = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (payload.length > 0 || method === 'POST') lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), payload]); // header bytes as UTF-8, as a browser sends them
}
