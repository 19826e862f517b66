/**
 * The sync server under test: a real server on 127.0.0.1 over SQLite or a real PostgreSQL, seeded with
 * two teams (red: lead rita, agents ana and ben; blue: lead lou, agent al) and an admin, each with a
 * device token; and call archives made by a real library's export.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCall } from '../../src/library/archive';
import { LiveCallWriter } from '../../src/library/live-writer';
import type { Library } from '../../src/library/library';
import { FRAME_SIZE } from '../../src/dsp/frames';
import type { LogRecord, ServerLimits, TwilioConfig } from '../../src/sync/server/app';
import { openServerDb } from '../../src/sync/server/db';
import { startSyncServer, type RunningSyncServer } from '../../src/sync/server/server';
import { addUser, createTeam, issueToken } from '../../src/sync/server/store';
import { fakeReport } from '../integration/library/helpers';
import { startPostgres, type TestPostgres } from './postgres';
import { startS3StandIn, type S3StandIn } from './s3';

export type Backend = 'sqlite' | 'postgres';
/** Where the server keeps archives: its data folder, or the S3 stand-in. */
export type Storage = 'disk' | 's3';
export const USERS = { rita: ['lead', 'red'], ana: ['agent', 'red'], ben: ['agent', 'red'], lou: ['lead', 'blue'], al: ['agent', 'blue'], root: ['admin', null] } as const;
export type UserName = keyof typeof USERS;

export interface SyncWorld {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly tokens: Record<UserName, string>;
  readonly logs: LogRecord[];
  /** The object store, when archives go to S3. */
  readonly s3: S3StandIn | null;
  server: RunningSyncServer;
  /** Every archive stored and every body still being received: object keys or file names. */
  stored(): string[];
  /** Another instance on the same database and data folder. */
  startInstance(): Promise<RunningSyncServer>;
  close(): Promise<void>;
}

let sharedPg: TestPostgres | null = null;
/** One PostgreSQL per test file (stopped by `stopSharedPostgres` in afterAll). */
export async function postgresUrl(): Promise<string> {
  sharedPg ??= await startPostgres();
  return sharedPg.newDatabase();
}
export function stopSharedPostgres(): void {
  sharedPg?.stop();
  sharedPg = null;
}

export async function seed(dataDir: string, databaseUrl: string | undefined): Promise<Record<UserName, string>> {
  const { db } = await openServerDb({ dataDir, databaseUrl, poolSize: 2 });
  try {
    await createTeam(db, 'red');
    await createTeam(db, 'blue');
    const tokens = {} as Record<UserName, string>;
    for (const [name, [role, team]] of Object.entries(USERS) as [UserName, (typeof USERS)[UserName]][]) {
      await addUser(db, { name, role, team });
      tokens[name] = await issueToken(db, name);
    }
    return tokens;
  } finally {
    await db.destroy();
  }
}

export async function syncWorld(backend: Backend, limits: Partial<ServerLimits> = {}, twilio?: TwilioConfig, storage: Storage = 'disk'): Promise<SyncWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cadence-sync-'));
  const databaseUrl = backend === 'postgres' ? await postgresUrl() : undefined;
  const tokens = await seed(dataDir, databaseUrl);
  const logs: LogRecord[] = [];
  const s3 = storage === 's3' ? await startS3StandIn() : null;
  const start = (): Promise<RunningSyncServer> => startSyncServer({ dataDir, databaseUrl, limits, log: (r) => logs.push(r), poolSize: 4, twilio, s3: s3 ?? undefined });
  const extra: RunningSyncServer[] = [];
  const world: SyncWorld = {
    dataDir,
    databaseUrl,
    tokens,
    logs,
    s3,
    server: await start(),
    stored: () => [...(s3 ? s3.objects.keys() : readdirSync(join(dataDir, 'archives'))), ...readdirSync(join(dataDir, 'incoming'))],
    async startInstance() {
      const s = await start();
      extra.push(s);
      return s;
    },
    async close() {
      await world.server.close();
      for (const s of extra) await s.close();
      await s3?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A finished call without a recording, saved in `lib` (fast: for listing and many uploads). */
export async function savedCall(lib: Library, i = 0, agent: string | null = null): Promise<string> {
  return lib.calls.save({ startedAt: Date.UTC(2026, 2, 3, 9) + i * 60_000, source: 'file', title: `Call ${i}`, agent }, fakeReport(30));
}

/** A finished call with a `seconds`-long two-channel recording. */
export async function recordedCall(lib: Library, seconds = 3): Promise<string> {
  const w = await LiveCallWriter.start(lib, { startedAt: Date.UTC(2026, 2, 3, 9), source: 'softphone', title: 'Recorded call', agent: 'ana', tags: ['t1'] });
  // Noise-like content so the encoder cannot squeeze it to nothing (resumable uploads need some size).
  let seed = 1;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 0.6;
  const a = new Float32Array(50 * FRAME_SIZE);
  const c = new Float32Array(50 * FRAME_SIZE);
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < a.length; i++) {
      a[i] = rnd();
      c[i] = rnd();
    }
    w.pushFrames(a, c, 50);
  }
  const r = fakeReport(seconds, ['pace-fast']);
  for (const p of r.timeline) w.timeline(p);
  for (const s of r.speech) w.segment(s);
  w.transcript({ channel: 'agent', text: 'your order ships tomorrow secret-transcript-words', startMs: 0, endMs: 2000, confidence: 0.9, final: true });
  const { speech: _s, timeline: _t, events: _e, nudges: _n, ...summary } = r;
  await w.finish(summary);
  return w.id;
}

export async function archiveOf(lib: Library, callId: string, dir: string): Promise<string> {
  const path = join(dir, `${callId}.cadence`);
  await exportCall(lib, callId, path);
  return path;
}

/** fetch with the user's token. */
export function as(world: SyncWorld, user: UserName | string, server: RunningSyncServer = world.server) {
  const token = user in world.tokens ? world.tokens[user as UserName] : user;
  return (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
}
