/**
 * Load figure (issue 10): N concurrent Twilio Media Streams (default 50) of 60 s each, sent in real time
 * (20 ms media messages on both tracks, paced by one timer) to `media-stream-server` running in this
 * process, saving every call to a library. Prints how far the process's message handling fell behind
 * real time, memory, calls saved and CPU. `CADENCE_BENCH_TWILIO_STREAMS` scales the load down;
 * `CADENCE_BENCH_TWILIO_SECONDS` shortens the calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { encodeMulaw } from '../src/dsp/g711';
import { openLibrary } from '../src/library/library';
import { loadPlaybookFile } from '../src/playbook/playbook-file';
import { startMediaStreamServer } from '../src/telephony/media-stream-server';
import type { Figures } from './engine';

const STREAMS = Number(process.env.CADENCE_BENCH_TWILIO_STREAMS ?? 50);
const SECONDS = Number(process.env.CADENCE_BENCH_TWILIO_SECONDS ?? 60);
const CHUNK = 160; // 20 ms of 8 kHz μ-law
const TICK_MS = 20;

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

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** One Twilio stream (the message format Twilio documents for Media Streams). */
class Stream {
  private seq = 1;
  sent = 0;
  stoppedAt = 0;
  constructor(
    readonly ws: WebSocket,
    readonly callSid: string,
    private readonly startAt: number,
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
  pump(now: number, inbound: Uint8Array, outbound: Uint8Array, total: number): boolean {
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
    if (this.sent < total || this.stoppedAt > 0) return this.stoppedAt > 0;
    this.send({ event: 'stop', sequenceNumber: String(this.seq++), streamSid: `MZ${this.callSid}`, stop: { accountSid: 'ACbench', callSid: this.callSid } });
    this.stoppedAt = performance.now();
    return true;
  }
}

export async function benchTelephony(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-twilio-'));
  const library = await openLibrary(join(dir, 'library.sqlite'));
  const ended = new Map<string, number>();
  const server = await startMediaStreamServer({ playbook: loadPlaybookFile(), library, onCallEnd: (call) => void ended.set(call.callSid, performance.now()) });
  const inbound = track(SECONDS, false, 210);
  const outbound = track(SECONDS, true, 130);
  const total = (SECONDS * 1000) / TICK_MS;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let peakRss = 0;
  let peakHeap = 0;
  const sampleMemory = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const memTimer = setInterval(sampleMemory, 250);
  try {
    const url = `${server.url.replace(/^http/, 'ws')}/media`;
    const t0 = performance.now();
    // Calls start spread over the first second, as real calls would not all start on one tick.
    const streams = await Promise.all(
      Array.from({ length: STREAMS }, async (_, i) => {
        const ws = new WebSocket(url);
        await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
        return new Stream(ws, `CAbench${String(i).padStart(4, '0')}`, t0 + 500 + (i * 1000) / STREAMS);
      }),
    );
    for (const s of streams) s.start();
    loop.enable();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const lateness: number[] = [];
    /** After the first 2 s, when every call has started (the engine worker starts with the first). */
    const steady: number[] = [];
    await new Promise<void>((resolve) => {
      let next = performance.now() + TICK_MS;
      const tick = (): void => {
        const now = performance.now();
        // How late this tick runs: the time every message handler in the process waits behind.
        lateness.push(Math.max(0, now - next));
        if (now - wall0 >= 2000) steady.push(Math.max(0, now - next));
        let done = 0;
        for (const s of streams) done += s.pump(now, inbound, outbound, total) ? 1 : 0;
        if (done === streams.length) return resolve();
        next += TICK_MS;
        setTimeout(tick, Math.max(0, next - performance.now()));
      };
      setTimeout(tick, TICK_MS);
    });
    const deadline = performance.now() + 60_000;
    while (ended.size < STREAMS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const s of streams) s.ws.close();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    loop.disable();
    sampleMemory();
    const saved = (await library.calls.list({ limit: 1000 })).items.filter((c) => c.status === 'completed').length;
    const endLag = streams.flatMap((s) => (ended.has(s.callSid) ? [ended.get(s.callSid)! - s.stoppedAt] : []));
    return {
      'twilio.streams': `${STREAMS} × ${SECONDS} s (target: 50 × 60 s kept up)`,
      'twilio.msg_lateness_mean_ms': +(lateness.reduce((a, b) => a + b, 0) / Math.max(1, lateness.length)).toFixed(2),
      'twilio.msg_lateness_p99_ms': +percentile(lateness, 99).toFixed(2),
      'twilio.msg_lateness_steady_p99_ms': +percentile(steady, 99).toFixed(2),
      'twilio.event_loop_delay_p99_ms': +(loop.percentile(99) / 1e6).toFixed(2),
      'twilio.stop_to_saved_p99_ms': +percentile(endLag, 99).toFixed(0),
      'twilio.peak_rss_mb': +(peakRss / 2 ** 20).toFixed(0),
      'twilio.peak_heap_mb': +(peakHeap / 2 ** 20).toFixed(0),
      'twilio.calls_saved': `${saved} / ${STREAMS}`,
      'twilio.cpu_percent_of_one_core': +((100 * (cpu.user + cpu.system)) / 1000 / wallMs).toFixed(0),
    };
  } finally {
    clearInterval(memTimer);
    await server.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
