/** Channel features on signals with known answers: noise floor, level, clipping, voice activity timing. */
import { describe, expect, it } from 'vitest';
import { makeChannelAnalyzer } from '../../../src/dsp/channel';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { synth } from '../../fixtures/speech';
import { AGENT_LINES } from '../../fixtures/texts';

function noise(n: number, rmsDb: number, seed = 7): Float32Array {
  let s = seed;
  const amp = 10 ** (rmsDb / 20) * Math.sqrt(3);
  return new Float32Array(n).map(() => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647 - 0.5) * 2 * amp;
  });
}

function run(signal: Float32Array) {
  const a = makeChannelAnalyzer();
  const frames = Math.floor(signal.length / FRAME_SIZE);
  const segments: [number, number][] = [];
  const noiseAt: number[] = [];
  for (let k = 0; k < frames; k++) {
    a.process(signal.subarray(k * FRAME_SIZE, (k + 1) * FRAME_SIZE), (k + 1) * 20);
    if (a.features.segmentClosed) segments.push([a.features.closedStartMs, a.features.closedEndMs]);
    noiseAt.push(a.features.noiseDb);
  }
  a.flush();
  if (a.features.segmentClosed) segments.push([a.features.closedStartMs, a.features.closedEndMs]);
  return { f: a.features, segments, noiseAt };
}

describe('channel features', () => {
  it('tracks the noise floor of a -50 dBFS hiss within 3 dB (after the high-pass), and finds no speech in it', () => {
    const { f, segments, noiseAt } = run(noise(16000 * 10, -50));
    // High-passing white noise at 100 Hz of an 8 kHz band keeps ~99% of its power.
    expect(Math.abs(noiseAt.at(-1)! - -50)).toBeLessThan(3);
    expect(segments).toHaveLength(0);
    expect(f.talkMs).toBe(0);
  });

  it('finds a spoken segment in noise within 150 ms of its true start (soft onsets need two frames above the floor) and 400 ms of its end', () => {
    const u = synth(AGENT_LINES[0]!, { levelDb: -24 }).samples;
    const sig = noise(16000 * 12, -50);
    for (let i = 0; i < u.length; i++) sig[32000 + i]! += u[i]!;
    const { segments } = run(sig);
    const trueEnd = 2000 + (u.length / 16000) * 1000;
    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(Math.abs(segments[0]![0] - 2000)).toBeLessThan(150);
    expect(Math.abs(segments.at(-1)![1] - trueEnd)).toBeLessThan(400);
  });

  it('counts clipped samples and reports the peak', () => {
    const u = synth(AGENT_LINES[0]!, { levelDb: -6 }).samples;
    const clipped = u.map((x) => Math.max(-1, Math.min(1, x * 4)));
    const { f } = run(clipped);
    expect(f.clippedTotal).toBeGreaterThan(100);
    const clean = run(synth(AGENT_LINES[0]!, { levelDb: -30 }).samples).f;
    expect(clean.clippedTotal).toBe(0);
    expect(clean.peak).toBeLessThan(0.5);
  });

  it('calibrates the speaker\'s own level after 10 s of speech and reports level relative to it', () => {
    // The same sentence throughout, so the only difference is the 12 dB of gain.
    const parts = [0, 1, 2, 3].map(() => synth(AGENT_LINES[0]!, { levelDb: -28 }).samples);
    const loud = synth(AGENT_LINES[0]!, { levelDb: -16 }).samples;
    const total = parts.reduce((n, p) => n + p.length + 8000, 0) + loud.length + 8000;
    const sig = new Float32Array(total);
    let at = 0;
    for (const p of [...parts, loud]) {
      sig.set(p, at);
      at += p.length + 8000;
    }
    const a = makeChannelAnalyzer();
    let maxRel = -Infinity;
    for (let k = 0; k < Math.floor(total / FRAME_SIZE); k++) {
      a.process(sig.subarray(k * FRAME_SIZE, (k + 1) * FRAME_SIZE), (k + 1) * 20);
      if (Number.isFinite(a.features.relLevelDb)) maxRel = Math.max(maxRel, a.features.relLevelDb);
    }
    expect(a.features.calibratedDb).toBeGreaterThan(-30);
    expect(a.features.calibratedDb).toBeLessThan(-22);
    // The loud turn is 12 dB up; the 2 s speech-level window sees most of that.
    expect(maxRel).toBeGreaterThan(9);
    expect(maxRel).toBeLessThan(15);
  });
});
