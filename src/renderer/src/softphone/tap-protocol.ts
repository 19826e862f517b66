/**
 * Wire format between the audio-tap worklet and the main thread. Every frame pair travels as one
 * transferred ArrayBuffer (no per-frame object besides the buffer itself): a Float64 header followed by
 * the agent and the customer samples. The main thread hands each buffer back after use, so the worklet
 * recycles a small pool instead of allocating.
 */
import { FRAME_SIZE } from '../../../dsp/frames';

export const TAP_PROCESSOR_NAME = 'cadence-softphone-tap';

/** Header slots (Float64): frame index since the tap started, AudioContext time at the frame's end. */
export const HEADER_SLOTS = 2;
export const HEADER_BYTES = HEADER_SLOTS * 8;
export const FRAME_BUFFER_BYTES = HEADER_BYTES + 2 * FRAME_SIZE * 4;

export interface FrameView {
  readonly header: Float64Array;
  readonly agent: Float32Array;
  readonly customer: Float32Array;
}

export function frameView(buf: ArrayBuffer): FrameView {
  return {
    header: new Float64Array(buf, 0, HEADER_SLOTS),
    agent: new Float32Array(buf, HEADER_BYTES, FRAME_SIZE),
    customer: new Float32Array(buf, HEADER_BYTES + FRAME_SIZE * 4, FRAME_SIZE),
  };
}

export interface TapProcessorOptions {
  /** Buffers allocated up front. */
  readonly poolSize: number;
  /** Most buffers ever in flight; beyond it a frame is dropped (the main thread has stalled). */
  readonly maxBuffers: number;
}

/** Control messages, main thread → worklet (a bare ArrayBuffer is a buffer handed back). */
export type TapControl = { readonly type: 'flush' } | { readonly type: 'stats' };

/** Status messages, worklet → main thread (a bare ArrayBuffer is a frame). */
export type TapReport =
  | { readonly type: 'flushed'; readonly stats: TapWorkletStats }
  | { readonly type: 'stats'; readonly stats: TapWorkletStats };

export interface TapWorkletStats {
  readonly frames: number;
  readonly droppedFrames: number;
  readonly buffersAllocated: number;
  readonly inputRate: number;
}
