import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Only the tests that run the real .xlsx writers (.ci/xlsx.sh installs them first).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/writers/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
