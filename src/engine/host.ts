/**
 * Host side of the engine worker: starts it, runs sessions on it, routes its output, bounds the frame
 * queue, times out requests, forwards its logs, and restarts it after a crash.
 */
import type { CoachingEngine, CoachingSession, SessionListener } from './session';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineMessage, EngineRequest, FramesRequest, LogLevel, SessionOptions } from '../shared/engine-protocol';
import type { PhraseWords } from '../shared/phrase';
import type { CallEvent, CallSummary, TranscriptWord } from '../shared/types';

export interface EngineHostOptions {
  /** The worker script; defaults to the sibling worker source or its compiled form. */
  readonly workerUrl?: URL;
  readonly onLog?: (level: LogLevel, message: string) => void;
  /** Called when the worker dies; every running session has ended with an error. */
  readonly onCrash?: (error: Error) => void;
  readonly requestTimeoutMs?: number;
  /** Frames (20 ms each) allowed in flight per session before new ones are dropped. */
  readonly maxQueueFrames?: number;
  /**
   * Collect frames for this long and send all sessions' frames in one message (one buffer per session
   * per batch): for a server running many calls, where a postMessage per 20 ms per call costs more
   * than the engine does. 0 (the default) sends each push at once.
   */
  readonly batchMs?: number;
}

/** One session's frames waiting for the next batch (planar, back to back; grown as needed, reused). */
interface PendingFrames {
  agent: Float32Array;
  customer: Float32Array;
  samples: number;
}


interface Pending {
  resolve(msg: EngineMessage): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function defaultWorker(): { url: URL; viaTsx: boolean } {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, viaTsx: false };
  return { url: new URL('./worker.ts', import.meta.url), viaTsx: true };
}

let sessionCounter = 0;

