import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Needs the real .xlsx writers (apt packages): .ci/xlsx.sh installs them and runs it with
    // test/writers/vitest.config.ts.
    exclude: [...configDefaults.exclude, 'test/writers/**'],
    // Rebuilds dist/ when src/ changed since the last build: CLI tests run the built binary.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
