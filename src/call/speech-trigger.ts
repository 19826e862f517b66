/**
 * Starts a call on speech: the call begins once both sides have spoken within a short window (a real
 * conversation, not a notification sound or the agent talking to a colleague). The last few seconds
 * before the trigger are kept, so the call's opening words are not lost.
 */
import { makeChannelAnalyzer, type ChannelAnalyzer } from '../dsp/channel';
import { FRAME_SIZE, HOP_MS } from '../dsp/frames';

export interface SpeechTriggerConfig {
  /** Speech each side needs within the window. */
  readonly minSpeechMs: number;
  readonly windowMs: number;
  /** Audio kept from before the trigger and handed to the call. */
  readonly prerollMs: number;
}

export const SPEECH_TRIGGER_DEFAULTS: SpeechTriggerConfig = { minSpeechMs: 800, windowMs: 15000, prerollMs: 3000 };

export interface SpeechTrigger {
  readonly triggered: boolean;
  /**
   * Feeds whole frames. Returns -1 while waiting; when the call should start, the index of the first
   * frame of this batch not taken into the pre-roll (the caller passes those on to the call).
   */
  push(agent: Float32Array, customer: Float32Array, frames: number): number;
  /** The kept audio (oldest first), in fresh arrays that may be transferred. */
  takePreroll(): { agent: Float32Array; customer: Float32Array };
}

export function makeSpeechTrigger(config: Partial<SpeechTriggerConfig> = {}): SpeechTrigger {
  const cfg = { ...SPEECH_TRIGGER_DEFAULTS, ...config };
  const analyzers: ChannelAnalyzer[] = [makeChannelAnalyzer(), makeChannelAnalyzer()];
  const slots = Math.round(cfg.windowMs / HOP_MS);
  const speaking = [new Uint8Array(slots), new Uint8Array(slots)];
  const counts = [0, 0];
  let head = 0;
  const prerollFrames = Math.round(cfg.prerollMs / HOP_MS);
  const ring = [new Float32Array(prerollFrames * FRAME_SIZE), new Float32Array(prerollFrames * FRAME_SIZE)];
  let ringHead = 0;
  let ringFilled = 0;
  let tMs = 0;
  let triggered = false;
  const needFrames = Math.round(cfg.minSpeechMs / HOP_MS);
  const frame = new Float32Array(FRAME_SIZE);

  return {
    get triggered() {
      return triggered;
    },
    push(agent, customer, frames) {
      if (triggered) return 0;
      const chans = [agent, customer];
      for (let k = 0; k < frames; k++) {
        tMs += HOP_MS;
        for (let ch = 0; ch < 2; ch++) {
          const src = chans[ch]!;
          for (let i = 0; i < FRAME_SIZE; i++) frame[i] = src[k * FRAME_SIZE + i]!;
          ring[ch]!.set(frame, ringHead * FRAME_SIZE);
          const a = analyzers[ch]!;
          a.process(frame, tMs);
          const s = a.features.voiced && a.features.speaking ? 1 : 0;
          counts[ch]! += s - speaking[ch]![head]!;
          speaking[ch]![head] = s;
        }
        head = (head + 1) % slots;
        ringHead = (ringHead + 1) % prerollFrames;
        if (ringFilled < prerollFrames) ringFilled++;
        if (counts[0]! >= needFrames && counts[1]! >= needFrames) {
          triggered = true;
          return k + 1;
        }
      }
      return -1;
    },
    takePreroll() {
      const out = [new Float32Array(ringFilled * FRAME_SIZE), new Float32Array(ringFilled * FRAME_SIZE)];
      const start = (ringHead - ringFilled + prerollFrames) % prerollFrames;
      for (let ch = 0; ch < 2; ch++) {
        for (let f = 0; f < ringFilled; f++) {
          const from = ((start + f) % prerollFrames) * FRAME_SIZE;
          out[ch]!.set(ring[ch]!.subarray(from, from + FRAME_SIZE), f * FRAME_SIZE);
        }
      }
      return { agent: out[0]!, customer: out[1]! };
    },
  };
}
