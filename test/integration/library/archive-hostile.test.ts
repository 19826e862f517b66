/**
 * Hostile archives (issue 10, items 5 and 6): ids that are paths, oversized and foreign recordings,
 * duplicate entries, out-of-range values and recordings no call points to. Each is refused in one line
 * and leaves nothing behind: no row, no file.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveFileName, exportCall, importArchive } from '../../../src/library/archive';
import { LiveCallWriter } from '../../../src/library/live-writer';
import { openLibrary, type Library } from '../../../src/library/library';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { fakeReport, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let src: Library;
let dst: Library;
let callId: string;
let good: { call: Record<string, unknown>; recording: Buffer };

async function recordedCall(lib: Library): Promise<string> {
  const w = await LiveCallWriter.start(lib, { startedAt: Date.UTC(2026, 2, 3, 9), source: 'softphone', title: 'Hostile', agent: 'ana', tags: [] });
  const a = new Float32Array(50 * FRAME_SIZE).map((_, i) => 0.2 * Math.sin(i / 5));
  for (let s = 0; s < 3; s++) w.pushFrames(a, a, 50);
  const r = fakeReport(3);
  for (const p of r.timeline) w.timeline(p);
  const { speech: _s, timeline: _t, events: _e, nudges: _n, ...summary } = r;
  await w.finish(summary);
  return w.id;
}

async function entries(path: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((res, rej) => {
    zip.on('entry', (e: yauzl.Entry) => {
      zip.openReadStream(e, (err, s) => {
        if (err) return rej(err);
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('end', () => {
          out.set(e.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.on('end', () => res());
    zip.on('error', rej);
    zip.readEntry();
  });
  zip.close();
  return out;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A sealed archive with the given entries (in order) and a manifest that lists them truthfully unless `sizes` says otherwise. */
async function forge(path: string, id: string, files: [string, Buffer][], sizes: Record<string, number> = {}): Promise<void> {
  const manifest = {
    format: 'cadence-call',
    formatVersion: 1,
    callId: id,
    appVersion: '0',
    createdAt: '',
    entries: files.map(([name, data]) => ({ name, size: sizes[name] ?? data.length, sha256: sha(data) })),
  };
  const zip = new yazl.ZipFile();
  for (const [name, data] of files) zip.addBuffer(data, name);
  zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json');
  zip.end({ comment: 'CADENCE-SHA256:' + '0'.repeat(64), forceZip64Format: false });
  await pipeline(zip.outputStream, createWriteStream(path));
  seal(path);
}

function seal(path: string): void {
  const bytes = readFileSync(path);
  bytes.write(sha(bytes.subarray(0, bytes.length - 64)), bytes.length - 64, 'latin1');
  writeFileSync(path, bytes);
}

const callJson = (patch: (c: { meta: Record<string, unknown>; [k: string]: unknown }) => void): Buffer => {
  const c = structuredClone(good.call) as { meta: Record<string, unknown> };
  patch(c);
  return Buffer.from(JSON.stringify(c));
};

function leftovers(lib: Library): { rows: number; files: string[] } {
  const rows = (lib.sqlite.prepare('SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM recordings) AS n').get() as { n: number }).n;
  return { rows, files: existsSync(lib.recordings.dir) ? readdirSync(lib.recordings.dir) : [] };
}

async function refused(path: string, reason: RegExp): Promise<void> {
  const err = await importArchive(dst, path).then(
    () => null,
    (e: Error) => e,
  );
  expect(err, `${path} was accepted`).not.toBeNull();
  expect(err!.message).not.toContain('\n');
  expect(err!.message).toMatch(reason);
  expect(leftovers(dst)).toEqual({ rows: 0, files: [] });
}

beforeEach(async () => {
  tmp = tempDir('cadence-hostile-');
  src = await openLibrary(join(tmp.dir, 'src', 'library.sqlite'));
  dst = await openLibrary(join(tmp.dir, 'dst', 'library.sqlite'));
  callId = await recordedCall(src);
  const archive = join(tmp.dir, 'good.cadence');
  await exportCall(src, callId, archive);
  const e = await entries(archive);
  good = { call: JSON.parse(e.get('call.json')!.toString('utf8')) as Record<string, unknown>, recording: e.get('recording.opus')! };
});
afterEach(async () => {
  await src.close();
  await dst.close();
  tmp.cleanup();
});

