/**
 * Silero VAD v5 (ONNX, through onnxruntime-node) beside the engine's energy VAD, for noisy lines.
 * Node side only (the engine worker and offline analysis); the pure engine takes its output as plain
 * per-frame probabilities and never imports this.
 *
 * Cost control: the network runs only on a channel whose analyzer says the energy VAD cannot be trusted
 * (`ChannelFeatures.neuralWanted`: the line's speech peaks stand less than `neuralGateSnrDb` above its
 * noise floor), and on such a channel only for windows with energy above the floor; a clean call never
 * runs it. Both channels go through one run as a batch of two (Silero's state is [2, batch, 128]): two
 * streams cost ~1.15× one.
 *
 * Timing: Silero judges 32 ms windows (512 samples at 16 kHz, each fed with the previous window's last
 * 64 samples in front, as silero-vad's OnnxWrapper does); a 20 ms frame takes the probability of the
 * last window completed by its end, so a neural decision lags the audio by 0–32 ms (16 ms on average).
 * The probabilities are computed before the frames they belong to are processed (the caller awaits
 * `prepare`, then calls `processFrames`), so the engine itself stays synchronous.
 *
 * Where the network runs: offline analysis runs it in its own thread between frames (throughput is what
 * counts there); the live engine worker asks for `thread: true`, which runs it in silero-thread.ts, so the
 * engine thread's work per frame never includes an inference and it takes the next message while the
 * network works.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { dbfs, FRAME_SIZE } from '../dsp/frames';
import type { Engine } from './engine';

export const SILERO_WINDOW = 512;
const CONTEXT = 64;
const INPUT = CONTEXT + SILERO_WINDOW;
const STATE = 128;
/**
 * A window is sent to the network only when its energy is this far above the channel's noise floor
 * (minimum statistics over ~3 s of window energies, Martin 2001, as the channel analyzer's floor): the
 * network is not needed to call a window at the floor line noise.
 */
const SKIP_MARGIN_DB = 2;
const FLOOR_BLOCKS = 6;
const FLOOR_BLOCK_WINDOWS = 16;
const NAN_PAIR = new Float32Array([NaN, NaN]);
/** Frames per awaited step in `processFramesNeural`: the gate is re-read this often (160 ms). */
const STEP_FRAMES = 8;

/**
 * A path inside app.asar as the packaged app can open it from disk: native code and the ONNX runtime
 * read real files, so electron-builder unpacks them to app.asar.unpacked (see electron-builder.yml).
 */
export function unpackedPath(path: string): string {
  return path.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
}

/** The Silero VAD v5 model shipped in @ricky0123/vad-web, from node_modules in dev or unpacked when packaged. */
export function sileroModelPath(): string {
  const require = createRequire(import.meta.url);
  return unpackedPath(join(dirname(require.resolve('@ricky0123/vad-web/package.json')), 'dist', 'silero_vad_v5.onnx'));
}

let shared: Promise<ort.InferenceSession> | null = null;

/** One inference session per process: the model is read once; every stream keeps its own state. */
function session(modelPath: string): Promise<ort.InferenceSession> {
  if (!shared) {
    if (!existsSync(modelPath)) return Promise.reject(new Error(`Silero VAD model not found at ${modelPath}`));
    // One thread each: the engine is one core's worth of work and other processes share the CPU; the
    // network is a few small matrix products per window, so threads would cost more than they save.
    shared = ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
    shared.catch(() => (shared = null));
  }
  return shared;
}

/**
 * One Silero stream over both channels: judges the window in `input` (2 × (64 + 512) samples), after
 * zeroing the recurrent state when `reset`; resolves the two speech probabilities.
 */
export type SileroRun = (input: Float32Array, reset: boolean) => Promise<Float32Array>;

