// The image's HEALTHCHECK: GET /health on the port `rfm serve` (PID 1) listens on — its --port
// argument, else $PORT, else 8000 — so that a container started with either stays healthy.
import { readFileSync } from 'node:fs';

function servePort() {
  const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port' && args[i + 1] !== undefined) return args[i + 1];
    if (args[i].startsWith('--port=')) return args[i].slice('--port='.length);
  }
  return process.env.PORT?.trim() || '8000';
}

const controller = new AbortController();
setTimeout(() => controller.abort(), 2500).unref();
fetch(`http://127.0.0.1:${servePort()}/health`, { signal: controller.signal }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
