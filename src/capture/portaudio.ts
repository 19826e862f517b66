/**
 * PortAudio through naudiodon (an optional native dependency): device listing, choosing a device by id
 * or name, and a capture channel that converts whatever the device gives (any rate, any channel count)
 * to 16 kHz mono, watches for a device that stops delivering, and reopens it when it returns.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { SAMPLE_RATE } from '../dsp/frames';
import { makeResampler, type Resampler } from '../dsp/resample';
import { UserError } from '../shared/errors';
import type { CaptureStatus, ChannelName } from './source';

/** The parts of naudiodon Cadence uses (declared here so the optional package is not needed to type-check). */
interface NaudiodonDevice {
  readonly id: number;
  readonly name: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
  readonly defaultLowInputLatency: number;
  readonly hostAPIName: string;
}
interface NaudiodonStream extends Readable {
  start(): void;
  quit(cb?: () => void): Promise<void>;
}
interface Naudiodon {
  readonly SampleFormatFloat32: number;
  getDevices(): NaudiodonDevice[];
  getHostAPIs(): { defaultHostAPI: number; HostAPIs: { id: number; name: string; defaultInput: number; defaultOutput: number }[] };
  AudioIO(options: {
    inOptions: {
      deviceId: number;
      channelCount: number;
      sampleFormat: number;
      sampleRate: number;
      framesPerBuffer?: number;
      maxQueue?: number;
      highwaterMark?: number;
      closeOnError?: boolean;
    };
  }): NaudiodonStream;
}

let cached: Naudiodon | null = null;

/**
 * naudiodon runs a stream's quit() (Pa_CloseStream, then Pa_Terminate) on the libuv thread pool, and
 * PortAudio is not thread-safe there: two quits at once, or a quit racing an open, can crash the whole
 * process (seen: SIGSEGV in Pa_CloseStream under Pa_Terminate when both call channels closed together).
 * Every quit goes through this one queue, and opens wait for it to drain.
 */
let portAudioQueue: Promise<void> = Promise.resolve();

/** Quits a stream after any other PortAudio teardown; gives up waiting after `timeoutMs`. */
function quitSerially(s: NaudiodonStream, timeoutMs: number): Promise<void> {
  const run = portAudioQueue.then(() =>
    Promise.race([s.quit().catch(() => undefined), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]).then(() => undefined),
  );
  portAudioQueue = run;
  return run;
}

/** Resolves once no PortAudio teardown is in progress (call before opening a stream). */
export function portAudioIdle(): Promise<void> {
  return portAudioQueue;
}

/** Loads naudiodon; a clear error when the optional native module is missing or was not built. */
export function loadNaudiodon(): Naudiodon {
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = require('naudiodon') as Naudiodon;
    return cached;
  } catch (err) {
    throw new UserError(
      `audio capture is unavailable: the optional native module naudiodon could not be loaded (${(err as Error).message.split('\n')[0]}); reinstall with \`npm install naudiodon\``,
      'no_audio_backend',
    );
  }
}

export interface AudioDevice {
  readonly id: number;
  readonly name: string;
  readonly hostApi: string;
  readonly inputChannels: number;
  readonly outputChannels: number;
  readonly defaultSampleRate: number;
  /** Default low input latency, ms. */
  readonly inputLatencyMs: number;
  readonly defaultInput: boolean;
  readonly defaultOutput: boolean;
}

export function listDevices(backend: Naudiodon = loadNaudiodon()): AudioDevice[] {
  const devices = backend.getDevices();
  let defaultsIn = new Set<number>();
  let defaultsOut = new Set<number>();
  try {
    const apis = backend.getHostAPIs();
    const def = apis.HostAPIs[apis.defaultHostAPI] ?? apis.HostAPIs[0];
    if (def) {
      defaultsIn = new Set([def.defaultInput]);
      defaultsOut = new Set([def.defaultOutput]);
    }
  } catch {
    // host API details are a nicety
  }
  return devices.map((d) => ({
    id: d.id,
    name: d.name,
    hostApi: d.hostAPIName,
    inputChannels: d.maxInputChannels,
    outputChannels: d.maxOutputChannels,
    defaultSampleRate: d.defaultSampleRate,
    inputLatencyMs: Math.round(d.defaultLowInputLatency * 1000 * 10) / 10,
    defaultInput: defaultsIn.has(d.id),
    defaultOutput: defaultsOut.has(d.id),
  }));
}

/**
 * Finds an input device by id (digits), exact name, or a case-insensitive part of its name that
 * matches exactly one input. Throws a UserError that lists the inputs otherwise.
 */
