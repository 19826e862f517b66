import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { describe, expect, it } from 'vitest';
import { decodeOggOpus, readOggPages, repairOggFile } from '../../../src/library/recording/ogg-opus';
import { scoreCall } from '../../../src/insights/score';
import { LiveCallWriter, recoverInterrupted } from '../../../src/library/live-writer';
import { openLibrary, type Library } from '../../../src/library/library';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { fakeReport, nudge, point, useFreshLibrary, type tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let lib: Library;
useFreshLibrary((t, l) => {
  tmp = t;
  lib = l;
});

/** `seconds` of two-channel audio, taking turns: a 300 Hz tone for the agent in even seconds, 500 Hz for the customer in odd ones. */
function feed(w: LiveCallWriter, seconds: number, from = 0): void {
  const frames = 50;
  const a = new Float32Array(frames * FRAME_SIZE);
  const c = new Float32Array(frames * FRAME_SIZE);
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < a.length; i++) {
      const n = (from + s) * 16000 + i;
      const agentTurn = (from + s) % 2 === 0;
      a[i] = agentTurn ? 0.3 * Math.sin((2 * Math.PI * 300 * n) / 16000) : 0;
      c[i] = agentTurn ? 0 : 0.2 * Math.sin((2 * Math.PI * 500 * n) / 16000);
    }
    w.pushFrames(a, c, frames);
  }
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

