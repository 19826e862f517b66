/**
 * 0002: on PostgreSQL the per-token request counts need no WAL. Every authenticated request writes one,
 * and a crash that forgets a minute of counts only lets a token through early; as an UNLOGGED table the
 * write commits without waiting on the log. SQLite has no such thing and keeps its table as it is.
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

export const migration0002: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`ALTER TABLE rate_windows SET UNLOGGED`.execute(db);
  },
};
