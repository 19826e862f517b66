/**
 * Transcription after the fact with the real SDK against the Deepgram stand-in's pre-recorded endpoint:
 * a stereo WAV file (`analyze --transcribe`), a call imported with `--transcribe`, a stored call with
 * `transcribe <id>`; the words stored with their timings, redacted, found by search, printed by `show`
 * and carried by a `.cadence` archive.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../../src/dsp/wav';
import { openWavFile } from '../../../src/capture/wav-file';
import { run } from '../../../src/cli/main';
import { openLibrary } from '../../../src/library/library';
import { SecretStore } from '../../../src/app/secrets';
import { SettingsService } from '../../../src/app/settings';
import { deepgramConfig } from '../../../src/transcription/config';
import { transcribeFrames } from '../../../src/transcription/prerecorded';
import { clockFrames, DeepgramStandin, type ScriptPhrase } from '../../helpers/deepgram-standin';
import { tempDir } from '../library/helpers';

const KEY = 'file-key';
const words = (list: string, t0: number, channel: number): ScriptPhrase => ({
  channel,
  words: list.split(' ').map((word, i) => ({ word, startMs: t0 + i * 300, endMs: t0 + i * 300 + 250, confidence: 0.95 })),
});
/** The customer gives a card number and an e-mail address; the agent names the plan. */
const SCRIPT: ScriptPhrase[] = [
  words('Thanks for calling Acme, this is Dana.', 500, 0),
  words('Hi, I want the zephyr plan.', 3000, 1),
  words('Sure, what card would you like to use?', 6000, 0),
  words('It is 4111 1111 1111 1111 and my email is jo@example.com', 9000, 1),
];

let standin: DeepgramStandin;
let tmp: ReturnType<typeof tempDir>;
let wavPath: string;
const saved = { ...process.env };

async function cadence(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  standin = await DeepgramStandin.start({ apiKey: KEY, script: SCRIPT });
  tmp = tempDir('cadence-stt-');
  // 14 s of clocked audio (see clockFrames): the stand-in answers from its script wherever a piece starts.
  const { agent, customer } = clockFrames(0, 700);
  wavPath = join(tmp.dir, 'Order call.wav');
  writeFileSync(wavPath, encodeWav16([agent, customer], 16000));
  process.env.DEEPGRAM_URL = standin.url;
  process.env.DEEPGRAM_API_KEY = KEY;
});
afterAll(async () => {
  process.env = saved;
  await standin.close();
  tmp.cleanup();
});

