import { hostname } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary } from '../../../src/library/library';
import { migrateAcross } from '../../helpers/migrations';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

/** Calls as 0001 stored them: tags as a JSON array, live owners as `live-owner:<id>` settings. */
function seed0001(sqlite: Database.Database): void {
  const call = sqlite.prepare(`INSERT INTO calls (id, started_at, duration_ms, source, status, title, agent, tags, updated_at) VALUES (?, ?, 1000, 'file', ?, ?, ?, ?, 0)`);
  call.run('a', 1000, 'completed', 'first', 'ana', JSON.stringify(['renewal', ' vip ', 'renewal', '']));
  call.run('b', 2000, 'completed', 'second', 'bo', JSON.stringify(['vip']));
  call.run('c', 3000, 'live', 'third', 'ana', '[]');
  call.run('d', 4000, 'interrupted', 'fourth', null, JSON.stringify([42, 'odd']));
  const setting = sqlite.prepare(`INSERT INTO settings (key, value) VALUES (?, ?)`);
  setting.run('live-owner:c', JSON.stringify({ pid: 4242, host: hostname(), startedAt: 5 }));
  setting.run('live-owner:gone', JSON.stringify({ pid: 1, host: hostname(), startedAt: 5 }));
  setting.run('app.settings', JSON.stringify({ record: false }));
}

describe('migration 0002-tag-rows', () => {
  it('moves JSON tags into call_tags (cleaned, in order) and live owners into their table', async () => {
    const m = await migrateAcross('0002-tag-rows', seed0001);
    expect(m.sqlite.prepare('SELECT call_id, tag, pos FROM call_tags ORDER BY call_id, pos').all()).toEqual([
      { call_id: 'a', tag: 'renewal', pos: 0 },
      { call_id: 'a', tag: 'vip', pos: 1 },
      { call_id: 'b', tag: 'vip', pos: 0 },
      { call_id: 'd', tag: 'odd', pos: 1 },
    ]);
    const columns = (m.sqlite.prepare(`SELECT name FROM pragma_table_info('calls')`).all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('tags');
    expect(m.sqlite.prepare('SELECT call_id, pid, host, started_at FROM live_owners').all()).toEqual([{ call_id: 'c', pid: 4242, host: hostname(), started_at: 5 }]);
    expect(m.sqlite.prepare('SELECT key FROM settings').all()).toEqual([{ key: 'app.settings' }]);
    expect(m.sqlite.pragma('foreign_key_check')).toEqual([]);
    await m.close();
  });

  it('serves the hot queries from indexes (EXPLAIN QUERY PLAN)', async () => {
    const m = await migrateAcross('0002-tag-rows', (sqlite) => {
      seed0001(sqlite);
      const call = sqlite.prepare(`INSERT INTO calls (id, started_at, source, status, tags, updated_at) VALUES (?, ?, 'file', 'completed', ?, 0)`);
      for (let i = 0; i < 300; i++) call.run(`x${i}`, 10_000 + i, JSON.stringify([`t${i % 30}`]));
    });
    m.sqlite.exec('ANALYZE');
    // The shapes the calls list sends (see CallsRepo.list).
    const page = `ORDER BY c.started_at DESC, c.seq DESC LIMIT 50`;
    const byTag = m.plan(`SELECT c.id FROM calls AS c INNER JOIN call_tags AS t ON t.call_id = c.id AND t.tag = ? ${page}`, 't3');
    expect(byTag).toMatch(/call_tags_by_tag/);
    expect(byTag).not.toMatch(/SCAN t\b|SCAN call_tags/);
    expect(m.plan(`SELECT count(*) FROM calls AS c INNER JOIN call_tags AS t ON t.call_id = c.id AND t.tag = ?`, 't3')).toMatch(/SEARCH t USING COVERING INDEX call_tags_by_tag/);
    expect(m.plan(`SELECT c.id FROM calls AS c ${page}`)).toMatch(/calls_by_start/);
    expect(m.plan(`SELECT c.id FROM calls AS c WHERE c.status = ? ${page}`, 'live')).toMatch(/calls_by_status/);
    expect(m.plan(`SELECT call_id, tag FROM call_tags WHERE call_id IN (?, ?) ORDER BY call_id, pos`, 'a', 'b')).toMatch(/PRIMARY KEY|sqlite_autoindex_call_tags/);
    await m.close();
  });

  it('a migrated library lists and filters by tag through the repositories', async () => {
    const path = join(tmp.dir, 'old.sqlite');
    const m = await migrateAcross('0002-tag-rows', seed0001, path);
    await m.close();
    const lib = await openLibrary(path);
    const vip = await lib.calls.list({ tag: 'vip' });
    expect(vip.items.map((i) => [i.id, i.tags])).toEqual([
      ['b', ['vip']],
      ['a', ['renewal', 'vip']],
    ]);
    expect((await lib.calls.get('a'))!.meta.tags).toEqual(['renewal', 'vip']);
    await lib.close();
  });
});
