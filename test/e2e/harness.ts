/**
 * What the browser specs start besides the browser: the renderer built into a folder, the app and its
 * browser host in-process (or as `cadence ui`) on a data directory of the test's own. The fixtures in
 * fixtures.ts wire these into each test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createApp, type CadenceApp } from '../../src/app/app';
import { exportAsDownload, mediaPath, startBrowserHost, type BrowserHost } from '../../src/app/browser-host';
import { buildRenderer } from '../../src/app/renderer-build';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the specs save their screenshots (Playwright's own output goes to test-results/playwright). */
export const RESULTS_DIR = join(ROOT, 'test-results');

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
