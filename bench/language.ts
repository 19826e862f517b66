/**
 * Language figures: phrase card latency (the words holding a phrase's last word reach the main thread
 * → the card is back from the engine worker), with the worker busy on a real-time audio stream.
 */
import { LanguageFeed } from '../src/call/language-stage';
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
