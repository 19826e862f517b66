/** Who records a live call, and whether that process is still running. */
import { hostname } from 'node:os';
import type { ReadHandle, WriteHandle } from './handle';

export interface LiveOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
}

/** A live call whose recording process is still running on this machine (possibly this process). */
export function ownerAlive(owner: LiveOwner | undefined): boolean {
  if (!owner || owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function ownerOf(h: ReadHandle, callId: string): Promise<LiveOwner | undefined> {
  const row = await h.selectFrom('live_owners').selectAll().where('call_id', '=', callId).executeTakeFirst();
  return row ? { pid: row.pid, host: row.host, startedAt: row.started_at } : undefined;
}

export async function setOwner(h: WriteHandle, callId: string, owner: LiveOwner | undefined): Promise<void> {
  if (owner === undefined) {
    await h.deleteFrom('live_owners').where('call_id', '=', callId).execute();
    return;
  }
  const row = { call_id: callId, pid: owner.pid, host: owner.host, started_at: owner.startedAt };
  await h
    .insertInto('live_owners')
    .values(row)
    .onConflict((oc) => oc.column('call_id').doUpdateSet({ pid: row.pid, host: row.host, started_at: row.started_at }))
    .execute();
}
