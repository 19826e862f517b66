import { dirname } from 'node:path';
import { UserError } from '../shared/errors';
import type { Library } from '../library/library';
import { fileCipher, SecretStore } from '../app/secrets';
import { SettingsService } from '../app/settings';
import { deepgramConfig, type DeepgramConfig } from '../transcription/config';

/**
 * The Deepgram configuration for a CLI command: the key stored in the library (readable here only when
 * it was stored with the file key, as `cadence ui` does), else `DEEPGRAM_API_KEY`; model and language
 * from the app's settings. The desktop app encrypts keys with the OS keychain (Electron's safeStorage),
 * which only the app itself can open: with such a key and no `DEEPGRAM_API_KEY`, one line says so.
 */
export async function cliDeepgramConfig(lib: Library | null): Promise<DeepgramConfig> {
  const onDisk = lib !== null && !lib.path.startsWith(':');
  const secrets = onDisk ? new SecretStore(lib, fileCipher(dirname(lib.path))) : null;
  const stored = secrets ? await secrets.get('deepgram').catch(() => null) : null;
  const settings = onDisk ? await new SettingsService(lib).get() : null;
  let config: DeepgramConfig | null;
  try {
    config = deepgramConfig(stored, process.env, settings ? { model: settings.transcriptionModel, language: settings.transcriptionLanguage } : {});
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  if (config) return config;
  if ((await secrets?.protectionOf('deepgram').catch(() => null)) === 'os') {
    throw new UserError("the Deepgram key the desktop app stored is locked in the operating system's keychain, which the command line cannot open: set DEEPGRAM_API_KEY", 'no_key');
  }
  throw new UserError("transcription needs a Deepgram API key: set DEEPGRAM_API_KEY (or enter the key in the app's settings)", 'no_key');
}

/** Progress on stderr for long transcriptions, in whole tens of percent. */
export function progressPrinter(err: (line: string) => void, what: string): (fraction: number) => void {
  let shown = 0;
  return (f) => {
    const tens = Math.floor(f * 10);
    if (tens > shown && tens < 10) err(`${what}… ${tens * 10} %`);
    shown = Math.max(shown, tens);
  };
}
