import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // test/e2e belongs to Playwright (playwright.config.ts).
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Fixtures are synthesised with espeak-ng and sox; real workers and devices take a moment.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
