/**
 * A page that drives the softphone audio tap in a real browser, for the Chromium tests
 * (test/softphone/audio-tap.test.ts) and for trying the tap by hand: `window.cadenceTap.run(plan)`.
 */
import { createAudioTap } from '../audio-tap';
import { TAP_PROCESSOR_URL } from '../processor-url';
import type { TapPlan, TapRun } from './tap-plan';

function toBase64(x: Float32Array): string {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function burstSource(ctx: AudioContext, seconds: number): AudioNode {
  // 50 ms bursts of 600 Hz every 700 ms, from 0.3 s on: sharp onsets to compare the two sides by.
  const osc = ctx.createOscillator();
  osc.frequency.value = 600;
  const gate = ctx.createGain();
  gate.gain.value = 0;
  const t0 = ctx.currentTime + 0.3;
  for (let t = 0; t < seconds; t += 0.7) {
    gate.gain.setValueAtTime(0.5, t0 + t);
    gate.gain.setValueAtTime(0, t0 + t + 0.05);
  }
  osc.connect(gate);
  osc.start();
  return gate;
}

async function run(plan: TapPlan): Promise<TapRun> {
  const sources = new AudioContext();
  const streams: MediaStream[] = [];
  let shared: AudioNode | null = null;
  const sharedStream = (): MediaStream => {
    shared ??= burstSource(sources, plan.seconds + 1);
    const dest = sources.createMediaStreamDestination();
    shared.connect(dest);
    return dest.stream;
  };
  let agent: MediaStream | null = null;
  if (plan.agent === 'mic') {
    agent = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
  } else if (plan.agent === 'shared-bursts') {
    agent = sharedStream();
  }
  let customer: MediaStream | null = null;
  if (plan.customer === 'tones') {
    const osc = sources.createOscillator();
    const gain = sources.createGain();
    const t0 = sources.currentTime + 0.05;
    for (const [at, hz] of plan.tones ?? [[0, 1000]]) osc.frequency.setValueAtTime(hz, t0 + at);
    gain.gain.setValueAtTime(plan.toneAmplitude ?? 0.5, t0);
    if (plan.toneEndS !== undefined) gain.gain.setValueAtTime(0, t0 + plan.toneEndS);
    osc.connect(gain);
    const dest = sources.createMediaStreamDestination();
    gain.connect(dest);
    osc.start();
    customer = dest.stream;
  } else if (plan.customer === 'shared-bursts') {
    customer = sharedStream();
  }
  if (agent) streams.push(agent);
  if (customer) streams.push(customer);
  await sources.resume();

  const a: Float32Array[] = [];
  const c: Float32Array[] = [];
  const frameSizes: number[] = [];
  const tMs: number[] = [];
  const arrivalMs: number[] = [];
  const tap = await createAudioTap(agent, customer, {
    processorUrl: TAP_PROCESSOR_URL,
    ...(plan.contextRate ? { context: new AudioContext({ sampleRate: plan.contextRate }) } : {}),
    onFrames(fa, fc, t) {
      frameSizes.push(fa.length, fc.length);
      tMs.push(t);
      arrivalMs.push(performance.now());
      a.push(fa.slice());
      c.push(fc.slice());
    },
  });
  await new Promise((r) => setTimeout(r, plan.seconds * 1000));
  const stats = await tap.stop();
  for (const s of streams) for (const t of s.getTracks()) t.stop();
  await sources.close();
  if (plan.contextRate) await tap.context.close();
  const join = (parts: Float32Array[]): Float32Array => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  return {
    contextRate: tap.context.sampleRate,
    frames: tMs.length,
    frameSizes: [...new Set(frameSizes)],
    tMs,
    arrivalMs,
    agent: toBase64(join(a)),
    customer: toBase64(join(c)),
    stats,
  };
}

declare global {
  interface Window {
    cadenceTap: { run(plan: TapPlan): Promise<TapRun> };
  }
}
window.cadenceTap = { run };
