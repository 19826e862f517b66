/**
 * Locks on resumable uploads, held in the server's own database so every instance on it sees them.
 * @tus/server's default locker lives in one process's memory: two PATCHes for one upload landing on two
 * instances would both write, and their bytes could interleave. Here a lock is a row in `upload_locks`
 * (upload id, owner token, expiry), taken with an insert that does nothing on conflict — the same SQL
 * on SQLite and PostgreSQL. The holder renews the expiry while it holds the lock; a row past its expiry
 * belongs to a holder that died and is taken over, so a crashed instance never blocks an upload for
 * longer than the lock's lifetime. Instances' clocks must agree to well within that lifetime.
 *
 * tus asks the current holder to let go when a newer request for the same upload arrives (a client that
 * lost its connection resumes while the old PATCH is still half-open). Across instances that request is
 * the row's `release_requested` flag: a waiter sets it, the holder sees it on its next renewal and
 * cancels its request, which ends writing and unlocks.
 */
import { randomUUID } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import type { ServerDb } from './db';

export interface DbLockerOptions {
  /** How long a lock lasts without renewal: how long a dead holder blocks its upload. */
  readonly ttlMs?: number;
  /** How long a request waits for a lock another request holds before it is answered 423. */
  readonly acquireTimeoutMs?: number;
  /** How often a waiting request tries again. */
  readonly pollMs?: number;
}

/** The answer to a request that waited too long: 423 Locked, which tus clients retry. */
export const LOCKED = { status_code: 423, body: 'upload is locked by another request; retry shortly\n' } as const;

export class DbLocker implements Locker {
  readonly ttlMs: number;
  readonly acquireTimeoutMs: number;
  readonly pollMs: number;
  /** Renewal and release checks: often enough that the lock never lapses and a waiter is heard quickly. */
  readonly heartbeatMs: number;

  constructor(
    readonly db: ServerDb,
    options: DbLockerOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 12_000;
    this.pollMs = options.pollMs ?? 150;
    this.heartbeatMs = Math.min(1000, Math.floor(this.ttlMs / 3));
  }

  newLock(id: string): Lock {
    return new DbLock(this, id);
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

class DbLock implements Lock {
  private readonly owner = randomUUID();
  private heartbeat: NodeJS.Timeout | null = null;
  private expiresAt = 0;

  constructor(
    private readonly locker: DbLocker,
    private readonly id: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { db, ttlMs, acquireTimeoutMs, pollMs } = this.locker;
    const deadline = Date.now() + acquireTimeoutMs;
    for (;;) {
      if (signal.aborted) throw ERRORS.ABORTED;
      const now = Date.now();
      // A lock past its expiry is a dead holder's: removing it lets the insert below take over. Only
      // one of several waiters' inserts can win, and a live holder's row is never past its expiry.
      await db.deleteFrom('upload_locks').where('upload_id', '=', this.id).where('expires_at', '<', now).execute();
      const taken = await db
        .insertInto('upload_locks')
        .values({ upload_id: this.id, owner: this.owner, expires_at: now + ttlMs })
        .onConflict((oc) => oc.column('upload_id').doNothing())
        .executeTakeFirst();
      if (Number(taken.numInsertedOrUpdatedRows ?? 0) === 1) {
        this.expiresAt = now + ttlMs;
        this.hold(requestRelease);
        return;
      }
      // Asked on every round: the holder may have changed since the last one.
      await db.updateTable('upload_locks').set({ release_requested: 1 }).where('upload_id', '=', this.id).where('release_requested', '=', 0).execute();
      if (Date.now() + pollMs > deadline) throw LOCKED;
      await pause(pollMs, signal);
    }
  }

  /** Renews the lock while it is held and passes on a waiter's request to release it. */
  private hold(requestRelease: RequestRelease): void {
    const { db, ttlMs, heartbeatMs } = this.locker;
    let asked = false;
    const release = (): void => {
      if (asked) return;
      asked = true;
      void requestRelease();
    };
    const renew = async (): Promise<void> => {
      const until = Date.now() + ttlMs;
      try {
        const row = await db.updateTable('upload_locks').set({ expires_at: until }).where('upload_id', '=', this.id).where('owner', '=', this.owner).returning('release_requested').executeTakeFirst();
        if (this.heartbeat === null) return; // unlocked meanwhile
        if (!row) {
          // Taken over after it lapsed (this process stalled past the lifetime): stop writing at once.
          release();
          return;
        }
        this.expiresAt = until;
        if (row.release_requested) release();
      } catch {
        // The database did not answer; once the lock may have lapsed, another request may hold it.
        if (Date.now() >= this.expiresAt - heartbeatMs) release();
      }
    };
    this.heartbeat = setInterval(() => void renew(), heartbeatMs);
    this.heartbeat.unref();
  }

  async unlock(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    // Only our own row: a lock that lapsed and was taken over stays with its new holder.
    await this.locker.db.deleteFrom('upload_locks').where('upload_id', '=', this.id).where('owner', '=', this.owner).execute();
  }
}
