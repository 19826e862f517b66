/**
 * Every way a call enters the library goes through one pipeline and one finalize step, so every stored
 * call ends up alike: scored, searchable, with a playable recording, and telling the same story as
 * offline analysis of the same audio. One table, one set of checks; each path is driven for real
 * (PulseAudio devices and PortAudio, the demo through the engine worker, softphone frames over the app,
 * a Twilio stream over a WebSocket, a WAV import, an archive import, a process killed with SIGKILL).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app/app';
import { exportAsDownload, mediaPath } from '../../../src/app/browser-host';
import { demoCallPath } from '../../../src/call/demo';
import { recoverCalls } from '../../../src/call/finalize';
import { importRecording } from '../../../src/call/import-recording';
import { encodeWav16 } from '../../../src/dsp/wav';
import { analyzeFile } from '../../../src/engine/analyze';
import { exportCall, importArchive } from '../../../src/library/archive';
import { openLibrary, type Library } from '../../../src/library/library';
import { decodeOggOpus } from '../../../src/library/recording/ogg-opus';
import type { CallRecord } from '../../../src/library/types';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { withLanguage } from '../../../src/insights/language';
import { scoreCall } from '../../../src/insights/score';
import { playbookTargets } from '../../../src/shared/playbook-targets';
import { startMediaStreamServer } from '../../../src/telephony/media-stream-server';
import type { CallReport } from '../../../src/shared/types';
import { buildCall, writeCallWav, type Call } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';
import { fromMulaw, openSocket, sendStream, toMulaw8k } from '../../fixtures/twilio-stream';
import { tempDir } from '../../e2e/harness';
import { feedSoftphone } from '../../helpers/softphone-feed';
import { naudiodonUnavailable, pulseUnavailable, startPulse } from '../../helpers/pulse';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'bin/cadence.mjs');

/** Talk time per side may differ from offline analysis by this fraction (plus 300 ms) on real-time paths. */
const TALK_TOLERANCE = 0.05;

interface Stored {
  /** The library the call was stored in (opened again here for the checks). */
  readonly db: string;
  readonly id: string;
  /** Offline analysis of exactly the audio this path was given. */
  readonly offline: CallReport;
  /** A word of the call's title that search must find it by. */
  readonly searchWord: string;
  readonly status: string;
  /** For a call cut short: only what happened before this (call time, ms) is compared. */
  readonly cutAtMs?: number;
}


const tmp = tempDir();
const libs: Library[] = [];
const playbook = loadPlaybookFile();
let call: Call;
let wav: string;
let offline: CallReport;

/** A fresh library in a folder of its own; returns it and its file. */
async function library(name: string): Promise<{ lib: Library; db: string }> {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'library.sqlite');
  const lib = await openLibrary(db);
  libs.push(lib);
  return { lib, db };
}

/** `cadence live` in a child process; resolves `capturing` once both devices deliver samples. */
function runLive(args: string[], env: NodeJS.ProcessEnv): { capturing: Promise<void>; stop(): void; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'live', ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let capturingResolve: () => void = () => {};
  const capturing = new Promise<void>((r) => (capturingResolve = r));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if ((stdout.match(/"state":"capturing"/g) ?? []).length >= 2) capturingResolve();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { capturing, stop: () => void child.kill('SIGINT'), done: new Promise((res) => child.on('exit', (code) => res({ code, stdout, stderr }))) };
}

beforeAll(() => {
  // A customer question, a slow answer (dead air, slow to respond), then an agent who talks over the customer.
  call = buildCall({
    turns: [
      { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 400, voice: 'en-gb', pitch: 70 },
      { channel: 'agent', text: AGENT_LINES[0]!, atMs: 9_000 },
      { channel: 'customer', text: CUSTOMER_LINES[1]!, atMs: 15_500, voice: 'en-gb', pitch: 70 },
      { channel: 'agent', text: AGENT_LINES[5]!, atMs: 17_000 },
    ],
  });
  wav = writeCallWav(call, join(tmp.dir, 'call.wav'));
  offline = analyzeFile(wav, { playbook });
  expect(offline.nudges.length).toBeGreaterThan(0);
});

afterAll(async () => {
  for (const lib of libs) await lib.close();
  tmp.cleanup();
});

const deviceSkip = pulseUnavailable() ?? naudiodonUnavailable();

