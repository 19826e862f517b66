/**
 * The Twilio side of `npm run bench telephony`, run as a child process (bench/telephony.ts forks it) so
 * the figures measure the server alone: N Media Streams sent in real time (20 ms media messages on both
 * tracks, paced by one timer). Reports each stream's `stop` time (epoch ms) and how late its own sending
 * ran over IPC.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { encodeMulaw } from '../src/dsp/g711';

export interface ClientsConfig {
  readonly url: string;
  readonly streams: number;
  readonly seconds: number;
}

export type ClientsReport =
  /** When a stream's audio starts (its first chunk is due), epoch ms. */
  | { readonly type: 'stream'; readonly callSid: string; readonly startAt: number }
  | { readonly type: 'stopped'; readonly callSid: string; readonly at: number }
  | { readonly type: 'done'; readonly sendLatenessMs: number[]; readonly cpuMs: number };

const CHUNK = 160; // 20 ms of 8 kHz μ-law
const TICK_MS = 20;
const epochNow = (): number => performance.timeOrigin + performance.now();

/** 8 kHz μ-law of a talker taking turns: voiced bursts (4 a second) in its own seconds, near silence otherwise. */
function track(seconds: number, speaksFirst: boolean, f0: number): Uint8Array {
  const n = seconds * 8000;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 8000;
    const turn = Math.floor(t / 3) % 2 === 0 === speaksFirst;
    const syllable = Math.sin(Math.PI * ((t * 4) % 1)) ** 2;
    const voice = turn ? 0.3 * syllable * (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(2 * Math.PI * 2 * f0 * t)) : 0.001 * Math.sin(i);
    out[i] = encodeMulaw(voice);
  }
  return out;
}

/** One Twilio stream (the message format Twilio documents for Media Streams). */
class Stream {
  private seq = 1;
  sent = 0;
  stopped = false;
  constructor(
    readonly ws: WebSocket,
    readonly callSid: string,
    readonly startAt: number,
  ) {}

  private send(m: object): void {
    this.ws.send(JSON.stringify(m));
  }

  start(): void {
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    const ids = { accountSid: 'ACbench', streamSid: `MZ${this.callSid}`, callSid: this.callSid };
    this.send({
      event: 'start',
      sequenceNumber: String(this.seq++),
      start: { ...ids, tracks: ['inbound', 'outbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      streamSid: ids.streamSid,
    });
  }

  /** Sends every chunk due by `now`; true once the call is over. */
  pump(now: number, inbound: Uint8Array, outbound: Uint8Array, total: number, report: (r: ClientsReport) => void): boolean {
    if (this.stopped) return true;
    const due = Math.min(total, Math.floor((now - this.startAt) / TICK_MS) + 1);
    for (; this.sent < due; this.sent++) {
      const k = this.sent;
      for (const [name, bytes] of [
        ['inbound', inbound],
        ['outbound', outbound],
      ] as const) {
        const payload = Buffer.from(bytes.subarray(k * CHUNK, (k + 1) * CHUNK)).toString('base64');
        this.send({ event: 'media', sequenceNumber: String(this.seq++), media: { track: name, chunk: String(k + 1), timestamp: String(k * TICK_MS), payload }, streamSid: `MZ${this.callSid}` });
      }
    }
    if (this.sent < total) return false;
    this.send({ event: 'stop', sequenceNumber: String(this.seq++), streamSid: `MZ${this.callSid}`, stop: { accountSid: 'ACbench', callSid: this.callSid } });
    this.stopped = true;
    report({ type: 'stopped', callSid: this.callSid, at: epochNow() });
    return true;
  }
}

export const benchCallSid = (i: number): string => `CAbench${String(i).padStart(4, '0')}`;

async function run(config: ClientsConfig, report: (r: ClientsReport) => void): Promise<void> {
  const inbound = track(config.seconds, false, 210);
  const outbound = track(config.seconds, true, 130);
  const total = (config.seconds * 1000) / TICK_MS;
  const url = `${config.url.replace(/^http/, 'ws')}/media`;
  const sockets = await Promise.all(
    Array.from({ length: config.streams }, async () => {
      const ws = new WebSocket(url);
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      return ws;
    }),
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Calls start spread over the first second, as real calls would not all start on one tick.
  const streams = sockets.map((ws, i) => new Stream(ws, benchCallSid(i), t0 + 500 + (i * 1000) / config.streams));
  for (const s of streams) {
    s.start();
    report({ type: 'stream', callSid: s.callSid, startAt: performance.timeOrigin + s.startAt });
  }
  const lateness: number[] = [];
  await new Promise<void>((resolve) => {
    let next = performance.now() + TICK_MS;
    const tick = (): void => {
      const now = performance.now();
      lateness.push(Math.max(0, now - next));
      let done = 0;
      for (const s of streams) done += s.pump(now, inbound, outbound, total, report) ? 1 : 0;
      if (done === streams.length) return resolve();
      next += TICK_MS;
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    setTimeout(tick, TICK_MS);
  });
  const cpu = process.cpuUsage(cpu0);
  report({ type: 'done', sendLatenessMs: lateness, cpuMs: (cpu.user + cpu.system) / 1000 });
  // The server ends each call on `stop`; the sockets stay open until the parent ends this process.
}

if (process.send) {
  const send = (r: ClientsReport): void => void process.send!(r);
  process.once('message', (config: ClientsConfig) => {
    run(config, send).catch((err: unknown) => {
      console.error(`bench clients: ${(err as Error).message}`);
      process.exit(1);
    });
  });
}
