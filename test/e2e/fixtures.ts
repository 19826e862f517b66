/**
 * The end-to-end fixtures: every test gets a data directory of its own (removed afterwards) and, when
 * it asks for `ui`, its own app and browser host on that directory, so no test sees another's library,
 * settings or secrets. The renderer is built once per worker from the current sources, so a spec never
 * runs a stale build.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { chromiumMissing } from './chromium';
import { RESULTS_DIR, buildRendererInto, startUi, tempDir, type InProcessUi } from './harness';

export { expect } from '@playwright/test';

interface Size {
  readonly width: number;
  readonly height: number;
}

interface TestFixtures {
  /** A fresh, empty data directory for this test only. */
  dataDir: string;
  /** The app and its browser host, in this process, on `dataDir`. */
  ui: InProcessUi;
  /** Opens `url` in a new page of this test's browser context, at `size`, reporting page errors. */
  openPage(url: string, size?: Size): Promise<Page>;
}

interface WorkerFixtures {
  /** The renderer, built once per worker into a temporary folder. */
  rendererDir: string;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  rendererDir: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern.
    async ({}, use) => {
      const build = tempDir('cadence-renderer-');
      try {
        mkdirSync(RESULTS_DIR, { recursive: true });
        await use(await buildRendererInto(join(build.dir, 'renderer')));
      } finally {
        build.cleanup();
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  // eslint-disable-next-line no-empty-pattern -- as above.
  dataDir: async ({}, use) => {
    const data = tempDir();
    try {
      await use(data.dir);
    } finally {
      data.cleanup();
    }
  },
  ui: async ({ dataDir, rendererDir }, use) => {
    const ui = await startUi(dataDir, rendererDir);
    try {
      await use(ui);
    } finally {
      await ui.close();
    }
  },
  openPage: async ({ context }, use) => {
    await use(async (url, size) => {
      const page = await context.newPage();
      if (size) await page.setViewportSize(size);
      page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
      await page.goto(url);
      return page;
    });
  },
});

/** Skips the calling describe block, with the reason, where Debian's Chromium is not installed. */
export function skipWithoutChromium(): void {
  const missing = chromiumMissing();
  test.skip(missing !== null, missing ?? '');
}
