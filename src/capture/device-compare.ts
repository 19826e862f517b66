/**
 * Listens to both chosen inputs at once for a moment: each one's level (for the meters beside the
 * pickers) and whether the two carry the same signal — a customer input that is really the microphone
 * (or a monitor of the same sink) moves in step with the agent's, frame by frame.
 */
import { dbfs, FRAME_SIZE, makeFramer } from '../dsp/frames';
import type { DeviceLevels } from '../shared/rpc';
import { PortAudioChannel, portAudioIdle } from './portaudio';

/** Below this a frame is silence on both sides and says nothing about whether they match. */
const ACTIVE_DB = -60;
/** Envelopes this alike (Pearson r of frame levels, dB) are one signal on two inputs. */
export const SAME_SIGNAL_R = 0.9;
/** …over at least this many active frames (0.6 s). */
const MIN_ACTIVE_FRAMES = 30;

/** Pearson correlation of two frame-level envelopes over the frames where either side is active; null when too few. */
export function envelopeCorrelation(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  let count = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i]! < ACTIVE_DB && b[i]! < ACTIVE_DB) continue;
    count++;
    sa += a[i]!;
    sb += b[i]!;
  }
  if (count < MIN_ACTIVE_FRAMES) return null;
  const ma = sa / count;
  const mb = sb / count;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i]! < ACTIVE_DB && b[i]! < ACTIVE_DB) continue;
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? null : cov / Math.sqrt(va * vb);
}

function meter(): { frames: number[]; push(x: Float32Array): void; level(): { levelDbfs: number; peakDbfs: number } } {
  const frames: number[] = [];
  const framer = makeFramer(FRAME_SIZE);
  let sum = 0;
  let count = 0;
  let peak = 0;
  return {
    frames,
    push(x) {
      framer.push(x, x.length, (frame) => {
        let ms = 0;
        for (let i = 0; i < frame.length; i++) {
          const v = frame[i]!;
          ms += v * v;
          if (Math.abs(v) > peak) peak = Math.abs(v);
        }
        ms /= frame.length;
        sum += ms;
        count++;
        frames.push(dbfs(ms));
      });
    },
    level: () => ({ levelDbfs: Math.round((count ? dbfs(sum / count) : -120) * 10) / 10, peakDbfs: Math.round(20 * Math.log10(Math.max(peak, 1e-6)) * 10) / 10 }),
  };
}

export async function listenBoth(agent: string, customer: string, ms: number): Promise<DeviceLevels> {
  await portAudioIdle();
  const a = meter();
  const c = meter();
  const channels = [new PortAudioChannel({ channel: 'agent', device: agent, onSamples: (x) => a.push(x), onStatus: () => undefined }), new PortAudioChannel({ channel: 'customer', device: customer, onSamples: (x) => c.push(x), onStatus: () => undefined })];
  try {
    for (const ch of channels) ch.open();
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await Promise.all(channels.map((ch) => ch.close()));
  }
  // The two streams start a few frames apart: compare at the best small lag (±100 ms).
  let best: number | null = null;
  for (let lag = -5; lag <= 5; lag++) {
    const r = envelopeCorrelation(lag >= 0 ? a.frames.slice(lag) : a.frames, lag >= 0 ? c.frames : c.frames.slice(-lag));
    if (r !== null && (best === null || r > best)) best = r;
  }
  return { agent: a.level(), customer: c.level(), correlation: best === null ? null : Math.round(best * 100) / 100, sameSignal: best !== null && best >= SAME_SIGNAL_R };
}