const paths: { name: string; skip?: string | null; run(): Promise<Stored> }[] = [
  {
    name: 'imported WAV',
    async run() {
      const { lib, db } = await library('import');
      const { callId } = await importRecording(lib, wav, { playbook, title: 'Imported pricing call' });
      return { db, id: callId, offline, searchWord: 'pricing', status: 'imported' };
    },
  },
  {
    name: 'imported archive',
    async run() {
      const { lib: from } = await library('archive-from');
      const { callId } = await importRecording(from, wav, { playbook, title: 'Archived renewal call' });
      const file = join(tmp.dir, 'call.cadence');
      await exportCall(from, callId, file);
      const { lib, db } = await library('archive-to');
      const { callId: id } = await importArchive(lib, file);
      return { db, id, offline, searchWord: 'renewal', status: 'imported' };
    },
  },
  {
    name: 'Twilio media stream',
    async run() {
      const { lib, db } = await library('twilio');
      const outbound = toMulaw8k(call.agent);
      const inbound = toMulaw8k(call.customer);
      const line = join(tmp.dir, 'line.wav');
      writeFileSync(line, encodeWav16([fromMulaw(outbound), fromMulaw(inbound)], 8000));
      let done: (id: string | null) => void = () => {};
      const ended = new Promise<string | null>((r) => (done = r));
      const server = await startMediaStreamServer({ playbook, library: lib, onCallEnd: (_c, _r, id) => done(id) });
      try {
        const ws = await openSocket(`${server.url.replace('http', 'ws')}/media`);
        sendStream(ws, { streamSid: 'MZ1', callSid: 'CA77', accountSid: 'AC1' }, outbound, inbound);
        const id = await ended;
        ws.close();
        return { db, id: id!, offline: analyzeFile(line, { playbook }), searchWord: 'CA77', status: 'completed' };
      } finally {
        await server.close();
      }
    },
  },
  {
    name: 'softphone call in the app',
    async run() {
      const dir = join(tmp.dir, 'softphone');
      mkdirSync(dir, { recursive: true });
      const app = await createApp({ dbPath: join(dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
      try {
        await app.live.startSoftphone({ sid: 'CA9', direction: 'incoming', peer: '+15550009999' });
        await feedSoftphone(app.live, call);
        await app.live.stop();
        const id = (await app.library.calls.list({})).items[0]!.id;
        return { db: join(dir, 'library.sqlite'), id, offline, searchWord: '15550009999', status: 'completed' };
      } finally {
        await app.close();
      }
    },
  },
  {
    name: 'demo call in the app',
    async run() {
      const dir = join(tmp.dir, 'demo');
      mkdirSync(dir, { recursive: true });
      const app = await createApp({ dbPath: join(dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
      try {
        // Fast, but not so fast that a loaded machine makes the worker queue overflow (frames would be dropped).
        await app.live.startDemo(6);
        await app.live.whenIdle();
        const id = (await app.library.calls.list({})).items[0]!.id;
        return { db: join(dir, 'library.sqlite'), id, offline: analyzeFile(demoCallPath(), { playbook }), searchWord: 'demo', status: 'completed' };
      } finally {
        await app.close();
      }
    },
  },
  {
    name: 'call recovered after SIGKILL',
    async run() {
      const dir = join(tmp.dir, 'recovered');
      mkdirSync(dir, { recursive: true });
      const db = join(dir, 'library.sqlite');
      const child = spawn(process.execPath, ['--import', 'tsx/esm', join(__dirname, 'fixtures', 'pipeline-child.ts'), db, wav], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const killedAt = await new Promise<number>((res, rej) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const fed = [...buf.matchAll(/fed (\d+)/g)].map((m) => Number(m[1]));
          // Killed after the second agent turn began: most of the call is in, the rest is lost.
          if ((fed.at(-1) ?? 0) >= 18_000) {
            child.kill('SIGKILL');
            res(fed.at(-1)!);
          }
        });
        child.on('exit', () => rej(new Error(`child exited before it was killed: ${stderr}`)));
      });
      await new Promise((r) => child.once('close', r));
      // Whoever opens the library next for writing finalizes what the dead process left.
      const own = await openLibrary(db);
      libs.push(own);
      const recovered = await recoverCalls(own);
      expect(recovered).toHaveLength(1);
      return { db, id: recovered[0]!.id, offline, searchWord: 'recovered', status: 'interrupted', cutAtMs: killedAt - 1500 };
    },
  },
  {
    name: 'device call (PulseAudio + PortAudio)',
    skip: deviceSkip,
    async run() {
      const pulse = startPulse();
      try {
        const dir = join(tmp.dir, 'device');
        mkdirSync(dir, { recursive: true });
        const db = join(dir, 'library.sqlite');
        const agentWav = join(tmp.dir, 'agent.wav');
        const customerWav = join(tmp.dir, 'customer.wav');
        writeFileSync(agentWav, encodeWav16([call.agent], 16000));
        writeFileSync(customerWav, encodeWav16([call.customer], 16000));
        const cli = runLive(['--agent', 'cadence_agent', '--customer', 'cadence_customer', '--db', db, '--title', 'Device escalation call', '--seconds', '90', '--json'], pulse.env);
        // Capture runs first; both sinks then play their side from the same instant, and the call ends after.
        await cli.capturing;
        await Promise.all([pulse.play('agent', agentWav), pulse.play('customer', customerWav)]);
        await new Promise((r) => setTimeout(r, 1000));
        cli.stop();
        const out = await cli.done;
        expect(out.code, out.stderr).toBe(0);
        const report = JSON.parse(out.stdout.split('\n').filter((l) => l.startsWith('{"type":"report"'))[0]!) as { callId: string };
        return { db, id: report.callId, offline, searchWord: 'escalation', status: 'completed' };
      } finally {
        pulse.stop();
      }
    },
  },
];

function talk(report: CallReport, channel: 'agent' | 'customer', upTo = Infinity): number {
  return report.speech.filter((s) => s.channel === channel && s.endMs <= upTo).reduce((t, s) => t + s.endMs - s.startMs, 0);
}

describe('every path that stores a call', () => {
  it.each(paths.filter((p) => !p.skip).map((p) => [p.name, p] as const))('%s: scored, searchable, playable, and as offline analysis', async (_name, path) => {
    const stored = await path.run();
    const lib = await openLibrary(stored.db);
    libs.push(lib);
    const id = stored.id;
    const rec: CallRecord = (await lib.calls.get(id))!;
    expect(rec.meta.status).toBe(stored.status);

    // Scored by the one finalize step, against the targets of the playbook that coached it (and, for a
    // call with words — the demo — its language items too).
    const voice = scoreCall(rec.report, playbookTargets(playbook));
    const words = rec.transcript.some((t) => t.final);
    expect(rec.meta.score).toBe(words ? withLanguage(voice, rec.transcript, playbook, rec.report.durationMs).score : voice.score);
    expect(rec.meta.insights).not.toBeNull();

    // Searchable.
    const found = await lib.calls.list({ search: stored.searchWord });
    expect(found.items.map((c) => c.id)).toContain(id);

    // A playable recording that covers the call.
    expect(rec.recording).not.toBeNull();
    expect(rec.recording!.error).toBeNull();
    const path0 = rec.recording!.path;
    expect(existsSync(path0)).toBe(true);
    const audio = decodeOggOpus(readFileSync(path0));
    const expectMs = stored.cutAtMs ?? rec.meta.durationMs;
    expect(audio.durationMs).toBeGreaterThanOrEqual(expectMs - 1000);
    expect(audio.durationMs).toBeLessThanOrEqual(rec.meta.durationMs + 1000);
    let energy = 0;
    for (const x of audio.agent) energy += x * x;
    expect(Math.sqrt(energy / audio.agent.length)).toBeGreaterThan(0.005);

    // The same story as offline analysis of the same audio.
    const upTo = stored.cutAtMs ?? Infinity;
    for (const side of ['agent', 'customer'] as const) {
      const want = talk(stored.offline, side, upTo);
      const got = talk(rec.report, side, upTo);
      expect(Math.abs(got - want), `${side} talk ${got} vs ${want} ms`).toBeLessThanOrEqual(want * TALK_TOLERANCE + 300);
    }
    // Voice rules only: offline analysis of audio has no words for the language cards (the demo has).
    const voiceRule = (id: string): boolean => ['metric', 'any', 'all', 'event'].includes(playbook.rules.find((r) => r.id === id)?.condition.type ?? '');
    const rules = (r: CallReport): string[] => r.nudges.filter((n) => n.atMs <= upTo && voiceRule(n.ruleId)).map((n) => n.ruleId).sort();
    expect(rules(rec.report)).toEqual(rules(stored.offline));
  });

  it('lists the device path as skipped only when the machine has no PulseAudio or PortAudio', () => {
    if (deviceSkip) console.warn(`device path skipped: ${deviceSkip}`);
    expect(paths.filter((p) => p.skip).length).toBe(deviceSkip ? 1 : 0);
  });
});
