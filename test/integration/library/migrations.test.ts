import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary } from '../../../src/library/library';
import { MIGRATIONS } from '../../../src/library/migrations';
import { migration0001 } from '../../../src/library/migrations/0001-initial';
import { fakeReport, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function plan(sqlite: Database.Database, query: string, ...params: unknown[]): string {
  return (sqlite.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

describe('migration 0001-initial', () => {
  it('creates every table on an empty in-memory database', async () => {
    const sqlite = new Database(':memory:');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migration0001.up(db);
    const names = (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
    for (const t of ['calls', 'speech_segments', 'transcript_segments', 'events', 'nudges', 'timeline_chunks', 'recordings', 'settings', 'playbooks', 'call_search']) {
      expect(names).toContain(t);
    }
    expect(() => sqlite.prepare(`INSERT INTO calls (id, started_at, source, status, updated_at) VALUES ('x', 0, 'fax', 'live', 0)`).run()).toThrow(/CHECK/);
    await db.destroy();
  });

  it('serves the hot queries from indexes (EXPLAIN QUERY PLAN)', async () => {
    const lib = await openLibrary(':memory:');
    for (let i = 0; i < 50; i++) await lib.calls.save({ startedAt: i * 1000, source: 'file', agent: i % 2 ? 'ana' : 'bo' }, fakeReport(3, [`rule-${i % 5}`]));
    lib.sqlite.exec('ANALYZE');
    expect(plan(lib.sqlite, 'SELECT id FROM calls ORDER BY started_at DESC, seq DESC LIMIT 50')).toMatch(/calls_by_start/);
    expect(plan(lib.sqlite, `SELECT id FROM calls WHERE agent = ? ORDER BY started_at DESC LIMIT 50`, 'ana')).toMatch(/calls_by_agent/);
    expect(plan(lib.sqlite, `SELECT id FROM calls WHERE id IN (SELECT call_id FROM nudges WHERE rule_id = ?)`, 'rule-1')).toMatch(/nudges_by_rule/);
    expect(plan(lib.sqlite, `SELECT * FROM nudges WHERE call_id = ? ORDER BY opened_ms`, 'x')).toMatch(/PRIMARY KEY|sqlite_autoindex_nudges/);
    expect(plan(lib.sqlite, `SELECT * FROM speech_segments WHERE call_id = ? ORDER BY start_ms`, 'x')).toMatch(/speech_by_call/);
    expect(plan(lib.sqlite, `SELECT data FROM timeline_chunks WHERE call_id = ? ORDER BY chunk`, 'x')).toMatch(/PRIMARY KEY/);
    expect(plan(lib.sqlite, `SELECT rowid FROM call_search WHERE call_search MATCH ?`, '"x"')).toMatch(/VIRTUAL TABLE INDEX/);
    await lib.close();
  });
});

describe('opening a database', () => {
  it('re-opens a migrated library without changes', async () => {
    const path = join(tmp.dir, 'lib.sqlite');
    const a = await openLibrary(path);
    await a.calls.save({ startedAt: 0, source: 'file', title: 'kept' }, fakeReport(5));
    await a.close();
    const b = await openLibrary(path);
    expect((await b.calls.list()).items.map((i) => i.title)).toEqual(['kept']);
    expect((b.sqlite.prepare('SELECT name FROM kysely_migration').all() as { name: string }[]).map((r) => r.name)).toEqual(MIGRATIONS.map(([n]) => n));
    await b.close();
  });

  it('refuses a library written by a newer version and leaves the file untouched', async () => {
    const path = join(tmp.dir, 'newer.sqlite');
    const a = await openLibrary(path);
    a.sqlite.prepare(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2030-01-01')`).run();
    a.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    a.sqlite.pragma('journal_mode = DELETE');
    await a.close();
    const before = readFileSync(path);
    await expect(openLibrary(path)).rejects.toThrow(/newer version of Cadence \(unknown migration 9999-from-the-future\)/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite, a corrupted one and a foreign SQLite database, in one line', async () => {
    const text = join(tmp.dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a database at all');
    await expect(openLibrary(text)).rejects.toThrow(/^not a Cadence library \(not an SQLite database\)/);

    const corrupt = join(tmp.dir, 'corrupt.sqlite');
    const good = await openLibrary(corrupt);
    await good.calls.save({ startedAt: 0, source: 'file' }, fakeReport(5));
    good.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    good.sqlite.pragma('journal_mode = DELETE');
    await good.close();
    const bytes = readFileSync(corrupt);
    bytes.fill(0x5a, 100, bytes.length); // keep the header, smash every page
    writeFileSync(corrupt, bytes);
    const err = await openLibrary(corrupt).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/corrupted or not a database|not a Cadence library/);
    expect(err?.message).not.toContain('\n');

    const foreign = join(tmp.dir, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE photos (id INTEGER)');
    f.close();
    await expect(openLibrary(foreign)).rejects.toThrow(/not a Cadence library \(an SQLite database with other tables\)/);
  });
});
