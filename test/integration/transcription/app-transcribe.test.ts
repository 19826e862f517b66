/**
 * The app's transcription handlers with the real SDK against the Deepgram stand-in: a key is checked
 * against the service ("Key works" or Deepgram's own error), a stored call without words is transcribed
 * with progress and the model and language from the settings, and what can go wrong comes back as one
 * line (no key, an unknown call, a refused key).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CadenceApp } from '../../../src/app/app';
import { localClient } from '../../../src/app/handlers';
import { encodeWav16 } from '../../../src/dsp/wav';
import { importRecording } from '../../../src/call/import-recording';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import type { DeepgramStandin} from '../../helpers/deepgram-standin';
import { clockFrames, type ScriptPhrase } from '../../helpers/deepgram-standin';
import { startTranscribingApp, type TranscribingApp } from '../../helpers/transcribing-app';
import { tempDir } from '../library/helpers';

const KEY = 'app-check-key';
const SCRIPT: ScriptPhrase[] = [
  { channel: 0, words: 'welcome to the zephyr help line'.split(' ').map((word, i) => ({ word, startMs: 300 + i * 300, endMs: 550 + i * 300, confidence: 0.9 })) },
];

describe('transcription in the app', () => {
  const tmp = tempDir('cadence-app-transcribe-');
  let world: TranscribingApp | undefined;
  let standin: DeepgramStandin;
  let app: CadenceApp;
  let call: ReturnType<typeof localClient>;
  let callId: string;
  beforeAll(async () => {
    world = await startTranscribingApp(tmp.dir, KEY, SCRIPT);
    ({ app, standin } = world);
    call = localClient(app.handlers);
    const wav = join(tmp.dir, 'call.wav');
    const f = clockFrames(0, 200);
    writeFileSync(wav, encodeWav16([f.agent, f.customer], 16000));
    callId = (await importRecording(app.library, wav, { playbook: loadPlaybookFile() })).callId;
  });
  afterAll(async () => {
    await world?.close();
    tmp.cleanup();
  });

  it('checks a key against the service: "Key works", or Deepgram\'s own error', async () => {
    await expect(call('transcription.checkKey', {})).rejects.toThrow(/no Deepgram API key/);
    expect(await call('transcription.checkKey', { key: KEY })).toEqual({ ok: true, message: 'Key works' });
    expect(await call('transcription.checkKey', { key: 'not-the-key' })).toEqual({ ok: false, message: 'Deepgram: Invalid credentials. (401)' });
    await app.secrets.set('deepgram', KEY);
    expect(await call('transcription.checkKey', {})).toMatchObject({ ok: true });
    await app.secrets.set('deepgram', null);
  });

  it('transcribes a call without words, with progress, in the model and language of the settings', async () => {
    expect((await call('calls.get', { id: callId })).hasWords).toBe(false);
    const noKey = await call('calls.transcribe', { id: callId }).catch((e: Error & { code?: string }) => e);
    expect(noKey).toMatchObject({ code: 'no_key' });
    expect((noKey as Error).message.split('\n')).toHaveLength(1);

    await app.secrets.set('deepgram', KEY);
    await call('settings.set', { transcriptionModel: 'nova-2', transcriptionLanguage: 'es' });
    const progress: number[] = [];
    const off = app.events.subscribe((event, payload) => {
      if (event === 'calls.transcribeProgress') progress.push((payload as { fraction: number }).fraction);
    });
    expect(await call('calls.transcribe', { id: callId })).toEqual({ segments: 1 });
    off();
    expect(progress.at(-1)).toBe(1);
    const q = standin.uploads.at(-1)!;
    expect([q.get('model'), q.get('language'), q.get('multichannel')]).toEqual(['nova-2', 'es', 'true']);
    const detail = await call('calls.get', { id: callId });
    expect(detail.hasWords).toBe(true);
    expect(detail.transcript.map((t) => t.text)).toEqual(['welcome to the zephyr help line']);
    expect(detail.report.paceSource).toBe('words');
  });

  it('refuses bad settings and unknown calls in one line; a refused key is named', async () => {
    await expect(call('settings.set', { transcriptionLanguage: 'english please' })).rejects.toThrow(/a language code such as en/);
    await expect(call('calls.transcribe', { id: 'nope' })).rejects.toThrow(/no call with id nope/);
    await app.secrets.set('deepgram', 'wrong');
    await expect(call('calls.transcribe', { id: callId })).rejects.toThrow(/^transcription failed: Deepgram refused the API key \(401\)$/);
  });
});
