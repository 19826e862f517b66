/**
 * The call pipeline: every call — devices, the demo, a softphone tap, a Twilio media stream, a recording
 * being imported — is a source of frames run through the coaching engine until it ends (the source runs
 * dry, a time limit, a stretch of silence on both sides, or an abort signal). What happens to the output
 * is up to the stages attached: the library writer and recording, the windows, the CLI printer, and
 * next the transcriber and the phrase matcher. The app, the CLI and the servers differ only in the
 * source and the stages they pass; the report is collected here for all of them.
 */
import { FRAME_SIZE, HOP_MS } from '../dsp/frames';
import type { SessionOutput } from '../shared/engine-protocol';
import type { Playbook } from '../shared/playbook';
import type { CallReport, Nudge } from '../shared/types';
import { makeReportCollector } from '../engine/analyze';
import { EngineHost } from '../engine/host';
import type { CoachingEngine, CoachingSession } from '../engine/session';
import type { CaptureStatus, FrameSource } from '../capture/source';
import { DEFAULT_SILENCE_DB, frameLevelDb } from './silent-tail';
import { makeSpeechTrigger, type SpeechTriggerConfig } from './speech-trigger';

/** One consumer of a call's output. Every method is optional; stages run in the order given. */
export interface CallStage {
  /** Every engine output message, as it arrives. */
  readonly onOutput?: (msg: SessionOutput) => void;
  /** A nudge opened or closed. */
  readonly onNudge?: (phase: 'open' | 'close', nudge: Nudge) => void;
  readonly onStatus?: (status: CaptureStatus) => void;
  /**
   * The frames about to go to the engine (e.g. to record the call). Copy them if you keep them: they
   * are transferred to the worker right after this returns.
   */
  readonly onFrames?: (agent: Float32Array, customer: Float32Array) => void;
  /** The engine session is running (for marks and dismissals from the app). */
  readonly onSession?: (session: CoachingSession) => void;
  /** With startOnSpeech: both sides have spoken and the call begins (its first frames follow). */
  readonly onCallStart?: () => void;
  /**
   * The source has stopped and every frame has been handed to the engine, whose session is still
   * running; await-ed before it stops. A stage that feeds the engine late (the transcriber's last final
   * words, for pace) finishes here so its input counts in the summary.
   */
  readonly onSourceEnd?: () => Promise<void>;
  /** The call ended; await-ed before runLive resolves (e.g. to store the call). */
  readonly onEnd?: (result: CallResult) => void | Promise<void>;
  /** The call failed before it could end normally (e.g. a device would not open); keep what was recorded. */
  readonly onFail?: (err: unknown) => void | Promise<void>;
}

export interface CallOptions {
  readonly playbook: Playbook;
  /**
   * The engine: a running worker host (live calls), `inlineEngine` for recordings read as fast as the
   * machine allows; a worker host is started (and closed) for this call otherwise.
   */
  readonly engine?: CoachingEngine;
  /** Stop after this much wall-clock time. */
  readonly stopAfterMs?: number;
  /** Stop after this much silence on both channels (once someone has spoken). */
  readonly silenceStopMs?: number;
  /** Level under which a frame counts as silence for silenceStopMs, dBFS. */
  readonly silenceDb?: number;
  readonly signal?: AbortSignal;
  readonly sessionId?: string;
  /** The agent's speech level from a level check, dBFS (loud/soft are judged against it from the start). */
  readonly agentCalibrationDb?: number;
  /**
   * Wait until both sides speak before the call starts (audio before that is not coached or recorded,
   * except a few seconds of pre-roll). `true` for the defaults.
   */
  readonly startOnSpeech?: boolean | Partial<SpeechTriggerConfig>;
}

export interface CallStats {
  readonly frames: number;
  /** Frames the engine queue refused (worker too slow). */
  readonly engineDropped: number;
  /** Samples dropped or padded by the source (see SourceStats). */
  readonly sourceDroppedSamples: number;
  readonly sourcePaddedSamples: number;
  /** From a chunk reaching the process to the engine having processed it, ms. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  /** The engine's part of that: from handing frames to the worker to their being processed, ms. */
  readonly engineLatencyP99Ms: number;
  /** Worker time spent on this call, ms. */
  readonly engineBusyMs: number;
  readonly wallMs: number;
  readonly stopReason: StopReason;
}

