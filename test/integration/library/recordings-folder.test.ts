import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCall, importArchive } from '../../../src/library/archive';
import { LiveCallWriter } from '../../../src/library/live-writer';
import { openLibrary, type Library } from '../../../src/library/library';
import { decodeOggOpus } from '../../../src/library/recording/ogg-opus';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { fakeReport, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
const open: Library[] = [];
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
  tmp.cleanup();
});

async function lib(name: string, options: { recordingsDir?: string } = {}): Promise<Library> {
  const l = await openLibrary(join(tmp.dir, name), options);
  open.push(l);
  return l;
}

/** 3 s of call with a 300 Hz agent tone and a 500 Hz customer tone, recorded by the live writer. */
async function recordedCall(l: Library): Promise<string> {
  const w = await LiveCallWriter.start(l, { startedAt: Date.UTC(2026, 2, 3, 9), source: 'device', title: 'Recorded' });
  const a = new Float32Array(50 * FRAME_SIZE).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 300 * i) / 16000));
  const c = new Float32Array(50 * FRAME_SIZE).map((_, i) => 0.2 * Math.sin((2 * Math.PI * 500 * i) / 16000));
  for (let s = 0; s < 3; s++) w.pushFrames(a, c, 50);
  const { speech: _s, timeline: _t, events: _e, nudges: _n, ...summary } = fakeReport(3);
  await w.finish(summary);
  return w.id;
}

/** The stored recording exists, is in `dir` and decodes to about 3 s (±100 ms). */
async function playable(l: Library, id: string, dir: string): Promise<void> {
  const rec = (await l.calls.get(id))!.recording!;
  expect(dirname(rec.path)).toBe(dir);
  expect(existsSync(rec.path)).toBe(true);
  expect(Math.abs(decodeOggOpus(readFileSync(rec.path)).durationMs - 3000)).toBeLessThan(100);
}

describe('each library owns its recordings', () => {
  it('names the folder after the library file and creates it owner-only', async () => {
    const a = await lib('a.sqlite');
    expect(a.recordings.dir).toBe(join(tmp.dir, 'a.recordings'));
    const id = await recordedCall(a);
    expect(statSync(a.recordings.dir).mode & 0o777).toBe(0o700);
    await playable(a, id, a.recordings.dir);
  });

  it('two libraries in one folder: a call exported from a.sqlite imports into b.sqlite, and both play it', async () => {
    const a = await lib('a.sqlite');
    const b = await lib('b.sqlite');
    const id = await recordedCall(a);
    const archive = join(tmp.dir, 'call.cadence');
    await exportCall(a, id, archive);
    expect(await importArchive(b, archive)).toEqual({ callId: id, outcome: 'imported' });
    await playable(a, id, join(tmp.dir, 'a.recordings'));
    await playable(b, id, join(tmp.dir, 'b.recordings'));
    // Deleting it from one library leaves the other's recording alone.
    await a.calls.delete(id);
    await playable(b, id, join(tmp.dir, 'b.recordings'));
  });

  it('an identical recording already in place is reused; a different one is refused in one line naming it', async () => {
    const a = await lib('a.sqlite');
    const id = await recordedCall(a);
    const archive = join(tmp.dir, 'call.cadence');
    await exportCall(a, id, archive);
    // A library told to share a's folder finds the same bytes there already.
    const shared = await lib('shared.sqlite', { recordingsDir: a.recordings.dir });
    expect(await importArchive(shared, archive)).toEqual({ callId: id, outcome: 'imported' });
    await playable(shared, id, a.recordings.dir);

    const other = await lib('other.sqlite');
    const clash = other.recordings.pathFor(id);
    mkdirSync(dirname(clash), { recursive: true });
    writeFileSync(clash, 'not the same recording');
    const err = await importArchive(other, archive).then(() => null, (e: Error) => e);
    expect(err?.message).toBe(`cannot import call.cadence: a different recording named ${basename(clash)} is already in ${dirname(clash)}`);
    expect(readFileSync(clash, 'utf8')).toBe('not the same recording');
    expect((await other.calls.list()).total).toBe(0);
  });

  it('a library from before keeps playing recordings stored in the shared recordings/ folder', async () => {
    const old = await lib('library.sqlite');
    const id = await recordedCall(old);
    // What an older Cadence left: the file in `recordings/`, its path stored relative to that folder.
    const legacy = join(tmp.dir, 'recordings');
    mkdirSync(legacy);
    const file = `${id}.opus`;
    renameSync(join(old.recordings.dir, file), join(legacy, file));
    old.sqlite.prepare('UPDATE recordings SET path = ? WHERE call_id = ?').run(file, id);
    await playable(old, id, legacy);
    expect(await old.calls.delete(id)).toBe(true);
    expect(existsSync(join(legacy, file))).toBe(false);
  });
});
