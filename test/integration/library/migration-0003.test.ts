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

/** A call with a transcript as 0002 stored it: segments without words. */
function seed0002(sqlite: Database.Database): void {
  sqlite.prepare(`INSERT INTO calls (id, started_at, duration_ms, source, status, title, agent, updated_at) VALUES ('a', 1000, 5000, 'file', 'completed', 'old call', NULL, 0)`).run();
  sqlite.prepare(`INSERT INTO transcript_segments (call_id, channel, text, start_ms, end_ms, confidence, final) VALUES ('a', 'agent', 'hello there', 100, 900, NULL, 1)`).run();
}

describe('migration 0003-transcript-words', () => {
  it('adds word timings to transcript segments; old segments read back without words, new ones with', async () => {
    const path = join(tmp.dir, 'library.db');
    const m = await migrateAcross('0003-transcript-words', seed0002, path);
    expect(m.sqlite.prepare('SELECT text, words FROM transcript_segments').all()).toEqual([{ text: 'hello there', words: null }]);
    await m.close();
    m.sqlite.close();

    const lib = await openLibrary(path);
    try {
      const before = await lib.calls.get('a');
      expect(before!.transcript).toEqual([{ channel: 'agent', text: 'hello there', startMs: 100, endMs: 900, confidence: null, final: true }]);
      const words = [
        { word: 'hello', startMs: 100, endMs: 400, confidence: 0.9 },
        { word: 'again', startMs: 500, endMs: 900, confidence: 0.8 },
      ];
      await lib.calls.replaceTranscript('a', [{ channel: 'customer', text: 'hello again', startMs: 100, endMs: 900, confidence: 0.85, final: true, words }]);
      const after = await lib.calls.get('a');
      expect(after!.transcript).toEqual([{ channel: 'customer', text: 'hello again', startMs: 100, endMs: 900, confidence: 0.85, final: true, words }]);
      const found = await lib.calls.list({ search: 'again' });
      expect(found.items.map((c) => c.id)).toEqual(['a']);
    } finally {
      await lib.close();
    }
  });
});
