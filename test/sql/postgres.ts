/**
 * A throwaway PostgreSQL cluster for the SQL tests: initdb into a temp dir, pg_ctl start on a free
 * loopback port (socket in the same dir), psql for queries and COPY, pg_ctl stop and rm at the
 * end. As root the server runs as `nobody` (PostgreSQL refuses to run as root). Nothing is mocked:
 * the binaries are Debian's postgresql package (.ci/sql.sh installs it on CI).
 */
import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';

const run = promisify(execFile);

/** The bin dir of the newest installed PostgreSQL (Debian layout), or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'psql')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(root, versions[0], 'bin');
}

const isRoot = () => userInfo().uid === 0;

/** Why the Postgres tests cannot run here, or undefined when they can. */
export function postgresMissing(): string | undefined {
  if (postgresBin() === undefined) return 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb); apt-get install postgresql, or run .ci/sql.sh';
  if (isRoot() && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser: the server cannot be started as another user';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export interface PgCluster {
  port: number;
  /** Rows of the last statement of `sql`, as text values keyed by column name. */
  query(sql: string): Promise<Record<string, string>[]>;
  /** The output of `psql --csv` for `sql`, as a user gets it. */
  csv(sql: string): Promise<string>;
  /** COPY csv (with header) into an existing table. */
  copyCsv(table: string, csv: string): Promise<void>;
  stop(): Promise<void>;
}

const SERVER_USER = 'nobody';

export async function startCluster(): Promise<PgCluster> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error(postgresMissing());
  const dir = mkdtempSync(join(tmpdir(), 'rfm-pg-'));
  const data = join(dir, 'data');
  const asServer = (command: string, args: string[]) =>
    isRoot() ? run('runuser', ['-u', SERVER_USER, '--', join(bin, command), ...args]) : run(join(bin, command), args);
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', SERVER_USER]);
    const { stdout: gid } = await run('id', ['-g', SERVER_USER]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await asServer('initdb', ['-D', data, '-U', 'rfm', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC`;
  // -w: pg_ctl returns once the server accepts connections.
  await asServer('pg_ctl', ['start', '-w', '-D', data, '-l', join(dir, 'server.log'), '-o', options]);

  const psql = (args: string[], stdin: string) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'rfm', '-d', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, PGTZ: 'UTC', PGOPTIONS: '-c TimeZone=UTC' },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else reject(new Error(`psql exited ${code}: ${Buffer.concat(err).toString('utf8')}`));
      });
      child.stdin.end(stdin);
    });

  return {
    port,
    async query(sql) {
      const text = await psql(['--csv', '-f', '-'], sql);
      return Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
    },
    csv: (sql) => psql(['--csv', '-f', '-'], sql),
    async copyCsv(table, csv) {
      await psql(['-c', `COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`], csv);
    },
    async stop() {
      try {
        await asServer('pg_ctl', ['stop', '-w', '-m', 'immediate', '-D', data]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
