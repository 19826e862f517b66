/**
 * The softphone audio tap in Debian's Chromium with fake media: a generated WAV (a tone marker and two
 * synthesised utterances at known times) as the fake microphone (agent), a tone schedule from a second
 * AudioContext as the remote stream (customer). Checks frame size and rate, what resampling does to a
 * tone's frequency and level (and to a tone above 8 kHz), the alignment of the two sides, and that the
 * frames run through the real engine give speech where the fake mic had speech.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Browser } from '@playwright/test';
import { createEngine } from '../../../src/engine/engine';
import { FRAME_SIZE, SAMPLE_RATE } from '../../../src/dsp/frames';
import { encodeWav16 } from '../../../src/dsp/wav';
import type { SpeechSegment } from '../../../src/shared/types';
import type { TapPlan, TapRun } from '../../../src/renderer/src/softphone/harness/tap-plan';
import { defaultPlaybook } from '../../fixtures/run';
import { synth } from '../../fixtures/speech';
import { AGENT_LINES } from '../../fixtures/texts';
import { chromiumMissing } from '../chromium';
import { buildHarness, fromBase64F32, launchChromium, serveDir, tempDir, type Served } from './harness';

type TapWindow = { cadenceTap: { run(plan: TapPlan): Promise<TapRun> } };

// The fake microphone: 0.5 s silence, 0.5 s marker (1 kHz, amplitude 0.5), then two utterances.
const MARKER_AT = 0.5;
const MARKER_S = 0.5;
const MARKER_HZ = 1000;
const UTTER_AT = [1.5, 0] as [number, number];
const TONE_AMP = 0.5;

interface Truth {
  readonly startMs: number;
  readonly endMs: number;
}

function micFile(dir: string): { path: string; truth: Truth[]; durationS: number } {
  const u1 = synth(AGENT_LINES[0]!, { levelDb: -20 }).samples;
  const u2 = synth(AGENT_LINES[5]!, { levelDb: -20 }).samples;
  UTTER_AT[1] = UTTER_AT[0] + u1.length / SAMPLE_RATE + 1.5;
  const durationS = UTTER_AT[1] + u2.length / SAMPLE_RATE + 1;
  const x = new Float32Array(Math.round(durationS * SAMPLE_RATE));
  const m0 = Math.round(MARKER_AT * SAMPLE_RATE);
  for (let i = 0; i < MARKER_S * SAMPLE_RATE; i++) x[m0 + i] = TONE_AMP * Math.sin((2 * Math.PI * MARKER_HZ * i) / SAMPLE_RATE);
  x.set(u1, Math.round(UTTER_AT[0] * SAMPLE_RATE));
  x.set(u2, Math.round(UTTER_AT[1] * SAMPLE_RATE));
  const raw = join(dir, 'mic16k.wav');
  writeFileSync(raw, encodeWav16([x], SAMPLE_RATE));
  // Chromium's fake capture device reads the file at its own rate; give it the usual 48 kHz.
  const path = join(dir, 'mic48k.wav');
  execFileSync('sox', [raw, '-r', '48000', path]);
  const truth = [
    { startMs: UTTER_AT[0] * 1000, endMs: (UTTER_AT[0] + u1.length / SAMPLE_RATE) * 1000 },
    { startMs: UTTER_AT[1] * 1000, endMs: (UTTER_AT[1] + u2.length / SAMPLE_RATE) * 1000 },
  ];
  return { path, truth, durationS };
}

/** Amplitude of frequency `hz` in x (single-bin DFT over a Hann window, scaled to a sine's peak). */
function toneAmplitude(x: Float32Array, hz: number): number {
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < x.length; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (x.length - 1));
    const ph = (2 * Math.PI * hz * i) / SAMPLE_RATE;
    re += w * x[i]! * Math.cos(ph);
    im -= w * x[i]! * Math.sin(ph);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

/** The frequency of the strongest component between lo and hi Hz (0.1 Hz resolution, refined). */
function peakFrequency(x: Float32Array, lo: number, hi: number): number {
  let best = lo;
  let bestA = -1;
  for (let step = 10; step >= 0.1; step /= 10) {
    const from = step === 10 ? lo : best - step * 10;
    const to = step === 10 ? hi : best + step * 10;
    for (let f = from; f <= to; f += step) {
      const a = toneAmplitude(x, f);
      if (a > bestA) {
        bestA = a;
        best = f;
      }
    }
  }
  return best;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

const seg = (x: Float32Array, fromS: number, toS: number): Float32Array =>
  x.subarray(Math.round(fromS * SAMPLE_RATE), Math.round(toS * SAMPLE_RATE));

/** Onset times (s) of bursts: first sample of each run above `thr` after ≥ 100 ms below it. */
function onsets(x: Float32Array, thr: number): number[] {
  const out: number[] = [];
  let quiet = SAMPLE_RATE;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]!) > thr) {
      if (quiet >= 0.1 * SAMPLE_RATE) out.push(i / SAMPLE_RATE);
      quiet = 0;
    } else quiet++;
  }
  return out;
}

