/**
 * Issue 10, item 9 (last point): calls are private. The data folder is created 0700, the library, its
 * WAL and shared-memory files and every recording 0600 — whatever the process umask.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCall, importArchive } from '../../../src/library/archive';
import { LiveCallWriter } from '../../../src/library/live-writer';
import { openLibrary } from '../../../src/library/library';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { tempDir } from './helpers';

const mode = (p: string): number => statSync(p).mode & 0o777;
let tmp: ReturnType<typeof tempDir>;
let umask: number;

beforeEach(() => {
  tmp = tempDir('cadence-perms-');
  // The most permissive umask: every mode below must come from Cadence, not from the environment.
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
  tmp.cleanup();
});

describe('library file modes', () => {
  it('creates the data folder 0700 and the library, -wal, -shm and recordings 0600', async () => {
    const data = join(tmp.dir, 'home', 'Cadence');
    const lib = await openLibrary(join(data, 'library.sqlite'));
    try {
      const w = await LiveCallWriter.start(lib, { startedAt: Date.now(), source: 'device', title: 'private', agent: null, tags: [] });
      const a = new Float32Array(50 * FRAME_SIZE).fill(0.1);
      w.pushFrames(a, a, 50);
      await w.finish();
      expect(mode(data)).toBe(0o700);
      expect(mode(join(tmp.dir, 'home'))).toBe(0o700);
      expect(mode(join(data, 'library.sqlite'))).toBe(0o600);
      expect(existsSync(join(data, 'library.sqlite-wal'))).toBe(true);
      expect(mode(join(data, 'library.sqlite-wal'))).toBe(0o600);
      expect(mode(join(data, 'library.sqlite-shm'))).toBe(0o600);
      expect(mode(lib.recordings.dir)).toBe(0o700);
      const rec = (await lib.calls.get(w.id))!.recording!.path;
      expect(mode(rec)).toBe(0o600);

      // An imported recording too.
      const archive = join(tmp.dir, 'call.cadence');
      await exportCall(lib, w.id, archive);
      const other = await openLibrary(join(tmp.dir, 'other', 'library.sqlite'));
      try {
        await importArchive(other, archive);
        expect(mode((await other.calls.get(w.id))!.recording!.path)).toBe(0o600);
      } finally {
        await other.close();
      }
    } finally {
      await lib.close();
    }
  });
});
