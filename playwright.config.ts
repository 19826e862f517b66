import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './test/e2e/chromium';

// The browser end-to-end suite (test/e2e/**/*.spec.ts). Each spec gets its own data directory and its
// own in-process browser host from test/e2e/fixtures.ts; screenshots are written to test-results/ by
// the specs themselves, Playwright's own artifacts (traces of failures) to test-results/playwright.
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/playwright',
  // Two cores, shared: one worker, and the specs inside a file run in order.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The demo call plays in real time (~70 s); fixtures build the renderer once per worker.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] },
    viewport: { width: 1280, height: 860 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
  },
});
