/** The test HTTP client (http.ts) fails, never hangs, when the server resets or never answers. */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './http.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A TCP server on 127.0.0.1 port 0 doing `onConnection`; resolves with its base URL (read back from the socket). */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<string> {
  const server = createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('send', () => {
  it('a connection reset before any answer rejects, naming the request', async () => {
    const base = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await expect(send(base, 'POST', '/segment', { body: { recency: 1 } })).rejects.toThrow(/^POST \/segment: the connection was reset \(ECONNRESET\) before any answer$/);
  });

  it('a connection closed before any answer rejects', async () => {
    const base = await tcpServer((socket) => socket.once('data', () => socket.end()));
    await expect(send(base, 'GET', '/health')).rejects.toThrow(/^GET \/health: the connection (closed|was reset \(ECONNRESET\)) before any answer$/);
  });

  it('an answer cut off in the middle rejects', async () => {
    const base = await tcpServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\ncontent-type: application/json\r\n\r\n{"status":')),
    );
    await expect(send(base, 'GET', '/health')).rejects.toThrow(/GET \/health|aborted/);
  });

  it('no answer at all fails at the deadline, saying what it waited for', async () => {
    const base = await tcpServer(() => undefined);
    await expect(send(base, 'GET', '/health', { timeoutMs: 300 })).rejects.toThrow('GET /health: waited 300 ms for an answer');
  });

  it('an answer sent before the body was read (413) still counts', async () => {
    const base = await tcpServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
        socket.destroy();
      }),
    );
    const r = await send(base, 'POST', '/segment', { raw: Buffer.alloc(4 << 20, 0x20), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
  });
});
