/**
 * Writing through a symbolic link (issue 13): `-m current.json` or `-o out.csv` where the path is
 * a link replaces the link's TARGET atomically — the temp file is made in the target's directory
 * (a rename is atomic only within one file system) — and the link stays a link.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fixture, runRfm, tempDir } from './helpers.js';

const SAMPLE = fixture('online_retail_sample.csv');
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir('rfm-symlink-')));
afterAll(() => tmp?.cleanup());

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('writing through a symbolic link', () => {
  it('-m current.json -> models/v1.json: v1.json gets the new model, current.json stays a link to it', async () => {
    const models = tmp.path('models');
    mkdirSync(models);
    writeFileSync(join(models, 'v1.json'), 'old model\n');
    symlinkSync('models/v1.json', tmp.path('current.json'));
    const r = await runRfm(['fit', SAMPLE, '-q', '-m', 'current.json', '--format', 'json'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(lstatSync(tmp.path('current.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(tmp.path('current.json'))).toBe('models/v1.json');
    const written = JSON.parse(readFileSync(join(models, 'v1.json'), 'utf8'));
    expect(written.schema).toBe('rfm-model');
    expect(written.training.customers).toBe(4339);
    expect(JSON.parse(r.stdout).modelPath).toBe('current.json');
    expect(tempFiles(tmp.dir)).toEqual([]);
    expect(tempFiles(models)).toEqual([]);
  });

  it('-o through a chain of two links, the last one dangling: the final target is created', async () => {
    const out = tmp.path('out');
    mkdirSync(out);
    symlinkSync(join(out, 'real.csv'), join(out, 'second.csv')); // dangling: real.csv does not exist yet
    symlinkSync('out/second.csv', tmp.path('first.csv'));
    const r = await runRfm(['rfm', SAMPLE, '-q', '-o', 'first.csv'], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'real.csv'), 'utf8')).toMatch(/^customer_id,recency,frequency,monetary\n12346,/);
    expect(lstatSync(tmp.path('first.csv')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(out, 'second.csv')).isSymbolicLink()).toBe(true);
  });

  it("the temp file is made in the target's directory, not the link's", async () => {
    const far = tmp.path('far');
    mkdirSync(far);
    writeFileSync(join(far, 'target.csv'), 'old\n');
    symlinkSync(join(far, 'target.csv'), tmp.path('near.csv'));
    const seenIn: string[] = [];
    const watchers = [tmp.dir, far].map((dir) => watch(dir, (_, name) => String(name).endsWith('.tmp') && seenIn.push(dir)));
    const child = spawn(process.execPath, [BIN, 'rfm', SAMPLE, '-q', '-o', 'near.csv'], { cwd: tmp.dir, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // fs.watch events are delivered asynchronously: let the last ones in before closing.
    await new Promise((resolve) => setImmediate(resolve));
    for (const w of watchers) w.close();
    expect(code).toBe(0);
    expect(seenIn.length).toBeGreaterThan(0);
    expect(new Set(seenIn)).toEqual(new Set([far]));
    expect(readFileSync(join(far, 'target.csv'), 'utf8')).toMatch(/^customer_id,/);
    expect(lstatSync(tmp.path('near.csv')).isSymbolicLink()).toBe(true);
  });

  it('a loop of links is an IO error naming the path, nothing written', async () => {
    symlinkSync('loop-b.csv', tmp.path('loop-a.csv'));
    symlinkSync('loop-a.csv', tmp.path('loop-b.csv'));
    const r = await runRfm(['rfm', SAMPLE, '-q', '-o', 'loop-a.csv'], { cwd: tmp.dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^rfm: error: cannot write loop-a\.csv: /);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });
});
