/**
 * The local call library: one SQLite file (better-sqlite3 under kysely), WAL, foreign keys, a busy
 * timeout, and an explicit migration list, opened here and handed to one repository per aggregate
 * (src/library/repos). Everything a call holds is written in one transaction.
 */
import { accessSync, chmodSync, closeSync, constants, copyFileSync, existsSync, fchmodSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { oneLine, UserError } from '../shared/errors';
import { MIGRATIONS, migrationProvider } from './migrations';
import { CallsRepo } from './repos/calls';
import type { LibraryDb } from './repos/handle';
import { KbRepo } from './repos/kb';
import { LiveCallsRepo } from './repos/live';
import { PlaybooksRepo } from './repos/playbooks';
import { RecordingsRepo } from './repos/recordings';
import { TrendsRepo } from './repos/trends';
import { ReportsRepo } from './repos/reports';
import { Fts5SearchIndex, type SearchIndex } from './repos/search';
import { SettingsRepo } from './repos/settings';
import { SyncRepo } from './repos/sync';
import type { LibrarySchema } from './types';

const SQLITE_MAGIC = 'SQLite format 3\0';
const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Where recordings go; default `<folder>/<library file name without extension>.recordings`. */
  readonly recordingsDir?: string;
  readonly readonly?: boolean;
  /** How long a write waits for another process's write to end before the library is reported busy (default 5 s). */
  readonly busyTimeoutMs?: number;
}

const BUSY_CODES = /^SQLITE_(BUSY|LOCKED)/;
const READONLY_CODES = /^(SQLITE_READONLY|SQLITE_PERM|SQLITE_CANTOPEN|SQLITE_AUTH|EACCES|EPERM|EROFS)/;

/**
 * The one-line error for a library SQLite or the file system refused: busy (another process holds
 * the lock), read-only (the file or its folder is not writable) and corrupt are told apart, and each
 * names the file, because each asks the user for something different.
 */
function libraryError(path: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (BUSY_CODES.test(code)) return new UserError(`library ${path} is busy: another process is writing to it; try again when it is done`, 'busy_library');
  if (READONLY_CODES.test(code)) return new UserError(`library ${path} is read-only (${code}): its file or folder is not writable`, 'readonly_library');
  return new UserError(`library ${path} is corrupted or not a database (${oneLine(err)})`, 'bad_library');
}

/** The file (when it exists) and its folder must be writable: SQLite writes the -wal and -shm files beside it. */
function checkWritable(path: string): void {
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      const what = target === path ? 'the file' : `its folder ${target}`;
      throw new UserError(`library ${path} is read-only: ${what} is not writable (${code ?? oneLine(err)})`, 'readonly_library');
    }
  }
}

/** A full pass over every page, before the first write: a damaged library is refused, never touched. */
function checkIntact(sqlite: Database.Database, path: string): void {
  let rows: { quick_check: string }[];
  try {
    rows = sqlite.pragma('quick_check(1)') as { quick_check: string }[];
  } catch (err) {
    throw libraryError(path, err);
  }
  const verdict = rows[0]?.quick_check ?? 'no answer';
  if (verdict !== 'ok') throw new UserError(`library ${path} is corrupted (${oneLine(verdict)}); it was not modified`, 'bad_library');
}

