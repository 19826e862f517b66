/**
 * The engine worker thread. Owns the live sessions; the host only moves frames in and results out.
 * Never blocks: every request is answered; errors are reported, not thrown. Requests are handled one at
 * a time in arrival order: a batch of frames on a noisy line awaits the neural VAD (neural-vad.ts, run in
 * one Silero thread shared by all sessions, started the first time any line needs it) before the engine
 * processes it, and later requests (mark, stop) wait their turn behind
 * it. `busyMs` is this thread's active time on the batch, without the inference thread's.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { FRAME_SIZE, HOP_MS } from '../dsp/frames';
import type { EngineMessage, EngineRequest, LogLevel } from '../shared/engine-protocol';
import { createEngine, type Engine } from './engine';
import { createNeuralVad, processFramesNeural, SILERO_THREAD_STARTED, type NeuralVad } from './neural-vad';

const port = parentPort;
if (!port) throw new Error('engine worker must run in a worker thread');

let seq = 0;
const send = (msg: EngineMessage): void => port.postMessage(msg);
const next = (): number => ++seq;
const log = (level: LogLevel, message: string): void => send({ type: 'log', seq: next(), level, message });

interface Session {
  readonly engine: Engine;
  /** Null when the model could not be loaded: the energy VAD alone, as logged at start. */
  readonly vad: NeuralVad | null;
  readonly metricsIntervalMs: number;
  nextMetricsMs: number;
}

const sessions = new Map<string, Session>();

let vadWarned = false;
const warnUnavailable = (err: Error): void => {
  if (!vadWarned) log('warn', `neural voice activity unavailable (${err.message}); noisy lines use the energy detector alone`);
  vadWarned = true;
};

async function startSession(req: Extract<EngineRequest, { type: 'start' }>): Promise<void> {
  const id = req.sessionId;
  if (sessions.has(id)) {
    send({ type: 'error', seq: next(), replyTo: req.seq, sessionId: id, code: 'session_exists', message: `session ${id} already running` });
    return;
  }
  const engine = createEngine({
    playbook: req.options.playbook,
    ...(req.options.agentCalibrationDb !== undefined ? { agentCalibrationDb: req.options.agentCalibrationDb } : {}),
    sink: {
      onNudge: (phase, nudge) => send({ type: 'nudge', seq: next(), sessionId: id, phase, nudge }),
      onEvent: (phase, event) => send({ type: 'event', seq: next(), sessionId: id, phase, event }),
      onSegment: (segment) => send({ type: 'segment', seq: next(), sessionId: id, segment }),
      onTimeline: (point) => send({ type: 'timeline', seq: next(), sessionId: id, point }),
      onLanguage: (snapshot) => send({ type: 'language', seq: next(), sessionId: id, snapshot }),
    },
  });
  let vad: NeuralVad | null = null;
  try {
    // Inference in the shared Silero thread: this thread's work per frame stays the engine's alone.
    vad = await createNeuralVad(undefined, { thread: true, onThreadStart: (tid) => log('info', tid ? `${SILERO_THREAD_STARTED} (thread ${tid})` : SILERO_THREAD_STARTED), onUnavailable: warnUnavailable });
  } catch (err) {
    warnUnavailable(err as Error);
  }
  const interval = req.options.metricsIntervalMs ?? 250;
  sessions.set(id, { engine, vad, metricsIntervalMs: interval, nextMetricsMs: interval });
  send({ type: 'started', seq: next(), replyTo: req.seq, sessionId: id });
}

async function frames(req: Extract<EngineRequest, { type: 'frames' }>): Promise<void> {
  const s = sessions.get(req.sessionId);
  // Frames for a stopped or unknown session are dropped silently: after stop nothing is emitted.
  if (!s) return;
  // This thread's active time, not the wall time: while the Silero thread judges a window this one idles.
  const t0 = performance.eventLoopUtilization().active;
  const count = Math.floor(Math.min(req.agent.length, req.customer.length) / FRAME_SIZE);
  const e = s.engine;
  let done = 0;
  while (done < count) {
    // Run up to the next metrics boundary in one call: no per-frame views or closures.
    const untilMetrics = Math.max(1, Math.ceil((s.nextMetricsMs - e.tMs) / HOP_MS));
    const n = Math.min(count - done, untilMetrics);
    if (s.vad) await processFramesNeural(e, s.vad, req.agent, req.customer, n, done);
    else e.processFrames(req.agent, req.customer, n, done);
    done += n;
    if (e.tMs >= s.nextMetricsMs) {
      s.nextMetricsMs += s.metricsIntervalMs;
      send({ type: 'metrics', seq: next(), sessionId: req.sessionId, snapshot: e.snapshot() });
    }
  }
  send({ type: 'processed', seq: next(), replyTo: req.seq, sessionId: req.sessionId, tMs: e.tMs, busyMs: performance.eventLoopUtilization().active - t0 });
}

async function handle(req: EngineRequest): Promise<void> {
  switch (req.type) {
    case 'start':
      return startSession(req);
    case 'frames':
      return frames(req);
    // Batching (host.ts): many sessions' frames in one message, processed as if sent one by one.
    case 'batch':
      for (const r of req.requests) await frames(r);
      return;
    case 'words':
      // Words for a stopped or unknown session are dropped, like frames.
      return void sessions.get(req.sessionId)?.engine.addWords(req.channel, req.words);
    case 'phrase-words':
      // Words for a stopped or unknown session are dropped like late frames.
      return void sessions.get(req.sessionId)?.engine.words(req.words);
    case 'mark': {
      const s = sessions.get(req.sessionId);
      if (!s) return void send({ type: 'error', seq: next(), replyTo: req.seq, sessionId: req.sessionId, code: 'no_session', message: `no session ${req.sessionId}` });
      return void send({ type: 'marked', seq: next(), replyTo: req.seq, sessionId: req.sessionId, event: s.engine.mark() });
    }
    case 'dismiss': {
      const s = sessions.get(req.sessionId);
      return void send({ type: 'dismissed', seq: next(), replyTo: req.seq, sessionId: req.sessionId, ok: s ? s.engine.dismiss(req.nudgeId) : false });
    }
    case 'stop': {
      const s = sessions.get(req.sessionId);
      if (!s) return void send({ type: 'error', seq: next(), replyTo: req.seq, sessionId: req.sessionId, code: 'no_session', message: `no session ${req.sessionId}` });
      const summary = s.engine.finish();
      s.vad?.close();
      sessions.delete(req.sessionId);
      return void send({ type: 'stopped', seq: next(), replyTo: req.seq, sessionId: req.sessionId, summary });
    }
    case 'ping':
      return void send({ type: 'pong', seq: next(), replyTo: req.seq, heapUsed: getHeapStatistics().used_heap_size });
    case 'crash':
      throw new Error('crash requested by host');
  }
}

let queue: Promise<void> = Promise.resolve();

port.on('message', (req: EngineRequest) => {
  if (req.type === 'crash') {
    // Escape the handler's error reporting on purpose, so the host sees a real worker failure.
    setImmediate(() => {
      throw new Error('crash requested by host');
    });
    return;
  }
  queue = queue.then(
    () => handle(req),
  ).catch((err: unknown) => {
    const e = err as Error;
    log('error', e.stack ?? e.message);
    send({ type: 'error', seq: next(), replyTo: req.seq, code: 'internal', message: e.message });
  });
});

send({ type: 'ready', seq: next() });
