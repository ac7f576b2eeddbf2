/**
 * `rfm serve` takes its port from $PORT when --port is not given (Cloud Run, Heroku and the Docker
 * image's HEALTHCHECK rely on it); --port wins; a bad $PORT is a usage error that names $PORT.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, fixture, runRfm } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');

/** Starts rfm serve with `env` and resolves with the port of its listening line, then stops it. */
function listeningPort(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...env };
    delete childEnv.RFM_API_TOKEN;
    const child = spawn(process.execPath, [BIN, 'serve', '-m', MODEL, ...args], { cwd: ROOT, env: childEnv });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rfm serve printed no "listening on" line within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/listening on/.test(stderr)) reject(new Error(`rfm serve exited ${code} before listening: ${stderr}`));
    });
  });
}

describe('rfm serve and $PORT', () => {
  it('listens on $PORT when --port is not given', async () => {
    // PORT=0 asks for a free port: were $PORT ignored, the server would be on the default 8000.
    const port = await listeningPort([], { PORT: '0' });
    expect(port).not.toBe(8000);
    expect(port).toBeGreaterThan(1023);
  });

  it('lets --port win over $PORT', async () => {
    const port = await listeningPort(['--port', '0'], { PORT: '1' });
    expect(port).not.toBe(1);
    expect(port).toBeGreaterThan(1023);
  });

  it('refuses a $PORT that is not a port number, naming $PORT', async () => {
    const result = await runRfm(['serve', '-m', MODEL], { env: { PORT: '80a' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('rfm: error: $PORT "80a" is not a port number; give 0..65535 (0 picks a free port, printed on stderr)\n');
  });
});
