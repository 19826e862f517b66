/**
 * Transcription of Twilio calls: media-stream-server runs the transcriber stage per call (real SDK,
 * Deepgram stand-in). Agent apps on /agent get the call's lines and its transcription state; finals are
 * stored with the call and pace comes from them. With a refused key the call goes on and /agent is
 * told why transcription is off.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openLibrary, type Library } from '../../../src/library/library';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { startMediaStreamServer, type MediaStreamServer } from '../../../src/telephony/media-stream-server';
import { deepgramConfig } from '../../../src/transcription/config';
import { DeepgramStandin, type ScriptPhrase } from '../../helpers/deepgram-standin';
import { sendStream } from '../../fixtures/twilio-stream';
import { tempDir } from '../library/helpers';

const KEY = 'twilio-key';
const SCRIPT: ScriptPhrase[] = [
  { channel: 0, words: 'thanks for calling how can I help'.split(' ').map((word, i) => ({ word, startMs: 400 + i * 350, endMs: 700 + i * 350, confidence: 0.9 })) },
  { channel: 1, words: 'my order never arrived'.split(' ').map((word, i) => ({ word, startMs: 3500 + i * 350, endMs: 3800 + i * 350, confidence: 0.9 })) },
];
/** Six seconds of a quiet line per track, 8 kHz μ-law (0xff is silence). */
const LINE = new Uint8Array(8000 * 6).fill(0xff);

interface Pushed {
  type: string;
  phase?: string;
  callSid?: string;
  channel?: string;
  text?: string;
  startMs?: number;
  final?: boolean;
  state?: string;
  reason?: string | null;
  callId?: string | null;
  report?: { paceSource?: string };
}

let standin: DeepgramStandin | null = null;
let server: MediaStreamServer | null = null;
let lib: Library | null = null;
let tmp: ReturnType<typeof tempDir> | null = null;
afterEach(async () => {
  await server?.close();
  await lib?.close();
  await standin?.close();
  tmp?.cleanup();
  server = lib = standin = tmp = null;
});

async function call(key: string, callSid: string): Promise<Pushed[]> {
  standin = await DeepgramStandin.start({ apiKey: KEY, script: SCRIPT });
  tmp = tempDir('cadence-twilio-stt-');
  lib = await openLibrary(`${tmp.dir}/lib.sqlite`);
  server = await startMediaStreamServer({
    playbook: loadPlaybookFile(),
    agentSecret: 's',
    library: lib,
    transcription: { config: deepgramConfig(key, { DEEPGRAM_URL: standin.url }) },
  });
  const agent = new WebSocket(`${server.url.replace('http', 'ws')}/agent`, { headers: { authorization: 'Bearer s' } });
  const pushed: Pushed[] = [];
  agent.on('message', (d) => pushed.push(JSON.parse(String(d)) as Pushed));
  await new Promise((r) => agent.once('open', r));
  const twilio = new WebSocket(`${server.url.replace('http', 'ws')}/media`);
  await new Promise((r) => twilio.once('open', r));
  sendStream(twilio, { streamSid: 'MZ1', callSid, accountSid: 'AC1' }, LINE, LINE);
  const deadline = Date.now() + 20_000;
  while (!pushed.some((m) => m.type === 'call' && m.phase === 'end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  twilio.close();
  agent.close();
  return pushed;
}

describe('transcription of media-stream-server calls', () => {
  it('lines and state go to /agent; finals are stored with the call and give its pace', async () => {
    const pushed = await call(KEY, 'CA-words');
    const finals = pushed.filter((m) => m.type === 'transcript' && m.final);
    expect(finals.map((m) => [m.channel, m.text])).toEqual([
      ['agent', 'thanks for calling how can I help'],
      ['customer', 'my order never arrived'],
    ]);
    expect(finals.every((m) => m.callSid === 'CA-words')).toBe(true);
    expect(finals[0]!.startMs).toBeCloseTo(400, -1);
    expect(finals[1]!.startMs).toBeCloseTo(3500, -1);
    expect(pushed.filter((m) => m.type === 'transcription').at(-1)).toMatchObject({ callSid: 'CA-words', state: 'on', reason: null });
    const end = pushed.find((m) => m.type === 'call' && m.phase === 'end')!;
    expect(end.report?.paceSource).toBe('words');
    const stored = (await lib!.calls.get(end.callId!))!;
    expect(stored.transcript.map((t) => t.text)).toEqual(['thanks for calling how can I help', 'my order never arrived']);
  }, 40_000);

  it('a refused key: /agent is told transcription is off and why, and the call is still coached and stored', async () => {
    const pushed = await call('wrong-key', 'CA-nokey');
    const states = pushed.filter((m) => m.type === 'transcription');
    expect(states.at(-1)).toMatchObject({ callSid: 'CA-nokey', state: 'off' });
    expect(states.at(-1)!.reason).toMatch(/refused the API key \(401\)/);
    expect(pushed.filter((m) => m.type === 'transcript')).toEqual([]);
    const end = pushed.find((m) => m.type === 'call' && m.phase === 'end')!;
    expect(end.report?.paceSource).toBe('acoustic');
    expect(await lib!.calls.get(end.callId!)).toBeDefined();
    expect(standin!.refusals).toEqual([401]);
  }, 40_000);
});