/** Silero in this thread. */
export async function openSilero(modelPath: string): Promise<SileroRun> {
  const s = await session(modelPath);
  const zero = (): ort.Tensor => new ort.Tensor('float32', new Float32Array(2 * 2 * STATE), [2, 2, STATE]);
  const feeds: Record<string, ort.Tensor> = { state: zero(), sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []) };
  let inputOf: Float32Array | null = null;
  return async (input, reset) => {
    if (reset) feeds.state = zero();
    // The caller refills one buffer per window: wrap it once.
    if (input !== inputOf) {
      feeds.input = new ort.Tensor('float32', input, [2, INPUT]);
      inputOf = input;
    }
    const out = await s.run(feeds);
    feeds.state = out.stateN as ort.Tensor;
    return (out.output as ort.Tensor).data as Float32Array;
  };
}

/**
 * The Silero thread's script: the bundled entry beside the engine worker (this module lands in its
 * chunks/ folder when bundled), else the source through tsx.
 */
function sileroThread(modelPath: string): Worker {
  for (const built of ['./silero-thread.js', '../silero-thread.js']) {
    const js = new URL(built, import.meta.url);
    if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: { modelPath } });
  }
  return new Worker(new URL('./ts-worker.mjs', import.meta.url), { workerData: { entry: new URL('./silero-thread.ts', import.meta.url).href, modelPath } });
}

/** A stream of the shared Silero thread: its runs, and `free` to drop its state there. */
interface SileroStream {
  readonly run: SileroRun;
  free(): void;
}

/** Opens a stream: on the shared thread, or (the thread failed) in this thread. */
type StreamOpener = () => SileroStream;

let sharedThread: Promise<StreamOpener> | null = null;
/** The worker's log line when its Silero thread starts (tests count them), then ` (thread <tid>)` on Linux. */
export const SILERO_THREAD_STARTED = 'neural voice activity: Silero thread started';
let nextKey = 1;

/**
 * The one Silero thread of this engine worker (silero-thread.ts), shared by all its sessions: one model
 * and one onnxruntime session for any number of calls, where a thread per call cost ~30 MB and a thread
 * switch per window each. Replies come in request order whatever the stream, so one queue of waiters
 * serves them all. If the thread fails, the windows in flight get no probability (NaN: the energy VAD
 * decides those frames) and every stream goes on in this thread with its own state.
 */
async function startSharedThread(modelPath: string, onStart: ((tid?: number) => void) | undefined): Promise<StreamOpener> {
  const worker = sileroThread(modelPath);
  const waiting: ((probs: Float32Array) => void)[] = [];
  let failed = false;
  const fail = (): void => {
    failed = true;
    for (const resolve of waiting.splice(0)) resolve(new Float32Array([NaN, NaN]));
  };
  await new Promise<void>((resolve, reject) => {
    const early = (code: number): void => reject(new Error(`Silero thread exited (${code}) before it was ready`));
    worker.once('message', (msg: { tid?: number }) => {
      worker.off('error', reject).off('exit', early);
      onStart?.(msg.tid);
      resolve();
    });
    worker.once('error', reject).once('exit', early);
  });
  // Referenced only while a window is in flight: an idle thread never keeps the process alive.
  worker.unref();
  worker.on('message', (msg: { probs?: Float32Array; error?: string }) => {
    if (msg.probs) waiting.shift()?.(msg.probs);
    else fail();
    if (waiting.length === 0) worker.unref();
  });
  worker.on('error', fail);
  worker.on('exit', fail);
  return () => {
    const key = nextKey++;
    let local: Promise<SileroRun> | null = null;
    return {
      run: async (input, reset) => {
        if (failed) return (await (local ??= openSilero(modelPath)))(input, reset);
        return new Promise((resolve) => {
          if (waiting.push(resolve) === 1) worker.ref();
          worker.postMessage({ key, input, reset });
        });
      },
      free: () => {
        if (!failed) worker.postMessage({ key, free: true });
      },
    };
  };
}

