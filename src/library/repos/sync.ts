/**
 * The sync outbox, the feedback pulled from the server and the pull cursor. The outbox is the only
 * record of what still has to leave the machine: a call enters it once, keeps the archive it will send
 * (so a retry after a crash sends the same bytes) and leaves it only when the server acknowledged it.
 */
import { sql } from 'kysely';
import type { SyncFeedback } from '../../shared/sync';
import type { LibraryDb } from './handle';
import { parseJson } from './handle';

export type OutboxState = 'pending' | 'sent' | 'held' | 'failed';

export interface OutboxItem {
  readonly callId: string;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly archivePath: string | null;
  readonly sha256: string | null;
  readonly uploadUrl: string | null;
}

export interface OutboxCounts {
  readonly pending: number;
  readonly sent: number;
  readonly held: number;
  readonly failed: number;
}

export class SyncRepo {
  constructor(private readonly db: LibraryDb) {}

  /**
   * Puts finished calls recorded on this machine into the outbox (those already in it keep their
   * state; imported calls — another machine's — never enter). Returns how many entered.
   */
  async enqueueFinished(now = Date.now()): Promise<number> {
    const res = await this.db
      .insertInto('sync_outbox')
      .columns(['call_id', 'state', 'enqueued_at'])
      .expression((eb) =>
        eb
          .selectFrom('calls')
          .select(['calls.id', sql<string>`'pending'`.as('state'), sql<number>`${now}`.as('enqueued_at')])
          .where('calls.status', 'in', ['completed', 'interrupted'])
          .where('calls.id', 'not in', eb.selectFrom('sync_outbox').select('call_id')),
      )
      .onConflict((oc) => oc.column('call_id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n);
  }

  /** "Don't sync": the call is held and never leaves the machine; false lets it go again (unless already sent). */
  async setHeld(callId: string, held: boolean, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('sync_outbox')
      .values({ call_id: callId, state: held ? 'held' : 'pending', enqueued_at: now })
      .onConflict((oc) => oc.column('call_id').doUpdateSet({ state: held ? 'held' : 'pending', next_attempt_at: 0 }).where('sync_outbox.state', '!=', 'sent'))
      .execute();
  }

  async due(now = Date.now(), limit = 50): Promise<OutboxItem[]> {
    const rows = await this.db.selectFrom('sync_outbox').selectAll().where('state', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('enqueued_at').orderBy('call_id').limit(limit).execute();
    return rows.map(toItem);
  }

  /** The archive this call will be sent as (recorded before the first byte is sent). */
  async setArchive(callId: string, path: string, sha256: string): Promise<void> {
    await this.db.updateTable('sync_outbox').set({ archive_path: path, sha256 }).where('call_id', '=', callId).execute();
  }

  async setUploadUrl(callId: string, url: string | null): Promise<void> {
    await this.db.updateTable('sync_outbox').set({ upload_url: url }).where('call_id', '=', callId).execute();
  }

  async markSent(callId: string, now = Date.now()): Promise<void> {
    await this.db.updateTable('sync_outbox').set({ state: 'sent', sent_at: now, last_error: null, archive_path: null, upload_url: null }).where('call_id', '=', callId).execute();
  }

  /** A failure: retried at `retryAt`, or (null) given up on until the user asks again. */
  async markFailed(callId: string, error: string, retryAt: number | null): Promise<void> {
    await this.db
      .updateTable('sync_outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, ...(retryAt === null ? { state: 'failed' as const } : { next_attempt_at: retryAt }) }))
      .where('call_id', '=', callId)
      .execute();
  }

  /** Failed calls go back to pending (a user's "retry"). */
  async retryFailed(): Promise<number> {
    const res = await this.db.updateTable('sync_outbox').set({ state: 'pending', next_attempt_at: 0 }).where('state', '=', 'failed').executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async counts(): Promise<OutboxCounts> {
    const rows = await this.db.selectFrom('sync_outbox').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    const by = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    return { pending: by.pending ?? 0, sent: by.sent ?? 0, held: by.held ?? 0, failed: by.failed ?? 0 };
  }

  async get(callId: string): Promise<OutboxItem | undefined> {
    const row = await this.db.selectFrom('sync_outbox').selectAll().where('call_id', '=', callId).executeTakeFirst();
    return row && toItem(row);
  }

  /** Archives the outbox still means to send (a deleted call's row goes with it, its file does not). */
  async archivePaths(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('sync_outbox').select('archive_path').where('archive_path', 'is not', null).execute();
    return new Set(rows.map((r) => r.archive_path!));
  }

  /** The sync state of each of these calls (absent: not in the outbox). */
  async states(callIds: readonly string[]): Promise<Map<string, OutboxState>> {
    if (callIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('sync_outbox').select(['call_id', 'state']).where('call_id', 'in', callIds).execute();
    return new Map(rows.map((r) => [r.call_id, r.state]));
  }

  // ---- feedback and cursor ------------------------------------------------------------------------

  /** Stores feedback as the server gave it (idempotent on its id). */
  async putFeedback(items: readonly SyncFeedback[]): Promise<number> {
    let added = 0;
    for (const f of items) {
      const res = await this.db
        .insertInto('sync_feedback')
        .values({ id: f.id, call_id: f.callId, author: f.author, at_ms: f.atMs, text: f.text, rubric: f.rubric === null ? null : JSON.stringify(f.rubric), created_at: f.createdAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      added += Number(res.numInsertedOrUpdatedRows ?? 0n);
    }
    return added;
  }

  async feedback(callId: string): Promise<SyncFeedback[]> {
    const rows = await this.db.selectFrom('sync_feedback').selectAll().where('call_id', '=', callId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, callId: r.call_id, author: r.author, atMs: r.at_ms, text: r.text, rubric: parseJson<Record<string, number> | null>(r.rubric, null), createdAt: r.created_at }));
  }

  async getState(key: string): Promise<string | undefined> {
    return (await this.db.selectFrom('sync_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.db.insertInto('sync_state').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
}

function toItem(r: { call_id: string; state: OutboxState; attempts: number; next_attempt_at: number; last_error: string | null; archive_path: string | null; sha256: string | null; upload_url: string | null }): OutboxItem {
  return { callId: r.call_id, state: r.state, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error, archivePath: r.archive_path, sha256: r.sha256, uploadUrl: r.upload_url };
}