export function resolveInputDevice(spec: string, devices: readonly AudioDevice[]): AudioDevice {
  const inputs = devices.filter((d) => d.inputChannels > 0);
  const list = (): string => (inputs.length ? inputs.map((d) => `${d.id} "${d.name}"`).join(', ') : 'none');
  const wanted = spec.trim();
  if (/^\d+$/.test(wanted)) {
    const byId = devices.find((d) => d.id === Number(wanted));
    if (!byId) throw new UserError(`no audio device with id ${wanted} (inputs: ${list()})`, 'unknown_device');
    if (byId.inputChannels === 0) throw new UserError(`audio device ${wanted} "${byId.name}" has no inputs (inputs: ${list()})`, 'unknown_device');
    return byId;
  }
  const exact = inputs.find((d) => d.name === wanted);
  if (exact) return exact;
  const lower = wanted.toLowerCase();
  const partial = inputs.filter((d) => d.name.toLowerCase().includes(lower));
  if (partial.length === 1) return partial[0]!;
  if (partial.length > 1) throw new UserError(`audio device name "${wanted}" is ambiguous: ${partial.map((d) => `${d.id} "${d.name}"`).join(', ')}`, 'ambiguous_device');
  throw new UserError(`no audio input device named "${wanted}" (inputs: ${list()}; see \`cadence devices\`)`, 'unknown_device');
}

export interface PortAudioChannelOptions {
  readonly channel: ChannelName;
  /** Device id or name, as the user gave it. */
  readonly device: string;
  /** Capture rate; the device's default rate when absent. Converted to 16 kHz either way. */
  readonly sampleRate?: number;
  readonly onSamples: (samples: Float32Array) => void;
  readonly onStatus: (status: CaptureStatus) => void;
  /** No samples for this long after the first ones: the device is reported stalled and reopened. */
  readonly stallMs?: number;
  /** Grace for the first samples after opening (PortAudio + PulseAudio start-up takes ~2 s). */
  readonly startGraceMs?: number;
  /** Between attempts to reopen a lost device. */
  readonly retryMs?: number;
  readonly backend?: Naudiodon;
  /** PortAudio buffer length, ms (DEFAULT_CHUNK_MS). */
  readonly chunkMs?: number;
}

/** Default capture buffer: 20 ms keeps latency low; 40–80 ms costs less CPU per second of audio. */
export const DEFAULT_CHUNK_MS = 20;
const RESAMPLE_BLOCK = 4096;

/**
 * A capture channel on one PortAudio input. `open()` throws a UserError for an unknown device or an
 * unsupported format; after that, failures are reported through onStatus and retried until `close()`.
 */
export class PortAudioChannel {
  private stream: NaudiodonStream | null = null;
  private resampler: Resampler | null = null;
  private mono = new Float32Array(0);
  private out = new Float32Array(0);
  private inChannels = 1;
  private lastDataAt = 0;
  private openedAt = 0;
  private gotData = false;
  private closed = false;
  private state: CaptureStatus['state'] = 'opening';
  private watchdog: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  deviceInfo: AudioDevice | null = null;
  /** Stream restarts after a stall or loss. */
  reopens = 0;

  constructor(private readonly opts: PortAudioChannelOptions) {}

  private get backend(): Naudiodon {
    return this.opts.backend ?? loadNaudiodon();
  }

  private setState(state: CaptureStatus['state'], message: string): void {
    if (state === this.state && state !== 'lost') return;
    this.state = state;
    this.opts.onStatus({ channel: this.opts.channel, state, message, ...(this.deviceInfo ? { device: this.deviceInfo.name } : {}) });
  }

  /** Opens the device; throws UserError with a clear message when it cannot. */
  open(): void {
    const device = resolveInputDevice(this.opts.device, listDevices(this.backend));
    this.openDevice(device);
    this.watchdog = setInterval(() => this.check(), 100);
    this.watchdog.unref?.();
  }

