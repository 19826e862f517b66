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

/** Calls as the library held them before sync: one recorded here, one imported, one still live. */
function seedBefore(sqlite: Database.Database): void {
  const ins = sqlite.prepare(`INSERT INTO calls (id, started_at, duration_ms, source, status, title, agent, updated_at) VALUES (?, 1000, 5000, 'file', ?, 'old call', NULL, 0)`);
  ins.run('mine', 'completed');
  ins.run('theirs', 'imported');
  ins.run('running', 'live');
}

describe('migration 0006-sync', () => {
  it('adds the outbox, feedback and sync state; finished calls of this machine enter the outbox, others never; the due query uses its index', async () => {
    const path = join(tmp.dir, 'library.db');
    const m = await migrateAcross('0006-sync', seedBefore, path);
    expect(m.plan(`SELECT * FROM sync_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY enqueued_at LIMIT 50`, Date.now())).toMatch(/USING INDEX sync_outbox_due/);
    expect(m.plan(`SELECT * FROM sync_feedback WHERE call_id = ? ORDER BY created_at`, 'mine')).toMatch(/USING INDEX sync_feedback_call/);
    await m.close();
    m.sqlite.close();

    const lib = await openLibrary(path);
    try {
      expect(await lib.sync.enqueueFinished()).toBe(1);
      expect(await lib.sync.enqueueFinished()).toBe(0);
      expect((await lib.sync.due()).map((i) => i.callId)).toEqual(['mine']);
      await lib.sync.setHeld('mine', true);
      expect(await lib.sync.due()).toEqual([]);
      await lib.sync.setHeld('mine', false);
      await lib.sync.markSent('mine');
      // A sent call cannot be held back afterwards (it has left already).
      await lib.sync.setHeld('mine', true);
      expect((await lib.sync.get('mine'))?.state).toBe('sent');
      // Deleting a call takes its outbox row with it.
      await lib.calls.delete('mine');
      expect(await lib.sync.counts()).toEqual({ pending: 0, sent: 0, held: 0, failed: 0 });
    } finally {
      await lib.close();
    }
  });
});