describe('live call writer', () => {
  it('writes parts incrementally and a compressed two-channel recording, then completes', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: Date.UTC(2026, 1, 1), source: 'softphone', title: 'live one' }, { flushIntervalMs: 60_000 });
    feed(w, 10);
    const report = fakeReport(10, ['pace-fast']);
    for (const p of report.timeline) w.timeline(p);
    for (const s of report.speech) w.segment(s);
    w.event('open', { ...report.events[0]!, endMs: null });
    w.nudge('open', { ...nudge('pace-fast', 1, 10_000), endMs: null });
    w.transcript({ channel: 'agent', text: 'thanks for calling', startMs: 0, endMs: 1500, confidence: 0.8, final: true });
    await w.flush();
    let call = await lib.calls.get(w.id);
    expect(call!.meta.status).toBe('live');
    expect(call!.report.timeline).toHaveLength(10);
    expect(call!.report.events[0]!.endMs).toBeNull();
    w.event('close', report.events[0]!);
    w.nudge('close', report.nudges[0]!);
    const { speech: _s, timeline: _t, events: _e, nudges: _n, ...summary } = report;
    await w.finish(summary);
    call = await lib.calls.get(w.id);
    expect(call!.meta).toMatchObject({ status: 'completed', durationMs: 10_000 });
    expect(call!.report).toEqual(report);
    expect(call!.transcript.map((t) => t.text)).toEqual(['thanks for calling']);
    expect((await lib.calls.list({ search: 'calling' })).items.map((i) => i.id)).toEqual([w.id]);
    // Scored when it ends, from what was stored.
    expect(call!.meta.score).toBe(scoreCall(report).score);
    expect((call!.meta.insights as { items: unknown[] }).items).toHaveLength(7);
    const rec = call!.recording!;
    expect(rec.codec).toBe('opus/ogg');
    expect(rec.sizeBytes).toBe(statSync(rec.path).size);
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.durationMs).toBeCloseTo(10_000, -2);
    // ≤ 15 MB an hour
    expect((rec.sizeBytes / 10) * 3600).toBeLessThan(15e6);

    // Decodes with an independent Ogg Opus decoder, both channels distinct.
    const dec = new OggOpusDecoder();
    await dec.ready;
    const out = await dec.decodeFile(readFileSync(rec.path));
    dec.free();
    expect(out.errors).toEqual([]);
    expect(out.channelData).toHaveLength(2);
    expect(out.samplesDecoded / out.sampleRate).toBeCloseTo(10, 0);
    const ours = decodeOggOpus(readFileSync(rec.path));
    // Second 2 is the agent's turn, second 3 the customer's (skipping 50 ms of codec delay and onset).
    expect(rms(ours.agent, 2.05 * 16000, 2.95 * 16000)).toBeCloseTo(0.3 / Math.SQRT2, 1);
    expect(rms(ours.customer, 3.05 * 16000, 3.95 * 16000)).toBeCloseTo(0.2 / Math.SQRT2, 1);
    expect(rms(ours.customer, 2.05 * 16000, 2.95 * 16000)).toBeLessThan(0.02);
    expect(rms(ours.agent, 3.05 * 16000, 3.95 * 16000)).toBeLessThan(0.02);
  });

  it('records telephone-band calls narrowband: both channels decode, their tones intact, at a fraction of the size', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: 0, source: 'softphone' }, { narrowbandRecording: true, flushIntervalMs: 60_000 });
    feed(w, 6);
    await w.finish();
    const rec = (await lib.calls.get(w.id))!.recording!;
    expect(rec.durationMs).toBeCloseTo(6000, -2);
    const dec = new OggOpusDecoder();
    await dec.ready;
    const out = await dec.decodeFile(readFileSync(rec.path));
    dec.free();
    expect(out.errors).toEqual([]);
    expect(out.channelData).toHaveLength(2);
    expect(out.samplesDecoded / out.sampleRate).toBeCloseTo(6, 0);
    const ours = decodeOggOpus(readFileSync(rec.path));
    expect(ours.durationMs).toBeCloseTo(6000, -2);
    expect(rms(ours.agent, 2.05 * 16000, 2.95 * 16000)).toBeCloseTo(0.3 / Math.SQRT2, 1);
    expect(rms(ours.customer, 3.05 * 16000, 3.95 * 16000)).toBeCloseTo(0.2 / Math.SQRT2, 1);
    expect(rms(ours.customer, 2.05 * 16000, 2.95 * 16000)).toBeLessThan(0.02);
    expect(rms(ours.agent, 3.05 * 16000, 3.95 * 16000)).toBeLessThan(0.02);
    // 8 kHz telephone audio needs no more than ~24 kbit/s: ≤ 11 MB an hour.
    expect((rec.sizeBytes / 6) * 3600).toBeLessThan(11e6);
  });

  it('commits all live calls of a library in one transaction a tick; a call whose commit fails does not hold the others back', async () => {
    const batches: number[] = [];
    const appendMany = lib.live.appendMany.bind(lib.live);
    // Observes the commits (the real ones run): how many calls each transaction carries.
    lib.live.appendMany = (b) => {
      batches.push(b.length);
      return appendMany(b);
    };
    const warnings: string[] = [];
    const writers = await Promise.all(
      [0, 1, 2].map((i) => LiveCallWriter.start(lib, { startedAt: i, source: 'softphone' }, { recording: false, flushIntervalMs: 150, onWarning: (m) => warnings.push(`${i}: ${m}`) })),
    );
    writers.forEach((w, i) => w.timeline(point(1000 * (i + 1))));
    await new Promise((r) => setTimeout(r, 600));
    expect(batches.filter((n) => n === 3).length).toBeGreaterThanOrEqual(2);
    expect(batches.every((n) => n === 3)).toBe(true);
    for (const w of writers) expect((await lib.calls.get(w.id))!.report.timeline).toHaveLength(1);

    // The first call's row goes away under it: its parts can no longer be stored, the others' still are.
    lib.sqlite.prepare('DELETE FROM calls WHERE id = ?').run(writers[0]!.id);
    writers.forEach((w, i) => w.timeline(point(1000 * (i + 1) + 500)));
    await new Promise((r) => setTimeout(r, 600));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((m) => /^0: could not save the live call: /.test(m))).toBe(true);
    for (const w of writers.slice(1)) expect((await lib.calls.get(w.id))!.report.timeline).toHaveLength(2);
    await Promise.all(writers.slice(1).map((w) => w.finish()));
    await writers[0]!.finish().catch(() => undefined);
  });

  it('disk full: recording stops with one clear warning, the call keeps its data and what was recorded', async () => {
    let writes = 0;
    const warnings: string[] = [];
    const io = {
      write(fd: number, data: Uint8Array) {
        if (++writes > 5) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        writeSync(fd, data);
      },
      sync() {},
    };
    const w = await LiveCallWriter.start(lib, { startedAt: 0, source: 'device' }, { io, onWarning: (m) => warnings.push(m), flushIntervalMs: 60_000 });
    feed(w, 8);
    w.timeline(point(1000));
    await w.finish();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^recording stopped: disk full \(.*\.opus\); the call goes on without audio$/);
    const call = await lib.calls.get(w.id);
    expect(call!.meta.status).toBe('completed');
    expect(call!.report.timeline).toHaveLength(1);
    expect(call!.recording!.error).toBe('disk full');
    expect(call!.recording!.durationMs).toBeCloseTo(3000, -3); // three whole pages of audio survived
    expect(decodeOggOpus(readFileSync(call!.recording!.path)).durationMs).toBeGreaterThan(2000);
    expect(lib.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('unwritable recordings folder: a warning, no audio, the call is stored', async () => {
    await lib.close();
    const blocker = join(tmp.dir, 'not-a-dir');
    writeFileSync(blocker, 'file in the way');
    lib = await openLibrary(join(tmp.dir, 'library.sqlite'), { recordingsDir: join(blocker, 'recordings') });
    const warnings: string[] = [];
    const w = await LiveCallWriter.start(lib, { startedAt: 0, source: 'device' }, { onWarning: (m) => warnings.push(m) });
    feed(w, 2);
    w.timeline(point(1000));
    await w.finish();
    expect(warnings).toEqual([expect.stringMatching(/^recording stopped: folder missing .*; the call goes on without audio$/)]);
    expect((await lib.calls.get(w.id))!.report.timeline).toHaveLength(1);
  });

  it('repairs a torn recording: cuts the partial page and marks the end', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: 0, source: 'device' }, { flushIntervalMs: 60_000 });
    feed(w, 4);
    await w.finish();
    const path = (await lib.calls.get(w.id))!.recording!.path;
    const full = readFileSync(path);
    writeFileSync(path, full.subarray(0, full.length - 37));
    const info = repairOggFile(path)!;
    expect(info.truncatedBytes).toBeGreaterThan(0);
    const { pages } = readOggPages(readFileSync(path));
    expect(pages.at(-1)!.flags & 0x04).toBe(0x04);
    expect(info.durationMs).toBeCloseTo(3000, -2);
    expect(decodeOggOpus(readFileSync(path)).durationMs).toBeCloseTo(3000, -2);
  });
});

