/**
 * The databases the generated SQL runs on in tests (embedded DuckDB, a throwaway PostgreSQL), one
 * interface for both, and the fixtures as typed tables: the Online Retail sample as it is, CDNOW's
 * whitespace-separated files rewritten as CSV (dates as YYYY-MM-DD) so that the databases' own CSV
 * readers load them. Query results come back as text, as the databases print them.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { fixture } from '../cli/helpers.js';
import { startCluster } from './postgres.js';

export type ColumnType = 'text' | 'double' | 'bigint' | 'timestamp' | 'date';

export interface TableSpec {
  name: string;
  columns: [string, ColumnType][];
  csv: string;
}

export interface Engine {
  name: 'duckdb' | 'postgres';
  query(sql: string): Promise<Record<string, string>[]>;
  exec(sql: string): Promise<void>;
  load(table: TableSpec): Promise<void>;
  /** The query's result as the database's own command-line client writes CSV (Postgres only: psql --csv). */
  csv?(sql: string): Promise<string>;
  close(): Promise<void>;
}

const TYPES: Record<Engine['name'], Record<ColumnType, string>> = {
  duckdb: { text: 'VARCHAR', double: 'DOUBLE', bigint: 'BIGINT', timestamp: 'TIMESTAMP', date: 'DATE' },
  postgres: { text: 'TEXT', double: 'DOUBLE PRECISION', bigint: 'BIGINT', timestamp: 'TIMESTAMP', date: 'DATE' },
};

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function createTable(engine: Engine['name'], table: TableSpec): string {
  return `CREATE TABLE ${quote(table.name)} (${table.columns.map(([c, t]) => `${quote(c)} ${TYPES[engine][t]}`).join(', ')})`;
}

export async function duckdbEngine(): Promise<Engine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const dir = mkdtempSync(join(tmpdir(), 'rfm-duckdb-'));
  let files = 0;
  const engine: Engine = {
    name: 'duckdb',
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])));
    },
    async exec(sql) {
      await connection.run(sql);
    },
    async load(table) {
      await connection.run(createTable('duckdb', table));
      const file = join(dir, `${files++}.csv`);
      writeFileSync(file, table.csv);
      await connection.run(`COPY ${quote(table.name)} FROM '${file}' (FORMAT csv, HEADER true)`);
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return engine;
}

export async function postgresEngine(): Promise<Engine> {
  const cluster = await startCluster();
  return {
    name: 'postgres',
    query: (sql) => cluster.query(sql),
    csv: (sql) => cluster.csv(sql),
    async exec(sql) {
      await cluster.query(sql);
    },
    async load(table) {
      await cluster.query(createTable('postgres', table));
      await cluster.copyCsv(quote(table.name), table.csv);
    },
    close: () => cluster.stop(),
  };
}

/** The committed Online Retail sample, typed. */
export function retailTable(name = 'retail'): TableSpec {
  return {
    name,
    columns: [
      ['Invoice', 'text'],
      ['StockCode', 'text'],
      ['Description', 'text'],
      ['Quantity', 'double'],
      ['InvoiceDate', 'timestamp'],
      ['Price', 'double'],
      ['Customer ID', 'text'],
      ['Country', 'text'],
    ],
    csv: readFileSync(fixture('online_retail_sample.csv'), 'utf8'),
  };
}

/** Whitespace-separated CDNOW lines as CSV; `YYYYMMDD` (the field at `dateField`) as YYYY-MM-DD. */
function cdnowCsv(text: string, header: string, dateField: number, skipHeader: boolean): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rows = (skipHeader ? lines.slice(1) : lines).map((line) => {
    const fields = line.trim().split(/\s+/);
    const d = fields[dateField];
    fields[dateField] = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
    return fields.join(',');
  });
  return `${header}\n${rows.join('\n')}\n`;
}

/** fixtures/cdnow/CDNOW_master.txt: customer_id, date, number_of_cds, dollar_value. */
export function cdnowTable(name = 'cdnow'): TableSpec {
  return {
    name,
    columns: [
      ['customer_id', 'text'],
      ['date', 'date'],
      ['number_of_cds', 'double'],
      ['dollar_value', 'double'],
    ],
    csv: cdnowCsv(readFileSync(fixture('cdnow', 'CDNOW_master.txt'), 'utf8'), 'customer_id,date,number_of_cds,dollar_value', 1, true),
  };
}

/** fixtures/cdnow/CDNOW_sample.txt (no header): master_id, sample_id, date, number_of_cds, dollar_value. */
export function cdnowSampleTable(name = 'cdnow_sample'): TableSpec {
  return {
    name,
    columns: [
      ['master_id', 'text'],
      ['sample_id', 'text'],
      ['date', 'date'],
      ['number_of_cds', 'double'],
      ['dollar_value', 'double'],
    ],
    csv: cdnowCsv(readFileSync(fixture('cdnow', 'CDNOW_sample.txt'), 'utf8'), 'master_id,sample_id,date,number_of_cds,dollar_value', 2, false),
  };
}
