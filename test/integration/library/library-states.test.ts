/**
 * Issue 10, item 8: the library is checked before anything writes to it. A corrupt file is never
 * modified; busy, read-only and corrupt are three different one-line errors naming the file; a
 * read-only library still opens for reading (the CLI's `calls` and `show` work on it); a lock during
 * an archive import is reported as busy.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCall, importArchive } from '../../../src/library/archive';
import { openLibrary } from '../../../src/library/library';
import { fakeReport, tempDir } from './helpers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'cadence.mjs');
let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir('cadence-states-');
});
afterEach(() => {
  chmodSync(tmp.dir, 0o700);
  tmp.cleanup();
});

/** A library with a few calls, closed (its WAL checkpointed), in `journal` mode. */
async function makeLibrary(path: string, journal: 'wal' | 'delete'): Promise<string[]> {
  const lib = await openLibrary(path);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await lib.calls.save({ startedAt: Date.UTC(2026, 0, 5 + i), source: 'file', status: 'completed', title: `call ${i}`, agent: 'ana', tags: [] }, fakeReport(120)));
  await lib.close();
  if (journal === 'delete') {
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.close();
  }
  return ids;
}

/** Overwrites the root page of the timeline table with garbage (page 1 and the schema stay readable). */
function corrupt(path: string): void {
  const db = new Database(path, { readonly: true });
  const { rootpage } = db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'timeline_chunks'`).get() as { rootpage: number };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa7), 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(fd);
}

function fingerprint(path: string): { bytes: Buffer; mtimeMs: number } {
  return { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs };
}

async function openError(path: string, options = {}): Promise<Error> {
  const err = await openLibrary(path, options).then(
    async (lib) => {
      await lib.close();
      return null;
    },
    (e: Error) => e,
  );
  expect(err, 'the library opened').not.toBeNull();
  expect(err!.message).not.toContain('\n');
  return err!;
}

describe('a corrupt library is refused before anything writes to it', () => {
  for (const journal of ['delete', 'wal'] as const) {
    it(`${journal === 'wal' ? 'WAL' : 'rollback-journal'} mode: one line naming the file, the file unchanged`, async () => {
      const path = join(tmp.dir, 'library.sqlite');
      await makeLibrary(path, journal);
      corrupt(path);
      const before = fingerprint(path);
      const err = await openError(path);
      expect(err.message).toContain(path);
      expect(err.message).toMatch(/is corrupted/);
      expect(err.message).not.toMatch(/busy|read-only/);
      const after = fingerprint(path);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(after.bytes.equals(before.bytes)).toBe(true);
      expect(existsSync(`${path}-journal`)).toBe(false);
    });
  }
});

describe('busy is not corrupt', () => {
  it('a WAL library with another writer still opens (readers never wait); the rollback kind cannot', async () => {
    const path = join(tmp.dir, 'library.sqlite');
    await makeLibrary(path, 'wal');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const lib = await openLibrary(path, { busyTimeoutMs: 100 });
      expect((await lib.calls.list({})).total).toBe(5);
      await lib.close();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('a rollback-journal library locked exclusively is busy too', async () => {
    const path = join(tmp.dir, 'library.sqlite');
    await makeLibrary(path, 'delete');
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const before = fingerprint(path);
      const err = await openError(path, { busyTimeoutMs: 100 });
      expect(err.message).toBe(`library ${path} is busy: another process is writing to it; try again when it is done`);
      expect(fingerprint(path).bytes.equals(before.bytes)).toBe(true);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('a lock during an archive import is reported as busy, not as invalid call data', async () => {
    const srcPath = join(tmp.dir, 'src.sqlite');
    const [id] = await makeLibrary(srcPath, 'wal');
    const src = await openLibrary(srcPath);
    const archive = join(tmp.dir, 'call.cadence');
    await exportCall(src, id!, archive);
    await src.close();
    const dstPath = join(tmp.dir, 'dst.sqlite');
    const dst = await openLibrary(dstPath, { busyTimeoutMs: 100 });
    const other = new Database(dstPath);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(importArchive(dst, archive)).rejects.toThrow(`cannot import call.cadence: library ${dstPath} is busy (another process is writing to it); try again`);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await importArchive(dst, archive)).outcome).toBe('imported');
    await dst.close();
  });
});

describe('a read-only library', () => {
  // Root writes through any mode bit: the CLI runs as `nobody` then, as a user would without rights.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  function cadence(...args: string[]): { code: number; out: string; err: string } {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      ...asUser,
      env: { ...process.env, HOME: tmp.dir, CADENCE_DATA_DIR: join(tmp.dir, 'data'), CADENCE_DB: '' },
    });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  }

  for (const what of ['file', 'folder'] as const) {
    it(`(${what} not writable) opens for reading; writing is refused as read-only, naming the file`, async () => {
      chmodSync(tmp.dir, 0o755);
      const folder = join(tmp.dir, 'lib');
      mkdirSync(folder);
      const path = join(folder, 'library.sqlite');
      const ids = await makeLibrary(path, 'wal');
      chmodSync(path, 0o444);
      chmodSync(folder, what === 'folder' ? 0o555 : 0o777);
      const before = fingerprint(path);

      const list = cadence('calls', '--db', path, '--json');
      expect(list.err).toBe('');
      expect(list.code).toBe(0);
      expect((JSON.parse(list.out) as { total: number }).total).toBe(5);
      const show = cadence('show', ids[0]!, '--db', path);
      expect(show.code).toBe(0);
      expect(show.out).toContain('call 0');

      const del = cadence('delete', ids[0]!, '--db', path);
      expect(del.code).not.toBe(0);
      expect(del.err.trim().split('\n')).toHaveLength(1);
      expect(del.err).toContain(`library ${path} is read-only`);
      expect(del.err).not.toMatch(/corrupt|busy/);
      expect(fingerprint(path).bytes.equals(before.bytes)).toBe(true);
      chmodSync(folder, 0o755);
    });
  }
});
