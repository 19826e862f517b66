/**
 * Tests one migration the way it meets real data: a fresh database is migrated up to the migration
 * before `name`, the test inserts rows of that older shape, then the database is migrated to `name`.
 * The test then asserts the data and, with `plan`, that the hot queries use indexes.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, NO_MIGRATIONS, SqliteDialect } from 'kysely';
import { MIGRATIONS, migrationProvider } from '../../src/library/migrations';

export interface MigratedDb {
  readonly sqlite: Database.Database;
  /** `EXPLAIN QUERY PLAN` of a query, its steps joined with ` | `. */
  plan(query: string, ...params: unknown[]): string;
  close(): Promise<void>;
}

/**
 * `path` defaults to an in-memory database; give a file to open the result with `openLibrary` after
 * `close()`. `seed` runs between the two steps, on the raw connection (SQL of the older shape).
 */
export async function migrateAcross(name: string, seed: (sqlite: Database.Database) => void, path = ':memory:'): Promise<MigratedDb> {
  const index = MIGRATIONS.findIndex(([n]) => n === name);
  if (index < 0) throw new Error(`no migration named ${name}`);
  const sqlite = new Database(path);
  sqlite.pragma('foreign_keys = ON');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema changes under the test's feet
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider });
  const step = async (target: string | typeof NO_MIGRATIONS): Promise<void> => {
    const { error } = await migrator.migrateTo(target);
    if (error) throw error instanceof Error ? error : new Error(String(error));
  };
  await step(index === 0 ? NO_MIGRATIONS : MIGRATIONS[index - 1]![0]);
  seed(sqlite);
  await step(name);
  return {
    sqlite,
    plan: (query, ...params) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | '),
    close: () => db.destroy(),
  };
}
