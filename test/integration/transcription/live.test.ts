/**
 * The live transcriber with the real SDK against the Deepgram stand-in: words at the right times on
 * the right channel, interim replaced by final, nothing lost or repeated across a dropped connection,
 * auth and quota refusals reported once, KeepAlive through silence, and degraded mode without a key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deepgramConfig } from '../../../src/transcription/config';
import { LiveTranscriber, type LiveTranscriberOptions, type LiveWords, type TranscriptionStatus } from '../../../src/transcription/live';
import { clockFrames, DeepgramStandin, type ScriptPhrase } from '../../helpers/deepgram-standin';

const KEY = 'test-key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Words every 400 ms per phrase, phrases alternating channels, 1.5 s apart. */
function script(phrases: number): ScriptPhrase[] {
  const out: ScriptPhrase[] = [];
  for (let p = 0; p < phrases; p++) {
    const t0 = 200 + p * 1500;
    out.push({ channel: p % 2, words: [0, 1, 2].map((i) => ({ word: `w${p}_${i}`, startMs: t0 + i * 400, endMs: t0 + i * 400 + 300, confidence: 0.9 })) });
  }
  return out;
}

let standin: DeepgramStandin | null = null;
afterEach(async () => {
  await standin?.close();
  standin = null;
});

interface Run {
  readonly t: LiveTranscriber;
  readonly finals: LiveWords[];
  readonly interims: LiveWords[];
  readonly statuses: TranscriptionStatus[];
  /** What a caption shows per channel: the latest interim until its final replaces it. */
  readonly caption: Map<string, LiveWords>;
}

function transcriber(s: DeepgramStandin, key: string | null, extra: Partial<LiveTranscriberOptions> = {}): Run {
  const finals: LiveWords[] = [];
  const interims: LiveWords[] = [];
  const statuses: TranscriptionStatus[] = [];
  const caption = new Map<string, LiveWords>();
  const t = new LiveTranscriber({
    config: deepgramConfig(key, { DEEPGRAM_URL: s.url }),
    backoffMs: [50],
    finalWaitMs: 2000,
    onFinal: (w) => {
      finals.push(w);
      caption.set(w.channel, w);
    },
    onInterim: (w) => {
      interims.push(w);
      caption.set(w.channel, w);
    },
    onStatus: (st) => statuses.push(st),
    ...extra,
  });
  t.start();
  return { t, finals, interims, statuses, caption };
}

/** Feeds `blocks` 20 ms blocks of clocked audio from block `from`, 5 at a time, letting the socket breathe. */
async function feed(t: LiveTranscriber, from: number, blocks: number, onBlock?: (b: number) => void): Promise<void> {
  for (let b = from; b < from + blocks; b += 5) {
    const f = clockFrames(b, 5);
    t.stage.onFrames!(f.agent, f.customer);
    onBlock?.(b);
    await sleep(4);
  }
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await sleep(10);
  }
}

