/**
 * The first-run level check: listen to one input for a few seconds while the agent speaks, and say
 * whether the level is usable. The measured speech level becomes the agent's calibration, so
 * "too loud" and "too soft" are judged against their own voice from the first call on.
 */
import { makeChannelAnalyzer } from '../dsp/channel';
import { dbfs, FRAME_SIZE, makeFramer } from '../dsp/frames';
import { PortAudioChannel, portAudioIdle } from './portaudio';
import type { LevelCheckResult } from '../shared/rpc';
import type { CaptureStatus } from './source';

/** What a level check found (the same shape crosses to the UI). */
export type LevelCheck = LevelCheckResult;

/** Judges a measurement; separate from capture so it can be tested on any signal. */
export function judgeLevel(m: Omit<LevelCheck, 'verdict' | 'message' | 'device' | 'seconds'>): Pick<LevelCheck, 'verdict' | 'message'> {
  if (m.peakDbfs < -80) return { verdict: 'no_signal', message: 'no signal at all: the device may be muted, or it is the wrong input' };
  if (m.speechDbfs === null || m.speechMs < 1000) return { verdict: 'no_speech', message: 'no speech heard: say a few sentences during the check' };
  if (m.clippedSamples > 0 || m.speechDbfs > -10) return { verdict: 'too_loud', message: `too loud (${m.speechDbfs.toFixed(0)} dBFS, clipping): lower the mic gain` };
  if (m.speechDbfs < -45) return { verdict: 'too_quiet', message: `too quiet (${m.speechDbfs.toFixed(0)} dBFS): raise the mic gain or move the mic closer` };
  if (m.speechDbfs - m.noiseDbfs < 15) return { verdict: 'noisy', message: `background noise is close to your voice (${(m.speechDbfs - m.noiseDbfs).toFixed(0)} dB apart): use a headset mic` };
  return { verdict: 'ok', message: `good level (${m.speechDbfs.toFixed(0)} dBFS, ${(m.speechDbfs - m.noiseDbfs).toFixed(0)} dB above the noise)` };
}

/** Measures 16 kHz samples frame by frame (used by the device check and by tests). */
export function makeLevelMeter(): { push(samples: Float32Array): void; result(): Omit<LevelCheck, 'verdict' | 'message' | 'device' | 'seconds'> } {
  const analyzer = makeChannelAnalyzer();
  const framer = makeFramer(FRAME_SIZE);
  let tMs = 0;
  let speechPow = 0;
  let speechFrames = 0;
  let peak = 0;
  return {
    push(samples) {
      framer.push(samples, samples.length, (frame) => {
        tMs += 20;
        analyzer.process(frame, tMs);
        const f = analyzer.features;
        if (f.peak > peak) peak = f.peak;
        if (f.speaking && f.voiced) {
          speechPow += f.meanSquare;
          speechFrames++;
        }
      });
    },
    result() {
      const f = analyzer.features;
      return {
        speechDbfs: speechFrames > 0 ? Math.round(dbfs(speechPow / speechFrames) * 10) / 10 : null,
        noiseDbfs: Math.round(f.noiseDb * 10) / 10,
        peakDbfs: Math.round(20 * Math.log10(Math.max(peak, 1e-6)) * 10) / 10,
        speechMs: speechFrames * 20,
        clippedSamples: f.clippedTotal,
      };
    },
  };
}

export async function checkLevel(device: string, seconds = 10, onStatus?: (s: CaptureStatus) => void): Promise<LevelCheck> {
  const meter = makeLevelMeter();
  await portAudioIdle();
  const channel = new PortAudioChannel({ channel: 'agent', device, onSamples: (x) => meter.push(x), onStatus: (s) => onStatus?.(s) });
  channel.open();
  try {
    await new Promise((r) => setTimeout(r, seconds * 1000));
  } finally {
    await channel.close();
  }
  const m = meter.result();
  return { device, seconds, ...m, ...judgeLevel(m) };
}
