/**
 * Capture figures (targets in docs/architecture.md: capture-to-engine latency p99 < 40 ms; CPU of capture + engine
 * < 3 % of one core; flat memory over a 60-minute live capture). Scaled to run in under a minute:
 * - two 14 s real captures (20 ms and 80 ms PortAudio buffers): generated speech played into a private PulseAudio's null sinks, captured
 *   through PortAudio by `cadence live` in a child process (latency from the report, CPU and RSS from
 *   /proc for the capturing stretch);
 * - 60 simulated minutes of two-device capture through the frame pairer and the engine worker at full
 *   speed (memory sampled every 10 simulated minutes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFramePairer } from '../src/capture/pairer';
import { EngineHost } from '../src/engine/host';
import { loadPlaybookFile } from '../src/playbook/playbook-file';
import { FRAME_SIZE, SAMPLE_RATE } from '../src/dsp/frames';
import { encodeWav16 } from '../src/dsp/wav';
import { buildCall } from '../test/fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../test/fixtures/texts';
import { pulseUnavailable, startPulse } from '../test/helpers/pulse';

const CLI = new URL('../bin/cadence.mjs', import.meta.url).pathname;
const CLK_TCK = 100;

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime + stime
}

function procRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function realCapture(chunkMs: number, seconds: number): Promise<Record<string, string | number>> {
  const why = pulseUnavailable();
  if (why) return { 'real capture': `skipped: ${why}` };
  const pulse = startPulse();
  const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-capture-'));
  try {
    const turns = [];
    let at = 300;
    for (let i = 0; i < 3; i++) {
      turns.push({ channel: 'customer' as const, text: CUSTOMER_LINES[i]!, atMs: at });
      turns.push({ channel: 'agent' as const, text: AGENT_LINES[i]!, atMs: at + 3500 });
      at += 6500;
    }
    const call = buildCall({ turns: turns.filter((t) => t.atMs < seconds * 1000 - 4000), durationMs: seconds * 1000 });
    const aw = join(dir, 'a.wav');
    const cw = join(dir, 'c.wav');
    writeFileSync(aw, encodeWav16([call.agent], SAMPLE_RATE));
    writeFileSync(cw, encodeWav16([call.customer], SAMPLE_RATE));
    const child = spawn(process.execPath, [CLI, 'live', '--agent', 'cadence_agent', '--customer', 'cadence_customer', '--seconds', '120', '--chunk-ms', String(chunkMs), '--json'], { env: pulse.env, stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = child.pid!;
    let out = '';
    let capturing = 0;
    let started: (() => void) | null = null;
    const ready = new Promise<void>((r) => (started = r));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      capturing = (out.match(/"state":"capturing"/g) ?? []).length;
      if (capturing >= 2) started?.();
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await ready;
    const cpu0 = procCpuMs(pid);
    const t0 = performance.now();
    const rss: number[] = [procRssMb(pid)];
    const sampler = setInterval(() => rss.push(procRssMb(pid)), 1000);
    const plays = [pulse.spawnPlay('agent', aw), pulse.spawnPlay('customer', cw)];
    await Promise.all(plays.map((p) => new Promise((r) => p.on('exit', r))));
    const cpu1 = procCpuMs(pid);
    const wall = performance.now() - t0;
    clearInterval(sampler);
    child.kill('SIGINT');
    await exited;
    const reportLine = out.split('\n').find((l) => l.startsWith('{"type":"report"'));
    const stats = reportLine ? (JSON.parse(reportLine) as { stats: Record<string, number> }).stats : {};
    const p = `[${chunkMs} ms buffers] `;
    return {
      [`${p}real capture (s)`]: Math.round(wall / 100) / 10,
      [`${p}capture→engine latency p50 / p99 / max (ms, target p99 < 40)`]: `${stats.latencyP50Ms ?? 'n/a'} / ${stats.latencyP99Ms ?? 'n/a'} / ${stats.latencyMaxMs ?? 'n/a'}`,
      [`${p}of which engine (frames handed over → processed) p99 (ms)`]: stats.engineLatencyP99Ms ?? 'n/a',
      [`${p}CPU of capture + engine process (% of one core, target < 3)`]: Math.round(((cpu1 - cpu0) / wall) * 1000) / 10,
      [`${p}RSS during capture first/last/max (MB)`]: `${rss[0]!.toFixed(0)} / ${rss.at(-1)!.toFixed(0)} / ${Math.max(...rss).toFixed(0)}`,
      [`${p}dropped (engine frames / source samples)`]: `${stats.engineDropped ?? 'n/a'} / ${stats.sourceDroppedSamples ?? 'n/a'}`,
    };
  } finally {
    pulse.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function longCapture(minutes: number): Promise<Record<string, string | number>> {
  const host = await EngineHost.start();
  const session = await host.startSession({ playbook: loadPlaybookFile() }, () => {});
  let dropped = 0;
  const pairer = makeFramePairer({
    onFrames: (a, c) => {
      if (!session.pushFrames(a, c)) dropped += a.length / FRAME_SIZE;
    },
  });
  // Device-sized chunks (20 ms at 16 kHz after resampling) of speech-like noise bursts on both sides.
  const chunk = FRAME_SIZE;
  const a = new Float32Array(chunk);
  const c = new Float32Array(chunk);
  let seed = 1;
  const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const totalFrames = (minutes * 60_000) / 20;
  const heap: string[] = [];
  const t0 = performance.now();
  for (let f = 0; f < totalFrames; f++) {
    const talkA = Math.floor(f / 250) % 3 === 0;
    const talkC = Math.floor(f / 250) % 3 === 1;
    for (let i = 0; i < chunk; i++) {
      a[i] = talkA ? rand() * 0.1 : rand() * 0.001;
      c[i] = talkC ? rand() * 0.1 : rand() * 0.001;
    }
    pairer.write('agent', a);
    pairer.write('customer', c);
    if (f % 100 === 99) await session.drain();
    if (f % ((10 * 60_000) / 20) === 0) {
      if (global.gc) global.gc();
      heap.push(`${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)}`);
    }
  }
  await session.drain();
  heap.push(`${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)}`);
  const wall = performance.now() - t0;
  await session.stop();
  await host.close();
  return {
    [`simulated capture (min, run at ${Math.round((minutes * 60_000) / wall)}× real time)`]: minutes,
    'host heap every 10 min (MB, target flat)': heap.join(' → '),
    'frames dropped in simulated capture': dropped,
  };
}

export async function benchCapture(): Promise<Record<string, string | number>> {
  return { ...(await realCapture(20, 14)), ...(await realCapture(80, 14)), ...(await longCapture(60)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchCapture();
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k}  ${v}`);
}
