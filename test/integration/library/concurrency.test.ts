/**
 * Issue 10, item 7: processes sharing one library. A temporary file belongs to its owner process and
 * survives another process starting up; a call left live by a dead process is recovered by any command
 * that opens the library for writing; a call killed in its first second is not kept as a good recording.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverCalls } from '../../../src/call/finalize';
import { exportCall } from '../../../src/library/archive';
import { LiveCallWriter } from '../../../src/library/live-writer';
import { openLibrary, type Library } from '../../../src/library/library';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { tempDir } from './helpers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'cadence.mjs');
/** A pid no process has (above Linux's pid_max default of 2^22). */
const DEAD = { pid: 2 ** 22 + 4321, host: hostname(), startedAt: 0 };

let tmp: ReturnType<typeof tempDir>;
let lib: Library;
let dbPath: string;

beforeEach(async () => {
  tmp = tempDir('cadence-race-');
  dbPath = join(tmp.dir, 'library.sqlite');
  lib = await openLibrary(dbPath);
});
afterEach(async () => {
  await lib.close();
  tmp.cleanup();
});

async function archiveOfOneCall(): Promise<string> {
  const src = await openLibrary(join(tmp.dir, 'src', 'library.sqlite'));
  const w = await LiveCallWriter.start(src, { startedAt: Date.UTC(2026, 1, 1), source: 'device', title: 'raced' });
  const a = new Float32Array(50 * FRAME_SIZE).map((_, i) => 0.2 * Math.sin(i / 7));
  for (let s = 0; s < 2; s++) w.pushFrames(a, a, 50);
  await w.finish();
  const out = join(tmp.dir, 'raced.cadence');
  await exportCall(src, w.id, out);
  await src.close();
  return out;
}

/** Lines the child prints, as a queue to wait on. */
function lines(child: ChildProcessWithoutNullStreams): (want: string) => Promise<string> {
  let buf = '';
  const seen: string[] = [];
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    seen.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  return async (want) => {
    for (;;) {
      const hit = seen.find((l) => l.startsWith(want) || l.startsWith('error'));
      if (hit !== undefined) return hit;
      await new Promise<void>((resolve, reject) => {
        waiters.push(resolve);
        child.once('exit', () => reject(new Error(`child exited before printing ${want}`)));
      });
    }
  };
}

const temps = (): string[] => (existsSync(lib.recordings.dir) ? readdirSync(lib.recordings.dir).filter((n) => n.endsWith('.tmp')) : []);

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an import in another process', () => {
  it('keeps its temporary file while another process starts up; the file goes once its owner is dead', async () => {
    const archive = await archiveOfOneCall();
    for (const ending of ['finishes', 'is killed'] as const) {
      const child = spawn(process.execPath, ['--import', 'tsx/esm', join(__dirname, 'fixtures', 'import-child.ts'), dbPath, archive], { stdio: ['pipe', 'pipe', 'pipe'] });
      const next = lines(child);
      await next('open');
      // Hold the write lock so the import stops right after extracting its recording to a temporary file.
      const blocker = new Database(dbPath);
      blocker.exec('BEGIN IMMEDIATE');
      child.stdin.write('go\n');
      try {
        await until(() => temps().length === 1);
        const [temp] = temps();
        expect(temp).toContain(`-${child.pid}-`);
        // What `cadence live`, `cadence ui` and the app do when they start.
        await recoverCalls(lib);
        expect(temps()).toEqual([temp]);
        if (ending === 'is killed') {
          child.kill('SIGKILL');
          await new Promise((r) => child.once('exit', r));
          expect(temps()).toEqual([temp]);
          await recoverCalls(lib);
          expect(temps()).toEqual([]);
        }
      } finally {
        blocker.exec('ROLLBACK');
        blocker.close();
      }
      if (ending === 'finishes') {
        expect(await next('imported')).toBe('imported');
        await new Promise((r) => child.once('exit', r));
        expect(temps()).toEqual([]);
        const { items } = await lib.calls.list({});
        expect(items).toHaveLength(1);
        // Again from scratch, for the run that dies mid-import.
        await lib.calls.delete(items[0]!.id);
      }
    }
  }, 60_000);
});

describe('recovery by every command that writes', () => {
  it('`cadence calls` lists a dead process’s live call as interrupted', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: Date.now(), source: 'device', title: 'crashed' }, { flushIntervalMs: 60_000 });
    const a = new Float32Array(50 * FRAME_SIZE).fill(0.1);
    for (let s = 0; s < 2; s++) w.pushFrames(a, a, 50);
    await w.flush();
    await lib.live.setOwner(w.id, DEAD);
    const env = { ...process.env, CADENCE_DATA_DIR: join(tmp.dir, 'data'), CADENCE_DB: '' };
    const r = spawnSync(process.execPath, [BIN, 'calls', '--db', dbPath, '--json'], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    const page = JSON.parse(r.stdout) as { items: { id: string; status: string }[] };
    expect(page.items.map((c) => [c.id, c.status])).toEqual([[w.id, 'interrupted']]);
    expect((await lib.calls.get(w.id))!.recording!.error).toBeNull();
  }, 60_000);
});

describe('a call killed in its first second', () => {
  it('with no audio and no data is deleted, recording and all', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: Date.now(), source: 'device', title: 'stillborn' }, { flushIntervalMs: 60_000 });
    const rec = (await lib.calls.get(w.id))!.recording!;
    expect(existsSync(rec.path)).toBe(true);
    await lib.live.setOwner(w.id, DEAD);
    expect(await recoverCalls(lib)).toEqual([]);
    expect(await lib.calls.get(w.id)).toBeUndefined();
    expect(existsSync(rec.path)).toBe(false);
  });

  it('with data but only the recording headers keeps the call and marks the recording lost', async () => {
    const w = await LiveCallWriter.start(lib, { startedAt: Date.now(), source: 'device', title: 'short' }, { flushIntervalMs: 60_000 });
    w.segment({ channel: 'agent', startMs: 0, endMs: 400 });
    await w.flush();
    await lib.live.setOwner(w.id, DEAD);
    const rec = (await lib.calls.get(w.id))!.recording!;
    expect(rec.sizeBytes).toBeLessThan(200); // the Ogg headers only, no audio page
    expect((await recoverCalls(lib)).map((c) => c.id)).toEqual([w.id]);
    const call = (await lib.calls.get(w.id))!;
    expect(call.meta.status).toBe('interrupted');
    expect(call.recording!.error).toMatch(/^recording lost/);
    expect(call.recording!.sha256).toBeNull();
  });
});