/** The file starts like an SQLite database (or is empty / absent, which SQLite will initialise). */
function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EISDIR') throw new UserError(`library path is a directory: ${path}`, 'bad_library');
    throw new UserError(`cannot open library ${path}: ${code ?? oneLine(err)}`, 'bad_library');
  }
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n === 0) return;
    if (n < 16 || head.toString('latin1') !== SQLITE_MAGIC) {
      throw new UserError(`not a Cadence library (not an SQLite database): ${path}`, 'bad_library');
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates the library's folder owner-only (0700) and an absent library file 0600 before SQLite sees
 * it: SQLite gives its -wal and -shm files the database file's mode. Modes are set explicitly because
 * the umask masks the ones given at creation. Existing folders and files keep theirs.
 */
function ensureParent(path: string): void {
  try {
    const first = mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (first !== undefined) {
      for (let dir = dirname(path); ; dir = dirname(dir)) {
        chmodSync(dir, 0o700);
        if (dir === first || dirname(dir) === dir) break;
      }
    }
  } catch (err) {
    throw new UserError(`cannot create the library folder ${dirname(path)}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`, 'bad_library');
  }
}

function createPrivate(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new UserError(`cannot create library ${path}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`, 'bad_library');
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/**
 * Looks at an existing database without writing to it: a corrupt file, a foreign SQLite database or
 * one migrated by a newer Cadence is refused here, before any pragma or migration touches it.
 */
function inspect(sqlite: Database.Database, path: string): void {
  let tables: string[];
  try {
    tables = (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
  } catch (err) {
    throw libraryError(path, err);
  }
  if (tables.length === 0) return;
  if (!tables.includes('kysely_migration')) {
    throw new UserError(`not a Cadence library (an SQLite database with other tables): ${path}`, 'bad_library');
  }
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const applied = (sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  const unknown = applied.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UserError(
      `library ${path} was written by a newer version of Cadence (unknown migration ${unknown.join(', ')}); update Cadence to open it — the file was not modified`,
      'newer_library',
    );
  }
}

/**
 * Opens (creating and migrating when needed) the library at `path` (`:memory:` for tests). Throws a
 * one-line `UserError` for a corrupt, foreign or newer database and never modifies such a file.
 */
export async function openLibrary(path: string, options: OpenOptions = {}): Promise<Library> {
  const memory = path === ':memory:';
  const absPath = memory ? path : resolve(path);
  if (!memory) {
    checkHeader(absPath);
    if (!options.readonly) {
      ensureParent(absPath);
      checkWritable(absPath);
      createPrivate(absPath);
    }
  }
  let sqlite: Database.Database;
  let snapshot: string | null = null;
  try {
    sqlite = new Database(absPath, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (err) {
    throw new UserError(`cannot open library ${absPath}: ${oneLine(err)}`, 'bad_library');
  }
  try {
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
    if (options.readonly === true && !memory && !readable(sqlite)) {
      // A WAL library in a folder this user cannot write: SQLite cannot create the shared-memory file
      // it needs even to read. Read a private copy instead (the library itself stays untouched).
      sqlite.close();
      snapshot = mkdtempSync(join(tmpdir(), 'cadence-readonly-'));
      copyFileSync(absPath, join(snapshot, 'library.sqlite'));
      if (existsSync(`${absPath}-wal`)) copyFileSync(`${absPath}-wal`, join(snapshot, 'library.sqlite-wal'));
      sqlite = new Database(join(snapshot, 'library.sqlite'), { readonly: true, fileMustExist: true });
    }
    inspect(sqlite, absPath);
    if (!options.readonly) {
      if (!memory) checkIntact(sqlite, absPath);
      if (!memory) sqlite.pragma('journal_mode = WAL');
      // FULL syncs the WAL at each commit: a power cut loses at most the last batch (≤ ~1 s of a live call).
      sqlite.pragma('synchronous = FULL');
    }
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    if (snapshot !== null) rmSync(snapshot, { recursive: true, force: true });
    throw libraryError(absPath, err);
  }
  const db = new Kysely<LibrarySchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (!options.readonly) {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error) {
      await db.destroy();
      const code = String((error as { code?: unknown } | null)?.code ?? '');
      if (BUSY_CODES.test(code) || READONLY_CODES.test(code)) throw libraryError(absPath, error);
      throw new UserError(`cannot migrate library ${absPath}: ${oneLine(error)}`, 'bad_library');
    }
  }
  const recordingsDir = options.recordingsDir ?? (memory ? join(tmpdir(), 'cadence-memory-recordings') : ownRecordingsDir(absPath));
  // Before each library had its own folder, every library in a folder shared `recordings/`.
  const legacyDir = memory || options.recordingsDir !== undefined ? null : join(dirname(absPath), 'recordings');
  const library = new Library(db, sqlite, absPath, resolve(recordingsDir), legacyDir);
  if (snapshot !== null) {
    const dir = snapshot;
    library.onClose(() => rmSync(dir, { recursive: true, force: true }));
  }
  return library;
}

/** Whether a read-only connection can actually read (a WAL file needs its -shm, which may not be creatable). */
function readable(sqlite: Database.Database): boolean {
  try {
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (READONLY_CODES.test(code)) return false;
    throw err;
  }
}

/** `a.sqlite` → `a.recordings` beside it (`a` → `a.recordings`). */
function ownRecordingsDir(libraryPath: string): string {
  const name = basename(libraryPath, extname(libraryPath)) || basename(libraryPath);
  return join(dirname(libraryPath), `${name}.recordings`);
}

/**
 * The library: one repository per aggregate. The database handle stays inside src/library; other
 * code reads and writes through `calls`, `live`, `recordings`, `settings`, `playbooks`, `search` and `sync`.
 */
export class Library {
  readonly search: SearchIndex;
  readonly recordings: RecordingsRepo;
  readonly calls: CallsRepo;
  readonly live: LiveCallsRepo;
  readonly settings: SettingsRepo;
  readonly playbooks: PlaybooksRepo;
  readonly trends: TrendsRepo;
  readonly sync: SyncRepo;
  readonly kb: KbRepo;
  readonly reports: ReportsRepo;
  readonly #db: LibraryDb;

  constructor(
    db: LibraryDb,
    /** The raw connection, for pragmas and EXPLAIN in tests and the bench only (lint keeps the rest of src/ off it). */
    readonly sqlite: Database.Database,
    readonly path: string,
    recordingsDir: string,
    legacyRecordingsDir: string | null = null,
  ) {
    this.#db = db;
    this.search = new Fts5SearchIndex(db);
    this.recordings = new RecordingsRepo(db, recordingsDir, legacyRecordingsDir);
    this.calls = new CallsRepo(db, this.search, this.recordings);
    this.live = new LiveCallsRepo(db, this.calls, this.recordings, this.search);
    this.settings = new SettingsRepo(db);
    this.playbooks = new PlaybooksRepo(db);
    this.trends = new TrendsRepo(db);
    this.sync = new SyncRepo(db);
    this.kb = new KbRepo(db);
    this.reports = new ReportsRepo(db);
  }

  readonly #onClose: (() => void)[] = [];

  /** Runs `fn` after the library is closed (the read-only copy's clean-up). */
  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
    for (const fn of this.#onClose.splice(0)) fn();
  }
}
