/**
 * The live source for a call on this machine: two PortAudio inputs (the agent's microphone and the
 * softphone's output through a loopback or monitor device), lined up into engine frames.
 */
import { makeFramePairer, type FramePairer } from './pairer';
import { PortAudioChannel, portAudioIdle } from './portaudio';
import type { FrameSink, FrameSource, SourceStats } from './source';

export interface DeviceSourceOptions {
  /** Device id or name for each side. */
  readonly agent: string;
  readonly customer: string;
  /** Capture rate for both devices; each device's default when absent. */
  readonly sampleRate?: number;
  readonly stallMs?: number;
  readonly retryMs?: number;
  /** PortAudio buffer length, ms. */
  readonly chunkMs?: number;
}

export class DeviceSource implements FrameSource {
  private channels: PortAudioChannel[] = [];
  private pairer: FramePairer | null = null;
  private ticker: NodeJS.Timeout | null = null;

  constructor(private readonly opts: DeviceSourceOptions) {}

  get description(): string {
    const name = (i: number, fallback: string): string => this.channels[i]?.deviceInfo?.name ?? fallback;
    return `agent: ${name(0, this.opts.agent)}, customer: ${name(1, this.opts.customer)}`;
  }

  /** Opens both devices; throws a UserError naming the device when either cannot be opened. */
  async start(sink: FrameSink): Promise<void> {
    // A previous call's streams may still be closing on PortAudio's side: opening now could crash.
    await portAudioIdle();
    const pairer = makeFramePairer({ onFrames: (a, c, at) => sink.frames(a, c, at) });
    this.pairer = pairer;
    const common = {
      onStatus: (s: Parameters<FrameSink['status']>[0]) => sink.status(s),
      ...(this.opts.sampleRate !== undefined ? { sampleRate: this.opts.sampleRate } : {}),
      ...(this.opts.stallMs !== undefined ? { stallMs: this.opts.stallMs } : {}),
      ...(this.opts.retryMs !== undefined ? { retryMs: this.opts.retryMs } : {}),
      ...(this.opts.chunkMs !== undefined ? { chunkMs: this.opts.chunkMs } : {}),
    };
    const agent = new PortAudioChannel({ ...common, channel: 'agent', device: this.opts.agent, onSamples: (x) => pairer.write('agent', x) });
    const customer = new PortAudioChannel({ ...common, channel: 'customer', device: this.opts.customer, onSamples: (x) => pairer.write('customer', x) });
    try {
      agent.open();
      this.channels.push(agent);
      customer.open();
      this.channels.push(customer);
    } catch (err) {
      await this.stop();
      throw err;
    }
    // Keeps the call clock running (padding a silent side) even when only one device delivers.
    this.ticker = setInterval(() => pairer.pump(), 50);
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    // One at a time: PortAudio teardown must not run concurrently (see portaudio.ts).
    for (const c of this.channels) await c.close();
    this.pairer?.flush();
  }

  stats(): SourceStats & { reopens: number } {
    const p = this.pairer?.stats() ?? { droppedSamples: 0, paddedSamples: 0, frames: 0 };
    return { ...p, reopens: this.channels.reduce((s, c) => s + c.reopens, 0) };
  }
}
