/**
 * The built desktop app launched in Electron through Playwright: both windows come up and the preload
 * bridge answers in the review window. Electron's binary cannot be downloaded on the machines this
 * project is built on, so where node_modules/electron has none the spec is skipped and says so; the
 * same windows are tested in Chromium through the browser host (ui.spec.ts, first-run.spec.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron } from '@playwright/test';
import { expect, test } from './fixtures';
import { ROOT } from './harness';

const ELECTRON_DIR = join(ROOT, 'node_modules/electron');
const MAIN = join(ROOT, 'out/main/index.js');

/**
 * The Electron executable, or why there is none. path.txt is read directly: `require('electron')`
 * would try to download the binary when it is missing.
 */
function electronBinary(): { path: string } | { missing: string } {
  const pathTxt = join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathTxt)) return { missing: `no Electron binary: ${pathTxt} does not exist (the binary could not be downloaded when electron was installed)` };
  const path = join(ELECTRON_DIR, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(path)) return { missing: `no Electron binary at ${path}` };
  return { path };
}

const electron = electronBinary();
// The list reporter does not print skip reasons; this line does, once per process that loads the spec.
if ('missing' in electron) console.warn(`electron.spec.ts skipped: ${electron.missing}`);

test.describe('desktop app in Electron', () => {
  test.skip('missing' in electron, 'missing' in electron ? `${electron.missing}; the windows are covered in Chromium by ui.spec.ts and first-run.spec.ts` : '');

  test.beforeAll(() => {
    // The spec runs the app as it ships, so it needs the electron-vite build; make one if there is none.
    if (!existsSync(MAIN)) execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
  });

  test('opens the overlay and the review window, and the review window has the bridge', async ({ dataDir }) => {
    test.setTimeout(90_000);
    const app = await _electron.launch({
      executablePath: 'path' in electron ? electron.path : undefined,
      args: [MAIN],
      cwd: ROOT,
      env: { ...process.env, CADENCE_DATA_DIR: dataDir },
    });
    try {
      await expect.poll(() => app.windows().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      const urls = app.windows().map((w) => w.url());
      expect(urls.some((u) => u.includes('#/overlay'))).toBe(true);
      const review = app.windows().find((w) => w.url().includes('#/review'));
      expect(review, `windows: ${urls.join(', ')}`).toBeDefined();
      const shell = await review!.evaluate(() => (globalThis as unknown as { cadence?: { shell: string } }).cadence?.shell);
      expect(shell).toBe('electron');
    } finally {
      await app.close();
    }
  });
});