export class EngineSession implements CoachingSession {
  private inFlight = 0;
  private stopped = false;
  /** Frames dropped because the worker fell behind (should stay 0). */
  dropped = 0;
  /** Call time reached by the worker, ms. */
  tMs = 0;
  /** Total worker time spent processing this session's frames, ms. */
  busyMs = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly host: EngineHost,
    readonly id: string,
    readonly listener: SessionListener,
    private readonly maxQueueFrames: number,
  ) {}

  get ended(): boolean {
    return this.stopped;
  }

  /** Frames waiting in the worker's queue. */
  get queuedFrames(): number {
    return this.inFlight;
  }

  /**
   * Sends frames (a whole number of 320-sample frames per channel). The arrays are transferred to the
   * worker and must not be used afterwards. Returns false when dropped (queue full or session ended).
   */
  pushFrames(agent: Float32Array, customer: Float32Array): boolean {
    const frames = Math.floor(Math.min(agent.length, customer.length) / 320);
    if (this.stopped || frames === 0) return false;
    if (this.inFlight + frames > this.maxQueueFrames) {
      this.dropped += frames;
      return false;
    }
    this.inFlight += frames;
    if (this.host.batching) {
      this.host.queueFrames(this.id, agent, customer, frames * 320);
      return true;
    }
    const own = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());
    const a = own(agent);
    const c = own(customer);
    this.host.post({ type: 'frames', seq: this.host.nextSeq(), sessionId: this.id, agent: a, customer: c }, [a.buffer as ArrayBuffer, c.buffer as ArrayBuffer]);
    return true;
  }

  /** Resolves when every frame sent so far has been processed. */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  pushWords(channel: 0 | 1, words: readonly TranscriptWord[]): void {
    if (this.stopped || words.length === 0) return;
    try {
      this.host.post({ type: 'words', seq: this.host.nextSeq(), sessionId: this.id, channel, words });
    } catch {
      // A worker that is down loses these words for pace only; the transcript itself is stored by its stage.
    }
  }

  pushPhrases(words: PhraseWords): void {
    if (this.stopped) return;
    try {
      this.host.post({ type: 'phrase-words', seq: this.host.nextSeq(), sessionId: this.id, words });
    } catch {
      // A worker that is down loses these words for phrase rules; the transcript is stored by its stage.
    }
  }

  async mark(): Promise<CallEvent> {
    const msg = await this.host.request({ type: 'mark', seq: this.host.nextSeq(), sessionId: this.id });
    if (msg.type !== 'marked') throw new EngineError('protocol', `unexpected ${msg.type}`);
    return msg.event;
  }

  async dismiss(nudgeId: string): Promise<boolean> {
    const msg = await this.host.request({ type: 'dismiss', seq: this.host.nextSeq(), sessionId: this.id, nudgeId });
    return msg.type === 'dismissed' && msg.ok;
  }

  /** Ends the session: every frame already sent is processed, then open nudges close. Nothing is emitted after. */
  async stop(): Promise<CallSummary> {
    if (this.stopped) throw new EngineError('stopped', `session ${this.id} already stopped`);
    this.stopped = true;
    try {
      const msg = await this.host.request({ type: 'stop', seq: this.host.nextSeq(), sessionId: this.id });
      if (msg.type !== 'stopped') throw new EngineError('protocol', `unexpected ${msg.type}`);
      return msg.summary;
    } finally {
      this.host.forget(this.id);
      this.settle(this.inFlight);
    }
  }

  /** @internal */
  processed(frames: number, tMs: number, busyMs: number): void {
    this.tMs = tMs;
    this.busyMs += busyMs;
    this.settle(frames);
  }

  /** @internal */
  abort(): void {
    this.stopped = true;
    this.settle(this.inFlight);
  }

  private settle(frames: number): void {
    this.inFlight = Math.max(0, this.inFlight - frames);
    if (this.inFlight === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}

export class EngineHost implements CoachingEngine {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly sessions = new Map<string, EngineSession>();
  /** Frames per outstanding 'frames' request, so 'processed' can settle the right count. */
  private readonly frameRequests = new Map<number, number>();
  private closing = false;
  /** Frames per session waiting for the next batch (batchMs > 0), in arrival order of sessions. */
  private readonly batch = new Map<string, PendingFrames>();
  private batchTimer: NodeJS.Timeout | null = null;
  restarts = 0;

  private constructor(private readonly opts: EngineHostOptions) {}

  static async start(opts: EngineHostOptions = {}): Promise<EngineHost> {
    const host = new EngineHost(opts);
    await host.spawn();
    return host;
  }

  /** @internal */
  nextSeq(): number {
    return ++this.seq;
  }

  private spawn(): Promise<void> {
    const chosen = this.opts.workerUrl ? { url: this.opts.workerUrl, viaTsx: this.opts.workerUrl.pathname.endsWith('.ts') } : defaultWorker();
    const worker = chosen.viaTsx
      ? new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { entry: chosen.url.href } })
      : new Worker(chosen.url);
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      // 'error' is followed by 'exit'; report one failure per worker.
      let failed = false;
      worker.on('message', (msg: EngineMessage) => {
        if (msg.type === 'ready') {
          ready = true;
          resolve();
          return;
        }
        this.route(msg);
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
        failed = true;
        if (this.worker === worker) this.worker = null;
        this.crashed(err);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (!ready) reject(new EngineError('worker_exit', `engine worker exited with code ${code} before it was ready`));
        else if (!this.closing && !failed) this.crashed(new EngineError('worker_exit', `engine worker exited with code ${code}`));
      });
    });
  }

  private crashed(err: Error): void {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new EngineError('worker_crashed', `engine worker failed: ${err.message}`));
    }
    this.pending.clear();
    this.frameRequests.clear();
    for (const s of this.sessions.values()) s.abort();
    this.sessions.clear();
    this.dropBatch();
    this.opts.onLog?.('error', `engine worker failed: ${err.message}`);
    this.opts.onCrash?.(err);
  }

  private route(msg: EngineMessage): void {
    switch (msg.type) {
      case 'log':
        this.opts.onLog?.(msg.level, msg.message);
        return;
      case 'processed': {
        const frames = this.frameRequests.get(msg.replyTo) ?? 0;
        this.frameRequests.delete(msg.replyTo);
        this.sessions.get(msg.sessionId)?.processed(frames, msg.tMs, msg.busyMs);
        return;
      }
      case 'nudge':
      case 'event':
      case 'segment':
      case 'timeline':
      case 'metrics':
      case 'language': {
        const s = this.sessions.get(msg.sessionId);
        // Output of a session that has been told to stop still arrives until 'stopped'; deliver it.
        if (s) s.listener(msg);
        return;
      }
      default: {
        const replyTo = 'replyTo' in msg ? msg.replyTo : undefined;
        if (replyTo === undefined) {
          if (msg.type === 'error') this.opts.onLog?.('error', msg.message);
          return;
        }
        const p = this.pending.get(replyTo);
        if (!p) return;
        this.pending.delete(replyTo);
        clearTimeout(p.timer);
        if (msg.type === 'error') p.reject(new EngineError(msg.code, msg.message));
        else p.resolve(msg);
      }
    }
  }

  /** @internal */
  post(req: EngineRequest, transfer: ArrayBuffer[] = []): void {
    if (!this.worker) throw new EngineError('no_worker', 'engine worker is not running');
    // Frames waiting in the batch go first: a stop or mark must follow the frames pushed before it.
    if (req.type !== 'batch') this.flushBatch();
    if (req.type === 'frames') this.frameRequests.set(req.seq, Math.floor(req.agent.length / 320));
    this.worker.postMessage(req, transfer);
  }

  /** @internal */
  get batching(): boolean {
    return (this.opts.batchMs ?? 0) > 0;
  }

  /** @internal Copies a session's frames into the next batch (the caller keeps its arrays). */
  queueFrames(sessionId: string, agent: Float32Array, customer: Float32Array, samples: number): void {
    let p = this.batch.get(sessionId);
    if (!p) this.batch.set(sessionId, (p = { agent: new Float32Array(samples * 4), customer: new Float32Array(samples * 4), samples: 0 }));
    if (p.samples + samples > p.agent.length) {
      const grow = (x: Float32Array): Float32Array => {
        const y = new Float32Array(Math.max(2 * x.length, p.samples + samples));
        y.set(x.subarray(0, p.samples));
        return y;
      };
      p.agent = grow(p.agent);
      p.customer = grow(p.customer);
    }
    p.agent.set(agent.subarray(0, samples), p.samples);
    p.customer.set(customer.subarray(0, samples), p.samples);
    p.samples += samples;
    this.batchTimer ??= setTimeout(() => this.flushBatch(), this.opts.batchMs);
  }

  /** Frames of sessions that have ended with the worker are not sent anywhere. */
  private dropBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.batch.clear();
  }

  /** Sends every session's waiting frames in one message: one transferred buffer per session. */
  private flushBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (this.batch.size === 0 || !this.worker) return;
    const requests: FramesRequest[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const [sessionId, p] of this.batch) {
      if (p.samples === 0) continue;
      // Both channels in one buffer: half the transfers, and the worker reads them as two views.
      const buf = new ArrayBuffer(p.samples * 8);
      const agent = new Float32Array(buf, 0, p.samples);
      const customer = new Float32Array(buf, p.samples * 4, p.samples);
      agent.set(p.agent.subarray(0, p.samples));
      customer.set(p.customer.subarray(0, p.samples));
      p.samples = 0;
      const seq = this.nextSeq();
      this.frameRequests.set(seq, agent.length / 320);
      requests.push({ type: 'frames', seq, sessionId, agent, customer });
      transfer.push(buf);
    }
    if (requests.length > 0) this.post({ type: 'batch', seq: this.nextSeq(), requests }, transfer);
  }

  /** @internal */
  request(req: EngineRequest): Promise<EngineMessage> {
    return new Promise((resolve, reject) => {
      const timeoutMs = this.opts.requestTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.pending.delete(req.seq);
        reject(new EngineError('timeout', `engine did not answer ${req.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(req.seq, { resolve, reject, timer });
      try {
        this.post(req);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(req.seq);
        reject(err as Error);
      }
    });
  }

  /** @internal */
  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.batch.delete(sessionId);
  }

  get running(): boolean {
    return this.worker !== null;
  }

  async startSession(options: SessionOptions, listener: SessionListener, sessionId?: string): Promise<EngineSession> {
    const id = sessionId ?? `s${Date.now().toString(36)}-${++sessionCounter}`;
    const session = new EngineSession(this, id, listener, this.opts.maxQueueFrames ?? 500);
    this.sessions.set(id, session);
    try {
      await this.request({ type: 'start', seq: this.nextSeq(), sessionId: id, options });
    } catch (err) {
      this.sessions.delete(id);
      throw err;
    }
    return session;
  }

  /** Round trip to the worker; also reports the worker's heap in use. */
  async ping(): Promise<{ ms: number; heapUsed: number }> {
    const t0 = performance.now();
    const msg = await this.request({ type: 'ping', seq: this.nextSeq() });
    return { ms: performance.now() - t0, heapUsed: msg.type === 'pong' ? msg.heapUsed : NaN };
  }

  /** Test hook: makes the worker fail. */
  crashForTest(): void {
    this.post({ type: 'crash', seq: this.nextSeq() });
  }

  /** Replaces the worker (after a crash, or to recover from a hang). Running sessions end. */
  async restart(): Promise<void> {
    const old = this.worker;
    this.closing = true;
    if (old) await old.terminate();
    this.closing = false;
    for (const s of this.sessions.values()) s.abort();
    this.sessions.clear();
    this.dropBatch();
    this.restarts++;
    await this.spawn();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.sessions.values()) s.abort();
    this.sessions.clear();
    this.dropBatch();
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new EngineError('closed', 'engine host closed'));
    }
    this.pending.clear();
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
