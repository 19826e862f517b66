/**
 * Muting redacted spans in the recording (setting, off by default): a call whose customer reads a card
 * number is transcribed (stand-in, real SDK); with the setting on, the recording decoded afterwards is
 * silent on the customer's channel over the card's words and unchanged elsewhere; with it off, the
 * recording is not touched.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CadenceApp } from '../../../src/app/app';
import { localClient } from '../../../src/app/handlers';
import { importRecording } from '../../../src/call/import-recording';
import { encodeWav16 } from '../../../src/dsp/wav';
import { decodeOggOpus } from '../../../src/library/recording/ogg-opus';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import type { ScriptPhrase } from '../../helpers/deepgram-standin';
import { startTranscribingApp, type TranscribingApp } from '../../helpers/transcribing-app';
import { tempDir } from '../library/helpers';

const KEY = 'mute-key';
// The customer: "my card is 4111 1111 1111 1111 thanks", the four groups from 4000 to 5450 ms.
const SCRIPT: ScriptPhrase[] = [
  { channel: 1, words: 'my card is 4111 1111 1111 1111 thanks'.split(' ').map((word, i) => ({ word, startMs: 3100 + i * 300, endMs: 3350 + i * 300, confidence: 0.9 })) },
];
const CARD = { startMs: 4000, endMs: 4250 + 900 };
const SECONDS = 8;

/**
 * Steady tones at -13.5 dBFS standing in for speech, so silence is visible: the customer (440 Hz)
 * throughout, the agent (300 Hz) but for 3–6 s, while the customer reads the card (as on a real call;
 * the recording's stereo Opus at 24 kbit/s would otherwise carry the agent ~30 dB down into the
 * customer's channel, muted or not).
 */
function toneWav(path: string): void {
  const n = SECONDS * 16000;
  const agent = new Float32Array(n);
  const customer = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    agent[i] = i >= 3 * 16000 && i < 6 * 16000 ? 0 : 0.3 * Math.sin((2 * Math.PI * 300 * i) / 16000);
    customer[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000);
  }
  writeFileSync(path, encodeWav16([agent, customer], 16000));
}

/** Level of a channel between two times, dBFS (the decoder's 104-sample delay taken out). */
function levelDb(x: Float32Array, fromMs: number, toMs: number): number {
  const from = 104 + Math.round(fromMs * 16);
  const to = 104 + Math.round(toMs * 16);
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return 10 * Math.log10(s / (to - from) + 1e-12);
}

describe('muting redacted spans in the recording', () => {
  const tmp = tempDir('cadence-mute-');
  let world: TranscribingApp | undefined;
  let app: CadenceApp;
  let call: ReturnType<typeof localClient>;
  const wav = join(tmp.dir, 'card.wav');
  beforeAll(async () => {
    world = await startTranscribingApp(tmp.dir, KEY, SCRIPT);
    app = world.app;
    call = localClient(app.handlers);
    await app.secrets.set('deepgram', KEY);
    toneWav(wav);
  });
  afterAll(async () => {
    await world?.close();
    tmp.cleanup();
  });

  const transcribed = async (): Promise<{ id: string; before: Buffer; after: Buffer }> => {
    const { callId } = await importRecording(app.library, wav, { playbook: loadPlaybookFile() });
    const path = (await app.library.calls.get(callId))!.recording!.path;
    const before = readFileSync(path);
    await call('calls.transcribe', { id: callId });
    return { id: callId, before, after: readFileSync(path) };
  };

  it('is off by default: the recording is untouched', async () => {
    expect((await call('settings.get')).muteRedactedAudio).toBe(false);
    const { id, before, after } = await transcribed();
    expect(after.equals(before)).toBe(true);
    expect((await app.library.calls.get(id))!.transcript[0]!.text).toBe('my card is [card] thanks');
  });

  it('on: the card is silent on the customer channel, everything else as loud as before; the library knows the new file', async () => {
    await call('settings.set', { muteRedactedAudio: true });
    const { id, before, after } = await transcribed();
    const was = decodeOggOpus(before);
    const audio = decodeOggOpus(after);
    // The customer's tone was there, and inside the span (10 ms in from each edge) now is silent.
    expect(levelDb(was.customer, CARD.startMs + 10, CARD.endMs - 10)).toBeGreaterThan(-16);
    expect(levelDb(audio.customer, CARD.startMs + 10, CARD.endMs - 10)).toBeLessThan(-60);
    // Before and after the span, and the agent's channel, as loud as before (within 1 dB).
    for (const [ch, from, to] of [['customer', 1000, 3500], ['customer', 6000, 7500], ['agent', 1000, 2500], ['agent', 6500, 7500]] as const) {
      expect(Math.abs(levelDb(audio[ch], from, to) - levelDb(was[ch], from, to)), `${ch} ${from}–${to} ms`).toBeLessThan(1);
    }
    // Same length as the call.
    expect(Math.abs(audio.durationMs - SECONDS * 1000)).toBeLessThan(40);
    const rec = (await app.library.calls.get(id))!.recording!;
    expect(rec.sizeBytes).toBe(after.length);
    expect(rec.error).toBeNull();
    // No temporary file left behind.
    expect(readdirSync(join(rec.path, '..')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