export interface NeuralVad {
  /**
   * Speech probabilities for the next `frames` frames of both channels (laid out as in
   * `Engine.processFrames`), NaN for a channel the engine's gate has not asked for. Call once per batch,
   * in stream order, before processing the same frames.
   */
  prepare(engine: Engine, agent: Float32Array, customer: Float32Array, frames: number, fromFrame: number, out: Float32Array): Promise<void>;
  /**
   * The next frames go past without the network (no channel asks for it): the stream restarts when
   * `prepare` is next called, as after a gap. Costs nothing per frame, so a clean call runs at the
   * engine's own speed.
   */
  skip(): void;
  /** Network runs so far (one run judges one 32 ms window of both channels). */
  readonly runs: number;
  /** Windows seen so far (per channel). */
  readonly windows: number;
  /** Ends the stream: frees its state in the shared thread. */
  close(): void;
}

export interface NeuralVadOptions {
  /** Run the network in the worker's shared Silero thread (the live engine) instead of this one. */
  readonly thread?: boolean;
  /**
   * Called once the shared Silero thread has started and loaded the model, if this stream started it (the
   * first stream of the worker that needed it); `tid` is its Linux thread id, for reading its CPU time.
   */
  readonly onThreadStart?: (tid?: number) => void;
  /** Called once if the model cannot be loaded when first needed; the energy VAD then decides alone. */
  readonly onUnavailable?: (err: Error) => void;
}

/** A stream on the shared thread, starting the thread if this is the first; in this thread if it cannot start. */
function openThreadStream(modelPath: string, onThreadStart: ((tid?: number) => void) | undefined): Promise<SileroStream> {
  sharedThread ??= startSharedThread(modelPath, onThreadStart);
  // A thread that cannot start (e.g. its script missing from a build) leaves the network in this thread.
  return sharedThread.then(
    (open) => open(),
    async () => ({ run: await openSilero(modelPath), free: () => undefined }),
  );
}

/**
 * A Silero stream over both channels of one call. Nothing is loaded until a channel first needs the
 * network: a clean call never loads the model nor starts a thread.
 */
