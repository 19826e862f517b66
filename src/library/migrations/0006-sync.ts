/**
 * 0006: team sync. `sync_outbox` holds each finished call on its way to the sync server (with the
 * archive exported once, so a retry sends the very same bytes and the server's id + sha256 check
 * makes it a no-op), `sync_feedback` the leads' feedback pulled back, `sync_state` the pull cursor.
 * The call's agent is the existing `calls.agent` column, which a lead's pull fills in.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration0006: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE sync_outbox (
        call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'held', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        archive_path TEXT,
        sha256 TEXT,
        upload_url TEXT,
        enqueued_at INTEGER NOT NULL,
        sent_at INTEGER
      )`.execute(db);
    await sql`CREATE INDEX sync_outbox_due ON sync_outbox (state, next_attempt_at)`.execute(db);
    await sql`
      CREATE TABLE sync_feedback (
        id TEXT PRIMARY KEY,
        call_id TEXT NOT NULL,
        author TEXT NOT NULL,
        at_ms INTEGER,
        text TEXT NOT NULL,
        rubric TEXT,
        created_at INTEGER NOT NULL
      )`.execute(db);
    await sql`CREATE INDEX sync_feedback_call ON sync_feedback (call_id, created_at)`.execute(db);
    await sql`CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`.execute(db);
  },
};