describe('crash safety', () => {
  it('a writer killed with SIGKILL mid-call loses at most about a second; recovery finalises it', async () => {
    const db = join(tmp.dir, 'library.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx/esm', join(__dirname, 'fixtures', 'live-child.ts'), db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let id = '';
    let fed = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          if (l.startsWith('id ')) id = l.slice(3);
          if (l.startsWith('fed ')) fed = Number(l.slice(4));
        }
        if (fed >= 4300) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    }).catch((e: unknown) => {
      if (fed < 4300) throw e;
    });
    await new Promise((r) => child.once('exit', r).once('close', r));
    expect(id).not.toBe('');
    const before = await lib.calls.get(id);
    expect(before!.meta.status).toBe('live');

    const recovered = await recoverInterrupted(lib);
    expect(recovered.map((r) => r.id)).toEqual([id]);
    const call = (await lib.calls.get(id))!;
    expect(call.meta.status).toBe('interrupted');
    expect(call.meta.score).toBe(scoreCall(call.report).score);
    expect(call.summaryComplete).toBe(false);
    // Database: every 1 Hz point older than ~1 s before the kill is there.
    const lastPoint = call.report.timeline.at(-1)!.tMs;
    expect(lastPoint).toBeGreaterThanOrEqual(fed - 1600);
    expect(call.report.events.length).toBe(call.report.timeline.length);
    // Recording: repaired, decodes, and reaches to within ~1 s of the kill.
    const rec = call.recording!;
    expect(existsSync(rec.path)).toBe(true);
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
    const decoded = decodeOggOpus(readFileSync(rec.path));
    expect(decoded.durationMs).toBeGreaterThanOrEqual(fed - 1600);
    expect(rms(decoded.agent, 8000, 16000)).toBeGreaterThan(0.1);
    const dec = new OggOpusDecoder();
    await dec.ready;
    const out = await dec.decodeFile(readFileSync(rec.path));
    dec.free();
    expect(out.errors).toEqual([]);
    expect(call.meta.durationMs).toBeGreaterThanOrEqual(fed - 1600);
    // A second start finds nothing more to recover.
    expect(await recoverInterrupted(lib)).toEqual([]);
  });

  it('removes temporary files left by an interrupted import', async () => {
    mkdirSync(lib.recordings.dir, { recursive: true });
    const stray = join(lib.recordings.dir, '.import-abc.tmp');
    writeFileSync(stray, 'partial');
    await recoverInterrupted(lib);
    expect(existsSync(stray)).toBe(false);
  });
});

describe('recovery alongside a running recorder', () => {
  it('leaves a call that a live process is still recording alone, and finalises it only once that process is gone', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: Date.now(), source: 'device', title: 'in progress' }, { flushIntervalMs: 60_000 });
    w.pushFrames(new Float32Array(FRAME_SIZE * 50).fill(0.1), new Float32Array(FRAME_SIZE * 50), 50);
    await w.flush();
    // Another process starting up (here: the same one, which is alive) must not take the call over.
    expect(await recoverInterrupted(lib)).toEqual([]);
    expect((await lib.calls.get(w.id))!.meta.status).toBe('live');
    // A recorder on a pid that no longer exists is a dead process.
    await lib.live.setOwner(w.id, { pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), startedAt: 0 });
    expect((await recoverInterrupted(lib)).map((r) => r.id)).toEqual([w.id]);
    expect((await lib.calls.get(w.id))!.meta.status).toBe('interrupted');
  });
});
