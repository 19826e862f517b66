/**
 * AudioWorklet processor of the softphone audio tap. Input 0 is the agent (the call's local stream),
 * input 1 the customer (its remote stream), each down-mixed to mono by the node. Both inputs arrive in
 * the same render quantum, so they are aligned by construction; an unconnected input is silence. Each
 * side goes through its own band-limited resampler (src/dsp/resample.ts) from the context rate to
 * 16 kHz — same rate, same state, so both produce the same sample count per quantum — and whole 20 ms
 * frames (320 samples per side) are posted to the main thread in recycled, transferred buffers.
 *
 * process() allocates nothing: the resamplers, scratch and zero blocks are made in the constructor (the
 * zero block grows only if the render quantum ever grows), frame buffers come from a pool whose views
 * are rebuilt when the main thread hands a buffer back (in the port's message handler), and the pool
 * grows only when the main thread holds on to every buffer (bounded by maxBuffers; beyond, frames are
 * dropped and counted while the frame clock keeps running).
 */
import { FRAME_SIZE, SAMPLE_RATE } from '../../../dsp/frames';
import { makeResampler, type Resampler } from '../../../dsp/resample';
import {
  FRAME_BUFFER_BYTES,
  HEADER_BYTES,
  HEADER_SLOTS,
  TAP_PROCESSOR_NAME,
  type TapControl,
  type TapProcessorOptions,
  type TapWorkletStats,
} from './tap-protocol';

// AudioWorkletGlobalScope, which the DOM library does not describe.
declare const sampleRate: number;
declare const currentTime: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: { processorOptions?: unknown });
}
declare function registerProcessor(name: string, ctor: new (options: { processorOptions?: unknown }) => AudioWorkletProcessor): void;

const RENDER_QUANTUM = 128;

class Side {
  readonly resampler: Resampler;
  readonly scratch: Float32Array;
  constructor(inRate: number) {
    this.resampler = makeResampler(inRate, SAMPLE_RATE, { maxBlock: 4096 });
    this.scratch = new Float32Array(this.resampler.maxOutput(4096));
  }
}

interface Slot {
  buf: ArrayBuffer;
  header: Float64Array;
  agent: Float32Array;
  customer: Float32Array;
}

function fillSlot(slot: Partial<Slot>, buf: ArrayBuffer): Slot {
  slot.buf = buf;
  slot.header = new Float64Array(buf, 0, HEADER_SLOTS);
  slot.agent = new Float32Array(buf, HEADER_BYTES, FRAME_SIZE);
  slot.customer = new Float32Array(buf, HEADER_BYTES + FRAME_SIZE * 4, FRAME_SIZE);
  return slot as Slot;
}

class TapProcessor extends AudioWorkletProcessor {
  private readonly agent: Side;
  private readonly customer: Side;
  /** Buffers ready to fill, with their views (made when a buffer comes back, outside process()). */
  private readonly pool: Slot[] = [];
  /** Slot objects whose buffer is out with the main thread, reused for the buffers that come back. */
  private readonly spare: Slot[] = [];
  private readonly maxBuffers: number;
  private buffersAllocated = 0;
  private readonly transfer: ArrayBuffer[] = [];
  private zeros = new Float32Array(RENDER_QUANTUM);
  /** The frame being filled. */
  private cur: Slot | null = null;
  private fill = 0;
  private frameIndex = 0;
  private dropped = 0;
  private stopping = false;

  constructor(options: { processorOptions?: unknown }) {
    super(options);
    const opts = (options.processorOptions ?? {}) as Partial<TapProcessorOptions>;
    this.maxBuffers = Math.max(2, opts.maxBuffers ?? 64);
    this.agent = new Side(sampleRate);
    this.customer = new Side(sampleRate);
    for (let i = 0; i < Math.min(this.maxBuffers, Math.max(2, opts.poolSize ?? 8)); i++) this.pool.push(this.allocate());
    this.transfer.length = 1;
    this.port.onmessage = (e: MessageEvent<ArrayBuffer | TapControl>) => this.onControl(e.data);
  }

  private allocate(): Slot {
    this.buffersAllocated++;
    return fillSlot({}, new ArrayBuffer(FRAME_BUFFER_BYTES));
  }

  private stats(): TapWorkletStats {
    return { frames: this.frameIndex, droppedFrames: this.dropped, buffersAllocated: this.buffersAllocated, inputRate: sampleRate };
  }

  private onControl(msg: ArrayBuffer | TapControl): void {
    if (msg instanceof ArrayBuffer) {
      if (msg.byteLength === FRAME_BUFFER_BYTES) this.pool.push(fillSlot(this.spare.pop() ?? {}, msg));
      return;
    }
    if (msg.type === 'stats') {
      this.port.postMessage({ type: 'stats', stats: this.stats() });
    } else if (msg.type === 'flush') {
      // The partial frame, padded with silence, so every sample captured so far is delivered.
      if (this.fill > 0 && this.cur) {
        this.cur.agent.fill(0, this.fill);
        this.cur.customer.fill(0, this.fill);
        this.fill = FRAME_SIZE;
        this.emit();
      }
      this.stopping = true;
      this.port.postMessage({ type: 'flushed', stats: this.stats() });
    }
  }

  /** Takes a buffer for the next frame; false when none can be had (the frame is then dropped). */
  private acquire(): boolean {
    let slot = this.pool.pop();
    if (!slot) {
      // The main thread is holding every buffer: grow the pool, up to a bound.
      if (this.buffersAllocated >= this.maxBuffers) return false;
      slot = this.allocate();
    }
    this.cur = slot;
    return true;
  }

  private emit(): void {
    const slot = this.cur!;
    slot.header[0] = this.frameIndex;
    slot.header[1] = currentTime;
    this.frameIndex++;
    this.transfer[0] = slot.buf;
    this.port.postMessage(slot.buf, this.transfer);
    this.spare.push(slot);
    this.cur = null;
    this.fill = 0;
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.stopping) return false;
    const a = inputs[0]?.[0];
    const c = inputs[1]?.[0];
    const len = a?.length ?? c?.length ?? RENDER_QUANTUM;
    if (this.zeros.length < len) this.zeros = new Float32Array(len);
    const na = this.agent.resampler.process(a && a.length === len ? a : this.zeros, len, this.agent.scratch);
    const nc = this.customer.resampler.process(c && c.length === len ? c : this.zeros, len, this.customer.scratch);
    // Identical resamplers fed identical lengths produce identical counts; guard anyway.
    const n = Math.min(na, nc);
    let off = 0;
    while (off < n) {
      if (this.cur === null && !this.acquire()) {
        // No buffer: skip one frame's worth of samples, keeping the frame clock running.
        const skip = Math.min(n - off, FRAME_SIZE - this.fill);
        this.fill += skip;
        off += skip;
        if (this.fill === FRAME_SIZE) {
          this.fill = 0;
          this.frameIndex++;
          this.dropped++;
        }
        continue;
      }
      const cur = this.cur!;
      const k = Math.min(n - off, FRAME_SIZE - this.fill);
      for (let i = 0; i < k; i++) {
        cur.agent[this.fill + i] = this.agent.scratch[off + i]!;
        cur.customer[this.fill + i] = this.customer.scratch[off + i]!;
      }
      this.fill += k;
      off += k;
      if (this.fill === FRAME_SIZE) this.emit();
    }
    return true;
  }
}

registerProcessor(TAP_PROCESSOR_NAME, TapProcessor);
