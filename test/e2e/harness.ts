/**
 * Browser end-to-end harness: the renderer built once per run into a temporary folder, the app and
 * its browser host started in-process (or as `cadence ui`) on a data directory of the test's own, and
 * Debian's Chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type CadenceApp } from '../../src/app/app';
import { exportAsDownload, mediaPath, startBrowserHost, type BrowserHost } from '../../src/app/browser-host';
import { buildRenderer } from '../../src/app/renderer-build';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = join(ROOT, 'test-results');

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export function tempDir(prefix = 'cadence-e2e-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the current renderer sources into `dir` (so tests never run a stale build). */
export async function buildRendererInto(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  return buildRenderer(dir);
}

export interface InProcessUi {
  readonly app: CadenceApp;
  readonly host: BrowserHost;
  readonly dataDir: string;
  readonly dbPath: string;
  close(): Promise<void>;
}

/** The app and its browser host in this process, on `dataDir` (its own library). */
export async function startUi(dataDir: string, rendererDir: string): Promise<InProcessUi> {
  const dbPath = join(dataDir, 'library.sqlite');
  const app = await createApp({ dbPath, shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
  const host = await startBrowserHost({ app, rendererDir, port: 0 });
  return {
    app,
    host,
    dataDir,
    dbPath,
    async close() {
      await host.close();
      await app.close();
    },
  };
}

export interface UiProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<number | null>;
}

/**
 * `cadence ui --port 0 --json` as a child process with CADENCE_DATA_DIR set; resolves once it listens.
 * `env` replaces the inherited environment (e.g. a private PulseAudio's, so PortAudio sees its devices).
 */
export function spawnUi(dataDir: string, rendererDir: string, env: NodeJS.ProcessEnv = process.env): Promise<UiProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/cadence.mjs'), 'ui', '--port', '0', '--json', '--renderer', rendererDir], {
    env: { ...env, CADENCE_DATA_DIR: dataDir, CADENCE_DB: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`cadence ui did not start: ${stderr}`)), 30_000);
    child.once('exit', (code) => fail(new Error(`cadence ui exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // Other stdout lines (progress the CLI prints while it finishes a call, say) are not ours.
      let msg: { type?: string; url?: string };
      try {
        msg = JSON.parse(line) as { type?: string; url?: string };
      } catch {
        return;
      }
      if (msg.type !== 'listening' || !msg.url) return;
      clearTimeout(timer);
      ok({
        url: msg.url,
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/**
 * A browser and a renderer build shared by the tests of one file (call at the top of a describe):
 * `suite.newPage(url)` opens a page that reports its errors, `suite.rendererDir` is the build.
 */
export function browserSuite(defaultSize = { width: 1280, height: 860 }): { readonly rendererDir: string; newPage(url: string, size?: { width: number; height: number }): Promise<Page> } {
  let browser: Browser | null = null;
  let rendererDir = '';
  const build = tempDir('cadence-renderer-');
  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    rendererDir = await buildRendererInto(join(build.dir, 'renderer'));
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    build.cleanup();
  });
  return {
    get rendererDir() {
      return rendererDir;
    },
    async newPage(url, size = defaultSize) {
      if (!browser) throw new Error('browserSuite: the browser is not running (use it inside tests)');
      const page = await browser.newPage({ viewport: size });
      page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
      await page.goto(url);
      return page;
    },
  };
}
