/**
 * Real capture with no sound card: a private PulseAudio with two null sinks, generated speech played
 * into them with paplay, captured from their monitors through PortAudio (naudiodon) by `cadence live`
 * in a child process, and compared with `analyzeFile` on the same audio.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../../../src/dsp/frames';
import { encodeWav16 } from '../../../src/dsp/wav';
import { analyzeFile } from '../../../src/engine/analyze';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { openLibrary } from '../../../src/library/library';
import type { CallReport } from '../../../src/shared/types';
import { buildCall, synth, writeCallWav } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';
import { naudiodonUnavailable, pulseUnavailable, startPulse, type PrivatePulse } from '../../helpers/pulse';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'bin/cadence.mjs');

/** Timing tolerance between the live capture and offline analysis, after aligning the two clocks. */
const SEGMENT_TOLERANCE_MS = 200;
const NUDGE_TOLERANCE_MS = 300;


const skip = pulseUnavailable() ?? naudiodonUnavailable();
if (skip) console.warn(`skipping real-device capture tests: ${skip}`);

interface LiveLine {
  type: string;
  [k: string]: unknown;
}

interface LiveRun {
  lines: LiveLine[];
  stderr: string;
  code: number | null;
  waitFor(pred: (l: LiveLine) => boolean, timeoutMs?: number): Promise<LiveLine>;
  interrupt(): void;
  done: Promise<number | null>;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): LiveRun {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LiveLine[] = [];
  const waiters: { pred: (l: LiveLine) => boolean; resolve: (l: LiveLine) => void }[] = [];
  let buf = '';
  const run: LiveRun = {
    lines,
    stderr: '',
    code: null,
    waitFor(pred, timeoutMs = 15_000) {
      const hit = lines.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out; lines so far: ${JSON.stringify(lines).slice(0, 2000)}; stderr: ${run.stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(t), res(l)) });
      });
    },
    interrupt: () => void child.kill('SIGINT'),
    done: new Promise((res) => child.on('exit', (code) => res(code))),
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      // naudiodon's native code prints a few plain lines of its own to stdout; only JSON lines count.
      if (!line.startsWith('{')) continue;
      try {
        const obj = JSON.parse(line) as LiveLine;
        lines.push(obj);
        for (const w of [...waiters]) {
          if (!w.pred(obj)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(obj);
        }
      } catch {
        // a partial native line; ignore
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
  void run.done.then((c) => (run.code = c));
  return run;
}

const ms = (u: { samples: Float32Array }): number => (u.samples.length / SAMPLE_RATE) * 1000;

describe.skipIf(skip !== null)('live capture from real devices (PulseAudio null sinks + PortAudio)', () => {
  let pulse: PrivatePulse;
  let dir: string;

  beforeAll(() => {
    pulse = startPulse();
    dir = mkdtempSync(join(tmpdir(), 'cadence-live-'));
  });
  afterAll(() => {
    pulse?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('cadence devices lists each sink monitor as a named input', async () => {
    const run = runCli(['devices', '--json'], pulse.env);
    expect(await run.done).toBe(0);
    const list = run.lines[0] as unknown as { devices: { name: string; inputChannels: number; defaultSampleRate: number; hostApi: string }[] };
    const names = list.devices.filter((d) => d.inputChannels > 0).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['cadence_agent', 'cadence_customer']));
    expect(list.devices.find((d) => d.name === 'cadence_agent')).toMatchObject({ hostApi: 'ALSA', defaultSampleRate: 44100 });
  });

  it('nudges and speech of a live capture match offline analysis of the same audio', async () => {
    // A call with a slow response (agent silent 3.6 s after the customer) and an interruption.
    const c1 = synth(CUSTOMER_LINES[0]!, { pitch: 70, voice: 'en-gb' });
    const a1 = synth(AGENT_LINES[0]!);
    const t = { c1: 500, a1: 500 + ms(c1) + 3600 };
    const c2At = t.a1 + ms(a1) + 400;
    const call = buildCall({
      turns: [
        { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: t.c1 },
        { channel: 'agent', text: AGENT_LINES[0]!, atMs: t.a1 },
        { channel: 'customer', text: CUSTOMER_LINES[1]!, atMs: c2At },
        { channel: 'agent', text: AGENT_LINES[5]!, atMs: c2At + 1500 },
      ],
    });
    const stereo = writeCallWav(call, join(dir, 'call.wav'));
    const agentWav = join(dir, 'agent.wav');
    const customerWav = join(dir, 'customer.wav');
    writeFileSync(agentWav, encodeWav16([call.agent], SAMPLE_RATE));
    writeFileSync(customerWav, encodeWav16([call.customer], SAMPLE_RATE));
    const offline = analyzeFile(stereo, { playbook: loadPlaybookFile() });
    expect(offline.nudges.map((n) => n.ruleId)).toEqual(expect.arrayContaining(['slow-to-respond', 'interrupting']));

    const run = runCli(['live', '--agent', 'cadence_agent', '--customer', 'cadence_customer', '--seconds', '90', '--json'], pulse.env);
    await run.waitFor((l) => l.type === 'status' && l.channel === 'agent' && l.state === 'capturing');
    await run.waitFor((l) => l.type === 'status' && l.channel === 'customer' && l.state === 'capturing');
    const plays = [pulse.spawnPlay('agent', agentWav), pulse.spawnPlay('customer', customerWav)];
    await Promise.all(plays.map((p) => new Promise((r) => p.on('exit', r))));
    await new Promise((r) => setTimeout(r, 1200));
    run.interrupt();
    const final = await run.waitFor((l) => l.type === 'report', 20_000);
    expect(await run.done).toBe(0);
    const live = final.report as CallReport;
    const stats = final.stats as Record<string, number>;

    // Nudges were printed as they opened and closed, and the report has the closed ones.
    const printed = run.lines.filter((l) => l.type === 'nudge') as unknown as { phase: string; nudge: { id: string } }[];
    for (const n of live.nudges) {
      expect(printed.some((p) => p.phase === 'open' && p.nudge.id === n.id)).toBe(true);
      expect(printed.some((p) => p.phase === 'close' && p.nudge.id === n.id)).toBe(true);
    }

    // Align the clocks on the first customer speech (the live clock starts when capture does).
    const first = (r: CallReport): number => r.speech.find((s) => s.channel === 'customer')!.startMs;
    const shift = first(live) - first(offline);
    expect(shift).toBeGreaterThanOrEqual(-SEGMENT_TOLERANCE_MS);

    for (const seg of offline.speech) {
      const match = live.speech.find(
        (s) => s.channel === seg.channel && Math.abs(s.startMs - shift - seg.startMs) <= SEGMENT_TOLERANCE_MS && Math.abs(s.endMs - shift - seg.endMs) <= SEGMENT_TOLERANCE_MS,
      );
      expect(match, `live segment for ${seg.channel} ${seg.startMs}-${seg.endMs} (shift ${shift}); live: ${JSON.stringify(live.speech)}`).toBeDefined();
    }
    expect(live.speech.length).toBe(offline.speech.length);

    const segDev = Math.max(...offline.speech.map((o) => Math.min(...live.speech.filter((s) => s.channel === o.channel).map((s) => Math.max(Math.abs(s.startMs - shift - o.startMs), Math.abs(s.endMs - shift - o.endMs))))));
    expect(live.nudges.map((n) => n.ruleId)).toEqual(offline.nudges.map((n) => n.ruleId));
    const nudgeDev = Math.max(0, ...live.nudges.map((n, i) => Math.abs(n.atMs - shift - offline.nudges[i]!.atMs)));
    live.nudges.forEach((n, i) => {
      const o = offline.nudges[i]!;
      expect(Math.abs(n.atMs - shift - o.atMs), `${n.ruleId} opened at ${n.atMs - shift} live vs ${o.atMs} offline`).toBeLessThanOrEqual(NUDGE_TOLERANCE_MS);
      expect(Math.abs((n.endMs ?? 0) - shift - (o.endMs ?? 0))).toBeLessThanOrEqual(NUDGE_TOLERANCE_MS);
    });
    expect(stats.engineDropped).toBe(0);

    // The call landed in the library, completed, with its nudges and a playable recording.
    const lib = await openLibrary(join(pulse.env.CADENCE_DATA_DIR!, 'library.sqlite'));
    try {
      const stored = await lib.calls.get(final.callId as string);
      expect(stored?.meta.status).toBe('completed');
      expect(stored?.meta.source).toBe('device');
      expect(stored!.report.nudges.map((n) => n.ruleId)).toEqual(live.nudges.map((n) => n.ruleId));
      expect(stored!.report.speech.length).toBe(live.speech.length);
      expect(existsSync(stored!.recording!.path)).toBe(true);
      expect(Math.abs(stored!.recording!.durationMs - live.durationMs)).toBeLessThan(1500);
    } finally {
      await lib.close();
    }
    console.info(`live vs offline: nudges ${live.nudges.map((n) => n.ruleId).join(', ')}; shift ${shift} ms, worst segment edge ${segDev} ms, worst nudge ${nudgeDev} ms, latency p50 ${stats.latencyP50Ms} ms p99 ${stats.latencyP99Ms} ms, source dropped ${stats.sourceDroppedSamples} padded ${stats.sourcePaddedSamples} samples`);
  }, 120_000);
});
