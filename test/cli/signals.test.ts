/**
 * Pipes, signals and unwritable outputs (issue 7), on the built binary:
 * - `| head -1` closes stdout early: rfm exits 0 with nothing on stderr (EPIPE is not an error);
 * - Ctrl-C (SIGINT) during a long read exits 130, removes its temp file and leaves an existing
 *   output or model untouched; SIGTERM likewise with 143;
 * - an output that cannot be written (parent is a file, read-only directory, full disk) is exit 3
 *   with the existing target untouched and no temp file left; devices and FIFOs are written in
 *   place, never replaced by a regular file.
 * The large input (2,000,000 rows, ~176 MB) is generated into a temp dir by
 * test/bench/generate-retail.mjs. Cases that need what the machine may not allow (mounting a
 * read-only or tiny filesystem as root, chmod as non-root, /proc) say why when they skip.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fixture, ROOT, runRfm, runShell, tempDir } from './helpers.js';

// Made in beforeAll: a filtered run that skips every test here runs no hook and leaves nothing behind.
let tmp: ReturnType<typeof tempDir>;
let BIG = '';
const SAMPLE = fixture('online_retail_sample.csv');
const MODEL = fixture('models', 'sample-model.json');
const isRoot = process.getuid?.() === 0;
const hasProc = existsSync('/proc/self/io');

beforeAll(() => {
  tmp = tempDir('rfm-signals-');
  BIG = tmp.path('big.csv');
  execFileSync(process.execPath, [join(ROOT, 'test/bench/generate-retail.mjs'), '--rows', '2000000', '--seed', '1', '--out', BIG]);
}, 120_000);
afterAll(() => tmp?.cleanup());

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes the process has read so far (Linux /proc/PID/io), or -1. */
function bytesRead(pid: number): number {
  try {
    return Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? -1);
  } catch {
    return -1;
  }
}

/**
 * Starts rfm, waits until `ready()` says it is in the middle of its work, sends `signal`, and
 * resolves with the exit code, stderr, and whether the signal came in time (the run was not over).
 */
async function interrupt(args: string[], ready: (pid: number) => boolean, signal: NodeJS.Signals = 'SIGINT') {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const deadline = Date.now() + 30_000;
  while (running && !ready(child.pid!) && Date.now() < deadline) await sleep(5);
  const inTime = running;
  child.kill(signal);
  return { code: await exited, stderr, inTime };
}