export async function createNeuralVad(modelPath: string = sileroModelPath(), opts: NeuralVadOptions = {}): Promise<NeuralVad> {
  if (!existsSync(modelPath)) throw new Error(`Silero VAD model not found at ${modelPath}`);
  let stream: Promise<SileroStream | null> | null = null;
  const open = (): Promise<SileroStream | null> =>
    (stream ??= (opts.thread ? openThreadStream(modelPath, opts.onThreadStart) : openSilero(modelPath).then((run) => ({ run, free: () => undefined }))).catch(
      (err: unknown) => {
        opts.onUnavailable?.(err as Error);
        return null;
      },
    ));
  const inputData = new Float32Array(2 * INPUT);
  let reset = false;
  // Samples of the window being filled, per channel (after the 64 samples of context).
  let fill = 0;
  const lastProb = new Float64Array(2);
  let runs = 0;
  let windows = 0;
  // Per channel: block minima of the smoothed window energy, the current block, the smoothed energy.
  const blockMin = [new Float64Array(FLOOR_BLOCKS).fill(Infinity), new Float64Array(FLOOR_BLOCKS).fill(Infinity)];
  let block = 0;
  let blockWindows = 0;
  const smoothed = [NaN, NaN];
  const need = [false, false];

  async function windowDone(wanted: readonly boolean[]): Promise<void> {
    windows++;
    for (let ch = 0; ch < 2; ch++) {
      let e = 0;
      const o = ch * INPUT + CONTEXT;
      for (let i = 0; i < SILERO_WINDOW; i++) e += inputData[o + i]! * inputData[o + i]!;
      const db = dbfs(e / SILERO_WINDOW);
      const sm = Number.isNaN(smoothed[ch]!) ? db : 0.7 * smoothed[ch]! + 0.3 * db;
      smoothed[ch] = sm;
      const mins = blockMin[ch]!;
      if (sm < mins[block]!) mins[block] = sm;
      let floor = Infinity;
      for (let b = 0; b < FLOOR_BLOCKS; b++) if (mins[b]! < floor) floor = mins[b]!;
      need[ch] = wanted[ch]! && db > floor + SKIP_MARGIN_DB;
      // A window at the floor is line noise: no speech, and no network run for it.
      if (wanted[ch] && !need[ch]) lastProb[ch] = 0;
    }
    if (++blockWindows >= FLOOR_BLOCK_WINDOWS) {
      blockWindows = 0;
      block = (block + 1) % FLOOR_BLOCKS;
      blockMin[0]![block] = Infinity;
      blockMin[1]![block] = Infinity;
    }
    if (need[0] || need[1]) {
      const s = await open();
      // No model: NaN, so the energy VAD decides these frames.
      const p = s ? await s.run(inputData, reset) : NAN_PAIR;
      reset = false;
      runs++;
      for (let ch = 0; ch < 2; ch++) if (wanted[ch]) lastProb[ch] = p[ch]!;
    }
    // The tail of this window is the next one's context.
    inputData.copyWithin(0, SILERO_WINDOW, INPUT);
    inputData.copyWithin(INPUT, INPUT + SILERO_WINDOW, 2 * INPUT);
    fill = 0;
  }

  let skipping = false;

  return {
    close() {
      void stream?.then((s) => s?.free());
    },
    skip() {
      if (skipping) return;
      skipping = true;
      fill = 0;
      inputData.fill(0);
      reset = true;
      for (let ch = 0; ch < 2; ch++) {
        blockMin[ch]!.fill(Infinity);
        smoothed[ch] = NaN;
      }
    },
    get runs() {
      return runs;
    },
    get windows() {
      return windows;
    },
    async prepare(engine, agent, customer, frames, fromFrame, out) {
      const f = engine.channels;
      // The gate is read once per batch: its inputs (the line's noise floor and speech peaks) move over seconds.
      const wanted = [f[0].neuralWanted, f[1].neuralWanted];
      skipping = false;
      for (let k = 0; k < frames; k++) {
        let off = (fromFrame + k) * FRAME_SIZE;
        let left = FRAME_SIZE;
        while (left > 0) {
          const n = Math.min(left, SILERO_WINDOW - fill);
          inputData.set(agent.subarray(off, off + n), CONTEXT + fill);
          inputData.set(customer.subarray(off, off + n), INPUT + CONTEXT + fill);
          fill += n;
          off += n;
          left -= n;
          if (fill === SILERO_WINDOW) await windowDone(wanted);
        }
        out[2 * k] = wanted[0] ? lastProb[0]! : NaN;
        out[2 * k + 1] = wanted[1] ? lastProb[1]! : NaN;
      }
    },
  };
}

const stepProbs = new WeakMap<NeuralVad, Float32Array>();

/**
 * Runs frames through the engine with the neural VAD where its gate asks for it, in steps of 160 ms so
 * a line that turns noisy is caught within one step. Same contract as `Engine.processFrames`.
 */
export async function processFramesNeural(
  engine: Engine,
  vad: NeuralVad,
  agent: Float32Array,
  customer: Float32Array,
  frames: number,
  fromFrame = 0,
): Promise<void> {
  // One buffer per stream, reused: a stream's batches run one after another.
  let probs = stepProbs.get(vad);
  if (!probs) stepProbs.set(vad, (probs = new Float32Array(2 * STEP_FRAMES)));
  for (let done = 0; done < frames && !engine.finished; ) {
    const n = Math.min(STEP_FRAMES, frames - done);
    const [a, c] = engine.channels;
    if (a.neuralWanted || c.neuralWanted) {
      await vad.prepare(engine, agent, customer, n, fromFrame + done, probs);
      engine.processFrames(agent, customer, n, fromFrame + done, probs);
    } else {
      vad.skip();
      engine.processFrames(agent, customer, n, fromFrame + done);
    }
    done += n;
  }
}
