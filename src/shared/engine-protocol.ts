/**
 * The engine worker protocol: a discriminated union of readonly messages, each with a `seq`. Frames
 * travel as transferred Float32Arrays (16 kHz, any whole number of 20 ms frames per message).
 *
 * Hand-typed on purpose, unlike the other contracts: both ends are our own code in one process, the
 * messages run at frame rate (50 a second each way), and a schema would either be parsed per message
 * (cost) or never (no gain). The values inside (Nudge, CallEvent, …) are the schema-inferred ones.
 */
import type { MetricsSnapshot } from './metrics';
import type { LanguageSnapshot, PhraseWords } from './phrase';
import type { Playbook } from './playbook';
import type { CallEvent, CallSummary, Nudge, Phase, SpeechSegment, TimelinePoint, TranscriptWord } from './types';

export interface SessionOptions {
  readonly playbook: Playbook;
  /** Agent's calibrated speech level from a level check, dBFS. */
  readonly agentCalibrationDb?: number;
  /** Interval between metrics snapshots in call time; the default 250 ms gives 4 Hz. */
  readonly metricsIntervalMs?: number;
}

export type FramesRequest = Readonly<{ type: 'frames'; seq: number; sessionId: string; agent: Float32Array; customer: Float32Array }>;

export type EngineRequest = Readonly<
  | { type: 'start'; seq: number; sessionId: string; options: SessionOptions }
  | FramesRequest
  /** Frames of many sessions in one message (a host batching many calls); each is answered as its own request. */
  | { type: 'batch'; seq: number; requests: readonly FramesRequest[] }
  /**
   * A transcriber's final words for one channel (0 agent, 1 customer), in call time, redacted: the live
   * word feed. A few words per message, a message per final (not per frame); no reply.
   */
  | { type: 'words'; seq: number; sessionId: string; channel: 0 | 1; words: readonly TranscriptWord[] }
  /** Transcript words for phrase rules and the checklist (src/engine/language.ts): interim and final, with sentiment. */
  | { type: 'phrase-words'; seq: number; sessionId: string; words: PhraseWords }
  | { type: 'mark'; seq: number; sessionId: string }
  | { type: 'dismiss'; seq: number; sessionId: string; nudgeId: string }
  | { type: 'stop'; seq: number; sessionId: string }
  | { type: 'ping'; seq: number }
  /** Test hook: makes the worker throw, to exercise crash handling. */
  | { type: 'crash'; seq: number }
>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type EngineMessage = Readonly<
  | { type: 'ready'; seq: number }
  /** heapUsed: the worker isolate's heap, bytes (for leak checks). */
  | { type: 'pong'; seq: number; replyTo: number; heapUsed: number }
  | { type: 'started'; seq: number; replyTo: number; sessionId: string }
  | { type: 'nudge'; seq: number; sessionId: string; phase: Phase; nudge: Nudge }
  | { type: 'event'; seq: number; sessionId: string; phase: Phase; event: CallEvent }
  | { type: 'segment'; seq: number; sessionId: string; segment: SpeechSegment }
  | { type: 'timeline'; seq: number; sessionId: string; point: TimelinePoint }
  | { type: 'metrics'; seq: number; sessionId: string; snapshot: MetricsSnapshot }
  | { type: 'language'; seq: number; sessionId: string; snapshot: LanguageSnapshot }
  /** The frames of request `replyTo` have been processed (lets the host bound its queue). */
  | { type: 'processed'; seq: number; replyTo: number; sessionId: string; tMs: number; busyMs: number }
  | { type: 'marked'; seq: number; replyTo: number; sessionId: string; event: CallEvent }
  | { type: 'dismissed'; seq: number; replyTo: number; sessionId: string; ok: boolean }
  | { type: 'stopped'; seq: number; replyTo: number; sessionId: string; summary: CallSummary }
  | { type: 'log'; seq: number; level: LogLevel; message: string }
  | { type: 'error'; seq: number; replyTo?: number; sessionId?: string; code: string; message: string }
>;

/** Messages that belong to a session's output stream (everything the host fans out to listeners). */
export type SessionOutput = Extract<EngineMessage, { type: 'nudge' | 'event' | 'segment' | 'timeline' | 'metrics' | 'language' }>;
