/**
 * Push and pull between a library and the sync server.
 *
 * Push: finished calls enter the outbox; each due one is exported once (the archive path and sha256
 * are recorded before the first byte is sent), then uploaded. The server is idempotent on id + sha256,
 * so a crash anywhere — before the acknowledgement was recorded, mid-upload — ends in a resend of the
 * same bytes that the server answers "unchanged": nothing is lost, nothing doubled. Network trouble,
 * 5xx and 429 back off exponentially; other refusals park the call as failed with the reason.
 *
 * Pull: the calls the server lets us see, newer than our cursor, each imported (import is idempotent)
 * and marked with its agent; then the feedback on them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { archiveFileName, exportCall, importArchive } from '../../library/archive';
import type { Library } from '../../library/library';
import type { OutboxItem } from '../../library/repos/sync';
import { oneLine, UserError } from '../../shared/errors';
import { SyncError, type SyncClient, type UploadOptions } from './http';

/** Backoff after the n-th failure: 30 s doubling to 1 h, with ±20 % jitter so agents do not retry in step. */
export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface PushProgress {
  readonly callId: string;
  readonly sent: number;
  readonly total: number;
}

export interface PushResult {
  readonly sent: string[];
  readonly unchanged: string[];
  readonly failed: { callId: string; error: string; retryAt: number | null }[];
}

/** Where the outbox keeps archives waiting to be sent: beside the library, owner-only. */
export function outboxDir(lib: Library): string {
  return join(dirname(lib.recordings.dir), `${basename(lib.recordings.dir).replace(/\.recordings$/, '')}.outbox`);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The archive this item goes as: the one recorded earlier if it is still there, else a fresh export recorded now. */
async function archiveFor(lib: Library, item: OutboxItem): Promise<{ path: string; sha256: string }> {
  if (item.archivePath !== null && item.sha256 !== null) {
    try {
      if ((await sha256File(item.archivePath)) === item.sha256) return { path: item.archivePath, sha256: item.sha256 };
    } catch {
      // gone (cleaned up by hand): export again below
    }
  }
  const dir = outboxDir(lib);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, archiveFileName(item.callId));
  await exportCall(lib, item.callId, path);
  const sha256 = await sha256File(path);
  await lib.sync.setArchive(item.callId, path, sha256);
  return { path, sha256 };
}

/** An archive this old that no outbox row names is left from a call deleted before it was sent. */
const ORPHAN_AGE_MS = 10 * 60_000;

/** Removes the outbox folder's archives of calls that are gone (deleted while waiting to be sent). */
async function sweepOutbox(lib: Library, now: number): Promise<void> {
  const dir = outboxDir(lib);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no outbox folder yet
  }
  const wanted = await lib.sync.archivePaths();
  for (const name of names) {
    const path = join(dir, name);
    try {
      // Young files may be an export another round is about to record.
      if (!wanted.has(path) && now - statSync(path).mtimeMs > ORPHAN_AGE_MS) rmSync(path, { force: true });
    } catch {
      // gone already
    }
  }
}

/** Sends every due call in the outbox. Never throws for one call's failure: it is recorded and retried. */
export async function push(lib: Library, client: SyncClient, options: { now?: () => number; onProgress?: (p: PushProgress) => void; upload?: Partial<UploadOptions> } = {}): Promise<PushResult> {
  const now = options.now ?? Date.now;
  await lib.sync.enqueueFinished(now());
  await sweepOutbox(lib, now());
  const result: PushResult = { sent: [], unchanged: [], failed: [] };
  const tried = new Set<string>();
  for (;;) {
    const batch = (await lib.sync.due(now())).filter((i) => !tried.has(i.callId));
    if (batch.length === 0) break;
    for (const item of batch) {
      tried.add(item.callId);
      try {
        const archive = await archiveFor(lib, item);
        const res = await client.upload(item.callId, archive.path, {
          ...options.upload,
          uploadUrl: item.uploadUrl,
          onUploadUrl: (url) => lib.sync.setUploadUrl(item.callId, url),
          onProgress: (sent, total) => options.onProgress?.({ callId: item.callId, sent, total }),
        });
        if (res.sha256 !== archive.sha256) throw new SyncError(`the server stored different bytes for ${item.callId}`, null, true);
        await lib.sync.markSent(item.callId, now());
        rmSync(archive.path, { force: true });
        (res.outcome === 'stored' ? result.sent : result.unchanged).push(item.callId);
      } catch (err) {
        const retryable = err instanceof SyncError ? err.retryable : !(err instanceof UserError);
        // A stale resumable upload (expired on the server) is dropped so the next attempt starts afresh.
        if (err instanceof SyncError && (err.status === 404 || err.status === 409) && item.uploadUrl) await lib.sync.setUploadUrl(item.callId, null);
        const retryAt = retryable ? now() + backoffMs(item.attempts + 1) : null;
        await lib.sync.markFailed(item.callId, oneLine(err), retryAt);
        result.failed.push({ callId: item.callId, error: oneLine(err), retryAt });
        // Offline: the rest would fail the same way; they keep their place for the next round.
        if (err instanceof SyncError && err.code === 'offline') return result;
      }
    }
  }
  return result;
}

export interface PullResult {
  readonly imported: string[];
  readonly unchanged: string[];
  readonly failed: { callId: string; error: string }[];
  readonly feedback: number;
}

/** How far back each pull looks again past its cursor: uploads committed late on another instance are not missed. */
const PULL_OVERLAP_MS = 5 * 60_000;

export async function pull(lib: Library, client: SyncClient, options: { agent?: string; onProgress?: (done: number, callId: string) => void } = {}): Promise<PullResult> {
  const result: PullResult = { imported: [], unchanged: [], failed: [], feedback: 0 };
  const since = Number((await lib.sync.getState('pull.since')) ?? '0');
  let newest = since;
  let cursor: string | undefined;
  const tmpDir = join(outboxDir(lib), 'incoming');
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  let done = 0;
  do {
    const page = await client.list({ since: Math.max(0, since - PULL_OVERLAP_MS), limit: 200, ...(cursor ? { cursor } : {}), ...(options.agent ? { agent: options.agent } : {}) });
    for (const call of page.calls) {
      newest = Math.max(newest, call.uploadedAt);
      const existing = await lib.calls.get(call.id);
      if (existing) {
        result.unchanged.push(call.id);
        continue;
      }
      const tmp = join(tmpDir, `${randomBytes(8).toString('hex')}.cadence`);
      try {
        await client.download(call.id, tmp);
        const res = await importArchive(lib, tmp);
        await lib.calls.update(res.callId, { agent: call.agent });
        result.imported.push(call.id);
      } catch (err) {
        if (err instanceof SyncError && err.retryable) throw err;
        result.failed.push({ callId: call.id, error: oneLine(err) });
      } finally {
        rmSync(tmp, { force: true });
      }
      options.onProgress?.(++done, call.id);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // Only a pull that finished moves the cursor: an interrupted one starts over (import is idempotent).
  if (!options.agent) await lib.sync.setState('pull.since', String(newest));
  const fbSince = Number((await lib.sync.getState('feedback.since')) ?? '0');
  const feedback = await client.feedback(Math.max(0, fbSince - PULL_OVERLAP_MS));
  const added = await lib.sync.putFeedback(feedback);
  if (feedback.length > 0) await lib.sync.setState('feedback.since', String(Math.max(...feedback.map((f) => f.createdAt))));
  return { ...result, feedback: added };
}
