/**
 * One interface for every live audio source (PortAudio devices, a WAV file paced in real time, Twilio
 * Media Streams): a source delivers engine frames (16 kHz mono float32, whole 20 ms frames, agent and
 * customer side by side) and status changes to a sink until it is stopped.
 */

import type { CaptureState } from '../shared/rpc';
import type { ChannelName } from '../shared/types';

export type { CaptureState, ChannelName };

export interface CaptureStatus {
  readonly channel: ChannelName;
  readonly state: CaptureState;
  /** One line for people: what happened and what Cadence does about it. */
  readonly message: string;
  readonly device?: string;
}

export interface FrameSink {
  /**
   * Whole 20 ms frames for both channels (equal length, a multiple of 320 samples). The arrays belong
   * to the sink (they may be transferred). `capturedAt` is the performance.now() time the oldest of
   * these samples reached the process.
   */
  frames(agent: Float32Array, customer: Float32Array, capturedAt: number): void;
  status(status: CaptureStatus): void;
}

export interface FrameSource {
  /** Human-readable description (device names, file, stream id). */
  readonly description: string;
  start(sink: FrameSink): Promise<void>;
  /** Stops capture; every frame captured so far has been delivered when this resolves. */
  stop(): Promise<void>;
  /** Counters for figures and diagnostics. */
  stats(): SourceStats;
  /**
   * Sources that can wait (a file paced by the clock, not a device or a phone line) implement these:
   * the call pipeline pauses them while the engine catches up instead of dropping frames.
   */
  pause?(): void;
  resume?(): void;
}

export interface SourceStats {
  /** Samples (16 kHz) dropped because a queue was full or one side ran ahead of the other. */
  readonly droppedSamples: number;
  /** Samples of silence inserted for a side that delivered nothing (stalled or lost device). */
  readonly paddedSamples: number;
  /** Whole frames delivered to the sink. */
  readonly frames: number;
}