export type StopReason = 'time' | 'silence' | 'signal' | 'source';

export interface CallResult {
  readonly report: CallReport;
  /** The playbook the call was coached with (its targets score it). */
  readonly playbook: Playbook;
  readonly stats: CallStats;
  readonly startedAt: string;
  readonly source: string;
}

/**
 * Frames in the engine's queue at which a source that can wait (a file) is paused until the engine has
 * caught up: well under the host's queue bound (500 by default), so nothing from such a source is dropped.
 */
const PAUSE_AT_QUEUED_FRAMES = 100;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** A source that can run dry on its own (a file, a stream that ended). */
export type CallSource = FrameSource & { readonly finished?: Promise<void> };

/**
 * Runs one call from `source` to the end through the stages; resolves with the report once the session
 * has stopped and every stage's onEnd has finished. When the call fails, every stage's onFail runs
 * before the error is rethrown.
 */
export async function runCall(source: CallSource, options: CallOptions, stages: readonly CallStage[] = []): Promise<CallResult> {
  try {
    return await runStages(source, options, stages);
  } catch (err) {
    for (const st of stages) await Promise.resolve(st.onFail?.(err)).catch(() => undefined);
    throw err;
  }
}

async function runStages(source: CallSource, options: CallOptions, stages: readonly CallStage[]): Promise<CallResult> {
  const hooks = fanOut(stages);
  const ownHost = options.engine === undefined ? await EngineHost.start() : null;
  const host: CoachingEngine = options.engine ?? ownHost!;
  const collector = makeReportCollector();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const latencies: number[] = [];
  const engineLatencies: number[] = [];
  let frames = 0;
  let spoken = false;
  let silentMs = 0;
  const silenceDb = options.silenceDb ?? DEFAULT_SILENCE_DB;
  let stopReason: StopReason = 'source';
  let accepting = true;
  let endCall: (reason: StopReason) => void = () => {};
  const ended = new Promise<void>((resolve) => {
    endCall = (reason: StopReason) => {
      if (!accepting) return;
      stopReason = reason;
      accepting = false;
      resolve();
    };
  });

  try {
    const sessionOptions = { playbook: options.playbook, ...(options.agentCalibrationDb !== undefined ? { agentCalibrationDb: options.agentCalibrationDb } : {}) };
    const session = await host.startSession(sessionOptions, (msg) => {
      switch (msg.type) {
        case 'nudge':
          collector.sink.onNudge(msg.phase, msg.nudge);
          hooks.onNudge(msg.phase, msg.nudge);
          break;
        case 'event':
          collector.sink.onEvent(msg.phase, msg.event);
          break;
        case 'segment':
          collector.sink.onSegment(msg.segment);
          break;
        case 'timeline':
          collector.sink.onTimeline(msg.point);
          break;
        default:
          break;
      }
      hooks.onOutput(msg);
    }, options.sessionId);
    hooks.onSession(session);

    let finalFlush = false;
    const pausable = source.pause !== undefined && source.resume !== undefined;
    let paused = false;
    const trigger =
      options.startOnSpeech === undefined || options.startOnSpeech === false
        ? null
        : makeSpeechTrigger(options.startOnSpeech === true ? {} : options.startOnSpeech);
    const deliver = (agent: Float32Array, customer: Float32Array, capturedAt: number): void => {
      const count = Math.floor(agent.length / FRAME_SIZE);
      if (count === 0) return;
      if (options.silenceStopMs !== undefined) {
        for (let f = 0; f < count; f++) {
          const loud = frameLevelDb(agent, f * FRAME_SIZE) > silenceDb || frameLevelDb(customer, f * FRAME_SIZE) > silenceDb;
          if (loud) {
            spoken = true;
            silentMs = 0;
          } else silentMs += HOP_MS;
        }
        if (spoken && silentMs >= options.silenceStopMs) endCall('silence');
      }
      hooks.onFrames(agent, customer);
      frames += count;
      const pushedAt = performance.now();
      if (session.pushFrames(agent, customer)) {
        void session.drain().then(() => {
          if (latencies.length >= 1_000_000) return;
          const now = performance.now();
          latencies.push(now - capturedAt);
          engineLatencies.push(now - pushedAt);
        });
      }
      // Back-pressure: a file played faster than the engine keeps up with (a sped-up demo on a loaded
      // machine) waits for it; a device or a phone line cannot wait, and its frames are bounded instead.
      if (pausable && !paused && session.queuedFrames >= PAUSE_AT_QUEUED_FRAMES) {
        paused = true;
        source.pause!();
        void session.drain().then(() => {
          paused = false;
          source.resume!();
        });
      }
    };
    const startSource = source.start({
      frames(agent, customer, capturedAt) {
        if (!accepting && !finalFlush) return;
        if (trigger && !trigger.triggered) {
          const count = Math.floor(agent.length / FRAME_SIZE);
          const rest = trigger.push(agent, customer, count);
          if (rest < 0) return;
          hooks.onCallStart();
          const pre = trigger.takePreroll();
          deliver(pre.agent, pre.customer, capturedAt);
          if (rest < count) deliver(agent.slice(rest * FRAME_SIZE), customer.slice(rest * FRAME_SIZE), capturedAt);
          return;
        }
        deliver(agent, customer, capturedAt);
      },
      status(s) {
        hooks.onStatus(s);
      },
    });
    try {
      await startSource;
    } catch (err) {
      accepting = false;
      await session.stop().catch(() => undefined);
      throw err;
    }

    const timers: NodeJS.Timeout[] = [];
    if (options.stopAfterMs !== undefined) timers.push(setTimeout(() => endCall('time'), options.stopAfterMs));
    const onAbort = (): void => endCall('signal');
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void source.finished?.then(() => endCall('source'));
    await ended;
    for (const t of timers) clearTimeout(t);
    options.signal?.removeEventListener('abort', onAbort);

    // Whatever the source still holds belongs to the call; nothing after it is processed.
    finalFlush = true;
    await source.stop();
    finalFlush = false;
    await hooks.onSourceEnd();
    await session.drain();
    const summary = await session.stop();
    const report = collector.build(summary);
    const sorted = [...latencies].sort((a, b) => a - b);
    const src = source.stats();
    const result: CallResult = {
      report,
      playbook: options.playbook,
      startedAt,
      source: source.description,
      stats: {
        frames,
        engineDropped: session.dropped,
        sourceDroppedSamples: src.droppedSamples,
        sourcePaddedSamples: src.paddedSamples,
        latencyP50Ms: round(percentile(sorted, 0.5)),
        latencyP99Ms: round(percentile(sorted, 0.99)),
        latencyMaxMs: round(sorted.at(-1) ?? 0),
        engineLatencyP99Ms: round(percentile([...engineLatencies].sort((a, b) => a - b), 0.99)),
        engineBusyMs: round(session.busyMs),
        wallMs: Math.round(performance.now() - t0),
        stopReason,
      },
    };
    await hooks.onEnd(result);
    return result;
  } finally {
    accepting = false;
    if (ownHost) await ownHost.close();
  }
}

