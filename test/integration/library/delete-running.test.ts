import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../../src/library/library';
import { applyRetention } from '../../../src/library/retention';
import { tempDir } from './helpers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'cadence.mjs');
let tmp: ReturnType<typeof tempDir>;
let child: ChildProcess | null = null;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  child = null;
  tmp.cleanup();
});

/** Starts the live-call fixture in its own process; resolves with the call id once it is being recorded. */
function startLiveChild(db: string): Promise<string> {
  const c = spawn(process.execPath, ['--import', 'tsx/esm', join(__dirname, 'fixtures', 'live-child.ts'), db], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  let stderr = '';
  c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let buf = '';
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('id '));
      if (line) resolve(line.slice(3));
    });
    c.once('exit', () => reject(new Error(`live child exited early: ${stderr}`)));
  });
}

function cadence(db: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--db', db], { encoding: 'utf8', env: { ...process.env, CADENCE_DATA_DIR: tmp.dir, CADENCE_DB: '' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('a running call cannot be deleted', () => {
  it('`cadence delete` and the calls repository refuse a live call whose owner process runs, and allow it once that process is gone', async () => {
    const db = join(tmp.dir, 'library.sqlite');
    const id = await startLiveChild(db);

    const refused = cadence(db, 'delete', id);
    expect(refused.code).not.toBe(0);
    expect(refused.err.trim()).toMatch(new RegExp(`^.*call ${id} is still running; end it before deleting it$`));
    expect(refused.err.trim().split('\n')).toHaveLength(1);

    let lib: Library = await openLibrary(db);
    await expect(lib.calls.delete(id)).rejects.toThrow(/is still running/);
    expect(await lib.live.isRunning(id)).toBe(true);
    // Retention never picks a live call either.
    expect(await applyRetention(lib, 1, Date.now() + 10 * 86_400_000)).toEqual([]);
    expect((await lib.calls.get(id))!.meta.status).toBe('live');
    await lib.close();

    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;

    lib = await openLibrary(db);
    expect(await lib.live.isRunning(id)).toBe(false);
    await lib.close();
    const deleted = cadence(db, 'delete', id);
    expect(deleted.err).toBe('');
    expect(deleted.out.trim()).toBe(`deleted ${id}`);
    expect(deleted.code).toBe(0);
  });
});
