/** Where the library lives: the same default for the CLI and the desktop app. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `CADENCE_DATA_DIR`, else the platform's per-user application data folder + `Cadence`. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CADENCE_DATA_DIR) return env.CADENCE_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Cadence');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Cadence');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Cadence');
}

/** `--db FILE`, else `CADENCE_DB`, else `<dataDir>/library.sqlite`. */
export function defaultDbPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.CADENCE_DB) return env.CADENCE_DB;
  return join(dataDir(env), 'library.sqlite');
}
