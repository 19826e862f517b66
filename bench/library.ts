/**
 * Library figures (docs/architecture.md, "Quality bars"): search p95 at 10,000 calls, CPU cost of a live call's
 * database writes over a simulated hour, recording encode cost and size per hour, archive export and
 * import throughput. Runs in about half a minute on the 2-core build machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCall, importArchive } from '../src/library/archive';
import { LiveCallWriter } from '../src/library/live-writer';
import { OggOpusWriter } from '../src/library/recording/ogg-opus';
import { openLibrary, type Library } from '../src/library/library';
import { encodeChunk } from '../src/library/timeline-codec';
import { FRAME_SIZE } from '../src/dsp/frames';
import type { TimelinePoint } from '../src/shared/types';

const CALLS = 10_000;
const QUERIES = 300;

function prng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

const point = (tMs: number): TimelinePoint => ({
  tMs,
  agent: { dbfs: -28.3, speaking: tMs % 3000 < 1500, wpm: 152.4, pitchHz: 170.2 },
  customer: { dbfs: -35.1, speaking: tMs % 3000 >= 1500, wpm: 140.1, pitchHz: 210.7 },
  talkRatio: 0.52,
});

/** 10,000 calls with transcripts, nudges and timelines, written straight through SQLite for speed. */
function generate(lib: Library): string[] {
  const rand = prng(7);
  const vocab = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
  const common = ['invoice', 'refund', 'renewal', 'pricing', 'contract', 'shipping', 'cancel', 'upgrade', 'discount', 'support'];
  const rules = ['pace-fast', 'pace-slow', 'talk-ratio', 'monologue', 'dead-air', 'interruption', 'slow-response', 'loud'];
  const agents = ['ana', 'bo', 'chen', 'dev', 'eli', 'fay', 'gus', 'hana'];
  const sq = lib.sqlite;
  sq.pragma('synchronous = OFF');
  const insCall = sq.prepare(
    `INSERT INTO calls (id, started_at, ended_at, duration_ms, source, title, agent, status, notes, score, summary, updated_at)
     VALUES (?, ?, ?, ?, 'device', ?, ?, 'completed', ?, ?, '{}', 0) RETURNING seq`,
  );
  const insTag = sq.prepare(`INSERT INTO call_tags (call_id, tag, pos) VALUES (?, ?, 0)`);
  const insNudge = sq.prepare(`INSERT INTO nudges (call_id, id, rule_id, title, severity, message, opened_ms, closed_ms, condition_since_ms) VALUES (?, ?, ?, 't', 'coach', 'm', ?, ?, ?)`);
  const insSeg = sq.prepare(`INSERT INTO transcript_segments (call_id, channel, text, start_ms, end_ms, confidence, final) VALUES (?, ?, ?, ?, ?, 0.9, 1)`);
  const insChunk = sq.prepare(`INSERT INTO timeline_chunks (call_id, chunk, data) VALUES (?, ?, ?)`);
  const insFts = sq.prepare(`INSERT INTO call_search (rowid, title, notes, transcript) VALUES (?, ?, ?, ?)`);
  const chunk = encodeChunk(Array.from({ length: 60 }, (_, i) => point(i * 1000)));
  const ids: string[] = [];
  const t0 = Date.UTC(2025, 0, 1);
  sq.transaction(() => {
    for (let c = 0; c < CALLS; c++) {
      const id = `call-${c.toString().padStart(5, '0')}`;
      ids.push(id);
      const durationMs = (120 + rand(900)) * 1000;
      const started = t0 + c * 3_000_000 + rand(1_000_000);
      const words = (n: number): string => Array.from({ length: n }, () => (rand(8) === 0 ? common[rand(common.length)]! : vocab[rand(vocab.length)]!)).join(' ');
      const title = `${common[rand(common.length)]} call ${c}`;
      const notes = rand(3) === 0 ? words(8) : '';
      const seq = (insCall.get(id, started, started + durationMs, durationMs, title, agents[rand(agents.length)], notes, rand(101)) as { seq: number }).seq;
      if (rand(4) === 0) insTag.run(id, 'vip');
      const texts: string[] = [];
      for (let s = 0; s < 40; s++) {
        const text = words(12);
        texts.push(text);
        insSeg.run(id, s % 2 ? 'customer' : 'agent', text, s * 4000, s * 4000 + 3500);
      }
      for (let n = 0; n < 1 + rand(4); n++) insNudge.run(id, `r#${n}`, rules[rand(rules.length)], n * 30_000, n * 30_000 + 5000, n * 30_000 - 5000);
      for (let k = 0; k < Math.ceil(durationMs / 60_000); k++) insChunk.run(id, k, chunk);
      insFts.run(seq, title, notes, texts.join('\n'));
    }
  })();
  sq.exec('ANALYZE');
  sq.pragma('synchronous = FULL');
  return vocab.concat(common);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function benchSearch(dir: string): Promise<Record<string, number>> {
  const lib = await openLibrary(join(dir, 'search.sqlite'));
  const tGen = performance.now();
  const words = generate(lib);
  const genMs = performance.now() - tGen;
  const rand = prng(99);
  const times: number[] = [];
  const rules = ['pace-fast', 'monologue', 'dead-air'];
  for (let q = 0; q < QUERIES; q++) {
    const w = words[rand(words.length)]!;
    const kind = q % 5;
    const query =
      kind === 0
        ? { search: w }
        : kind === 1
          ? { search: `${w} ${words[rand(words.length)]!.slice(0, 3)}` }
          : kind === 2
            ? { search: w, agent: 'ana', from: Date.UTC(2025, 3, 1), to: Date.UTC(2025, 9, 1) }
            : kind === 3
              ? { ruleId: rules[rand(rules.length)]!, minScore: 50, offset: rand(100) }
              : { tag: 'vip', limit: 50 };
    const t = performance.now();
    await lib.calls.list(query);
    times.push(performance.now() - t);
  }
  await lib.close();
  times.sort((a, b) => a - b);
  return { 'library.search.calls': CALLS, 'library.search.p50_ms': +percentile(times, 50).toFixed(2), 'library.search.p95_ms': +percentile(times, 95).toFixed(2), 'library.search.generate_s': +(genMs / 1000).toFixed(1) };
}

/** One simulated hour of a live call's parts, committed once a simulated second (no audio). */
async function benchLiveWrites(dir: string): Promise<Record<string, number>> {
  const lib = await openLibrary(join(dir, 'live.sqlite'));
  const w = await LiveCallWriter.start(lib, { startedAt: Date.now(), source: 'device' }, { recording: false, flushIntervalMs: 3_600_000 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 1; s <= 3600; s++) {
    const ms = s * 1000;
    w.timeline(point(ms));
    if (s % 3 === 0) w.segment({ channel: s % 2 ? 'agent' : 'customer', startMs: ms - 2500, endMs: ms - 200 });
    if (s % 4 === 0) w.transcript({ channel: 'agent', text: 'thanks for holding while I look into the invoice for you', startMs: ms - 3000, endMs: ms, confidence: 0.9, final: true });
    if (s % 10 === 0) w.event('open', { id: `ev${s}`, type: 'overtalk', channel: 'agent', startMs: ms, endMs: null });
    if (s % 10 === 1 && s > 1) w.event('close', { id: `ev${s - 1}`, type: 'overtalk', channel: 'agent', startMs: ms - 1000, endMs: ms - 500 });
    if (s % 120 === 0) w.nudge('open', { id: `pace#${s}`, ruleId: 'pace-fast', title: 'Slow down', severity: 'coach', message: 'Slow down a little', atMs: ms, endMs: null, conditionSinceMs: ms - 6000 });
    await w.flush();
  }
  await w.finish(null);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const dbBytes = statSync(join(dir, 'live.sqlite')).size + (statSync(join(dir, 'live.sqlite-wal'), { throwIfNoEntry: false })?.size ?? 0);
  await lib.close();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    'library.live_writes.cpu_pct_of_core': +((cpuMs / 3_600_000) * 100).toFixed(3),
    'library.live_writes.wall_s_per_hour': +(wallMs / 1000).toFixed(1),
    'library.live_writes.db_mb_per_hour': +(dbBytes / 1e6).toFixed(2),
  };
}

/** Encoding cost and size of the two-channel Ogg Opus recording, extrapolated from 2 minutes of speech-like audio. */
function benchRecording(dir: string): Record<string, number> {
  const seconds = 120;
  const path = join(dir, 'rec.opus');
  const rec = new OggOpusWriter(path);
  const frames = 50;
  const a = new Float32Array(frames * FRAME_SIZE);
  const c = new Float32Array(frames * FRAME_SIZE);
  const rand = prng(3);
  const cpu0 = process.cpuUsage();
  for (let s = 0; s < seconds; s++) {
    const agentTurn = Math.floor(s / 4) % 2 === 0;
    for (let i = 0; i < a.length; i++) {
      const t = s + i / 16000;
      const v = 0.25 * Math.sin(Math.PI * ((t * 4) % 1)) ** 2 * (Math.sin(2 * Math.PI * 150 * t) + 0.4 * Math.sin(2 * Math.PI * 450 * t)) + (rand(1000) - 500) / 100_000;
      a[i] = agentTurn ? v : (rand(1000) - 500) / 200_000;
      c[i] = agentTurn ? (rand(1000) - 500) / 200_000 : v;
    }
    rec.pushFrames(a, c, frames);
  }
  rec.close();
  const cpu = process.cpuUsage(cpu0);
  const bytes = statSync(path).size;
  return {
    'library.recording.mb_per_hour': +((bytes / seconds) * 3600 / 1e6).toFixed(2),
    'library.recording.encode_cpu_pct_of_core': +(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100).toFixed(2),
  };
}

/** Export and import of a call with a 64 MB recording (the size of ~6 hours of audio). */
async function benchArchive(dir: string): Promise<Record<string, number>> {
  const lib = await openLibrary(join(dir, 'a', 'library.sqlite'));
  const dst = await openLibrary(join(dir, 'b', 'library.sqlite'));
  const id = await lib.calls.save({ startedAt: Date.now(), source: 'device', title: 'archive bench' }, {
    durationMs: 3_600_000,
    channels: {
      agent: { talkMs: 0, wpm: null, syllables: 0, meanDbfs: null, peakDbfs: -120, clippedSamples: 0, pitchHz: null, pitchVarSt: null, segments: 0, interruptions: 0, backchannels: 0 },
      customer: { talkMs: 0, wpm: null, syllables: 0, meanDbfs: null, peakDbfs: -120, clippedSamples: 0, pitchHz: null, pitchVarSt: null, segments: 0, interruptions: 0, backchannels: 0 },
    },
    talkRatio: null,
    overtalkMs: 0,
    longestMonologueMs: 0,
    meanResponseMs: null,
    responses: 0,
    speech: [],
    timeline: Array.from({ length: 3600 }, (_, i) => point(i * 1000)),
    events: [],
    nudges: [],
  });
  mkdirSync(lib.recordings.dir, { recursive: true });
  const recPath = join(lib.recordings.dir, `${id}.opus`);
  const size = 64 * 1024 * 1024;
  writeFileSync(recPath, randomBytes(size));
  await lib.recordings.attach(id, { path: recPath, codec: 'opus/ogg', sizeBytes: size, sha256: null, durationMs: 3_600_000, error: null });
  const out = join(dir, 'bench.cadence');
  let t = performance.now();
  const res = await exportCall(lib, id, out);
  const exportS = (performance.now() - t) / 1000;
  t = performance.now();
  await importArchive(dst, out);
  const importS = (performance.now() - t) / 1000;
  await lib.close();
  await dst.close();
  const mb = res.bytes / 1e6;
  return { 'library.archive.export_mb_s': +(mb / exportS).toFixed(1), 'library.archive.import_mb_s': +(mb / importS).toFixed(1) };
}

export async function benchLibrary(): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-library-'));
  try {
    return {
      ...(await benchSearch(dir)),
      ...(await benchLiveWrites(dir)),
      ...benchRecording(dir),
      ...(await benchArchive(dir)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('library.ts')) {
  const t = performance.now();
  console.log(JSON.stringify(await benchLibrary(), null, 2));
  console.log(`(${((performance.now() - t) / 1000).toFixed(1)} s)`);
}
