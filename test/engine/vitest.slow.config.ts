import { defineConfig } from 'vitest/config';

// The slow --engine duckdb tests (whole-sample runs of every command, Parquet in and out): run by
// .ci/engine.sh, not by npm test (their name does not end in .test.ts).
export default defineConfig({
  test: {
    include: ['test/engine/*.slow-test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
