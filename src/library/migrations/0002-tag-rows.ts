/**
 * 0002: tags become rows (`call_tags`) instead of a JSON column, so a tag filter is an indexed lookup
 * on any SQL database; the owner of a live call gets its own table instead of a `live-owner:<id>`
 * setting, so it goes with the call when the call is deleted.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration0002: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE call_tags (
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        pos INTEGER NOT NULL,
        PRIMARY KEY (call_id, tag)
      ) WITHOUT ROWID`.execute(db);
    await sql`CREATE INDEX call_tags_by_tag ON call_tags (tag, call_id)`.execute(db);
    // Old rows: trimmed, empty and repeated tags dropped (what the library always wrote), order kept.
    await sql`
      INSERT OR IGNORE INTO call_tags (call_id, tag, pos)
      SELECT c.id, trim(j.value), j.key FROM calls c, json_each(c.tags) j
      WHERE j.type = 'text' AND trim(j.value) <> ''`.execute(db);
    await sql`ALTER TABLE calls DROP COLUMN tags`.execute(db);

    await sql`
      CREATE TABLE live_owners (
        call_id TEXT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_at INTEGER NOT NULL
      )`.execute(db);
    await sql`
      INSERT OR IGNORE INTO live_owners (call_id, pid, host, started_at)
      SELECT substr(s.key, 12), json_extract(s.value, '$.pid'), json_extract(s.value, '$.host'), coalesce(json_extract(s.value, '$.startedAt'), 0)
      FROM settings s JOIN calls c ON c.id = substr(s.key, 12)
      WHERE s.key LIKE 'live-owner:%' AND json_type(s.value, '$.pid') = 'integer' AND json_type(s.value, '$.host') = 'text'`.execute(db);
    await sql`DELETE FROM settings WHERE key LIKE 'live-owner:%'`.execute(db);
  },
};
