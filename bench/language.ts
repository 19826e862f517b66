/**
 * Language figures: phrase card latency (the words holding a phrase's last word reach the main thread
 * → the card is back from the engine worker), with the worker busy on a real-time audio stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanguageFeed } from '../src/call/language-stage';
import { openLibrary } from '../src/library/library';
import { FRAME_SIZE } from '../src/dsp/frames';
import { EngineHost } from '../src/engine/host';
import { loadPlaybookFile } from '../src/playbook/playbook-file';
import { parsePlaybook } from '../src/shared/playbook';
import type { Figures } from './engine';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

export async function benchLanguage(samples = 200): Promise<Figures> {
  const base = loadPlaybookFile();
  // The price-objection card, allowed to fire on every sample (no cooldown, no cap, closing at once).
  const playbook = parsePlaybook({
    ...base,
    rules: base.rules.map((r) => (r.id === 'price-objection' ? { ...r, cooldownMs: 0, maxPerCall: 1000, condition: { ...r.condition, holdMs: 0 } } : r)),
  });
  const host = await EngineHost.start();
  const latencies: number[] = [];
  let sentAt = NaN;
  let open = false;
  try {
    const feed = new LanguageFeed();
    const session = await host.startSession({ playbook }, (msg) => {
      if (msg.type !== 'nudge' || msg.nudge.ruleId !== 'price-objection') return;
      open = msg.phase === 'open';
      if (open && !Number.isNaN(sentAt)) {
        latencies.push(performance.now() - sentAt);
        sentAt = NaN;
      }
    });
    feed.stage.onSession!(session);
    let stop = false;
    // Audio in real time (100 ms chunks of quiet noise) keeps the worker as busy as a live call.
    const audio = (async () => {
      while (!stop) {
        const a = new Float32Array(5 * FRAME_SIZE).map(() => (Math.random() - 0.5) * 0.01);
        const c = new Float32Array(5 * FRAME_SIZE).map(() => (Math.random() - 0.5) * 0.01);
        session.pushFrames(a, c);
        await sleep(100);
      }
    })();
    const words = 'honestly it is way too expensive for me'.split(' ');
    // Warm-up (the sentiment model loads on the first final), not timed.
    feed.push({ channel: 'customer', text: 'hello there', words: [] }, true);
    for (let i = 0; i < samples; i++) {
      await sleep(60 + Math.random() * 60);
      // The previous card must have closed (at the next audio frame) for this one to open.
      while (open) await sleep(5);
      sentAt = performance.now();
      feed.push({ channel: 'customer', text: words.join(' '), words: words.map((word) => ({ word })) }, true);
    }
    await sleep(200);
    stop = true;
    await audio;
    await session.stop();
  } finally {
    await host.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    'phrase card latency, final word → card (target p95 < 150 ms)': `p50 ${pct(sorted, 0.5).toFixed(1)} ms, p95 ${pct(sorted, 0.95).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms over ${sorted.length}/${samples} cards`,
  };
}

const VOCAB = (
  'router modem internet wifi channel signal outage refund bill invoice plan premium basic upgrade warranty repair technician appointment ' +
  'password account login email payment card bank transfer discount contract cancel fee charge speed fiber cable install setup device ' +
  'phone tablet laptop reset restart firmware update light blinking red green orange evening morning weekend store delivery shipping return'
).split(' ');

/** KB search at `passages` passages: p50/p95 of `lookup` for customer-like utterances. */
export async function benchKnowledge(passages = 10_000, queries = 300): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'cadence-kb-bench-'));
  const lib = await openLibrary(join(dir, 'library.sqlite'));
  try {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    // Support articles: the domain words above among a long tail of others (Zipf-like), as real text has.
    const tail = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
    const word = (): string => (rnd() < 0.25 ? VOCAB[Math.floor(rnd() * VOCAB.length)]! : tail[Math.floor(tail.length * rnd() ** 2)]!);
    const sentence = (n: number): string => Array.from({ length: n }, word).join(' ');
    const domain = (n: number): string => Array.from({ length: n }, () => VOCAB[Math.floor(rnd() * VOCAB.length)]!).join(' ');
    const t0 = performance.now();
    for (let d = 0; d < passages / 100; d++) {
      await lib.kb.add(`doc-${d}.md`, 'md', Array.from({ length: 100 }, (_, i) => ({ heading: `Topic ${d}.${i}`, text: `${sentence(40)}. ${sentence(30)}.` })));
    }
    const addMs = performance.now() - t0;
    const times: number[] = [];
    let strong = 0;
    for (let q = 0; q < queries; q++) {
      const text = `hi so my ${domain(2)} is not working and the ${domain(2)} keeps failing since ${domain(1)}`;
      const t = performance.now();
      if (await lib.kb.lookup(text)) strong++;
      times.push(performance.now() - t);
    }
    const sorted = times.sort((a, b) => a - b);
    return {
      [`knowledge lookup at ${passages.toLocaleString('en')} passages (target p95 < 50 ms)`]: `p50 ${pct(sorted, 0.5).toFixed(1)} ms, p95 ${pct(sorted, 0.95).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms over ${queries} utterances (${strong} strong matches)`,
      'indexing': `${passages.toLocaleString('en')} passages in ${(addMs / 1000).toFixed(1)} s`,
    };
  } finally {
    await lib.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
