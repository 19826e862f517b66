/** The app and its browser host in this process on `dir`, serving a one-line page instead of a built renderer. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, type CadenceApp } from '../../../src/app/app';
import { exportAsDownload, mediaPath, startBrowserHost, type BrowserHost } from '../../../src/app/browser-host';

export async function startStubHost(dir: string): Promise<{ app: CadenceApp; host: BrowserHost }> {
  const app = await createApp({ dbPath: join(dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  const host = await startBrowserHost({ app, rendererDir: renderer, port: 0 });
  return { app, host };
}
