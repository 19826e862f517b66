import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCall, importArchive } from '../../../src/library/archive';
import { LiveCallWriter } from '../../../src/library/live-writer';
import { openLibrary, type Library } from '../../../src/library/library';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { fakeReport, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let src: Library;
let dst: Library;
let callId: string;
let archive: string;

async function recordedCall(lib: Library): Promise<string> {
  const w = await LiveCallWriter.start(lib, { startedAt: Date.UTC(2026, 2, 3, 9), source: 'softphone', title: 'Archive me', agent: 'ana', tags: ['t1'] });
  const a = new Float32Array(50 * FRAME_SIZE).map((_, i) => 0.2 * Math.sin(i / 5));
  const c = new Float32Array(50 * FRAME_SIZE).map((_, i) => 0.1 * Math.sin(i / 9));
  for (let s = 0; s < 3; s++) w.pushFrames(a, c, 50);
  const r = fakeReport(3, ['pace-fast']);
  for (const p of r.timeline) w.timeline(p);
  for (const s of r.speech) w.segment(s);
  for (const n of r.nudges) w.nudge('close', n);
  w.transcript({ channel: 'agent', text: 'your order ships tomorrow', startMs: 0, endMs: 2000, confidence: 0.9, final: true });
  const { speech: _s, timeline: _t, events: _e, nudges: _n, ...summary } = r;
  await w.finish(summary);
  return w.id;
}

function leftovers(lib: Library): { rows: number; files: string[] } {
  const rows = (lib.sqlite.prepare('SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM nudges) + (SELECT count(*) FROM timeline_chunks) + (SELECT count(*) FROM recordings) + (SELECT count(*) FROM call_search) AS n').get() as { n: number }).n;
  return { rows, files: existsSync(lib.recordings.dir) ? readdirSync(lib.recordings.dir) : [] };
}

/** A sealed archive with arbitrary entries (to forge newer or foreign archives). */
async function forge(path: string, files: Record<string, Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(data, name);
  zip.end({ comment: 'CADENCE-SHA256:' + '0'.repeat(64), forceZip64Format: false });
  await pipeline(zip.outputStream, createWriteStream(path));
  const bytes = readFileSync(path);
  bytes.write(createHash('sha256').update(bytes.subarray(0, bytes.length - 64)).digest('hex'), bytes.length - 64, 'latin1');
  writeFileSync(path, bytes);
}

beforeEach(async () => {
  tmp = tempDir();
  src = await openLibrary(join(tmp.dir, 'src', 'library.sqlite'));
  dst = await openLibrary(join(tmp.dir, 'dst', 'library.sqlite'));
  callId = await recordedCall(src);
  archive = join(tmp.dir, 'call.cadence');
  await exportCall(src, callId, archive);
});
afterEach(async () => {
  await src.close();
  await dst.close();
  tmp.cleanup();
});

describe('call archive', () => {
  it('round-trips a call with its recording; importing it again is a no-op', async () => {
    expect(readdirSync(tmp.dir).filter((f) => f.includes('partial'))).toEqual([]);
    expect(await importArchive(dst, archive)).toEqual({ callId, outcome: 'imported' });
    const a = (await src.calls.get(callId))!;
    const b = (await dst.calls.get(callId))!;
    expect(b.meta).toEqual({ ...a.meta, status: 'imported' });
    expect(b.report).toEqual(a.report);
    expect(b.transcript).toEqual(a.transcript);
    expect(b.recording!.sha256).toBe(a.recording!.sha256);
    expect(readFileSync(b.recording!.path).equals(readFileSync(a.recording!.path))).toBe(true);
    expect((await dst.calls.list({ search: 'ships' })).total).toBe(1);

    expect(await importArchive(dst, archive)).toEqual({ callId, outcome: 'unchanged' });
    // Re-exported from the importing library, it is still the same call.
    const again = join(tmp.dir, 'again.cadence');
    await exportCall(dst, callId, again);
    expect(await importArchive(src, again)).toEqual({ callId, outcome: 'unchanged' });
    expect(leftovers(dst).files.filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses a different call under the same id', async () => {
    await importArchive(dst, archive);
    await src.calls.update(callId, { notes: 'changed after export' });
    const changed = join(tmp.dir, 'changed.cadence');
    await exportCall(src, callId, changed);
    await expect(importArchive(dst, changed)).rejects.toThrow(/^cannot import changed\.cadence: a different call with id .* is already in the library$/);
    expect((await dst.calls.get(callId))!.meta.notes).toBe('');
  });

  it('refuses a newer format version, a foreign zip and a missing file, in one line', async () => {
    const newer = join(tmp.dir, 'newer.cadence');
    await forge(newer, { 'manifest.json': Buffer.from(JSON.stringify({ format: 'cadence-call', formatVersion: 9, callId: 'x', appVersion: '9', createdAt: '', entries: [] })) });
    await expect(importArchive(dst, newer)).rejects.toThrow(/archive format version 9 is newer than this Cadence supports \(1\)/);
    const foreign = join(tmp.dir, 'photos.zip');
    await forge(foreign, { 'cat.jpg': Buffer.from('meow') });
    await expect(importArchive(dst, foreign)).rejects.toThrow(/not a Cadence archive \(no manifest\.json\)/);
    const plain = join(tmp.dir, 'plain.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('x'), 'x.txt');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(plain));
    await expect(importArchive(dst, plain)).rejects.toThrow(/no seal at the end/);
    await expect(importArchive(dst, join(tmp.dir, 'absent.cadence'))).rejects.toThrow(/no such file/);
    expect(leftovers(dst)).toEqual({ rows: 0, files: [] });
  });

  it('fuzz: every random truncation and bit flip is refused in one line and leaves nothing behind', async () => {
    const good = readFileSync(archive);
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const bad = join(tmp.dir, 'bad.cadence');
    const reasons = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const bytes = Buffer.from(good);
      let mutated: Buffer;
      if (i % 2 === 0) {
        mutated = bytes.subarray(0, rand(bytes.length));
      } else {
        const at = rand(bytes.length);
        bytes[at] = bytes[at]! ^ (1 << rand(8));
        mutated = bytes;
      }
      writeFileSync(bad, mutated);
      const err = await importArchive(dst, bad).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, `mutation ${i} was accepted`).not.toBeNull();
      expect(err!.message).toMatch(/^cannot import bad\.cadence: /);
      expect(err!.message).not.toContain('\n');
      reasons.add(err!.message.replace(/^cannot import bad\.cadence: /, ''));
      expect(leftovers(dst), `mutation ${i} left something behind`).toEqual({ rows: 0, files: [] });
    }
    expect(reasons.size).toBeGreaterThanOrEqual(2);
    // And the untouched archive still imports.
    expect((await importArchive(dst, archive)).outcome).toBe('imported');
  });
});