  private openDevice(device: AudioDevice): void {
    const rate = this.opts.sampleRate ?? device.defaultSampleRate;
    if (!Number.isFinite(rate) || rate < 8000 || rate > 192000) {
      throw new UserError(`sample rate ${rate} Hz is out of range for "${device.name}" (8000–192000 Hz; the device's default is ${device.defaultSampleRate} Hz)`, 'bad_sample_rate');
    }
    const channels = Math.min(device.inputChannels, 1) || 1;
    const chunkMs = this.opts.chunkMs ?? DEFAULT_CHUNK_MS;
    const framesPerBuffer = Math.max(1, Math.round((rate * chunkMs) / 1000));
    let stream: NaudiodonStream;
    try {
      stream = this.backend.AudioIO({
        inOptions: {
          deviceId: device.id,
          channelCount: channels,
          sampleFormat: this.backend.SampleFormatFloat32,
          sampleRate: rate,
          framesPerBuffer,
          highwaterMark: framesPerBuffer * channels * 4,
          // About 2 s of chunks may wait in native memory if the event loop stalls; beyond that they go.
          maxQueue: Math.ceil(2000 / chunkMs),
          closeOnError: false,
        },
      });
    } catch (err) {
      const msg = (err as Error).message;
      // PortAudio reports a device it cannot open (held by another program, or gone) as a host error,
      // sometimes dressed as "format not supported" even at the device's own default rate.
      if (/busy|unavailable|Unanticipated host error/i.test(msg) && (rate === device.defaultSampleRate || !/sample ?rate/i.test(msg))) {
        throw new UserError(`audio device "${device.name}" is busy or unavailable (${msg}); close the other program using it or pick another device`, 'device_busy');
      }
      if (/sample ?rate/i.test(msg) || /Format not supported/i.test(msg)) {
        throw new UserError(`audio device "${device.name}" cannot capture at ${rate} Hz (${msg}; its default rate is ${device.defaultSampleRate} Hz)`, 'bad_sample_rate');
      }
      if (/busy|unavailable|Device unavailable/i.test(msg)) {
        throw new UserError(`audio device "${device.name}" is busy or unavailable (${msg}); close the other program using it or pick another device`, 'device_busy');
      }
      throw new UserError(`cannot open audio device "${device.name}": ${msg}`, 'device_error');
    }
    this.deviceInfo = device;
    this.inChannels = channels;
    this.resampler = makeResampler(rate, SAMPLE_RATE, { maxBlock: RESAMPLE_BLOCK });
    this.stream = stream;
    this.gotData = false;
    this.openedAt = performance.now();
    stream.on('data', (buf: Buffer) => this.onData(buf));
    stream.on('error', (err: Error) => this.lose(`audio device "${device.name}" failed: ${err.message.split('\n')[0]}`));
    stream.start();
    this.setState('opening', `opening "${device.name}" at ${rate} Hz`);
  }

  private onData(buf: Buffer): void {
    if (this.closed || !this.resampler) return;
    this.lastDataAt = performance.now();
    if (!this.gotData) {
      this.gotData = true;
      const again = this.reopens > 0 ? ' again (capture resumed)' : '';
      this.setState('capturing', `capturing from "${this.deviceInfo?.name ?? this.opts.device}"${again}`);
    } else if (this.state !== 'capturing') {
      this.setState('capturing', `"${this.deviceInfo?.name ?? this.opts.device}" is delivering audio again`);
    }
    const bytes = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    const interleaved = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
    const frames = Math.floor(interleaved.length / this.inChannels);
    if (this.mono.length < frames) this.mono = new Float32Array(frames);
    if (this.inChannels === 1) this.mono.set(interleaved.subarray(0, frames));
    else {
      for (let i = 0; i < frames; i++) {
        let s = 0;
        for (let c = 0; c < this.inChannels; c++) s += interleaved[i * this.inChannels + c]!;
        this.mono[i] = s / this.inChannels;
      }
    }
    for (let at = 0; at < frames; at += RESAMPLE_BLOCK) {
      const len = Math.min(RESAMPLE_BLOCK, frames - at);
      const need = this.resampler.maxOutput(len);
      if (this.out.length < need) this.out = new Float32Array(need);
      const n = this.resampler.process(at === 0 ? this.mono : this.mono.subarray(at), len, this.out);
      if (n > 0) this.opts.onSamples(this.out.slice(0, n));
    }
  }

  private check(): void {
    if (this.closed || !this.stream) return;
    const t = performance.now();
    const stallMs = this.opts.stallMs ?? 1500;
    if (!this.gotData) {
      if (t - this.openedAt > (this.opts.startGraceMs ?? 5000)) this.lose(`audio device "${this.deviceInfo?.name ?? this.opts.device}" delivers no audio`);
      return;
    }
    const quiet = t - this.lastDataAt;
    if (quiet > stallMs * 2) this.lose(`audio device "${this.deviceInfo?.name ?? this.opts.device}" stopped delivering audio for ${(quiet / 1000).toFixed(1)} s`);
    else if (quiet > stallMs / 3 && this.state === 'capturing') {
      this.setState('stalled', `no audio from "${this.deviceInfo?.name ?? this.opts.device}" for ${Math.round(quiet)} ms`);
    }
  }

  /** The device stopped or vanished: drop the stream and retry by name until it is back. */
  private lose(message: string): void {
    if (this.closed) return;
    this.dropStream();
    this.setState('lost', `${message}; retrying until it returns`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      await portAudioIdle();
      if (this.closed) return;
      try {
        const device = resolveInputDevice(this.opts.device, listDevices(this.backend));
        this.reopens++;
        this.openDevice(device);
      } catch {
        this.scheduleRetry();
      }
    }, this.opts.retryMs ?? 1000);
    this.retryTimer.unref?.();
  }

  private dropStream(): void {
    const s = this.stream;
    this.stream = null;
    this.resampler = null;
    if (!s) return;
    s.removeAllListeners('data');
    s.on('error', () => {});
    // quit() waits for PortAudio to stop; a dead stream may never answer, so do not wait for it here.
    void quitSerially(s, 1000);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const s = this.stream;
    this.stream = null;
    if (s) {
      s.removeAllListeners('data');
      s.on('error', () => {});
      await quitSerially(s, 1000);
    }
    this.state = 'stopped';
  }
}
