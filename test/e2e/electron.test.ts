/**
 * Launches the built desktop app in Electron (both windows come up, the preload bridge answers).
 * Electron's binary cannot be downloaded on the machines this project is built on, so the test is
 * skipped, with a message, where node_modules/electron has no binary.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './harness';

function electronBinary(): string | null {
  const pathTxt = join(ROOT, 'node_modules/electron/path.txt');
  if (!existsSync(pathTxt)) return null;
  return existsSync(join(ROOT, 'node_modules/electron/dist')) ? join(ROOT, 'node_modules/electron/dist') : null;
}

const binary = electronBinary();
if (!binary) console.warn('skipping the Electron launch test: no Electron binary in node_modules/electron (it cannot be downloaded here); the UI is tested in Chromium through `cadence ui` instead');

describe.skipIf(!binary)('desktop app in Electron', () => {
  it('opens the overlay and the review window with the bridge', async () => {
    const { _electron } = await import('playwright-core');
    const data = tempDir();
    const app = await _electron.launch({ args: [join(ROOT, 'out/main/index.js')], cwd: ROOT, env: { ...process.env, CADENCE_DATA_DIR: data.dir } });
    try {
      await expect.poll(() => app.windows().length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      const review = app.windows().find((w) => w.url().includes('#/review'))!;
      const shell = await review.evaluate(() => (globalThis as unknown as { cadence?: { shell: string } }).cadence?.shell);
      expect(shell).toBe('electron');
    } finally {
      await app.close();
      data.cleanup();
    }
  }, 60_000);
});
