/**
 * A scripted call for the language features: the Deepgram stand-in "hears" the script, the real
 * LiveTranscriber (real SDK) turns it into interim and final words, the LanguageFeed sends them to a
 * real engine worker, which is fed the same audio clock. Used by the card and checklist tests and the
 * phrase-latency bench.
 */
import { readFileSync } from 'node:fs';
import { LanguageFeed, type LanguageFeedOptions } from '../../src/call/language-stage';
import { EngineHost } from '../../src/engine/host';
import { defaultPlaybookPath } from '../../src/playbook/playbook-file';
import { parsePlaybook, type Playbook } from '../../src/shared/playbook';
import type { LanguageSnapshot } from '../../src/shared/phrase';
import type { ChannelName, Nudge } from '../../src/shared/types';
import { deepgramConfig } from '../../src/transcription/config';
import { LiveTranscriber, type LiveWords } from '../../src/transcription/live';
import { clockFrames, DeepgramStandin, type ScriptPhrase } from './deepgram-standin';

/** One line of a scripted call: who says what, starting when (call ms). Words are 300 ms apart. */
export interface Line {
  readonly who: ChannelName;
  readonly atMs: number;
  readonly text: string;
}

export const WORD_MS = 300;

/** A call that says every default card's phrase and every checklist item once (43 s). */
export const FULL_CALL: readonly Line[] = [
  { who: 'agent', atMs: 500, text: 'Thanks for calling Acme, my name is Sam.' },
  { who: 'agent', atMs: 3500, text: 'Just so you know, this call is being recorded for quality.' },
  { who: 'customer', atMs: 8000, text: 'Um, honestly it is, like, way too expensive, you know, for what I get every month.' },
  { who: 'customer', atMs: 14000, text: 'Spectrum offered me a better deal.' },
  { who: 'customer', atMs: 17000, text: "I'm thinking about cancelling my account." },
  { who: 'agent', atMs: 20000, text: 'Could you confirm your date of birth?' },
  { who: 'customer', atMs: 23000, text: 'This is ridiculous and I am really angry.' },
  { who: 'customer', atMs: 26000, text: 'The service has been terrible and useless.' },
  { who: 'customer', atMs: 29000, text: 'Let me speak with your manager.' },
  { who: 'customer', atMs: 32000, text: 'Also my router is really old.' },
  { who: 'agent', atMs: 35000, text: 'So to recap, we are sending you a new router.' },
  { who: 'agent', atMs: 39000, text: 'Is there anything else I can help with today?' },
];


export function scriptOf(lines: readonly Line[]): ScriptPhrase[] {
  return lines.map((l) => ({
    channel: l.who === 'agent' ? 0 : 1,
    words: l.text.split(/\s+/).map((word, i) => ({ word, startMs: l.atMs + i * WORD_MS, endMs: l.atMs + i * WORD_MS + 250, confidence: 0.95 })),
  }));
}

export function defaultPlaybook(): Playbook {
  return parsePlaybook(JSON.parse(readFileSync(defaultPlaybookPath(), 'utf8')));
}

export interface ScriptedCall {
  /** Nudges as they opened, with the wall time (performance.now) they reached this thread. */
  readonly opened: { readonly nudge: Nudge; readonly at: number }[];
  readonly closed: Nudge[];
  readonly language: LanguageSnapshot[];
  readonly finals: { readonly words: LiveWords; readonly at: number }[];
  /** Knowledge cards as they opened. */
  readonly cards: Nudge[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `lines` as a call of `durationMs` through stand-in → transcriber → feed → worker, the audio
 * going at about `speed`× real time.
 */
export async function runScriptedCall(lines: readonly Line[], durationMs: number, opts: { playbook?: Playbook; speed?: number; lookup?: LanguageFeedOptions['lookup'] } = {}): Promise<ScriptedCall> {
  const key = 'test-key';
  const standin = await DeepgramStandin.start({ apiKey: key, script: scriptOf(lines) });
  const host = await EngineHost.start();
  const out: ScriptedCall = { opened: [], closed: [], language: [], finals: [], cards: [] };
  try {
    const feed = new LanguageFeed({ ...(opts.lookup && { lookup: opts.lookup }), onCard: (phase, n) => phase === 'open' && out.cards.push(n) });
    const session = await host.startSession({ playbook: opts.playbook ?? defaultPlaybook() }, (msg) => {
      if (msg.type === 'nudge') {
        if (msg.phase === 'open') out.opened.push({ nudge: msg.nudge, at: performance.now() });
        else out.closed.push(msg.nudge);
      } else if (msg.type === 'language') out.language.push(msg.snapshot);
    });
    feed.stage.onSession!(session);
    const t = new LiveTranscriber({
      config: deepgramConfig(key, { DEEPGRAM_URL: standin.url }),
      finalWaitMs: 2000,
      onInterim: (w) => feed.push(w, false),
      onFinal: (w) => {
        out.finals.push({ words: w, at: performance.now() });
        feed.push(w, true);
      },
    });
    t.start();
    const blocks = Math.ceil(durationMs / 20);
    const step = 5;
    // 5 blocks (100 ms of audio) per tick: `speed`× real time, the socket and worker keeping up.
    const tickMs = 100 / (opts.speed ?? 20);
    for (let b = 0; b < blocks; b += step) {
      const f = clockFrames(b, step);
      t.stage.onFrames!(f.agent, f.customer);
      session.pushFrames(f.agent, f.customer);
      await sleep(tickMs);
    }
    await t.end();
    await feed.stage.onEnd?.(undefined as never);
    await session.drain();
    await session.stop();
  } finally {
    await host.close();
    await standin.close();
  }
  return out;
}
