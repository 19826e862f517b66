/**
 * Pace from words in a live call: the transcriber stage's finals reach the engine worker (the `words`
 * message), the live pace metric and the summary are counted from them, and the summary says so. The
 * script's agent speaks 40 words of 300 ms every 400 ms (one turn): 40 / 15.9 s ≈ 150.9 wpm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCall, type CallSource } from '../../../src/call/session';
import { EngineHost } from '../../../src/engine/host';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import type { SessionOutput } from '../../../src/shared/engine-protocol';
import { deepgramConfig } from '../../../src/transcription/config';
import { LiveTranscriber } from '../../../src/transcription/live';
import { clockFrames, DeepgramStandin, type ScriptPhrase } from '../../helpers/deepgram-standin';

const KEY = 'pace-key';
const playbook = loadPlaybookFile();
const AGENT_WORDS = 40;
const EXPECTED_WPM = AGENT_WORDS / ((39 * 400 + 300) / 60000);
const CALL_BLOCKS = 1000; // 20 s

const script: ScriptPhrase[] = [
  { channel: 0, words: Array.from({ length: AGENT_WORDS }, (_, i) => ({ word: `a${i}`, startMs: 500 + i * 400, endMs: 800 + i * 400, confidence: 0.9 })) },
  { channel: 1, words: Array.from({ length: 6 }, (_, i) => ({ word: `c${i}`, startMs: 17_000 + i * 350, endMs: 17_300 + i * 350, confidence: 0.9 })) },
];

/** Clocked audio for `blocks` 20 ms blocks, 100 ms at a time every 20 ms (5× real time). */
function clockSource(blocks: number): CallSource {
  let timer: NodeJS.Timeout | null = null;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  let sent = 0;
  return {
    description: 'clocked test audio',
    finished,
    start(sink) {
      timer = setInterval(() => {
        if (sent >= blocks) return done();
        const f = clockFrames(sent, 5);
        sent += 5;
        sink.frames(f.agent, f.customer, performance.now());
      }, 20);
      return Promise.resolve();
    },
    stop() {
      if (timer) clearInterval(timer);
      return Promise.resolve();
    },
    stats: () => ({ droppedSamples: 0, paddedSamples: 0, frames: sent }),
  };
}

let standin: DeepgramStandin | null = null;
let host: EngineHost | null = null;
afterEach(async () => {
  await standin?.close();
  await host?.close();
  standin = null;
  host = null;
});

describe('pace from words', () => {
  it('a live call with a transcript: pace in the metrics and the summary comes from the words', async () => {
    standin = await DeepgramStandin.start({ apiKey: KEY, script });
    host = await EngineHost.start();
    const t = new LiveTranscriber({ config: deepgramConfig(KEY, { DEEPGRAM_URL: standin.url }), finalWaitMs: 3000 });
    const paces: number[] = [];
    const result = await runCall(clockSource(CALL_BLOCKS), { playbook, engine: host }, [
      t.stage,
      {
        onOutput: (m: SessionOutput) => {
          if (m.type === 'metrics' && m.snapshot['agent.wpm'] !== null) paces.push(m.snapshot['agent.wpm']);
        },
      },
    ]);
    expect(t.stats.finals).toBeGreaterThanOrEqual(2);
    expect(result.report.paceSource).toBe('words');
    // The whole call: 40 words over their speaking time, within 1 %.
    expect(Math.abs(result.report.channels.agent.wpm! - EXPECTED_WPM) / EXPECTED_WPM).toBeLessThan(0.01);
    // Six customer words are under the 3 s of speech a whole-call pace needs.
    expect(result.report.channels.customer.wpm).toBeNull();
    // Live: once the words arrived, the rolling pace the rules read is the words' (silent audio has no acoustic pace).
    expect(paces.length).toBeGreaterThan(0);
    expect(Math.abs(paces.at(-1)! - EXPECTED_WPM) / EXPECTED_WPM).toBeLessThan(0.02);
  }, 30_000);

  it('without words the acoustic estimate stays, and the summary says so', async () => {
    host = await EngineHost.start();
    const result = await runCall(clockSource(100), { playbook, engine: host });
    expect(result.report.paceSource).toBe('acoustic');
  }, 20_000);
});
