/**
 * The server's database: kysely over SQLite (a file in the data folder; nothing to install) or, with
 * `DATABASE_URL`, over PostgreSQL — the same schema, migrations and queries on both.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Generated } from 'kysely';
import pg from 'pg';
import { oneLine, UserError } from '../../shared/errors';
import { serverMigrationProvider } from './migrations';

export interface ServerSchema {
  teams: { id: string; name: string; created_at: number };
  users: { id: string; name: string; role: string; team_id: string | null; created_at: number };
  tokens: { id: string; user_id: string; hash: string; created_at: number; revoked_at: number | null };
  calls: {
    id: string;
    user_id: string;
    team_id: string | null;
    sha256: string;
    bytes: number;
    started_at: number;
    duration_ms: number;
    title: string;
    score: number | null;
    uploaded_at: number;
  };
  feedback: { id: string; call_id: string; author_id: string; at_ms: number | null; text: string; rubric: string | null; created_at: number };
  rate_windows: { token_id: string; window_start: number; count: Generated<number> };
  upload_locks: { upload_id: string; owner: string; expires_at: number; release_requested: Generated<number> };
}

export type ServerDb = Kysely<ServerSchema>;

export interface DbOptions {
  /** `postgres://…`: PostgreSQL; absent: SQLite in `dataDir`. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
  /** Connections per instance (PostgreSQL). */
  readonly poolSize?: number;
}

const INT8_OID = 20;

/** Opens and migrates the database. Several instances may do this at once on one PostgreSQL (kysely's migration lock). */
export async function openServerDb(options: DbOptions): Promise<{ db: ServerDb; kind: 'sqlite' | 'postgres' }> {
  let db: ServerDb;
  let kind: 'sqlite' | 'postgres';
  if (options.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) throw new UserError('DATABASE_URL must be a postgres:// URL', 'bad_config');
    // bigint columns hold epoch ms and sizes, all far below 2^53: read them as numbers.
    const types = { getTypeParser: (oid: number, format?: string) => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) };
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, types: types as pg.CustomTypesConfig });
    db = new Kysely<ServerSchema>({ dialect: new PostgresDialect({ pool }) });
    kind = 'postgres';
  } else {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const sqlite = new Database(join(options.dataDir, 'sync.sqlite'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<ServerSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    kind = 'sqlite';
  }
  const { error } = await new Migrator({ db, provider: serverMigrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new UserError(`cannot open the sync database: ${oneLine(error)}`, 'bad_database');
  }
  return { db, kind };
}
