import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The tests that drive a real Chromium (Debian's, /usr/bin/chromium or $RFM_CHROMIUM) through
// playwright-core: `npm run test:browser`; .ci/report.sh installs chromium and runs them. Their
// files end in .browser.ts, so `npm test` (test/**/*.test.ts) never picks them up.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.browser.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser at a time: the machine is shared.
    fileParallelism: false,
  },
});