/** The stages as one: each hook runs every stage's in order (onEnd awaits each in turn). */
function fanOut(stages: readonly CallStage[]): Required<Omit<CallStage, 'onFail'>> {
  const each = <K extends keyof CallStage>(k: K): NonNullable<CallStage[K]>[] => stages.flatMap((s) => (s[k] ? [s[k]!] : []));
  const onOutput = each('onOutput');
  const onNudge = each('onNudge');
  const onStatus = each('onStatus');
  const onFrames = each('onFrames');
  const onSession = each('onSession');
  const onCallStart = each('onCallStart');
  const onEnd = each('onEnd');
  const onSourceEnd = each('onSourceEnd');
  return {
    onOutput: (m) => onOutput.forEach((f) => f(m)),
    onNudge: (p, n) => onNudge.forEach((f) => f(p, n)),
    onStatus: (s) => onStatus.forEach((f) => f(s)),
    onFrames: (a, c) => onFrames.forEach((f) => f(a, c)),
    onSession: (s) => onSession.forEach((f) => f(s)),
    onCallStart: () => onCallStart.forEach((f) => f()),
    onSourceEnd: async () => {
      for (const f of onSourceEnd) await f();
    },
    onEnd: async (r) => {
      for (const f of onEnd) await f(r);
    },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
