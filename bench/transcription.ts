/**
 * Transcription figures, with the real `@deepgram/sdk` against the Deepgram stand-in (test/helpers):
 * - stand-in round trip: from sending the audio that ends a phrase (its last word plus the stand-in's
 *   300 ms endpointing) to its final result arriving (what the network and the SDK add);
 * - bytes sent per minute of call (two channels of linear16 at 16 kHz: 3.84 MB expected);
 * - CPU per live call: this process's CPU while the transcriber streams a call in real time, the
 *   stand-in running in a child process so its work is not counted;
 * - word → overlay latency: a final line reaching the app to its caption painted in the overlay, in
 *   Debian's Chromium through the browser host (target p95 < 100 ms).
 *
 *   npm run bench transcription      (CADENCE_BENCH_STT_SECONDS: the real-time call, default 30)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../test/e2e/chromium';
import { buildRendererInto, percentile, ROOT, startUi, tempDir } from '../test/e2e/harness';
import { clockFrames, type ScriptPhrase } from '../test/helpers/deepgram-standin';
import { deepgramConfig } from '../src/transcription/config';
import { LiveTranscriber } from '../src/transcription/live';

const KEY = 'bench-key';
const ENDPOINTING_MS = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A phrase of four words every 1.5 s, alternating channels, for `seconds` of call. */
function script(seconds: number): ScriptPhrase[] {
  const out: ScriptPhrase[] = [];
  for (let t = 300, p = 0; t + 1400 < seconds * 1000; t += 1500, p++) {
    out.push({ channel: p % 2, words: [0, 1, 2, 3].map((i) => ({ word: `w${p}_${i}`, startMs: t + i * 300, endMs: t + i * 300 + 250, confidence: 0.9 })) });
  }
  return out;
}

/** The stand-in in its own process (so its CPU is not this process's); resolves with its URL. */
function standinProcess(phrases: ScriptPhrase[]): Promise<{ url: string; child: ChildProcess }> {
  const code = `const { DeepgramStandin } = await import('./test/helpers/deepgram-standin.ts');
    const s = await DeepgramStandin.start({ apiKey: ${JSON.stringify(KEY)}, script: JSON.parse(process.env.CADENCE_STANDIN_SCRIPT) });
    console.log(s.url);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, CADENCE_STANDIN_SCRIPT: JSON.stringify(phrases) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`stand-in exited (${c})`)));
    child.stdout!.once('data', (d: Buffer) => resolve({ url: String(d).trim(), child }));
  });
}

/** One call streamed in real time: round trips, bytes per minute, CPU share. */
async function liveCall(seconds: number): Promise<Record<string, string>> {
  const phrases = script(seconds);
  const { url, child } = await standinProcess(phrases);
  try {
    const sentAt = new Map<number, number>();
    const trips: number[] = [];
    const t = new LiveTranscriber({
      config: deepgramConfig(KEY, { DEEPGRAM_URL: url }),
      finalWaitMs: 3000,
      onFinal: (w) => {
        // The stand-in finalises once its audio passes the last word's end plus its endpointing.
        const block = Math.ceil((w.endMs + ENDPOINTING_MS) / 20);
        const sent = [...sentAt.keys()].filter((b) => b >= block).sort((a, b) => a - b)[0];
        if (sent !== undefined) trips.push(performance.now() - sentAt.get(sent)!);
      },
    });
    t.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // Real time: 100 ms of audio every 100 ms, as a capture device delivers it.
    for (let b = 0; b < seconds * 50; b += 5) {
      const f = clockFrames(b, 5);
      t.stage.onFrames!(f.agent, f.customer);
      sentAt.set(b + 5, performance.now());
      const due = t0 + (b + 5) * 20;
      await sleep(Math.max(0, due - performance.now()));
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await t.end();
    const s = t.stats;
    return {
      'stand-in round trip (phrase end sent → final), p50': `${percentile(trips, 0.5).toFixed(1)} ms`,
      'stand-in round trip, p95': `${percentile(trips, 0.95).toFixed(1)} ms (${trips.length} of ${phrases.length} finals)`,
      'bytes sent per minute of call': `${((s.bytesSent / (seconds / 60)) / 1e6).toFixed(2)} MB (2 ch linear16 16 kHz = 3.84 MB)`,
      'CPU per live call (transcriber + SDK, this process)': `${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(2)} % of a core over ${seconds} s`,
      'finals lost / repeated': `${phrases.length - s.finals} / ${s.duplicatesDropped}`,
    };
  } finally {
    child.kill();
  }
}

/** A softphone call in the app with the overlay open in Chromium: final received → caption painted. */
async function captionLatency(): Promise<Record<string, string>> {
  const missing = chromiumMissing();
  if (missing) return { 'word → overlay latency': `skipped: ${missing}` };
  const phrases = script(60);
  const { url, child } = await standinProcess(phrases);
  const saved = process.env.DEEPGRAM_URL;
  process.env.DEEPGRAM_URL = url;
  const tmp = tempDir('cadence-bench-stt-');
  const renderer = await buildRendererInto(join(tmp.dir, 'renderer'));
  const ui = await startUi(join(tmp.dir, 'data'), renderer);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  try {
    await ui.app.settings.set({ firstRunDone: true, overlayMode: 'expanded' });
    await ui.app.secrets.set('deepgram', KEY);
    const page = await browser.newPage({ viewport: { width: 380, height: 720 } });
    await page.goto(`${ui.host.url}#/overlay`);
    await page.getByTestId('overlay').waitFor();
    await ui.app.live.startSoftphone({ sid: 'CA-bench', direction: 'incoming', peer: '+15550001111' });
    // 60 s of call at 4× real time: a final about every 400 ms.
    for (let b = 0; b < 60 * 50; b += 5) {
      const f = clockFrames(b, 5);
      ui.app.live.softphoneFrames({ type: 'softphone-frames', tMs: b * 20, agent: f.agent, customer: f.customer });
      await sleep(25);
    }
    await ui.app.live.stop();
    await page.waitForTimeout(300);
    const paints = await page.evaluate(() => ((globalThis as { __cadenceCaptionPaint?: { ms: number }[] }).__cadenceCaptionPaint ?? []).map((p) => p.ms));
    return {
      'word → overlay (final received → caption painted), p50': `${percentile(paints, 0.5).toFixed(1)} ms`,
      'word → overlay, p95 (target < 100 ms)': `${percentile(paints, 0.95).toFixed(1)} ms (${paints.length} captions)`,
    };
  } finally {
    await browser.close();
    await ui.close();
    tmp.cleanup();
    child.kill();
    if (saved === undefined) delete process.env.DEEPGRAM_URL;
    else process.env.DEEPGRAM_URL = saved;
  }
}

export async function benchTranscription(): Promise<Record<string, string>> {
  const seconds = Number(process.env.CADENCE_BENCH_STT_SECONDS ?? 30);
  return { ...(await liveCall(seconds)), ...(await captionLatency()) };
}
