import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `resources/` folder: next to the sources in development and the CLI, or wherever the packaged
 * app put it (CADENCE_RESOURCES, set by the Electron main process).
 */
export function resourcesDir(): string {
  const fromEnv = process.env.CADENCE_RESOURCES;
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'playbooks'))) return candidate;
    dir = resolve(dir, '..');
  }
  return resolve(process.cwd(), 'resources');
}
