/** The Deepgram configuration for CLI commands: the key stored in the library's settings, else the environment. */
import { dirname } from 'node:path';
import { UserError } from '../shared/errors';
import type { Library } from '../library/library';
import { fileCipher, SecretStore } from '../app/secrets';
import { deepgramConfig, type DeepgramConfig } from '../transcription/config';

export async function cliDeepgramConfig(lib: Library | null): Promise<DeepgramConfig> {
  // A key the desktop app stored under the OS keychain cannot be read here; the environment still can.
  const stored = lib && !lib.path.startsWith(':') ? await new SecretStore(lib, fileCipher(dirname(lib.path))).get('deepgram').catch(() => null) : null;
  let config: DeepgramConfig | null;
  try {
    config = deepgramConfig(stored);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  if (!config) throw new UserError('transcription needs a Deepgram API key: set DEEPGRAM_API_KEY (or enter the key in the app\'s settings)');
  return config;
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
