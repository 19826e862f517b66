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

/** The engine run synchronously in the calling thread; output reaches the listener before pushFrames returns. */
export const inlineEngine: CoachingEngine = {
  startSession(options, listener, sessionId) {
    const id = sessionId ?? `inline-${++inlineCounter}`;
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
    let ended = false;
    let busyMs = 0;
    const session: CoachingSession = {
      id,
      get ended() {
        return ended;
      },
      queuedFrames: 0,
      dropped: 0,
      get busyMs() {
        return busyMs;
      },
      pushFrames(agent, customer) {
        const count = Math.floor(Math.min(agent.length, customer.length) / FRAME_SIZE);
        if (ended || count === 0) return false;
        const t0 = performance.now();
        engine.processFrames(agent, customer, count);
        busyMs += performance.now() - t0;
        return true;
      },
      drain: () => Promise.resolve(),
      pushWords(channel, words) {
        if (!ended) engine.addWords(channel, words);
      },
      pushPhrases(words) {
        if (!ended) engine.words(words);
      },
      mark: () => Promise.resolve(engine.mark()),
      dismiss: (nudgeId) => Promise.resolve(engine.dismiss(nudgeId)),
      stop() {
        if (ended) return Promise.reject(new Error(`session ${id} already stopped`));
        ended = true;
        return Promise.resolve(engine.finish());
      },
    };
    return Promise.resolve(session);
  },
};
