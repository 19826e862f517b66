/**
 * What a call needs from the coaching engine, whichever way it runs: in the worker thread (live calls,
 * where the capture thread must never wait on analysis) or inline in this thread (recordings imported
 * as fast as the machine allows, where handing frames to a worker would only add copies).
 */
import { FRAME_SIZE } from '../dsp/frames';
import type { SessionOptions, SessionOutput } from '../shared/engine-protocol';
import type { PhraseWords } from '../shared/phrase';
import type { CallEvent, CallSummary, TranscriptWord } from '../shared/types';
import { createEngine } from './engine';
import { createNeuralVad, processFramesNeural, type NeuralVad } from './neural-vad';

export type SessionListener = (msg: SessionOutput) => void;

export interface CoachingSession {
  readonly id: string;
  readonly ended: boolean;
  /** Frames handed over but not processed yet. */
  readonly queuedFrames: number;
  /** Frames refused because the engine fell behind. */
  readonly dropped: number;
  /** Engine time spent on this call, ms. */
  readonly busyMs: number;
  /** The arrays may be transferred: do not use them afterwards. False when refused. */
  pushFrames(agent: Float32Array, customer: Float32Array): boolean;
  drain(): Promise<void>;
  /**
   * Final transcript words of one channel (0 agent, 1 customer), in call time: pace comes from words from
   * then on (see Engine.addWords). Ignored once the session has stopped.
   */
  pushWords(channel: 0 | 1, words: readonly TranscriptWord[]): void;
  /** Transcript words (interim and final) for phrase rules and the checklist; ignored once the session has ended. */
  pushPhrases(words: PhraseWords): void;
  mark(): Promise<CallEvent>;
  dismiss(nudgeId: string): Promise<boolean>;
  stop(): Promise<CallSummary>;
}

export interface CoachingEngine {
  startSession(options: SessionOptions, listener: SessionListener, sessionId?: string): Promise<CoachingSession>;
}

let inlineCounter = 0;

/**
 * The engine run in the calling thread, for recordings. On a clean line output reaches the listener
 * before pushFrames returns. Once a channel's line is noisy enough to want the neural VAD (the same
 * per-channel gate as live calls, ChannelFeatures.neuralWanted), frames queue behind the network's
 * windows: `queuedFrames` counts them, so the call pipeline pauses a file source until they are done,
 * and `drain` and `stop` wait for them. The model loads only when a line first needs it; if it cannot,
 * `onWarning` says so once and the energy VAD decides alone.
 */
export function makeInlineEngine(opts: { readonly onWarning?: (message: string) => void } = {}): CoachingEngine {
  return {
    async startSession(options, listener, sessionId) {
      const id = sessionId ?? `inline-${++inlineCounter}`;
      const warn = (err: Error): void => opts.onWarning?.(`neural voice activity unavailable (${err.message}); noisy lines use the energy detector alone`);
      const engine = createEngine({
        playbook: options.playbook,
        ...(options.agentCalibrationDb !== undefined ? { agentCalibrationDb: options.agentCalibrationDb } : {}),
        sink: {
          onNudge: (phase, nudge) => listener({ type: 'nudge', seq: 0, sessionId: id, phase, nudge }),
          onEvent: (phase, event) => listener({ type: 'event', seq: 0, sessionId: id, phase, event }),
          onSegment: (segment) => listener({ type: 'segment', seq: 0, sessionId: id, segment }),
          onTimeline: (point) => listener({ type: 'timeline', seq: 0, sessionId: id, point }),
          onLanguage: (snapshot) => listener({ type: 'language', seq: 0, sessionId: id, snapshot }),
        },
      });
      let vad: NeuralVad | null = null;
      try {
        vad = await createNeuralVad(undefined, { onUnavailable: warn });
      } catch (err) {
        warn(err as Error);
      }
      let ended = false;
      let busyMs = 0;
      let queued = 0;
      // Frames waiting on the network, in order; null when nothing is pending.
      let chain: Promise<void> | null = null;
      const wantsNetwork = (): boolean => vad !== null && (engine.channels[0].neuralWanted || engine.channels[1].neuralWanted);
      const session: CoachingSession = {
        id,
        get ended() {
          return ended;
        },
        get queuedFrames() {
          return queued;
        },
        dropped: 0,
        get busyMs() {
          return busyMs;
        },
        pushFrames(agent, customer) {
          const count = Math.floor(Math.min(agent.length, customer.length) / FRAME_SIZE);
          if (ended || count === 0) return false;
          if (!chain && !wantsNetwork()) {
            const t0 = performance.now();
            vad?.skip();
            engine.processFrames(agent, customer, count);
            busyMs += performance.now() - t0;
            return true;
          }
          queued += count;
          const run = (chain ?? Promise.resolve()).then(async () => {
            const t0 = performance.now();
            await processFramesNeural(engine, vad!, agent, customer, count);
            busyMs += performance.now() - t0;
            queued -= count;
          });
          chain = run;
          const settle = (): void => {
            if (chain === run) chain = null;
          };
          // The failure itself reaches the caller through drain or stop.
          run.then(settle, settle);
          return true;
        },
        drain: () => chain ?? Promise.resolve(),
        pushWords(channel, words) {
          if (!ended) engine.addWords(channel, words);
        },
        pushPhrases(words) {
          if (!ended) engine.words(words);
        },
        mark: () => Promise.resolve(engine.mark()),
        dismiss: (nudgeId) => Promise.resolve(engine.dismiss(nudgeId)),
        async stop() {
          if (ended) throw new Error(`session ${id} already stopped`);
          ended = true;
          await chain;
          return engine.finish();
        },
      };
      return session;
    },
  };
}
