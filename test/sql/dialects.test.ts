/**
 * The dialect module, dialect by dialect: quoting and refusals (hostile names), string escaping,
 * and the whole queries for the warehouses this machine cannot run (BigQuery, Snowflake, Spark,
 * Trino) checked two ways: against reviewed golden files (fixtures/golden/sql/README.md says why
 * each is right) and by node-sql-parser's grammar for that dialect (Hive's for Spark, which it
 * lacks), which must see exactly one SELECT reading exactly the table given.
 * DuckDB and PostgreSQL are executed for real in run-sql.test.ts.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RfmError } from '../../src/core/errors.js';
import type { RfmModel } from '../../src/core/model.js';
import { btydQuery } from '../../src/core/sql/btyd-query.js';
import { dialect, DIALECTS, doubleLiteral, expm1Sql, tablePath } from '../../src/core/sql/dialects.js';
import { rfmQuery, type SqlColumns } from '../../src/core/sql/rfm-query.js';
import { segmentQuery } from '../../src/core/sql/segment-query.js';
import { fixture } from '../cli/helpers.js';
import { expectGolden } from '../cli/golden.js';

const require = createRequire(import.meta.url);
const { Parser } = require('node-sql-parser') as typeof import('node-sql-parser');

const COLUMNS: SqlColumns = { customer: 'customer_id', invoice: 'invoice', date: 'order_date', quantity: 'quantity', price: 'unit_price', status: 'status' };
const MODEL = JSON.parse(readFileSync(fixture('models', 'sample-model.json'), 'utf8')) as RfmModel;
/** CDNOW's published BG/NBD, Pareto/NBD and Gamma-Gamma parameters in a model file. */
const CLV_MODEL = JSON.parse(readFileSync(fixture('models', 'sample-model-clv.json'), 'utf8')) as RfmModel;
const PARETO_MODEL = { ...CLV_MODEL, clv: { ...CLV_MODEL.clv!, purchaseModel: 'paretoNbd' as const } };
const CALIBRATION_END = Date.parse('1997-09-30T00:00:00Z');

function usage(fn: () => unknown): RfmError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RfmError) return error;
    throw error;
  }
  throw new Error('expected a usage error, nothing was thrown');
}

describe('identifiers', () => {
  it('the standard dialects double-quote and double an embedded quote', () => {
    for (const name of ['duckdb', 'postgres', 'snowflake', 'trino']) {
      expect(dialect(name).identifier('Customer ID')).toBe('"Customer ID"');
      expect(dialect(name).identifier('a"; DROP TABLE t; --')).toBe('"a""; DROP TABLE t; --"');
    }
  });

  it('Spark backquotes and doubles a backtick; BigQuery backquotes and refuses a backtick or backslash', () => {
    expect(dialect('spark').identifier('we`ird')).toBe('`we``ird`');
    expect(dialect('bigquery').identifier('Customer ID')).toBe('`Customer ID`');
    for (const name of ['a`b', 'a\\b']) {
      const error = usage(() => dialect('bigquery').identifier(name));
      expect(error.kind).toBe('usage');
      expect(error.message).toBe(`the name ${JSON.stringify(name)} holds a backtick or backslash, which rfm does not put in BigQuery SQL`);
    }
  });

  it('every dialect refuses an empty name and a control character (a newline could end a -- comment)', () => {
    for (const name of DIALECTS) {
      expect(usage(() => dialect(name).identifier('')).message).toBe(`an empty name cannot be a ${name} identifier`);
      expect(usage(() => dialect(name).identifier('a\nb')).message).toBe('the name "a\\nb" holds a control character, which rfm does not put in SQL');
    }
  });

  it('a table path is quoted part by part', () => {
    expect(tablePath(dialect('bigquery'), 'my-project.shop.sales')).toBe('`my-project`.`shop`.`sales`');
    expect(tablePath(dialect('postgres'), 'Shop.sales')).toBe('"Shop"."sales"');
  });

  it('an unknown dialect is a usage error naming the choices', () => {
    const error = usage(() => dialect('mysql'));
    expect(error.message).toBe('unknown SQL dialect "mysql"');
    expect(error.hint).toBe('use one of duckdb, postgres, bigquery, snowflake, spark, trino');
  });
});

