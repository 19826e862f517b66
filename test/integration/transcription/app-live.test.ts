/**
 * Live transcription in the app: a softphone call with the Deepgram key entered in settings streams to
 * the stand-in; the windows get interim and final lines and the transcription state, the stored call
 * keeps the final words (redacted) and search finds them. Without a key the call goes on, saying why
 * there are no words.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CadenceApp } from '../../../src/app/app';
import { run } from '../../../src/cli/main';
import { encodeWav16 } from '../../../src/dsp/wav';
import { openLibrary } from '../../../src/library/library';
import type { LiveState, TranscriptLine } from '../../../src/shared/rpc';
import { clockFrames, type ScriptPhrase } from '../../helpers/deepgram-standin';
import { startTranscribingApp, type TranscribingApp } from '../../helpers/transcribing-app';
import { tempDir } from '../library/helpers';

const KEY = 'app-key';
const phrase = (text: string, t0: number, channel: number): ScriptPhrase => ({
  channel,
  words: text.split(' ').map((word, i) => ({ word, startMs: t0 + i * 300, endMs: t0 + i * 300 + 250 })),
});
const SCRIPT = [phrase('Hello, you are through to Acme billing.', 300, 0), phrase('Hi, call me back on 555-867-5309 please.', 2700, 1)];

describe('live transcription in the app', () => {
  const tmp = tempDir('cadence-app-stt-');
  let world: TranscribingApp | undefined;
  let app: CadenceApp;
  beforeAll(async () => {
    world = await startTranscribingApp(tmp.dir, KEY, SCRIPT);
    app = world.app;
  });
  afterAll(async () => {
    await world?.close();
    tmp.cleanup();
  });

  async function softphoneCall(sid: string, seconds: number): Promise<{ id: string; lines: TranscriptLine[]; states: LiveState[] }> {
    const lines: TranscriptLine[] = [];
    const states: LiveState[] = [];
    const off = app.events.subscribe((event, payload) => {
      if (event === 'live.transcript') lines.push(payload as TranscriptLine);
      if (event === 'live.state') states.push(payload as LiveState);
    });
    const state = await app.live.startSoftphone({ sid, direction: 'incoming', peer: '+15550001111' });
    for (let b = 0; b < seconds * 50; b += 5) {
      const f = clockFrames(b, 5);
      app.live.softphoneFrames({ type: 'softphone-frames', tMs: b * 20, agent: f.agent, customer: f.customer });
      await new Promise((r) => setTimeout(r, 4));
    }
    await app.live.stop();
    off();
    return { id: state.callId!, lines, states };
  }

  it('streams a softphone call: interim then final lines, stored redacted with words, searchable', async () => {
    await app.secrets.set('deepgram', KEY);
    const { id, lines, states } = await softphoneCall('CA1', 6);
    expect(states.some((s) => s.phase === 'live' && s.transcription?.state === 'on')).toBe(true);
    const finals = lines.filter((l) => l.final === true);
    expect(finals.map((l) => [l.channel, l.text])).toEqual([
      ['agent', 'Hello, you are through to Acme billing.'],
      ['customer', 'Hi, call me back on [phone] please.'],
    ]);
    expect(lines.filter((l) => l.final === false).length).toBeGreaterThan(0);
    // The phone number never reached a window, even as an interim guess.
    expect(lines.some((l) => l.text.includes('867'))).toBe(false);

    const call = (await app.library.calls.get(id))!;
    expect(call.transcript.map((t) => t.text)).toEqual(finals.map((l) => l.text));
    expect(call.transcript[1]!.words!.map((w) => w.word)).toEqual(['Hi,', 'call', 'me', 'back', 'on', '[phone]', 'please.']);
    const w = call.transcript[0]!.words![5]!;
    expect(w.word).toBe('Acme');
    expect(Math.abs(w.startMs - 1800)).toBeLessThanOrEqual(1);
    expect((await app.library.calls.list({ search: 'billing' })).items.map((c) => c.id)).toEqual([id]);
    expect((await app.library.calls.list({ search: '5309' })).items).toEqual([]);
  });

  it('without a key the call goes on with transcription off, and says why', async () => {
    await app.secrets.set('deepgram', null);
    const { id, lines, states } = await softphoneCall('CA2', 2);
    expect(lines).toEqual([]);
    expect(states.find((s) => s.phase === 'live')?.transcription).toEqual({ state: 'off', reason: 'no Deepgram API key' });
    const call = (await app.library.calls.get(id))!;
    expect(call.meta.status).toBe('completed');
    expect(call.meta.durationMs).toBeGreaterThan(1500);
  });

  it('cadence live --transcribe prints the finals and stores them with the call', async () => {
    const { agent, customer } = clockFrames(0, 300); // 6 s
    const wav = join(tmp.dir, 'call.wav');
    writeFileSync(wav, encodeWav16([agent, customer], 16000));
    const db = join(tmp.dir, 'cli.sqlite');
    process.env.DEEPGRAM_API_KEY = KEY;
    const out: string[] = [];
    const err: string[] = [];
    let code: number;
    try {
      code = await run(['live', '--file', wav, '--transcribe', '--json', '--db', db], { out: (l) => out.push(l), err: (l) => err.push(l) });
    } finally {
      delete process.env.DEEPGRAM_API_KEY;
    }
    expect(code, err.join('\n')).toBe(0);
    const msgs = out.map((l) => JSON.parse(l) as { type: string; text?: string; callId?: string });
    expect(msgs.filter((m) => m.type === 'transcript').map((m) => m.text)).toEqual(['Hello, you are through to Acme billing.', 'Hi, call me back on [phone] please.']);
    const callId = msgs.find((m) => m.type === 'report')!.callId!;
    const lib = await openLibrary(db);
    try {
      expect((await lib.calls.get(callId))!.transcript.map((t) => t.channel)).toEqual(['agent', 'customer']);
    } finally {
      await lib.close();
    }
  });
});
