/**
 * Lines up two independently clocked 16 kHz channels into whole 20 ms frame pairs.
 *
 * - Each side has a bounded queue; when it overflows the oldest samples go (counted as dropped).
 * - When one side delivers nothing for `stallMs` (device stalled, lost or not yet started) while the
 *   other keeps delivering, the silent side is padded with zeros so the call clock keeps running.
 * - When a side starts or resumes, the other side's queue is trimmed to it (the two clocks are
 *   re-aligned, instead of carrying the start-up difference as a lasting delay).
 * - When both sides deliver but one runs ahead by more than `maxSkewMs` (two devices' clocks drift),
 *   the excess of the faster side is dropped.
 */
import { FRAME_SIZE, SAMPLE_RATE } from '../dsp/frames';
import type { ChannelName } from './source';

export interface PairerOptions {
  readonly onFrames: (agent: Float32Array, customer: Float32Array, capturedAt: number) => void;
  /** A side silent this long is padded with zeros. */
  readonly stallMs?: number;
  /** Largest lead one live side may have over the other before its excess is dropped. */
  readonly maxSkewMs?: number;
  /** Capacity of each side's queue. */
  readonly maxQueueMs?: number;
  readonly now?: () => number;
}

export const PAIRER_DEFAULTS = { stallMs: 250, maxSkewMs: 400, maxQueueMs: 2000 } as const;

class SideQueue {
  private readonly buf: Float32Array;
  private head = 0;
  length = 0;
  lastWriteAt: number;
  /** Arrival time of the oldest sample still queued. */
  oldestAt = Number.POSITIVE_INFINITY;
  dropped = 0;
  padded = 0;

  constructor(capacity: number, createdAt: number) {
    this.buf = new Float32Array(capacity);
    // A side that never delivers counts as silent from the start.
    this.lastWriteAt = createdAt;
  }

  get capacity(): number {
    return this.buf.length;
  }

  write(x: Float32Array, at: number): void {
    let src = x;
    if (src.length > this.capacity) {
      this.dropped += src.length - this.capacity;
      src = src.subarray(src.length - this.capacity);
    }
    const over = this.length + src.length - this.capacity;
    if (over > 0) this.discard(over, true);
    if (this.length === 0) this.oldestAt = at;
    let tail = (this.head + this.length) % this.capacity;
    for (let i = 0; i < src.length; i++) {
      this.buf[tail] = src[i]!;
      tail = tail + 1 === this.capacity ? 0 : tail + 1;
    }
    this.length += src.length;
    this.lastWriteAt = at;
  }

  pad(n: number, at: number): void {
    const zeros = new Float32Array(Math.min(n, this.capacity));
    this.padded += zeros.length;
    this.write(zeros, at);
  }

  discard(n: number, count: boolean): void {
    const k = Math.min(n, this.length);
    this.head = (this.head + k) % this.capacity;
    this.length -= k;
    if (count) this.dropped += k;
    if (this.length === 0) this.oldestAt = Number.POSITIVE_INFINITY;
  }

  read(n: number, out: Float32Array): void {
    for (let i = 0; i < n; i++) {
      out[i] = this.buf[this.head]!;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.length -= n;
    // What remains arrived with the latest write at the earliest.
    this.oldestAt = this.length === 0 ? Number.POSITIVE_INFINITY : Math.max(this.oldestAt, this.lastWriteAt);
  }
}

export interface FramePairer {
  write(channel: ChannelName, samples: Float32Array): void;
  /** Emits whatever can be paired now, padding a side that has stalled. Call it on a timer too. */
  pump(): void;
  /** Emits everything left, padding the shorter side with silence to a whole frame. */
  flush(): void;
  stats(): { droppedSamples: number; paddedSamples: number; frames: number };
}

export function makeFramePairer(options: PairerOptions): FramePairer {
  const cfg = { ...PAIRER_DEFAULTS, ...options };
  const now = options.now ?? (() => performance.now());
  const cap = Math.max(FRAME_SIZE * 4, Math.round((cfg.maxQueueMs / 1000) * SAMPLE_RATE));
  const skew = Math.round((cfg.maxSkewMs / 1000) * SAMPLE_RATE);
  const t0 = now();
  const sides: Record<ChannelName, SideQueue> = { agent: new SideQueue(cap, t0), customer: new SideQueue(cap, t0) };
  let frames = 0;

  const emit = (count: number): void => {
    if (count <= 0) return;
    const n = count * FRAME_SIZE;
    const a = new Float32Array(n);
    const c = new Float32Array(n);
    const at = Math.min(sides.agent.oldestAt, sides.customer.oldestAt);
    sides.agent.read(n, a);
    sides.customer.read(n, c);
    frames += count;
    options.onFrames(a, c, Number.isFinite(at) ? at : now());
  };

  const pump = (): void => {
    const t = now();
    const a = sides.agent;
    const c = sides.customer;
    // A side that has gone quiet is padded up to the other side.
    for (const [x, y] of [
      [a, c],
      [c, a],
    ] as const) {
      if (x.length >= FRAME_SIZE && y.length < x.length && t - y.lastWriteAt >= cfg.stallMs && t - x.lastWriteAt < cfg.stallMs) {
        y.pad(x.length - y.length, t);
      }
    }
    // Both live but one far ahead: drop the excess of the faster clock.
    if (a.length - c.length > skew) a.discard(a.length - c.length - skew, true);
    else if (c.length - a.length > skew) c.discard(c.length - a.length - skew, true);
    emit(Math.floor(Math.min(a.length, c.length) / FRAME_SIZE));
  };

  return {
    write(channel, samples) {
      const t = now();
      const side = sides[channel];
      const other = sides[channel === 'agent' ? 'customer' : 'agent'];
      const resumed = t - side.lastWriteAt >= cfg.stallMs;
      side.write(samples, t);
      // A side that starts (or comes back) delivers audio from now on: what the other side queued
      // beyond that is from before, so it goes (otherwise it would sit as a lasting extra delay).
      if (resumed && other.length > side.length) other.discard(other.length - side.length, true);
      pump();
    },
    pump,
    flush() {
      pump();
      const t = now();
      const longest = Math.max(sides.agent.length, sides.customer.length);
      if (longest === 0) return;
      const target = Math.ceil(longest / FRAME_SIZE) * FRAME_SIZE;
      for (const s of [sides.agent, sides.customer]) if (s.length < target) s.pad(target - s.length, t);
      emit(target / FRAME_SIZE);
    },
    stats() {
      return {
        droppedSamples: sides.agent.dropped + sides.customer.dropped,
        paddedSamples: sides.agent.padded + sides.customer.padded,
        frames,
      };
    },
  };
}
