/**
 * Load figure (issue 10): N concurrent Twilio Media Streams (default 50) of 60 s each, sent in real time
 * by a child process (bench/telephony-clients.ts) to `media-stream-server` running in this process,
 * saving every call to a library. Prints how late this process ran behind real time, memory, calls saved
 * and CPU (all threads of this process: main, engine worker, recording encoders) per second of call.
 * `CADENCE_BENCH_TWILIO_STREAMS` scales the load down; `CADENCE_BENCH_TWILIO_SECONDS` shortens the calls.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openLibrary } from '../src/library/library';
import { loadPlaybookFile } from '../src/playbook/playbook-file';
import { startMediaStreamServer, type CloseResult } from '../src/telephony/media-stream-server';
import { threadCpuMs, type Figures } from './engine';
import type { ClientsConfig, ClientsReport } from './telephony-clients';

const STREAMS = Number(process.env.CADENCE_BENCH_TWILIO_STREAMS ?? 50);
const SECONDS = Number(process.env.CADENCE_BENCH_TWILIO_SECONDS ?? 60);
const PROBE_MS = 20;
const epochNow = (): number => performance.timeOrigin + performance.now();

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** CPU time of this process's main thread, ms. */
const mainThreadCpuMs = (): number => threadCpuMs(process.pid);

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function benchTelephony(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-twilio-'));
  const library = await openLibrary(join(dir, 'library.sqlite'));
  const ended = new Map<string, number>();
  let callsStarted = 0;
  /** When every call has started (its engine session and library row exist), epoch ms. */
  let allStartedAt = 0;
  const server = await startMediaStreamServer({
    playbook: loadPlaybookFile(),
    library,
    onCallStart: () => {
      if (++callsStarted === STREAMS) allStartedAt = epochNow();
    },
    onCallEnd: (call) => void ended.set(call.callSid, epochNow()),
  });
  let closed: CloseResult | null = null;
  const closeServer = async (): Promise<void> => {
    if (closed) return;
    closed = { ended: 0, unfinished: 0 };
    closed = await server.close();
    // Calls cut at the close bound still end in this process, with what they had: wait for them before
    // counting (and before the library closes under them).
    const deadline = performance.now() + 60_000;
    while (server.activeCalls > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let peakRss = 0;
  let peakHeap = 0;
  const sampleMemory = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const memTimer = setInterval(sampleMemory, 250);
  // How late a 20 ms timer in the server process runs: how long a message waits behind the others here.
  const lateness: number[] = [];
  const steady: number[] = [];
  // How far each call's stored audio trails real time (sampled each second; commits come once a second,
  // so ~1 s of it is the commit interval): the server keeps up when this stays flat.
  const lag: number[] = [];
  const streamStart = new Map<string, number>();
  const liveDurations = library.sqlite.prepare("SELECT title, duration_ms AS d FROM calls WHERE status = 'live'");
  const lagTimer = setInterval(() => {
    const now = epochNow();
    for (const row of liveDurations.all() as { title: string | null; d: number }[]) {
      const sid = row.title?.replace(/^Twilio call /, '') ?? '';
      const start = streamStart.get(sid);
      if (start !== undefined && !stopped.has(sid) && now > start) lag.push(Math.max(0, now - start - row.d));
    }
  }, 1000);
  const stopped = new Map<string, number>();
  let probe: NodeJS.Timeout | null = null;
  const clients = fork(new URL('./telephony-clients.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    let clientsDone: Extract<ClientsReport, { type: 'done' }> | null = null;
    const clientsFinished = new Promise<void>((resolve, reject) => {
      clients.on('message', (r: ClientsReport) => {
        if (r.type === 'stream') streamStart.set(r.callSid, r.startAt);
        else if (r.type === 'stopped') stopped.set(r.callSid, r.at);
        else {
          clientsDone = r;
          resolve();
        }
      });
      clients.once('exit', (code) => reject(new Error(`bench clients exited (${code}) before they finished`)));
    });
    const config: ClientsConfig = { url: server.url, streams: STREAMS, seconds: SECONDS };
    clients.send(config);
    loop.enable();
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    const wall0 = performance.now();
    let next = performance.now() + PROBE_MS;
    const tick = (): void => {
      const now = performance.now();
      const late = Math.max(0, now - next);
      lateness.push(late);
      next = now + PROBE_MS;
      // Steady state: from 1 s after every call has started (start-up spawns the engine worker and, under
      // tsx, compiles modules) until the first call stops.
      if (allStartedAt > 0 && epochNow() - allStartedAt >= 1000 && stopped.size === 0) steady.push(late);
      probe = setTimeout(tick, PROBE_MS);
    };
    probe = setTimeout(tick, PROBE_MS);
    await clientsFinished;
    const deadline = performance.now() + 120_000;
    while (ended.size < STREAMS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const endedInTime = ended.size;
    if (probe) clearTimeout(probe);
    loop.disable();
    sampleMemory();
    // Closing the server ends the calls still being processed: every one must be saved whole or in part.
    await closeServer();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const mainMs = mainThreadCpuMs() - main0;
    const calls = (await library.calls.list({ limit: 1000 })).items;
    const saved = calls.filter((c) => c.status === 'completed').length;
    const live = calls.filter((c) => c.status === 'live').length;
    const atClose = closed as CloseResult | null;
    // CPU is divided by the call time actually processed and stored: a server that fell behind and was
    // closed early did less work, which must not read as cheaper.
    const streamSeconds = calls.reduce((a, c) => a + c.durationMs, 0) / 1000;
    const endLag = [...stopped].flatMap(([sid, at]) => (ended.has(sid) ? [ended.get(sid)! - at] : []));
    const done = clientsDone as Extract<ClientsReport, { type: 'done' }> | null;
    return {
      'twilio.streams': `${STREAMS} × ${SECONDS} s, clients in a child process (target: 50 × 60 s kept up)`,
      'twilio.server_timer_lateness_mean_ms': +mean(lateness).toFixed(2),
      'twilio.server_timer_lateness_p99_ms': +percentile(lateness, 99).toFixed(2),
      'twilio.server_timer_lateness_steady_p99_ms': +percentile(steady, 99).toFixed(2),
      'twilio.stored_audio_lag_mean_ms': +mean(lag).toFixed(0),
      'twilio.stored_audio_lag_p99_ms': +percentile(lag, 99).toFixed(0),
      'twilio.event_loop_delay_p99_ms': +(loop.percentile(99) / 1e6).toFixed(2),
      'twilio.event_loop_delay_max_ms': +(loop.max / 1e6).toFixed(0),
      'twilio.stop_to_saved_p50_ms': +percentile(endLag, 50).toFixed(0),
      'twilio.stop_to_saved_p99_ms': +percentile(endLag, 99).toFixed(0),
      'twilio.peak_rss_mb': +(peakRss / 2 ** 20).toFixed(0),
      'twilio.peak_heap_mb': +(peakHeap / 2 ** 20).toFixed(0),
      'twilio.calls_saved': `${saved} / ${STREAMS} (${endedInTime} ended within 2 min of their stop), ${(streamSeconds / STREAMS).toFixed(1)} s stored on average, ${live} left live`,
      // Calls still taking in their backlog when the server was closed: ended with all of it, or cut at the 10 s bound.
      'twilio.calls_at_close': atClose ? `${atClose.ended} ended with all their audio, ${atClose.unfinished} cut at the bound` : 'n/a',
      'twilio.server_cpu_percent_of_one_core': +((100 * cpuMs) / wallMs).toFixed(0),
      'twilio.server_cpu_ms_per_stream_second': +(cpuMs / streamSeconds).toFixed(2),
      // The main thread handles every message: 50 streams fit on it while this stays well under 20 ms.
      'twilio.main_thread_cpu_percent_of_one_core': +((100 * mainMs) / wallMs).toFixed(0),
      'twilio.main_thread_cpu_ms_per_stream_second': +(mainMs / streamSeconds).toFixed(2),
      // "Keeps up" judged by CPU budget, which a machine shared with other work does not distort: the
      // cores 50 such streams need (the main thread must stay under one, the process under the two here).
      'twilio.cores_needed_for_50_streams': `main thread ${((mainMs / streamSeconds) * 50 / 1000).toFixed(2)}, whole process ${((cpuMs / streamSeconds) * 50 / 1000).toFixed(2)}`,
      'twilio.clients_send_lateness_p99_ms': done ? +percentile(done.sendLatenessMs, 99).toFixed(2) : 'n/a',
      'twilio.clients_cpu_percent_of_one_core': done ? +((100 * done.cpuMs) / wallMs).toFixed(0) : 'n/a',
    };
  } finally {
    if (probe) clearTimeout(probe);
    clearInterval(memTimer);
    clearInterval(lagTimer);
    clients.kill();
    await closeServer();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
