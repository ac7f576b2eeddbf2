/**
 * The TCP port a process listens on, read from Linux's /proc: its socket inodes, matched with the
 * LISTEN entries of /proc/net/tcp. For `rfm serve --quiet`, which prints no port, started with
 * --port 0: the port the server itself holds, never one picked beforehand and hoped free. Waits
 * for the socket to appear, failing after `timeoutMs` with what it waited for. (Plain JS: the
 * serve benchmark, test/bench/serve-load.mjs, imports it too.)
 * @param {number} pid
 * @param {number} [timeoutMs]
 * @returns {Promise<number>}
 */
export async function listeningPort(pid, timeoutMs = 20_000) {
  const { readFileSync, readdirSync, readlinkSync } = await import('node:fs');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inodes = new Set();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1));
      } catch {
        // closed meanwhile
      }
    }
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9])) return parseInt(f[1].split(':')[1], 16);
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for process ${pid} to listen on a TCP port`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