describe('expm1', () => {
  it("Spark's own expm1; the others the guarded series (executed in test/sql/clv-sql.test.ts)", () => {
    expect(expm1Sql(dialect('spark'), 'y')).toBe('expm1(y)');
    for (const name of ['duckdb', 'postgres', 'bigquery', 'snowflake', 'trino']) {
      expect(expm1Sql(dialect(name), 'y')).toBe('CASE WHEN ABS(y) < 1e-5 THEN y * (1 + y / 2 * (1 + y / 3)) ELSE EXP(y) - 1 END');
    }
  });
});

describe('string literals', () => {
  const hostile = "it's \\ a\nb";
  it('DuckDB and Trino double a quote and keep backslashes (their strings have no escapes)', () => {
    expect(dialect('duckdb').string(hostile)).toBe("'it''s \\ a\nb'");
    expect(dialect('trino').string(hostile)).toBe("'it''s \\ a\nb'");
  });
  it('Postgres E-strings, BigQuery, Snowflake and Spark escape backslash, quote and control characters', () => {
    expect(dialect('postgres').string(hostile)).toBe("E'it\\'s \\\\ a\\u000ab'");
    for (const name of ['bigquery', 'snowflake', 'spark']) expect(dialect(name).string(hostile)).toBe("'it\\'s \\\\ a\\u000ab'");
  });
  it('doubles are written with their shortest round-trip digits and cast', () => {
    expect(doubleLiteral(dialect('postgres'), 0.1)).toBe('CAST(0.1 AS DOUBLE PRECISION)');
    expect(doubleLiteral(dialect('bigquery'), -1 / 3)).toBe('CAST(-0.3333333333333333 AS FLOAT64)');
    expect(doubleLiteral(dialect('spark'), 2 ** -30)).toBe('CAST(9.313225746154785e-10 AS DOUBLE)');
    expect(usage(() => doubleLiteral(dialect('duckdb'), NaN)).message).toBe('NaN cannot be written as an SQL number');
  });
});

/** node-sql-parser's grammar for each warehouse dialect (it has no Spark grammar; Hive's is Spark SQL's ancestor). */
const GRAMMARS = { bigquery: 'BigQuery', snowflake: 'Snowflake', spark: 'Hive', trino: 'Trino' } as const;
const HOSTILE_TABLE = 'shop.sales; DROP TABLE customers; --';

const queries = (name: string, table: string) => ({
  rfm: rfmQuery(name as never, { table }, COLUMNS),
  scores: rfmQuery(name as never, { table }, COLUMNS, { scores: true }),
  btyd: btydQuery(name as never, { table }, { customer: 'customer_id', date: 'order_date', amount: 'amount' }, { period: 'week', calibrationEnd: CALIBRATION_END }),
  segment: segmentQuery(name as never, { table }, MODEL),
  'segment-clv': segmentQuery(name as never, { table }, CLV_MODEL, undefined, { clv: true }),
  'segment-pareto': segmentQuery(name as never, { table }, PARETO_MODEL, undefined, { clv: { frequency: 'x', recency: 't_x', T: 'T', monetary: 'm' } }),
});
const KINDS = ['rfm', 'scores', 'btyd', 'segment', 'segment-clv', 'segment-pareto'] as const;

describe.each(Object.entries(GRAMMARS))('%s output (parsed, not executed)', (name, grammar) => {
  it.each(KINDS)('%s: equals its reviewed golden file', (kind) => {
    const sql = queries(name, 'shop.sales')[kind];
    expectGolden(`sql/${name}-${kind}.sql`, sql);
  });

  it.each(KINDS)('%s: parses as one SELECT whose only table is the one given, hostile as it is', (kind) => {
    const parser = new Parser();
    const sql = queries(name, HOSTILE_TABLE)[kind];
    const ast = parser.astify(sql, { database: grammar });
    const statements = Array.isArray(ast) ? ast : [ast];
    expect(statements.map((s) => s.type)).toEqual(['select']);
    const tables = parser.tableList(sql, { database: grammar }).filter((t) => !t.startsWith('select::null::'));
    expect(tables).toEqual(['select::shop::sales; DROP TABLE customers; --']);
  });
});

it("the parsers tell the dialects apart: BigQuery's backquotes do not parse as Trino, Snowflake or Postgres", () => {
  const sql = rfmQuery('bigquery', { table: 'shop.sales' }, COLUMNS);
  for (const grammar of ['Trino', 'Snowflake', 'PostgresQL']) expect(() => new Parser().astify(sql, { database: grammar })).toThrow();
});