describe('pre-recorded transcription', () => {
  it('transcribes a stereo WAV: the right words at the right times on the right channel, redacted', async () => {
    const src = openWavFile(wavPath);
    const progress: number[] = [];
    const segments = await transcribeFrames((f) => src.read(f), deepgramConfig(KEY, { DEEPGRAM_URL: standin.url })!, { pieceMs: 8800, onProgress: (f) => progress.push(f) });
    const q = standin.uploads.at(-1)!;
    expect(Object.fromEntries(q)).toMatchObject({ model: 'nova-3', language: 'en', multichannel: 'true' });
    // Two pieces (8.8 s and the rest), each answered in its own time and put back in call time.
    expect(standin.uploads.length).toBe(2);
    expect(progress.map((f) => f.toFixed(3))).toEqual(['0.629', '1.000']);
    expect(segments.map((s) => [s.channel, s.text])).toEqual([
      ['agent', 'Thanks for calling Acme, this is Dana.'],
      ['customer', 'Hi, I want the zephyr plan.'],
      ['agent', 'Sure, what card would you like to use?'],
      ['customer', 'It is [card] and my email is [email]'],
    ]);
    const first = segments[0]!.words!;
    expect(first[0]).toEqual({ word: 'Thanks', startMs: 500, endMs: 750, confidence: 0.95 });
    expect(first.at(-1)).toMatchObject({ word: 'Dana.', startMs: 500 + 6 * 300 });
    const card = segments[3]!.words!.find((w) => w.word === '[card]')!;
    expect(card).toMatchObject({ startMs: 9000 + 2 * 300, endMs: 9000 + 5 * 300 + 250 });
  });

  it('a word cut at a piece boundary is neither lost nor split: pieces overlap and their words are kept by time', async () => {
    // 20 s in 10 s pieces; "zephyr" (9900–10150 ms) straddles the boundary, its neighbours do not.
    const cut = await DeepgramStandin.start({ apiKey: KEY, script: [words('upgrade to the zephyr plan today', 9000, 0), words('okay sure', 12_000, 1)] });
    const cutWav = join(tmp.dir, 'cut.wav');
    const f = clockFrames(0, 1000);
    writeFileSync(cutWav, encodeWav16([f.agent, f.customer], 16000));
    const config = deepgramConfig(KEY, { DEEPGRAM_URL: cut.url })!;
    try {
      const overlapped = await transcribeFrames((fr) => openWavFile(cutWav).read(fr), config, { pieceMs: 10_000 });
      expect(cut.uploads.length).toBe(2);
      const agentWords = overlapped.filter((s) => s.channel === 'agent').flatMap((s) => s.words!);
      expect(agentWords.map((w) => w.word)).toEqual(['upgrade', 'to', 'the', 'zephyr', 'plan', 'today']);
      expect(agentWords[3]).toMatchObject({ startMs: 9900, endMs: 10_150 });
      expect(overlapped.filter((s) => s.channel === 'customer').map((s) => s.text)).toEqual(['okay sure']);
      // Without the overlap the stand-in's cut is what a recogniser does at an edge: the word comes back in two halves.
      const plain = await transcribeFrames((fr) => openWavFile(cutWav).read(fr), config, { pieceMs: 10_000, overlapMs: 0 });
      expect(plain.filter((s) => s.channel === 'agent').flatMap((s) => s.words!.map((w) => w.word))).toEqual(['upgrade', 'to', 'the', 'ze', 'phyr', 'plan', 'today']);
    } finally {
      await cut.close();
    }
  });

  it('analyze --transcribe --json adds the finals, time-ordered, with words', async () => {
    const r = await cadence('analyze', wavPath, '--transcribe', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { durationMs: number; transcript: { channel: string; startMs: number; endMs: number; text: string; words: { word: string; startMs: number; endMs: number; confidence: number }[] }[] };
    expect(report.durationMs).toBeGreaterThan(13_000);
    expect(report.transcript.map((t) => t.channel)).toEqual(['agent', 'customer', 'agent', 'customer']);
    expect(report.transcript[1]).toMatchObject({ startMs: 3000, endMs: 3000 + 5 * 300 + 250, text: 'Hi, I want the zephyr plan.' });
    expect(report.transcript[1]!.words.map((w) => w.word)).toEqual(['Hi,', 'I', 'want', 'the', 'zephyr', 'plan.']);
  });

  it('analyze --transcribe without a key is a one-line error', async () => {
    delete process.env.DEEPGRAM_API_KEY;
    try {
      const r = await cadence('analyze', wavPath, '--transcribe');
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/^cadence analyze: transcription needs a Deepgram API key/);
      expect(r.err.split('\n')).toHaveLength(1);
    } finally {
      process.env.DEEPGRAM_API_KEY = KEY;
    }
  });

  it('import --transcribe stores the words, redacted; search finds a word; show prints it; an archive carries it', async () => {
    const db = join(tmp.dir, 'lib.sqlite');
    const r = await cadence('import', wavPath, '--transcribe', '--json', '--db', db);
    expect(r.code, r.err).toBe(0);
    const id = (JSON.parse(r.out) as { id: string }).id;

    const lib = await openLibrary(db);
    try {
      const call = (await lib.calls.get(id))!;
      expect(call.transcript.map((t) => t.text), r.err).toContain('It is [card] and my email is [email]');
      expect(call.transcript[0]!.words![0]).toEqual({ word: 'Thanks', startMs: 500, endMs: 750, confidence: 0.95 });
      // Search covers the words, never what was redacted.
      expect((await lib.calls.list({ search: 'zephyr' })).items.map((c) => c.id)).toEqual([id]);
      expect((await lib.calls.list({ search: 'zephyr' })).items[0]!.snippet).toContain('«zephyr»');
      expect((await lib.calls.list({ search: '4111' })).items).toEqual([]);
      expect((await lib.calls.list({ search: 'example' })).items).toEqual([]);
    } finally {
      await lib.close();
    }

    const show = await cadence('show', id, '--db', db);
    expect(show.out).toMatch(/customer\s+Hi, I want the zephyr plan\./);

    const archive = join(tmp.dir, 'call.cadence');
    expect((await cadence('export', id, '--out', archive, '--db', db)).code).toBe(0);
    const db2 = join(tmp.dir, 'other.sqlite');
    expect((await cadence('import', archive, '--db', db2)).code).toBe(0);
    const lib2 = await openLibrary(db2);
    try {
      const copy = (await lib2.calls.get(id))!;
      expect(copy.transcript[0]!.words![0]).toEqual({ word: 'Thanks', startMs: 500, endMs: 750, confidence: 0.95 });
      expect((await lib2.calls.list({ search: 'zephyr' })).items.map((c) => c.id)).toEqual([id]);
    } finally {
      await lib2.close();
    }
  });

  it('transcribe <call-id> transcribes a stored call from its recording', async () => {
    const db = join(tmp.dir, 'later.sqlite');
    const imported = await cadence('import', wavPath, '--json', '--db', db);
    const id = (JSON.parse(imported.out) as { id: string }).id;
    expect((await cadence('calls', '--search', 'zephyr', '--json', '--db', db)).out).not.toContain(id);
    const before = await openLibrary(db);
    expect((await before.calls.get(id))!.report.paceSource).toBe('acoustic');
    await before.close();
    const r = await cadence('transcribe', id.slice(0, 8), '--json', '--db', db);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ id, segments: 4 });
    const lib = await openLibrary(db);
    try {
      expect((await lib.calls.list({ search: 'zephyr' })).items.map((c) => c.id)).toEqual([id]);
      // Pace now comes from the words: the agent's 15 words over two turns of 2050 and 2350 ms.
      const { report } = (await lib.calls.get(id))!;
      expect(report.paceSource).toBe('words');
      expect(Math.abs(report.channels.agent.wpm! - 15 / (4400 / 60000)) / (15 / (4400 / 60000))).toBeLessThan(0.01);
    } finally {
      await lib.close();
    }
  });

  it('a key the desktop app locked in the OS keychain: one line telling to set DEEPGRAM_API_KEY, which then works; model and language come from the settings', async () => {
    const db = join(tmp.dir, 'desktop.sqlite');
    const id = (JSON.parse((await cadence('import', wavPath, '--json', '--db', db)).out) as { id: string }).id;
    const lib = await openLibrary(db);
    // What Electron's safeStorage leaves in the library: ciphertext marked 'os', which only the app can open.
    const keychain = { kind: 'os' as const, encrypt: (t: string) => Buffer.from([...Buffer.from(t)].map((b) => b ^ 0x5a)), decrypt: () => 'never called' };
    await new SecretStore(lib, keychain).set('deepgram', KEY);
    await new SettingsService(lib).set({ transcriptionModel: 'nova-2-phonecall', transcriptionLanguage: 'en-US' });
    await lib.close();
    delete process.env.DEEPGRAM_API_KEY;
    try {
      const r = await cadence('transcribe', id, '--db', db);
      expect(r.code).toBe(1);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/locked in the operating system's keychain, which the command line cannot open: set DEEPGRAM_API_KEY$/);
    } finally {
      process.env.DEEPGRAM_API_KEY = KEY;
    }
    const ok = await cadence('transcribe', id, '--json', '--db', db);
    expect(ok.code, ok.err).toBe(0);
    const q = standin.uploads.at(-1)!;
    expect([q.get('model'), q.get('language')]).toEqual(['nova-2-phonecall', 'en-US']);

    // With "silence masked numbers" on (an app setting the CLI follows), the recording is rewritten where the card was said.
    const again = await openLibrary(db);
    const before = (await again.calls.get(id))!.recording!.sha256;
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    await new SettingsService(again).set({ muteRedactedAudio: true });
    await again.close();
    expect((await cadence('transcribe', id, '--json', '--db', db)).code).toBe(0);
    const after = await openLibrary(db);
    expect((await after.calls.get(id))!.recording!.sha256).not.toBe(before);
    await after.close();
  });

  it('a refused key is a one-line error naming it', async () => {
    process.env.DEEPGRAM_API_KEY = 'wrong';
    try {
      const r = await cadence('analyze', wavPath, '--transcribe');
      expect(r.code).not.toBe(0);
      expect(r.err).toBe('cadence analyze: transcription failed: Deepgram refused the API key (401)');
    } finally {
      process.env.DEEPGRAM_API_KEY = KEY;
    }
  });
});
