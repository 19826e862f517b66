/** 0001: calls and everything a call holds, settings, playbooks, and the full-text index. */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration0001: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE calls (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL CHECK (source IN ('device', 'softphone', 'file', 'import')),
        title TEXT NOT NULL DEFAULT '',
        customer_label TEXT,
        agent TEXT,
        status TEXT NOT NULL CHECK (status IN ('live', 'completed', 'interrupted', 'imported')),
        tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
        notes TEXT NOT NULL DEFAULT '',
        score REAL,
        insights TEXT CHECK (insights IS NULL OR json_valid(insights)),
        summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
        updated_at INTEGER NOT NULL
      )`.execute(db);
    await sql`CREATE INDEX calls_by_start ON calls (started_at DESC, seq DESC)`.execute(db);
    await sql`CREATE INDEX calls_by_agent ON calls (agent, started_at DESC)`.execute(db);
    await sql`CREATE INDEX calls_by_status ON calls (status, started_at DESC)`.execute(db);

    await sql`
      CREATE TABLE speech_segments (
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('agent', 'customer')),
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL
      )`.execute(db);
    await sql`CREATE INDEX speech_by_call ON speech_segments (call_id, start_ms)`.execute(db);

    await sql`
      CREATE TABLE transcript_segments (
        id INTEGER PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        channel TEXT NOT NULL CHECK (channel IN ('agent', 'customer')),
        text TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        confidence REAL,
        final INTEGER NOT NULL DEFAULT 1
      )`.execute(db);
    await sql`CREATE INDEX transcript_by_call ON transcript_segments (call_id, start_ms)`.execute(db);

    await sql`
      CREATE TABLE events (
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        channel TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER,
        PRIMARY KEY (call_id, id)
      ) WITHOUT ROWID`.execute(db);

    await sql`
      CREATE TABLE nudges (
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('info', 'coach', 'critical')),
        message TEXT NOT NULL,
        detail TEXT,
        opened_ms INTEGER NOT NULL,
        closed_ms INTEGER,
        condition_since_ms INTEGER NOT NULL,
        feedback TEXT CHECK (feedback IS NULL OR feedback IN ('dismissed', 'helpful', 'not_helpful')),
        PRIMARY KEY (call_id, id)
      ) WITHOUT ROWID`.execute(db);
    // "calls where rule X fired" — the review window's rule filter.
    await sql`CREATE INDEX nudges_by_rule ON nudges (rule_id, call_id)`.execute(db);

    await sql`
      CREATE TABLE timeline_chunks (
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        chunk INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (call_id, chunk)
      ) WITHOUT ROWID`.execute(db);

    await sql`
      CREATE TABLE recordings (
        call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        codec TEXT NOT NULL,
        size_bytes INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        error TEXT
      )`.execute(db);

    await sql`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL CHECK (json_valid(value)))`.execute(db);
    await sql`
      CREATE TABLE playbooks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        json TEXT NOT NULL CHECK (json_valid(json)),
        updated_at INTEGER NOT NULL
      )`.execute(db);

    // rowid = calls.seq. Maintained by the library in the same transaction as the call's rows.
    await sql`CREATE VIRTUAL TABLE call_search USING fts5 (title, notes, transcript, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
  },
};
