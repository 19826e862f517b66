/**
 * Recording rows and the library's recordings folder. Each library owns its folder, named after the
 * library file (`a.sqlite` → `a.recordings/`), so two libraries in one folder never share files.
 * Libraries from before kept theirs in `recordings/` beside the file; their relative paths still resolve.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { safeBaseName } from '../../shared/file-names';
import type { RecordingInfo } from '../types';
import type { LibraryDb, WriteHandle } from './handle';
import { ownerAlive } from './owner';

export class RecordingsRepo {
  constructor(
    private readonly db: LibraryDb,
    /** This library's own recordings folder (absolute). */
    readonly dir: string,
    /** The shared `recordings/` folder older libraries used, searched for relative paths not found in `dir`. */
    private readonly legacyDir: string | null,
  ) {}

  /** Creates the folder (owner-only: recordings are conversations) and returns it. */
  ensureDir(): string {
    if (!existsSync(this.dir)) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // mkdir's mode is masked by the umask; the folder must be private whatever the umask is.
      chmodSync(this.dir, 0o700);
    }
    return this.dir;
  }

  /** Where a new recording of this call goes (the id made safe for a file name). */
  pathFor(callId: string): string {
    return join(this.dir, `${safeBaseName(callId)}.opus`);
  }

  /**
   * A fresh temporary file name in the folder (renamed into place when its call is committed). The
   * name carries its owner (pid and host), so another process clears it only once that owner is dead.
   */
  tempPath(): string {
    return join(this.dir, `.import-${process.pid}-${safeBaseName(hostname())}-${randomBytes(6).toString('hex')}.tmp`);
  }

  /**
   * Removes the temporary files whose owner process is dead (an import that crashed). Files of a
   * running import, here or in another process, stay; files from another host are not ours to judge.
   */
  removeDeadTemps(): void {
    if (!existsSync(this.dir)) return;
    const host = safeBaseName(hostname());
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith('.import-') || !name.endsWith('.tmp')) continue;
      const owned = /^\.import-(\d+)-(.+)-[0-9a-f]{12}\.tmp$/.exec(name);
      // Names without an owner come from versions before owners were recorded.
      if (owned && (owned[2] !== host || ownerAlive({ pid: Number(owned[1]), host: hostname(), startedAt: 0 }))) continue;
      rmSync(join(this.dir, name), { force: true });
    }
  }

  /** Absolute path of a stored recording path (stored relative to the recordings folder when inside it). */
  pathOf(stored: string): string {
    if (isAbsolute(stored)) return stored;
    const own = join(this.dir, stored);
    if (this.legacyDir !== null && !existsSync(own)) {
      const legacy = join(this.legacyDir, stored);
      if (existsSync(legacy)) return legacy;
    }
    return own;
  }

  /** Records the call's recording on its own (outside any other write). */
  async attach(callId: string, rec: RecordingInfo): Promise<void> {
    await this.set(this.db, callId, rec);
  }

  async set(h: WriteHandle, callId: string, rec: RecordingInfo): Promise<void> {
    const inside = rec.path.startsWith(this.dir + '/') || rec.path.startsWith(this.dir + '\\');
    const rel = inside ? rec.path.slice(this.dir.length + 1) : rec.path;
    const row = { call_id: callId, path: rel, codec: rec.codec, size_bytes: rec.sizeBytes, sha256: rec.sha256, duration_ms: Math.round(rec.durationMs), error: rec.error };
    await h
      .insertInto('recordings')
      .values(row)
      .onConflict((oc) => oc.column('call_id').doUpdateSet({ path: rel, codec: row.codec, size_bytes: row.size_bytes, sha256: row.sha256, duration_ms: row.duration_ms, error: row.error }))
      .execute();
  }

  /** Updates what is known of a recording as it grows or is repaired. */
  async update(h: WriteHandle, callId: string, patch: { sizeBytes?: number; sha256?: string | null; durationMs?: number; error?: string | null }): Promise<void> {
    const set = {
      ...(patch.sizeBytes !== undefined && { size_bytes: patch.sizeBytes }),
      ...(patch.sha256 !== undefined && { sha256: patch.sha256 }),
      ...(patch.durationMs !== undefined && { duration_ms: Math.round(patch.durationMs) }),
      ...(patch.error !== undefined && { error: patch.error }),
    };
    if (Object.keys(set).length === 0) return;
    await h.updateTable('recordings').set(set).where('call_id', '=', callId).execute();
  }

  /** The call's recording (path resolved), or undefined when it has none. */
  async get(callId: string, h: Pick<LibraryDb, 'selectFrom'> = this.db): Promise<RecordingInfo | undefined> {
    const row = await h.selectFrom('recordings').selectAll().where('call_id', '=', callId).executeTakeFirst();
    if (!row) return undefined;
    return { path: this.pathOf(row.path), codec: row.codec, sizeBytes: row.size_bytes, sha256: row.sha256, durationMs: row.duration_ms, error: row.error };
  }
}
