#!/usr/bin/env node
/**
 * The read + clean + RFM case as a speed-minded user would run it in DuckDB: one process, the
 * official @duckdb/node-api, read_csv with DuckDB's own type detection, and the same RFM query
 * `rfm sql rfm --dialect duckdb` prints (src/core/sql/rfm-query.ts, built to dist/), written as CSV
 * to stdout by DuckDB itself. test/bench/run.mjs times it beside `rfm rfm` and pandas.
 *
 * usage: node test/bench/duckdb-rfm.mjs RETAIL.csv   (Online-Retail-II column names; build first)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { rfmQuery } from '../../dist/core/sql/rfm-query.js';

const [path] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: node test/bench/duckdb-rfm.mjs RETAIL.csv\n');
  process.exit(2);
}
const literal = (text) => `'${text.replace(/'/g, "''")}'`;
const query = rfmQuery(
  'duckdb',
  { from: `read_csv(${literal(path)})` },
  { customer: 'Customer ID', invoice: 'Invoice', date: 'InvoiceDate', quantity: 'Quantity', price: 'Price' },
);
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(`COPY (${query}) TO '/dev/stdout' (FORMAT csv, HEADER)`);
connection.closeSync();
db.closeSync();
