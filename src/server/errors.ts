/**
 * The one shape of every error answer of `rfm serve`, whoever produces it — a route, Fastify,
 * the static file server under /docs, or Node's HTTP parser before any route runs:
 *
 *   {"statusCode": 400, "error": "Bad Request", "code": "invalid_body", "message": "…",
 *    "field"?: "…", "index"?: 3, "errors"?: [{"field", "index"?, "message"}]}
 *
 * Parser-level errors (bad framing, a header block too large, a request too slow) happen before
 * Fastify has a request or a reply; `writeRawError` writes the same JSON straight on the socket.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** One wrong value in a body: the field (absent for the body as a whole), the batch index, the sentence. */
export interface FieldError {
  field?: string;
  index?: number;
  message: string;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  field?: string;
  index?: number;
  errors?: FieldError[];
}

export function errorBody(statusCode: number, code: string, message: string, extra: Omit<ErrorBody, 'statusCode' | 'error' | 'code' | 'message'> = {}): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...extra };
}

/** A complete HTTP/1.1 response carrying `body`, closing the connection: for sockets no parser owns. */
export function rawResponse(body: ErrorBody, headers: Record<string, string> = {}): string {
  const json = JSON.stringify(body);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${body.statusCode} ${body.error}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n' +
    extra +
    '\r\n' +
    json
  );
}

/** Node's parser error codes (llhttp's HPE_*, Node's ERR_HTTP_*) → status, code and a sentence. */
export function describeClientError(code: string | undefined): ErrorBody {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return errorBody(431, 'headers_too_large', 'the request line and headers are over the 16 KB limit');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errorBody(408, 'request_timeout', 'the request was not received in time (see --headers-timeout and --request-timeout)');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return errorBody(400, 'bad_request', 'the Content-Length header is not a single non-negative integer (or comes with Transfer-Encoding)');
    case 'HPE_INVALID_CHUNK_SIZE':
      return errorBody(400, 'bad_request', 'a chunk size of the chunked body is not a hexadecimal number');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return errorBody(400, 'bad_request', 'the Transfer-Encoding header is not valid (only "chunked" is understood)');
    case 'HPE_INVALID_METHOD':
      return errorBody(400, 'bad_request', 'the request method is not a known HTTP method');
    case 'HPE_INVALID_URL':
      return errorBody(400, 'bad_request', 'the request target is not a valid URL path');
    case 'HPE_INVALID_VERSION':
      return errorBody(400, 'bad_request', 'the HTTP version is not HTTP/1.0 or HTTP/1.1');
    default:
      return errorBody(400, 'bad_request', 'the request is not valid HTTP/1.1 (bad request line, header or body framing)');
  }
}

/**
 * Node's `clientError` event: the parser gave up on a connection (or a timeout hit). Answers in
 * the documented shape when nothing has been written to the socket yet, then closes it.
 */
export function writeClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody to answer; a response already under way cannot be replaced.
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable || started) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(describeClientError(error.code)));
  // end() lets the answer go out; destroy what remains soon after so the socket cannot linger.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** An error a route throws on purpose, carrying its final answer. */
export class HttpError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
}

interface FastifyLikeError extends Error {
  code?: string;
  statusCode?: number;
}

/**
 * Maps any error reaching Fastify's error handler to the documented shape, without internals.
 * `limits` are for the messages (body limit, batch size); `contentType` is the request's.
 */
export function describeError(error: FastifyLikeError, limits: { bodyLimit: number; maxBatch: number }, contentType: string | undefined): ErrorBody {
  if (error instanceof HttpError) return error.body;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(413, 'body_too_large', `the body is over the ${limits.bodyLimit} byte limit (after decompression); send at most ${limits.maxBatch} customers per request`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(415, 'unsupported_media_type', `send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(contentType ?? '')})`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorBody(400, 'invalid_json', 'the body is empty: send a JSON object {"recency", "frequency", "monetary"} or an array of them');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'bad_request', 'the Content-Length header does not match the body');
    case 'FST_ERR_BAD_URL':
      return errorBody(400, 'bad_request', 'the URL is not valid (a "%" must start a percent-encoded byte such as %20)');
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'Z_STREAM_ERROR':
      return errorBody(400, 'invalid_body', `the body says "Content-Encoding: gzip" but is not valid gzip (${error.message})`);
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return errorBody(400, 'invalid_json', `the body is not valid JSON (${error.message})`);
  }
  const status = error.statusCode ?? 500;
  // @fastify/static under /docs: a path it will not serve ("..") or cannot find.
  if (status === 403) return errorBody(403, 'forbidden', 'this path is not served');
  if (status === 404) return errorBody(404, 'not_found', 'no such file under /docs');
  if (status >= 400 && status < 500) return errorBody(status, 'bad_request', error.message);
  if (status === 503) return errorBody(503, 'service_unavailable', 'the server is shutting down');
  return errorBody(500, 'internal', 'internal error (the server log has the details)');
}
