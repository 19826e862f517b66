/**
 * The softphone audio tap: the call's local stream (agent) and remote stream (customer) into 20 ms
 * frames of 16 kHz mono float32 per channel, time-paired, through an AudioWorklet (tap-processor.ts).
 *
 * Frames reach `onFrames` whole (320 samples per side), in order, numbered from the tap's start
 * (`tMs` = frame index × 20 ms). The arrays are views of a buffer that goes back to the worklet when
 * the callback returns: copy (or transfer a copy) to keep them.
 *
 * Chromium only renders a WebRTC remote stream through Web Audio while the stream also plays in a media
 * element; the Twilio Voice SDK plays it in its own <audio>, so a call's remote stream works as is.
 */
import { HOP_MS } from '../../../dsp/frames';
import { FRAME_BUFFER_BYTES, TAP_PROCESSOR_NAME, frameView, type TapControl, type TapReport, type TapWorkletStats } from './tap-protocol';

export interface FrameInfo {
  /** Frame index since the tap started. */
  readonly index: number;
  /** AudioContext time (s) when the frame's last sample was rendered. */
  readonly contextTime: number;
}

export interface AudioTapOptions {
  /** Whole frame pairs, 320 samples each; views valid only during the call. */
  readonly onFrames: (agent: Float32Array, customer: Float32Array, tMs: number, info: FrameInfo) => void;
  /** URL of the bundled worklet module (tap-processor.ts); see processor-url.ts for the Vite build. */
  readonly processorUrl: string | URL;
  /** An AudioContext to use; by default the tap makes (and closes) its own at the device rate. */
  readonly context?: AudioContext;
  /** Buffers the worklet allocates up front, and at most. */
  readonly poolSize?: number;
  readonly maxBuffers?: number;
}

export interface AudioTapStats extends TapWorkletStats {
  /** Frames delivered to onFrames. */
  readonly delivered: number;
}

export interface AudioTap {
  readonly context: AudioContext;
  /** Rewires the sources (null = silence on that side) without restarting the frame clock. */
  setStreams(agent: MediaStream | null, customer: MediaStream | null): void;
  stats(): Promise<AudioTapStats>;
  /** Delivers the last partial frame (padded with silence), then disconnects everything. */
  stop(): Promise<AudioTapStats>;
}

function hasAudio(stream: MediaStream | null): stream is MediaStream {
  return !!stream && stream.getAudioTracks().length > 0;
}

export async function createAudioTap(
  agent: MediaStream | null,
  customer: MediaStream | null,
  options: AudioTapOptions,
): Promise<AudioTap> {
  const ownContext = !options.context;
  const context = options.context ?? new AudioContext({ latencyHint: 'interactive' });
  try {
    await context.audioWorklet.addModule(String(options.processorUrl));
  } catch (err) {
    if (ownContext) await context.close().catch(() => undefined);
    throw new Error(`The audio tap's worklet could not be loaded from ${String(options.processorUrl)}: ${(err as Error).message}`);
  }
  const node = new AudioWorkletNode(context, TAP_PROCESSOR_NAME, {
    numberOfInputs: 2,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCount: 1,
    channelCountMode: 'explicit',
    channelInterpretation: 'speakers',
    processorOptions: { poolSize: options.poolSize ?? 8, maxBuffers: options.maxBuffers ?? 64 },
  });
  // The node writes nothing to its output; connecting it keeps it pulled by the render graph.
  node.connect(context.destination);

  let delivered = 0;
  let stopped = false;
  const pending: ((stats: TapWorkletStats) => void)[] = [];
  let flushed: ((stats: TapWorkletStats) => void) | null = null;
  const recycle: [ArrayBuffer | null] = [null];

  node.port.onmessage = (e: MessageEvent<ArrayBuffer | TapReport>) => {
    const msg = e.data;
    if (msg instanceof ArrayBuffer) {
      if (msg.byteLength !== FRAME_BUFFER_BYTES) return;
      const v = frameView(msg);
      const index = v.header[0]!;
      delivered++;
      try {
        options.onFrames(v.agent, v.customer, index * HOP_MS, { index, contextTime: v.header[1]! });
      } finally {
        if (!stopped) {
          recycle[0] = msg;
          node.port.postMessage(msg, recycle as ArrayBuffer[]);
        }
      }
      return;
    }
    if (msg.type === 'stats') pending.shift()?.(msg.stats);
    else if (msg.type === 'flushed') flushed?.(msg.stats);
  };

  let sources: MediaStreamAudioSourceNode[] = [];
  const setStreams = (a: MediaStream | null, c: MediaStream | null): void => {
    for (const s of sources) s.disconnect();
    sources = [];
    if (hasAudio(a)) {
      const s = context.createMediaStreamSource(a);
      s.connect(node, 0, 0);
      sources.push(s);
    }
    if (hasAudio(c)) {
      const s = context.createMediaStreamSource(c);
      s.connect(node, 0, 1);
      sources.push(s);
    }
  };
  setStreams(agent, customer);
  if (context.state === 'suspended') await context.resume().catch(() => undefined);

  const withDelivered = (s: TapWorkletStats): AudioTapStats => ({ ...s, delivered });
  const control = (msg: TapControl): void => node.port.postMessage(msg);

  return {
    context,
    setStreams,
    stats: () =>
      new Promise((resolve) => {
        pending.push((s) => resolve(withDelivered(s)));
        control({ type: 'stats' });
      }),
    async stop() {
      if (stopped) throw new Error('the audio tap is already stopped');
      const stats = await new Promise<TapWorkletStats>((resolve) => {
        flushed = resolve;
        control({ type: 'flush' });
        // A suspended or closed context never answers; don't hang on it.
        setTimeout(() => resolve({ frames: delivered, droppedFrames: 0, buffersAllocated: 0, inputRate: context.sampleRate }), 1000);
      });
      stopped = true;
      for (const s of sources) s.disconnect();
      sources = [];
      node.port.onmessage = null;
      node.disconnect();
      if (ownContext) await context.close().catch(() => undefined);
      return withDelivered(stats);
    },
  };
}
