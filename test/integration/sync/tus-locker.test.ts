/**
 * Resumable uploads across several server instances on one database (SQLite and a real PostgreSQL)
 * and one data folder: the database-backed tus locker serializes PATCHes for one upload whichever
 * instance they land on, takes over a dead instance's expired lock, answers 423 instead of hanging,
 * frees a lock at once on unlock, and passes a waiter's release request to a holder on another instance.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../../src/library/library';
import { SyncClient } from '../../../src/sync/client/http';
import { openServerDb, type ServerDb } from '../../../src/sync/server/db';
import type { RunningSyncServer } from '../../../src/sync/server/server';
import { DbLocker, LOCKED } from '../../../src/sync/server/tus-locker';
import { postgresUnavailable } from '../../helpers/postgres';
import { archiveOf, as, recordedCall, stopSharedPostgres, syncWorld, type Backend, type SyncWorld } from '../../helpers/sync';
import { tempDir } from '../library/helpers';

const BACKENDS: Backend[] = postgresUnavailable() === null ? ['sqlite', 'postgres'] : ['sqlite'];
if (BACKENDS.length === 1) console.warn(`upload lock tests run on SQLite only: ${postgresUnavailable()}`);
const TUS = { 'tus-resumable': '1.0.0' };
const LOCK_WAIT_MS = 1500;

let tmp: ReturnType<typeof tempDir>;
let lib: Library;
beforeAll(async () => {
  tmp = tempDir('cadence-sync-locks-');
  lib = await openLibrary(join(tmp.dir, 'library.sqlite'));
});
afterAll(async () => {
  await lib.close();
  tmp.cleanup();
  stopSharedPostgres();
});

/** A load balancer in front of the instances: each request goes to the next one in turn. */
function roundRobin(targets: readonly RunningSyncServer[]): Promise<{ url: string; hits: number[]; server: Server }> {
  const hits = targets.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const i = next++ % targets.length;
    hits[i]!++;
    const up = request(`${targets[i]!.url}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server })));
}

describe.each(BACKENDS)('resumable upload locks on %s', (backend) => {
  let w: SyncWorld;
  let second: RunningSyncServer;
  /** The instances' database, opened separately, as a third process would. */
  let db: ServerDb;
  beforeAll(async () => {
    w = await syncWorld(backend, { uploadLockWaitMs: LOCK_WAIT_MS });
    second = await w.startInstance();
    db = (await openServerDb({ dataDir: w.dataDir, databaseUrl: w.databaseUrl, poolSize: 2 })).db;
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await w.close();
  });

  async function createUpload(size: number, via: RunningSyncServer = w.server): Promise<string> {
    const res = await as(w, 'ana', via)('/v1/uploads', { method: 'POST', headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': `callId ${Buffer.from('locked1').toString('base64')}` } });
    expect(res.status).toBe(201);
    return res.headers.get('location')!.split('/').pop()!;
  }
  const patch = (via: RunningSyncServer, id: string, offset: number, body: Buffer): Promise<Response> =>
    as(w, 'ana', via)(`/v1/uploads/${id}`, { method: 'PATCH', body: body as Uint8Array<ArrayBuffer>, headers: { ...TUS, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' } });
  const offsetOf = async (id: string, via: RunningSyncServer = second): Promise<number> => Number((await as(w, 'ana', via)(`/v1/uploads/${id}`, { method: 'HEAD', headers: TUS })).headers.get('upload-offset'));
  const lockRows = async (id: string) => db.selectFrom('upload_locks').selectAll().where('upload_id', '=', id).execute();

  it('lets exactly one of two concurrent PATCHes at one offset through different instances write; the other gets 409 or 423', async () => {
    for (let round = 0; round < 3; round++) {
      const size = 4 * 1024 * 1024;
      const id = await createUpload(size);
      const bodies = [randomBytes(size), randomBytes(size)];
      const statuses = await Promise.all([patch(w.server, id, 0, bodies[0]!), patch(second, id, 0, bodies[1]!)].map(async (p) => (await p).status));
      const winner = statuses.indexOf(204);
      expect(statuses.filter((s) => s === 204)).toHaveLength(1);
      expect([409, 423]).toContain(statuses[1 - winner]);
      // The stored bytes are one body whole, never a mix of the two.
      expect(readFileSync(join(w.dataDir, 'uploads', id)).equals(bodies[winner]!)).toBe(true);
      expect(await offsetOf(id)).toBe(size);
      // Each request unlocked as it ended.
      expect(await lockRows(id)).toEqual([]);
    }
  }, 60_000);

  it('takes over the lock of an instance that died once the lock expires', async () => {
    const body = randomBytes(1000);
    const id = await createUpload(body.length);
    const lapse = 800;
    await db.insertInto('upload_locks').values({ upload_id: id, owner: 'dead-instance', expires_at: Date.now() + lapse }).execute();
    const t0 = performance.now();
    const res = await patch(second, id, 0, body);
    const waited = performance.now() - t0;
    expect(res.status).toBe(204);
    // It waited for the expiry (less a little clock and scheduling slack), then wrote without needing a retry.
    expect(waited).toBeGreaterThan(lapse - 150);
    expect(waited).toBeLessThan(LOCK_WAIT_MS + 2000);
    expect(readFileSync(join(w.dataDir, 'uploads', id)).equals(body)).toBe(true);
    expect(await lockRows(id)).toEqual([]);
  });

  it('answers 423 (not a hang) while a live lock is held elsewhere, having asked its holder to release', async () => {
    const body = randomBytes(1000);
    const id = await createUpload(body.length);
    await db.insertInto('upload_locks').values({ upload_id: id, owner: 'busy-instance', expires_at: Date.now() + 60_000 }).execute();
    const t0 = performance.now();
    const res = await patch(w.server, id, 0, body);
    const waited = performance.now() - t0;
    expect(res.status).toBe(423);
    expect(await res.text()).toBe(LOCKED.body);
    expect(waited).toBeGreaterThan(LOCK_WAIT_MS - 300);
    expect(waited).toBeLessThan(LOCK_WAIT_MS + 3000);
    const [row] = await lockRows(id);
    expect(row).toMatchObject({ owner: 'busy-instance', release_requested: 1 });
    expect(statSync(join(w.dataDir, 'uploads', id)).size).toBe(0);
    // Nothing was written; once the holder lets go, the same PATCH goes through.
    await db.deleteFrom('upload_locks').where('upload_id', '=', id).execute();
    expect((await patch(second, id, 0, body)).status).toBe(204);
    expect(await offsetOf(id)).toBe(body.length);
  });

  it('frees a lock at once on unlock, and only its own', async () => {
    const a = new DbLocker(db);
    const b = new DbLocker((await openServerDb({ dataDir: w.dataDir, databaseUrl: w.databaseUrl, poolSize: 1 })).db, { acquireTimeoutMs: 5000 });
    try {
      const held = a.newLock('free-me');
      await held.lock(new AbortController().signal, () => undefined);
      expect(await lockRows('free-me')).toHaveLength(1);
      await held.unlock();
      expect(await lockRows('free-me')).toEqual([]);
      const t0 = performance.now();
      const next = b.newLock('free-me');
      await next.lock(new AbortController().signal, () => undefined);
      // Taken in one round: no polling, no waiting on an expiry.
      expect(performance.now() - t0).toBeLessThan(b.pollMs);
      // An unlock by a lock that no longer holds (a late, taken-over holder) leaves the new holder alone.
      await held.unlock();
      expect(await lockRows('free-me')).toHaveLength(1);
      await next.unlock();
      expect(await lockRows('free-me')).toEqual([]);
    } finally {
      await b.db.destroy();
    }
  });

  it('passes a waiting request’s release request to the holder through the database, and keeps a held lock alive past its lifetime', async () => {
    const holderDb = (await openServerDb({ dataDir: w.dataDir, databaseUrl: w.databaseUrl, poolSize: 1 })).db;
    try {
      const a = new DbLocker(holderDb, { ttlMs: 600 });
      const held = a.newLock('release-me');
      let askedAt = 0;
      await held.lock(new AbortController().signal, () => {
        askedAt = performance.now();
        void held.unlock();
      });
      // Renewed every 200 ms: after twice its lifetime it is still the holder's and not yet expired.
      await new Promise((r) => setTimeout(r, 1200));
      const [row] = await lockRows('release-me');
      expect(row!.expires_at).toBeGreaterThan(Date.now());
      expect(askedAt).toBe(0);
      // A waiter on another connection asks through the row; the holder hears it on its next renewal.
      const t0 = performance.now();
      const waiter = new DbLocker(db, { acquireTimeoutMs: 5000 }).newLock('release-me');
      await waiter.lock(new AbortController().signal, () => undefined);
      expect(askedAt).toBeGreaterThan(t0);
      expect(performance.now() - t0).toBeLessThan(2000);
      await waiter.unlock();
    } finally {
      await holderDb.destroy();
    }
  });

  it('stops waiting when the waiting request is aborted', async () => {
    const a = new DbLocker(db);
    const held = a.newLock('abort-me');
    await held.lock(new AbortController().signal, () => undefined);
    const stop = new AbortController();
    const t0 = performance.now();
    const waiting = new DbLocker(db, { acquireTimeoutMs: 10_000 }).newLock('abort-me').lock(stop.signal, () => undefined);
    setTimeout(() => stop.abort(), 300);
    await expect(waiting).rejects.toMatchObject({ status_code: 400 });
    expect(performance.now() - t0).toBeLessThan(3000);
    await held.unlock();
  });

  it('completes real tus-js-client uploads whose requests alternate between the instances', async () => {
    const lb = await roundRobin([w.server, second]);
    try {
      const callId = await recordedCall(lib, 3);
      const path = await archiveOf(lib, callId, tmp.dir);
      const size = readFileSync(path).length;
      // Eight PATCHes or so, each possibly on the other instance than the one before.
      const chunkSize = Math.ceil(size / 8);
      const result = await new SyncClient(lb.url, w.tokens.ana).upload(callId, path, { chunkSize, directMax: 0 });
      expect(result).toMatchObject({ id: callId, outcome: 'stored' });
      expect(lb.hits[0]).toBeGreaterThan(2);
      expect(lb.hits[1]).toBeGreaterThan(2);
      const download = Buffer.from(await (await as(w, 'ana', second)(`/v1/calls/${callId}/archive`)).arrayBuffer());
      expect(download.equals(readFileSync(path))).toBe(true);
      expect(await db.selectFrom('upload_locks').selectAll().execute()).toEqual([]);
    } finally {
      await new Promise((r) => lb.server.close(r));
    }
  }, 60_000);
});
