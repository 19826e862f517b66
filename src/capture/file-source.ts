/**
 * A WAV file played into the engine in real time (for the demo and for tests): the same frames a live
 * call would give, paced by the wall clock, in 20 ms steps.
 */
import { FRAME_SIZE, HOP_MS } from '../dsp/frames';
import { openWavFile, type WavFrameSource } from './wav-file';
import type { FrameSink, FrameSource, SourceStats } from './source';

export interface FileSourceOptions {
  readonly swap?: boolean;
  /** Playback speed; 1 = real time. */
  readonly speed?: number;
  /** Frames per delivery (1 = every 20 ms). */
  readonly framesPerChunk?: number;
}

/** Most frames one delivery carries when catching up (a late timer, a resume): 1 s of audio. */
const MAX_CATCH_UP_FRAMES = 50;

export class FileSource implements FrameSource {
  private agent = new Float32Array(0);
  private tick: (() => void) | null = null;
  /** Wall-clock origin of the pacing; moved on by each pause so a resume does not burst. */
  private t0 = 0;
  private pausedAt: number | null = null;
  private customer = new Float32Array(0);
  private timer: NodeJS.Timeout | null = null;
  private pos = 0;
  private sink: FrameSink | null = null;
  private finishedResolve: (() => void) | null = null;
  /** Resolves when the whole file has been delivered. */
  readonly finished: Promise<void>;

  constructor(
    private readonly path: string,
    private readonly opts: FileSourceOptions = {},
  ) {
    this.finished = new Promise((resolve) => (this.finishedResolve = resolve));
  }

  get description(): string {
    return `file ${this.path}`;
  }

  start(sink: FrameSink): Promise<void> {
    const src = openWavFile(this.path, { swap: this.opts.swap ?? false });
    const frames = Math.floor((src.durationMs / HOP_MS) + 1);
    const a = new Float32Array(frames * FRAME_SIZE);
    const c = new Float32Array(frames * FRAME_SIZE);
    let n = 0;
    src.read((agent, customer, count) => {
      const len = count * FRAME_SIZE;
      if (n + len > a.length) return;
      a.set(agent.subarray(0, len), n);
      c.set(customer.subarray(0, len), n);
      n += len;
    });
    this.agent = a.subarray(0, n);
    this.customer = c.subarray(0, n);
    this.sink = sink;
    for (const channel of ['agent', 'customer'] as const) sink.status({ channel, state: 'capturing', message: `playing ${this.path}` });
    const step = Math.max(1, this.opts.framesPerChunk ?? 1) * FRAME_SIZE;
    const periodMs = (step / FRAME_SIZE) * HOP_MS / (this.opts.speed ?? 1);
    const maxChunk = Math.max(step, MAX_CATCH_UP_FRAMES * FRAME_SIZE);
    this.t0 = performance.now();
    const tick = (): void => {
      this.timer = null;
      if (this.pausedAt !== null) return;
      // Deliver what is due by the wall clock (catches up after a late timer, a second at a time).
      const due = Math.min(this.agent.length, Math.floor((performance.now() - this.t0) / periodMs) * step, this.pos + maxChunk);
      if (due > this.pos) {
        const at = performance.now();
        const from = this.pos;
        this.pos = due;
        sink.frames(this.agent.slice(from, due), this.customer.slice(from, due), at);
      }
      if (this.pos >= this.agent.length) {
        this.finish();
        return;
      }
      if (this.pausedAt === null && this.tick) this.timer = setTimeout(tick, Math.max(1, periodMs / 2));
    };
    this.tick = tick;
    this.timer = setTimeout(tick, 0);
    return Promise.resolve();
  }

  /** Stops delivering until resume(); the file's clock stops with it. */
  pause(): void {
    if (this.pausedAt !== null || !this.tick) return;
    this.pausedAt = performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  resume(): void {
    if (this.pausedAt === null) return;
    this.t0 += performance.now() - this.pausedAt;
    this.pausedAt = null;
    if (this.tick && !this.timer) this.timer = setTimeout(this.tick, 0);
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.tick = null;
    this.finishedResolve?.();
    this.finishedResolve = null;
  }

  stop(): Promise<void> {
    this.finish();
    if (this.sink) for (const channel of ['agent', 'customer'] as const) this.sink.status({ channel, state: 'stopped', message: 'file source stopped' });
    return Promise.resolve();
  }

  stats(): SourceStats {
    return { droppedSamples: 0, paddedSamples: 0, frames: this.pos / FRAME_SIZE };
  }
}

/**
 * A recording read as fast as the machine allows (importing a file): every frame is delivered while
 * the source starts, in the file's own blocks, then the source has run dry. Pair it with the inline
 * engine; a worker would only add copies. `onProgress` gets the fraction read, for long files.
 */
export class WavReadSource implements FrameSource {
  private frames = 0;
  private readonly src: WavFrameSource;
  readonly finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly opts: { readonly swap?: boolean; readonly onProgress?: (fraction: number) => void } = {},
  ) {
    this.src = openWavFile(path, { swap: opts.swap ?? false });
  }

  get description(): string {
    return `file ${this.path}`;
  }

  /** Length of the recording, ms. */
  get durationMs(): number {
    return this.src.durationMs;
  }

  get warnings(): readonly string[] {
    return this.src.warnings;
  }

  start(sink: FrameSink): Promise<void> {
    const total = Math.max(1, this.src.durationMs / HOP_MS);
    let reported = 0;
    this.src.read((agent, customer, count) => {
      const len = count * FRAME_SIZE;
      // The reader reuses its arrays; the sink owns what it is given.
      sink.frames(agent.slice(0, len), customer.slice(0, len), performance.now());
      this.frames += count;
      const fraction = Math.min(1, this.frames / total);
      if (this.opts.onProgress && fraction - reported >= 0.01) {
        reported = fraction;
        this.opts.onProgress(fraction);
      }
    });
    this.opts.onProgress?.(1);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  stats(): SourceStats {
    return { droppedSamples: 0, paddedSamples: 0, frames: this.frames };
  }
}
