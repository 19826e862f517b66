/**
 * Builds the renderer for the browser host when no build is there yet (the same Vite + React setup as
 * electron.vite.config.ts's renderer section). Vite is a development dependency: a packaged app ships
 * the built renderer and never gets here.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const RENDERER_SRC = resolve(here, '../renderer');
export const DEFAULT_RENDERER_OUT = resolve(here, '../../out/renderer');

export function rendererBuilt(outDir = DEFAULT_RENDERER_OUT): boolean {
  return existsSync(join(outDir, 'index.html'));
}

export async function buildRenderer(outDir = DEFAULT_RENDERER_OUT): Promise<string> {
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    configFile: false,
    root: RENDERER_SRC,
    base: './',
    logLevel: 'error',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, rollupOptions: { input: { index: join(RENDERER_SRC, 'index.html') } } },
  });
  return outDir;
}

/** The built renderer, building it first when `force` or when there is none. */
export async function ensureRenderer(outDir = DEFAULT_RENDERER_OUT, force = false): Promise<string> {
  if (force || !rendererBuilt(outDir)) await buildRenderer(outDir);
  return outDir;
}
