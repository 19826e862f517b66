/**
 * The app (browser shell) on a temporary library with `DEEPGRAM_URL` pointing at a Deepgram stand-in
 * that speaks `script`: what the transcription tests share. `close()` stops both and restores the
 * environment; the folder is the caller's.
 */
import { join } from 'node:path';
import { createApp, type CadenceApp } from '../../src/app/app';
import { exportAsDownload, mediaPath } from '../../src/app/browser-host';
import { DeepgramStandin, type ScriptPhrase } from './deepgram-standin';

export interface TranscribingApp {
  readonly app: CadenceApp;
  readonly standin: DeepgramStandin;
  close(): Promise<void>;
}

export async function startTranscribingApp(dir: string, apiKey: string, script: readonly ScriptPhrase[]): Promise<TranscribingApp> {
  const saved = { ...process.env };
  const standin = await DeepgramStandin.start({ apiKey, script });
  // Only the stand-in's key counts: a developer's own key must not reach it.
  delete process.env.DEEPGRAM_API_KEY;
  process.env.DEEPGRAM_URL = standin.url;
  let app: CadenceApp;
  try {
    app = await createApp({ dbPath: join(dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
  } catch (err) {
    await standin.close();
    process.env = saved;
    throw err;
  }
  return {
    app,
    standin,
    async close() {
      await app.close();
      await standin.close();
      process.env = saved;
    },
  };
}