describe('item 5: call ids from archives', () => {
  it('refuses an id that is a path, in one line, writing nothing', async () => {
    const bad = join(tmp.dir, 'evil.cadence');
    const id = '../../../x';
    await forge(bad, id, [['call.json', callJson((c) => (c.meta.id = id))], ['recording.opus', good.recording]]);
    await refused(bad, /^cannot import evil\.cadence: invalid manifest \(callId not a valid call id\)$/);
    expect(existsSync(join(tmp.dir, 'x.cadence'))).toBe(false);
    for (const id of ['', 'a'.repeat(65), 'a b', 'a/b', 'a.b', 'é']) {
      await forge(bad, id, [['call.json', callJson((c) => (c.meta.id = id))]]);
      await refused(bad, /invalid manifest \(callId/);
    }
  });

  it('builds every file name from data as a safe base name', () => {
    // Runs of anything else become one `_`, trimmed at the ends; nothing left means the fallback name.
    expect(archiveFileName('../../../x')).toBe('x.cadence');
    expect(archiveFileName('..')).toBe('call.cadence');
    expect(archiveFileName('')).toBe('call.cadence');
    expect(archiveFileName('a/b\\c', 'cadence-')).toBe('cadence-a_b_c.cadence');
    const p = dst.recordings.pathFor('../../etc/passwd');
    expect(p.startsWith(dst.recordings.dir + '/')).toBe(true);
    expect(p.slice(dst.recordings.dir.length + 1)).toMatch(/^[A-Za-z0-9_-]{1,64}\.opus$/);
  });
});

describe('item 6: archive entries', () => {
  it('refuses a recording declared 2 GB in a small zip before writing it, quickly', async () => {
    const bad = join(tmp.dir, 'huge.cadence');
    const DECLARED = 2_000_000_000;
    await forge(bad, callId, [['call.json', callJson(() => undefined)], ['recording.opus', good.recording]], { 'recording.opus': DECLARED });
    // Make the zip's own central directory agree with the manifest (as a crafted zip bomb would).
    const bytes = readFileSync(bad);
    const name = Buffer.from('recording.opus');
    let patched = 0;
    for (let at = bytes.indexOf(name); at >= 0; at = bytes.indexOf(name, at + 1)) {
      if (bytes.readUInt32LE(at - 46) === 0x02014b50) {
        bytes.writeUInt32LE(DECLARED, at - 46 + 24);
        patched++;
      }
    }
    expect(patched).toBe(1);
    writeFileSync(bad, bytes);
    seal(bad);
    const t0 = performance.now();
    await refused(bad, /^cannot import huge\.cadence: recording is too large for a 3 s call \(2000000000 bytes, at most \d+\)$/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('refuses a recording that is not Ogg Opus', async () => {
    const bad = join(tmp.dir, 'notogg.cadence');
    await forge(bad, callId, [['call.json', callJson(() => undefined)], ['recording.opus', Buffer.alloc(5000, 7)]]);
    await refused(bad, /recording is not Ogg Opus$/);
    const vorbis = Buffer.from(good.recording);
    vorbis.write('OpusTags', 28, 'latin1');
    await forge(bad, callId, [['call.json', callJson(() => undefined)], ['recording.opus', vorbis]]);
    await refused(bad, /recording is not Ogg Opus$/);
  });

  it('refuses duplicate entry names and unexpected entries', async () => {
    const bad = join(tmp.dir, 'dup.cadence');
    await forge(bad, callId, [
      ['call.json', callJson(() => undefined)],
      ['call.json', callJson((c) => (c.meta.title = 'the other one'))],
    ]);
    await refused(bad, /duplicate entry/);
    await forge(bad, callId, [['call.json', callJson(() => undefined)], ['notes.txt', Buffer.from('hi')]]);
    await refused(bad, /unexpected entry notes\.txt$/);
  });

  it('refuses out-of-range values: huge dates, negative or infinite durations, nested nonsense', async () => {
    const bad = join(tmp.dir, 'range.cadence');
    const cases: [string, (c: { meta: Record<string, unknown>; [k: string]: unknown }) => void][] = [
      ['startedAt 1e300', (c) => (c.meta.startedAt = 1e300)],
      ['startedAt -1', (c) => (c.meta.startedAt = -1)],
      ['durationMs -5', (c) => (c.meta.durationMs = -5)],
      ['durationMs 1e12', (c) => (c.meta.durationMs = 1e12)],
      ['score 1e9', (c) => (c.meta.score = 1e9)],
      ['nudge atMs 1e300', (c) => ((c.report as { timeline: { tMs: number }[] }).timeline[0]!.tMs = 1e300)],
      ['channel talkMs 1e300', (c) => ((c.report as { channels: { agent: { talkMs: number } } }).channels.agent.talkMs = 1e300)],
    ];
    for (const [what, patch] of cases) {
      await forge(bad, callId, [['call.json', callJson(patch)]]);
      await refused(bad, /^cannot import range\.cadence: invalid call\.json \(/);
      void what;
    }
    // JSON has no NaN or Infinity literal, but 1e400 parses as Infinity.
    const inf = Buffer.from(callJson(() => undefined).toString('utf8').replace(/"durationMs":\d+/, '"durationMs":1e400'));
    await forge(bad, callId, [['call.json', inf]]);
    await refused(bad, /invalid call\.json \(call\.meta\.durationMs is out of range\)/);
  });

  it('a recording entry with "recording": null is refused and leaves no orphan; the real call then imports', async () => {
    const bad = join(tmp.dir, 'orphan.cadence');
    await forge(bad, callId, [['call.json', callJson((c) => (c.recording = null))], ['recording.opus', good.recording]]);
    await refused(bad, /recording entry without a recording in call\.json$/);
    const ok = join(tmp.dir, 'ok.cadence');
    await forge(ok, callId, [['call.json', callJson(() => undefined)], ['recording.opus', good.recording]]);
    expect(await importArchive(dst, ok)).toEqual({ callId, outcome: 'imported' });
    expect((await dst.calls.get(callId))!.recording!.sha256).toBe(sha(good.recording));
  });
});