describe('a closed stdout (| head) ends quietly with exit 0', () => {
  // POSIX sh: the exit status of rfm inside the pipeline is printed to stderr as "status=N".
  const piped = (command: string) => runShell(`{ ${command}; echo "status=$?" >&2; } | head -1`, { cwd: tmp.dir });

  it.each([
    ['rfm rfm big.csv', 'customer_id,recency,frequency,monetary'],
    ['rfm rfm big.csv --format json', '['],
    ['rfm clean big.csv', 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country'],
    [`rfm segment big.csv -m '${MODEL}'`, 'customer_id,recency,frequency,monetary,cluster,segment'],
  ])('%s | head -1', async (command, first) => {
    const r = await piped(`${command} -q`);
    expect(r.stdout).toBe(first + '\n');
    expect(r.stderr).toBe('status=0\n'); // no EPIPE message, no stack
  });
});

describe('interrupted during a long read', () => {
  it('SIGINT: rfm rfm -o exits 130, removes its temp file, leaves the existing output untouched', async () => {
    writeFileSync(tmp.path('out.csv'), 'the previous output\n');
    const r = await interrupt(['rfm', BIG, '-o', 'out.csv'], () => tempFiles(tmp.dir).length > 0);
    expect(r.inTime, 'the signal must land while the temp file exists').toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^rfm: error: interrupted/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(readFileSync(tmp.path('out.csv'), 'utf8')).toBe('the previous output\n');
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it('SIGINT: rfm clean -o (streaming its output) exits 130 with no temp file and the old file kept', async () => {
    writeFileSync(tmp.path('clean.csv'), 'old clean\n');
    const r = await interrupt(['clean', BIG, '-o', 'clean.csv', '--report', 'drops.json'], () => tempFiles(tmp.dir).length > 0);
    expect(r.inTime).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^rfm: error: interrupted/m);
    expect(readFileSync(tmp.path('clean.csv'), 'utf8')).toBe('old clean\n');
    expect(existsSync(tmp.path('drops.json'))).toBe(false);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it.skipIf(!hasProc)('SIGINT: rfm fit mid-read exits 130 and leaves the existing model untouched (needs /proc to see the read)', async () => {
    const before = readFileSync(MODEL, 'utf8');
    writeFileSync(tmp.path('model.json'), before);
    const r = await interrupt(['fit', BIG, '-m', 'model.json'], (pid) => bytesRead(pid) > 40_000_000);
    expect(r.inTime).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^rfm: error: interrupted/m);
    expect(readFileSync(tmp.path('model.json'), 'utf8')).toBe(before);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it('SIGTERM: exits 143 with the same clean-up', async () => {
    writeFileSync(tmp.path('out.csv'), 'the previous output\n');
    const r = await interrupt(['rfm', BIG, '-o', 'out.csv'], () => tempFiles(tmp.dir).length > 0, 'SIGTERM');
    expect(r.inTime).toBe(true);
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/^rfm: error: terminated/m);
    expect(readFileSync(tmp.path('out.csv'), 'utf8')).toBe('the previous output\n');
    expect(tempFiles(tmp.dir)).toEqual([]);
  });
});

/** Mounts a tmpfs at `dir` (root only, where the sandbox allows it); false when it cannot. */
function mountTmpfs(dir: string, options: string): boolean {
  if (!isRoot) return false;
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0;
}
const unmount = (dir: string) => spawnSync('umount', [dir]);

describe('an output that cannot be written: exit 3, nothing half-written', () => {
  it('the parent of -o is a regular file (ENOTDIR)', async () => {
    writeFileSync(tmp.path('a-file'), 'x');
    const r = await runRfm(['rfm', SAMPLE, '-q', '-o', tmp.path('a-file/out.csv')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^rfm: error: cannot write .*a-file\/out\.csv: .*a-file is not a directory; choose a path inside a directory\n$/);
    expect(lstatSync(tmp.path('a-file')).isFile()).toBe(true);
  });

  it('-m in a directory that does not exist fails before the data is read', async () => {
    const r = await runRfm(['fit', BIG, '-q', '-m', tmp.path('no/such/dir/model.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('does not exist; create the directory first');
    expect(r.stderr).not.toContain('read 2,000,000 rows');
  });

  // As root, a chmod-555 directory is still writable; a read-only mount is not.
  let readOnly = '';
  let readOnlyWhy = '';
  beforeAll(() => {
    readOnly = tmp.path('read-only');
    if (!isRoot) {
      mkdirSync(readOnly);
      writeFileSync(join(readOnly, 'out.csv'), 'old\n');
      chmodSync(readOnly, 0o555);
    } else if (mountTmpfs(readOnly, 'size=1m')) {
      writeFileSync(join(readOnly, 'out.csv'), 'old\n');
      if (spawnSync('mount', ['-o', 'remount,ro', readOnly]).status !== 0) readOnlyWhy = 'cannot remount the tmpfs read-only';
    } else {
      readOnlyWhy = 'running as root (a chmod-555 directory is writable) and cannot mount a read-only tmpfs here';
    }
  });
  afterAll(() => {
    if (readOnly === '') return;
    if (isRoot) unmount(readOnly);
    else if (existsSync(readOnly)) chmodSync(readOnly, 0o755);
  });

  it('a read-only output directory (chmod 555 as a user, a read-only tmpfs as root)', async (ctx) => {
    if (readOnlyWhy) ctx.skip(readOnlyWhy);
    for (const args of [['rfm', SAMPLE, '-o', join(readOnly, 'out.csv')], ['fit', SAMPLE, '-m', join(readOnly, 'out.csv')]]) {
      const r = await runRfm([...args, '-q']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^rfm: error: cannot write .*out\.csv: (permission denied|read-only file system); choose a directory you can write to\n$/);
      expect(readFileSync(join(readOnly, 'out.csv'), 'utf8')).toBe('old\n');
      expect(tempFiles(readOnly)).toEqual([]);
    }
  });

  it('a full disk (a 64 KB tmpfs, root only): the old model stays, no temp file', async (ctx) => {
    const small = tmp.path('small-disk');
    if (!mountTmpfs(small, 'size=64k')) ctx.skip('needs root and permission to mount a tmpfs');
    try {
      const before = readFileSync(MODEL, 'utf8');
      writeFileSync(join(small, 'model.json'), before);
      writeFileSync(join(small, 'out.csv'), 'old\n');
      // Fill the disk to within a few bytes: the new model (~5 KB) fits in a stream buffer, so the
      // failure comes only when it is flushed — it must still fail the run.
      spawnSync('sh', ['-c', `dd if=/dev/zero of='${join(small, 'filler')}' bs=1k count=1000 2>/dev/null; dd if=/dev/zero of='${join(small, 'filler2')}' bs=1 count=1000 2>/dev/null; true`]);
      const fit = await runRfm(['fit', SAMPLE, '-q', '-m', join(small, 'model.json')]);
      expect(fit.code).toBe(3);
      expect(fit.stderr).toMatch(/cannot write .*model\.json: no space left on device; the disk is full/);
      expect(readFileSync(join(small, 'model.json'), 'utf8')).toBe(before);
      const rfm = await runRfm(['rfm', SAMPLE, '-q', '-o', join(small, 'out.csv')]);
      expect(rfm.code).toBe(3);
      expect(readFileSync(join(small, 'out.csv'), 'utf8')).toBe('old\n');
      expect(tempFiles(small)).toEqual([]);
    } finally {
      unmount(small);
    }
  });

  it('stdout on a full device (> /dev/full): exit 3, "no space left on device", no stack', async (ctx) => {
    if (!existsSync('/dev/full')) ctx.skip('no /dev/full on this system');
    const r = await runShell(`rfm rfm '${SAMPLE}' -q > /dev/full`);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('rfm: error: cannot write stdout: no space left on device; the disk is full: free some space and run again\n');
  });

  it('-o on a device node writes to the device, never replacing it by a file (a private /dev/full, root only)', async (ctx) => {
    const device = tmp.path('full');
    if (!isRoot || spawnSync('mknod', [device, 'c', '1', '7']).status !== 0) ctx.skip('needs root to make a device node');
    const r = await runRfm(['rfm', SAMPLE, '-q', '-o', device]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no space left on device');
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(tempFiles(tmp.dir)).toEqual([]);
  });

  it('-o on a named pipe writes through it, and the FIFO stays a FIFO', async (ctx) => {
    const fifo = tmp.path('pipe');
    if (spawnSync('mkfifo', [fifo]).status !== 0) ctx.skip('mkfifo is not available');
    const r = await runShell(`cat '${fifo}' > '${tmp.path('through-fifo.csv')}' & rfm rfm '${SAMPLE}' -q -o '${fifo}'; status=$?; wait; exit $status`);
    expect(r.code).toBe(0);
    expect(readFileSync(tmp.path('through-fifo.csv'), 'utf8')).toMatch(/^customer_id,recency,frequency,monetary\n12346,/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});
