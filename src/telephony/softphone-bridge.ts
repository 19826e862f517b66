/**
 * The Node end of softphone mode: frames tapped in the renderer (SoftphoneFramesMessage, over IPC or the
 * browser host's socket) become a FrameSource like any other, so the live service runs the engine on a
 * softphone call exactly as on PortAudio devices or Media Streams.
 *
 * The tap numbers its frames (tMs); the bridge keeps the call clock from them: a gap (the renderer was
 * busy, a message was lost) is filled with silence up to `maxGapMs`, a frame already delivered is dropped,
 * and a larger jump is taken as a restart of the tap (re-synchronised without padding). Malformed
 * messages are refused with a clear error. When no frames arrive for `stallMs` the status says so.
 */
import { FRAME_SIZE, HOP_MS } from '../dsp/frames';
import type { SoftphoneFramesMessage } from '../shared/softphone';
import type { CaptureState, ChannelName, FrameSink, FrameSource, SourceStats } from '../capture/source';

export interface SoftphoneBridgeOptions {
  readonly description?: string;
  /** Largest hole in the tap's frame clock filled with silence. */
  readonly maxGapMs?: number;
  /** No frames for this long while started: status 'stalled'. */
  readonly stallMs?: number;
  /** Frames kept while no sink is attached yet (oldest dropped beyond). */
  readonly maxBacklogMs?: number;
  readonly now?: () => number;
}

export interface SoftphoneBridge extends FrameSource {
  /** One message from the renderer's tap. Throws on a malformed message. */
  push(msg: SoftphoneFramesMessage): void;
}

export function validateFramesMessage(msg: unknown): asserts msg is SoftphoneFramesMessage {
  const m = msg as Partial<SoftphoneFramesMessage> | null;
  if (!m || m.type !== 'softphone-frames') throw new TypeError('softphone frames: not a softphone-frames message');
  if (!(m.agent instanceof Float32Array) || !(m.customer instanceof Float32Array)) {
    throw new TypeError('softphone frames: agent and customer must be Float32Array');
  }
  if (m.agent.length !== m.customer.length) {
    throw new TypeError(`softphone frames: agent has ${m.agent.length} samples, customer ${m.customer.length}; they must match`);
  }
  if (m.agent.length === 0 || m.agent.length % FRAME_SIZE !== 0) {
    throw new TypeError(`softphone frames: ${m.agent.length} samples is not a whole number of ${FRAME_SIZE}-sample frames`);
  }
  if (typeof m.tMs !== 'number' || !Number.isFinite(m.tMs) || m.tMs < 0 || m.tMs % HOP_MS !== 0) {
    throw new TypeError(`softphone frames: tMs ${String(m.tMs)} is not a non-negative multiple of ${HOP_MS} ms`);
  }
}

export function createSoftphoneBridge(options: SoftphoneBridgeOptions = {}): SoftphoneBridge {
  const maxGapMs = options.maxGapMs ?? 5000;
  const stallMs = options.stallMs ?? 1000;
  const maxBacklogFrames = Math.max(1, Math.round((options.maxBacklogMs ?? 2000) / HOP_MS));
  const now = options.now ?? (() => performance.now());
  let sink: FrameSink | null = null;
  let backlog: { agent: Float32Array; customer: Float32Array; at: number }[] = [];
  let backlogFrames = 0;
  let nextMs: number | null = null;
  let lastAt = 0;
  let state: CaptureState = 'opening';
  let timer: ReturnType<typeof setInterval> | null = null;
  let stopped = false;
  const stats = { droppedSamples: 0, paddedSamples: 0, frames: 0 };

  const status = (s: CaptureState, message: string): void => {
    if (state === s) return;
    state = s;
    for (const channel of ['agent', 'customer'] as ChannelName[]) sink?.status({ channel, state: s, message, device: 'softphone' });
  };

  const deliver = (agent: Float32Array, customer: Float32Array, at: number): void => {
    if (!sink) {
      backlog.push({ agent, customer, at });
      backlogFrames += agent.length / FRAME_SIZE;
      while (backlogFrames > maxBacklogFrames && backlog.length > 1) {
        const old = backlog.shift()!;
        backlogFrames -= old.agent.length / FRAME_SIZE;
        stats.droppedSamples += old.agent.length;
      }
      return;
    }
    stats.frames += agent.length / FRAME_SIZE;
    sink.frames(agent, customer, at);
  };

  return {
    description: options.description ?? 'softphone (Twilio Voice SDK)',
    push(msg) {
      validateFramesMessage(msg);
      if (stopped) return;
      const at = now();
      lastAt = at;
      let { agent, customer } = msg;
      let t = msg.tMs;
      if (nextMs !== null && t < nextMs) {
        // Frames already delivered (a repeat or an overlap): keep only what is new.
        const skip = Math.min(agent.length, ((nextMs - t) / HOP_MS) * FRAME_SIZE);
        stats.droppedSamples += skip;
        if (skip === agent.length) return;
        agent = agent.subarray(skip);
        customer = customer.subarray(skip);
        t = nextMs;
      } else if (nextMs !== null && t > nextMs) {
        const gap = ((t - nextMs) / HOP_MS) * FRAME_SIZE;
        if (t - nextMs <= maxGapMs) {
          stats.paddedSamples += gap;
          deliver(new Float32Array(gap), new Float32Array(gap), at);
        }
        // A larger jump: the tap restarted; carry on from its clock without inventing minutes of silence.
      }
      nextMs = t + (agent.length / FRAME_SIZE) * HOP_MS;
      // Copies: the message's arrays may be views the renderer reuses, and the sink owns what it gets.
      deliver(agent.slice(), customer.slice(), at);
      if (state !== 'capturing') status('capturing', 'Softphone call audio is flowing');
    },
    async start(s) {
      if (stopped) throw new Error('the softphone bridge has been stopped');
      if (sink) throw new Error('the softphone bridge is already started');
      sink = s;
      const queued = backlog;
      backlog = [];
      backlogFrames = 0;
      for (const f of queued) deliver(f.agent, f.customer, f.at);
      state = 'opening';
      for (const channel of ['agent', 'customer'] as ChannelName[]) {
        s.status({ channel, state: queued.length ? 'capturing' : 'opening', message: queued.length ? 'Softphone call audio is flowing' : 'Waiting for the softphone call audio', device: 'softphone' });
      }
      if (queued.length) state = 'capturing';
      lastAt = now();
      timer = setInterval(() => {
        if (state === 'capturing' && now() - lastAt > stallMs) {
          status('stalled', `No softphone audio for ${Math.round((now() - lastAt) / 1000)} s; the call continues when it returns`);
        }
      }, Math.max(50, Math.min(500, stallMs / 2)));
      timer.unref?.();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      state = 'opening';
      status('stopped', 'Softphone call ended');
      sink = null;
    },
    stats: (): SourceStats => ({ ...stats }),
  };
}