test.describe('softphone audio tap in Chromium (fake media)', () => {
  const missing = chromiumMissing();
  test.skip(missing !== null, missing ?? '');
  let tmp: ReturnType<typeof tempDir>;
  let served: Served;
  let browser: Browser;
  let mic: ReturnType<typeof micFile>;

  test.beforeAll(async () => {
    tmp = tempDir('cadence-softphone-');
    mic = micFile(tmp.dir);
    const out = await buildHarness(join(tmp.dir, 'web'));
    served = await serveDir(out);
    browser = await launchChromium({ fakeAudioFile: mic.path });
  });
  test.afterAll(async () => {
    await browser?.close();
    await served?.close();
    tmp?.cleanup();
  });

  async function runTap(plan: TapPlan): Promise<TapRun & { a: Float32Array; c: Float32Array }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      await page.goto(`${served.url}/tap.html`);
      await page.waitForFunction(() => 'cadenceTap' in globalThis);
      const r = await page.evaluate((p) => (globalThis as unknown as TapWindow).cadenceTap.run(p), plan);
      expect(errors).toEqual([]);
      return { ...r, a: fromBase64F32(r.agent), c: fromBase64F32(r.customer) };
    } finally {
      await page.close();
    }
  }

  test('delivers paired 320-sample frames at 50/s; the fake mic survives as speech through the engine; tones keep frequency and level', async () => {
    const seconds = Math.ceil(mic.durationS + 1.5);
    // Customer: 1 kHz for 0–3 s, 12 kHz (above the 8 kHz Nyquist of 16 kHz) for 3–5 s, 440 Hz 5–6 s, then silence.
    const r = await runTap({
      seconds,
      agent: 'mic',
      customer: 'tones',
      tones: [
        [0, 1000],
        [3, 12000],
        [5, 440],
      ],
      toneAmplitude: TONE_AMP,
      toneEndS: 6,
    });
    console.log(`tap: context ${r.contextRate} Hz, ${r.frames} frames in ${seconds} s, stats ${JSON.stringify(r.stats)}`);

    // Whole frames, numbered without gaps, both sides the same length.
    expect(r.frameSizes).toEqual([FRAME_SIZE]);
    expect(r.tMs.every((t, i) => t === i * 20)).toBe(true);
    expect(r.a.length).toBe(r.frames * FRAME_SIZE);
    expect(r.c.length).toBe(r.a.length);

    // Rate: 50 frames/s ± 2 %, from arrival times over the run (skipping the first second's start-up).
    const skip = 50;
    const n = r.arrivalMs.length - 1 - skip;
    const perFrameMs = (r.arrivalMs.at(-1)! - r.arrivalMs[skip]!) / n;
    console.log(`tap: ${(1000 / perFrameMs).toFixed(2)} frames/s`);
    expect(1000 / perFrameMs).toBeGreaterThan(49);
    expect(1000 / perFrameMs).toBeLessThan(51);
    expect(r.frames).toBeGreaterThanOrEqual((seconds - 1) * 50);

    // Customer tones: the 1 kHz and 440 Hz tones keep their frequency (±1 Hz) and level (±0.5 dB); the
    // 12 kHz tone is removed by the resampler's low-pass (≥ 50 dB down) instead of aliasing to 4 kHz.
    const c = r.c;
    const on = onsets(c, 0.05)[0]!;
    expect(on).toBeLessThan(1);
    const f1k = peakFrequency(seg(c, on + 0.5, on + 2.5), 900, 1100);
    const a1k = toneAmplitude(seg(c, on + 0.5, on + 2.5), f1k);
    const f440 = peakFrequency(seg(c, on + 5.2, on + 5.8), 400, 480);
    const a440 = toneAmplitude(seg(c, on + 5.2, on + 5.8), f440);
    const hi = rms(seg(c, on + 3.2, on + 4.8));
    console.log(`tap: 1 kHz → ${f1k.toFixed(2)} Hz amp ${a1k.toFixed(4)}; 440 Hz → ${f440.toFixed(2)} Hz amp ${a440.toFixed(4)}; 12 kHz → rms ${hi.toExponential(2)}`);
    expect(Math.abs(f1k - 1000)).toBeLessThan(1);
    expect(Math.abs(f440 - 440)).toBeLessThan(1);
    expect(Math.abs(20 * Math.log10(a1k / TONE_AMP))).toBeLessThan(0.5);
    expect(Math.abs(20 * Math.log10(a440 / TONE_AMP))).toBeLessThan(0.5);
    expect(20 * Math.log10(hi / (TONE_AMP / Math.SQRT2))).toBeLessThan(-50);
    expect(rms(seg(c, on + 6.2, r.frames * 0.02 - 0.2))).toBeLessThan(1e-4);

    // Agent: find the marker (the fake file may start before the tap), then compare with the file's truth.
    const a = r.a;
    const m = onsets(a, 0.1)[0]!;
    const fm = peakFrequency(seg(a, m + 0.1, m + 0.4), 900, 1100);
    const am = toneAmplitude(seg(a, m + 0.1, m + 0.4), fm);
    console.log(`tap: mic marker at ${m.toFixed(3)} s, ${fm.toFixed(2)} Hz amp ${am.toFixed(4)}`);
    expect(Math.abs(fm - MARKER_HZ)).toBeLessThan(2);
    expect(Math.abs(20 * Math.log10(am / TONE_AMP))).toBeLessThan(1);
    const offsetMs = (m - MARKER_AT) * 1000;

    // The real engine on the tapped frames: agent speech where the file has speech, none in its silences.
    const segments: SpeechSegment[] = [];
    const engine = createEngine({ playbook: defaultPlaybook, sink: { onSegment: (s) => segments.push(s) } });
    engine.processFrames(a, c, r.frames);
    engine.finish();
    const agentSegs = segments.filter((s) => s.channel === 'agent');
    console.log(`tap: agent segments ${JSON.stringify(agentSegs.map((s) => [s.startMs, s.endMs]))}`);
    const endMs = r.frames * 20;
    const covered = (from: number, to: number): number =>
      agentSegs.reduce((t, s) => t + Math.max(0, Math.min(to, s.endMs) - Math.max(from, s.startMs)), 0);
    let checked = 0;
    for (const t of mic.truth) {
      const from = t.startMs + offsetMs;
      const to = t.endMs + offsetMs;
      if (from < 0 || to > endMs) continue;
      checked++;
      expect(covered(from, to) / (to - from)).toBeGreaterThan(0.8);
    }
    expect(checked).toBe(2);
    // Nothing detected in the gap between the utterances (its middle second).
    const gapMid = ((mic.truth[0]!.endMs + mic.truth[1]!.startMs) / 2 + offsetMs);
    expect(covered(gapMid - 500, gapMid + 500)).toBe(0);
  });

  test('keeps the two sides aligned (same source on both: onsets within one frame, in fact within a sample)', async () => {
    const r = await runTap({ seconds: 4, agent: 'shared-bursts', customer: 'shared-bursts' });
    const oa = onsets(r.a, 0.05);
    const oc = onsets(r.c, 0.05);
    expect(oa.length).toBeGreaterThanOrEqual(4);
    expect(oc.length).toBe(oa.length);
    const worst = Math.max(...oa.map((t, i) => Math.abs(t - oc[i]!)));
    console.log(`tap: ${oa.length} bursts, worst agent/customer onset difference ${(worst * 1000).toFixed(3)} ms`);
    expect(worst).toBeLessThan(0.02);
  });

  test('gives silence for a missing side, and resamples from other context rates (48 kHz, 16 kHz)', async () => {
    for (const contextRate of [48000, 16000]) {
      const r = await runTap({ seconds: 2, agent: 'none', customer: 'tones', tones: [[0, 1000]], toneAmplitude: TONE_AMP, contextRate });
      expect(r.contextRate).toBe(contextRate);
      expect(r.frames).toBeGreaterThanOrEqual(90);
      expect(r.frameSizes).toEqual([FRAME_SIZE]);
      expect(rms(r.a)).toBe(0);
      const c = seg(r.c, 0.5, 1.5);
      const f = peakFrequency(c, 900, 1100);
      expect(Math.abs(f - 1000)).toBeLessThan(1);
      expect(Math.abs(20 * Math.log10(toneAmplitude(c, f) / TONE_AMP))).toBeLessThan(0.5);
    }
  });
});