describe('live transcription against the stand-in', () => {
  it('puts the right words at the right times on the right channel, interim replaced by final', async () => {
    standin = await DeepgramStandin.start({ apiKey: KEY, script: script(4) });
    const run = transcriber(standin, KEY, { keyterms: ['Premium plan', 'Acme'] });
    await waitFor(() => run.t.status.state === 'on');
    await feed(run.t, 0, 350); // 7 s
    await run.t.end();

    const q = standin.connections[0]!.query;
    expect(Object.fromEntries([...q.entries()].filter(([k]) => k !== 'keyterm'))).toMatchObject({
      model: 'nova-3',
      language: 'en',
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '2',
      multichannel: 'true',
      interim_results: 'true',
      utterance_end_ms: '1000',
      vad_events: 'true',
      punctuate: 'true',
    });
    expect(q.getAll('keyterm')).toEqual(['Premium plan', 'Acme']);
    expect(standin.connections[0]!.bytes).toBe(350 * 320 * 4);
    expect(standin.connections[0]!.closeStreams).toBe(1);

    const expected = script(4);
    expect(run.finals.map((f) => f.channel)).toEqual(['agent', 'customer', 'agent', 'customer']);
    run.finals.forEach((f, i) => {
      expect(f.final).toBe(true);
      expect(f.text).toBe(expected[i]!.words.map((w) => w.word).join(' '));
      f.words.forEach((w, j) => {
        expect(Math.abs(w.startMs - expected[i]!.words[j]!.startMs)).toBeLessThanOrEqual(1);
        expect(Math.abs(w.endMs - expected[i]!.words[j]!.endMs)).toBeLessThanOrEqual(1);
        expect(w.confidence).toBeCloseTo(0.9, 5);
      });
    });
    // Interims came first, growing word by word, each a prefix of the final that replaced it.
    for (const [i, f] of run.finals.entries()) {
      const mine = run.interims.filter((x) => x.channel === f.channel && x.startMs === f.startMs);
      expect(mine.length, `interims of phrase ${i}`).toBeGreaterThan(0);
      for (const x of mine) expect(f.text.startsWith(x.text)).toBe(true);
    }
    expect([...run.caption.values()].every((w) => w.final)).toBe(true);
    expect(run.statuses.at(-1)).toEqual({ state: 'on', reason: null });
  });

  it('loses and duplicates no final across a dropped connection', async () => {
    const phrases = script(8); // 0.2 … 11.7 s
    standin = await DeepgramStandin.start({ apiKey: KEY, script: phrases });
    const run = transcriber(standin, KEY);
    await waitFor(() => run.t.status.state === 'on');
    let dropped = false;
    // Drop mid-phrase: phrase 3 (customer, 4.7–5.7 s) has begun, phrase 2 (agent) is final.
    await feed(run.t, 0, 650, (b) => {
      if (!dropped && b >= 260) {
        dropped = true;
        standin!.drop();
      }
    });
    await run.t.end();

    expect(standin.connections.length).toBeGreaterThanOrEqual(2);
    expect(run.t.stats.reconnects).toBeGreaterThanOrEqual(1);
    // The replay repeated audio the first connection had finalised: those repeats were dropped.
    expect(run.t.stats.duplicatesDropped).toBeGreaterThan(0);
    const words = run.finals.flatMap((f) => f.words.map((w) => ({ channel: f.channel, ...w })));
    const want = phrases.flatMap((p) => p.words.map((w) => ({ channel: p.channel === 0 ? 'agent' : 'customer', ...w })));
    expect(words.map((w) => `${w.channel}:${w.word}`).sort()).toEqual(want.map((w) => `${w.channel}:${w.word}`).sort());
    for (const w of words) {
      const truth = want.find((x) => x.word === w.word)!;
      expect(Math.abs(w.startMs - truth.startMs), w.word).toBeLessThanOrEqual(1);
    }
    expect(run.statuses.some((s) => s.state === 'degraded' && /lost/.test(s.reason ?? ''))).toBe(true);
    expect(run.t.status.state).toBe('on');
  });

  it('reports a refused key once, as what it is, and does not retry', async () => {
    standin = await DeepgramStandin.start({ apiKey: KEY, script: script(1) });
    const run = transcriber(standin, 'wrong-key');
    await waitFor(() => run.t.status.state === 'off');
    await feed(run.t, 0, 50);
    await sleep(300);
    await run.t.end();
    expect(standin.refusals).toEqual([401]);
    expect(run.statuses.filter((s) => s.state === 'off')).toEqual([{ state: 'off', reason: 'Deepgram refused the API key (401)' }]);
    expect(run.finals).toEqual([]);
  });

  it('reports a quota refusal once and does not retry', async () => {
    standin = await DeepgramStandin.start({ apiKey: KEY, script: script(1) });
    standin.failWith(429);
    const run = transcriber(standin, KEY);
    await waitFor(() => run.t.status.reason?.includes('429') ?? false);
    await feed(run.t, 0, 50);
    await sleep(300);
    await run.t.end();
    expect(standin.refusals).toEqual([429]);
    expect(run.statuses.filter((s) => s.reason?.includes('429'))).toEqual([{ state: 'degraded', reason: 'Deepgram quota or rate limit reached (429)' }]);
  });

  it('keeps an idle call open past the idle limit with KeepAlive (and the limit is real without it)', async () => {
    standin = await DeepgramStandin.start({ apiKey: KEY, script: [{ channel: 1, words: [{ word: 'later', startMs: 1200, endMs: 1500 }] }], idleTimeoutMs: 400 });
    const quiet = transcriber(standin, KEY, { keepAliveMs: 100_000, maxAttempts: 0 });
    await waitFor(() => quiet.t.status.state === 'on');
    await feed(quiet.t, 0, 10);
    await sleep(800);
    expect(standin.connections[0]!.closeCode).toBe(1011);
    quiet.t.abort();

    const run = transcriber(standin, KEY, { keepAliveMs: 100 });
    await waitFor(() => run.t.status.state === 'on');
    await feed(run.t, 0, 10);
    await sleep(1200); // three idle limits without audio
    expect(standin.connections[1]!.closeCode).toBeNull();
    expect(standin.connections[1]!.keepAlives).toBeGreaterThanOrEqual(3);
    await feed(run.t, 10, 90);
    await run.t.end();
    expect(standin.connections.length).toBe(2);
    expect(run.finals.map((f) => f.text)).toEqual(['later']);
    expect(run.finals[0]!.channel).toBe('customer');
  });

  it('runs degraded without a key: the stage takes frames and says why it is off', async () => {
    standin = await DeepgramStandin.start({ apiKey: KEY, script: script(1) });
    const run = transcriber(standin, null);
    await feed(run.t, 0, 20);
    await run.t.end();
    expect(run.statuses).toEqual([{ state: 'off', reason: 'no Deepgram API key' }]);
    expect(standin.connections).toEqual([]);
  });

  it('runs degraded when the service is down: a few attempts with backoff, then says so and stops trying', async () => {
    const statuses: TranscriptionStatus[] = [];
    const t = new LiveTranscriber({ config: deepgramConfig(KEY, { DEEPGRAM_URL: 'http://127.0.0.1:1' }), backoffMs: [20, 40], maxAttempts: 2, onStatus: (s) => statuses.push(s) });
    t.start();
    await waitFor(() => /unreachable/.test(t.status.reason ?? ''));
    await feed(t, 0, 20);
    await sleep(300); // the remaining attempts
    await t.end();
    expect(statuses.map((s) => s.state)).toEqual(['degraded', 'degraded']);
    expect(t.status.reason).toMatch(/^Deepgram unreachable: .*ECONNREFUSED/);
    // Reported when it first failed, not again on every attempt.
    expect(statuses.filter((s) => /unreachable/.test(s.reason ?? '')).length).toBe(1);
    expect(t.stats.connections).toBe(0);
  });

  it('renews the connection before a stream limit without losing or repeating a final', async () => {
    const phrases = script(6); // 0.2 … 8.7 s
    standin = await DeepgramStandin.start({ apiKey: KEY, script: phrases });
    const run = transcriber(standin, KEY, { renewAfterMs: 150, keepAliveMs: 100 });
    await waitFor(() => run.t.status.state === 'on');
    await feed(run.t, 0, 475);
    await run.t.end();
    expect(standin.connections.length).toBeGreaterThanOrEqual(3);
    // Each renewed connection was finished properly, not dropped.
    expect(standin.connections.slice(0, -1).every((c) => c.closeStreams === 1 && c.closeCode === 1000)).toBe(true);
    const got = run.finals.flatMap((f) => f.words.map((w) => `${f.channel}:${w.word}@${Math.round(w.startMs)}`));
    const want = phrases.flatMap((p) => p.words.map((w) => `${p.channel === 0 ? 'agent' : 'customer'}:${w.word}@${w.startMs}`));
    expect(got.sort()).toEqual(want.sort());
    expect(run.statuses.every((s) => s.state !== 'degraded' || s.reason === 'connecting to Deepgram')).toBe(true);
  });
});
