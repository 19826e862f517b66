/**
 * Sync server load (issue 15), loopback only: N simulated agents (default 1,000) each uploading 5 call
 * archives at once, spread over two server instances on one real PostgreSQL (started here, as in the
 * tests): throughput, p95 upload latency, lost and duplicated calls. Then a lead's listing with 100,000
 * team calls in the database: p95 of a page. `CADENCE_BENCH_SYNC_AGENTS` scales the load down.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { exportCall } from '../src/library/archive';
import { openLibrary } from '../src/library/library';
import { openServerDb } from '../src/sync/server/db';
import { startSyncServer } from '../src/sync/server/server';
import { addUser, callerForToken, countRequest, createTeam, issueToken, listCalls, listCallsQuery } from '../src/sync/server/store';
import { postgresUnavailable, startPostgres } from '../test/helpers/postgres';
import { fakeReport } from '../test/integration/library/helpers';
import type { LogRecord } from '../src/sync/server/app';
import type { Figures } from './engine';

const AGENTS = Number(process.env.CADENCE_BENCH_SYNC_AGENTS ?? 1000);
const PER_AGENT = 5;
const TEAM_CALLS = 100_000;

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const p50p95 = (xs: readonly number[]): string => `${pct(xs, 50).toFixed(1)} / ${pct(xs, 95).toFixed(1)} ms`;

/**
 * The lead list's three shapes, taken in turn: the first page, `since` a random point in the team's
 * history, and the page after that one by its cursor alone (a pull resumed deep in 100,000 calls).
 */
type ListKind = 'first' | 'cursor' | 'since';
const LIST_KINDS: readonly ListKind[] = ['first', 'since', 'cursor'];

export async function benchSync(): Promise<Figures> {
  const why = postgresUnavailable();
  if (why) return { skipped: why };
  const pg = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-sync-'));
  try {
    const databaseUrl = await pg.newDatabase('bench_sync');
    const dataDir = join(dir, 'server');
    const { db } = await openServerDb({ dataDir, databaseUrl, poolSize: 4 });
    await createTeam(db, 'load');
    await createTeam(db, 'big');
    await addUser(db, { name: 'big-lead', role: 'lead', team: 'big' });
    await addUser(db, { name: 'big-agent', role: 'agent', team: 'big' });
    const leadToken = await issueToken(db, 'big-lead');
    const tokens: string[] = [];
    for (let i = 0; i < AGENTS; i++) {
      await addUser(db, { name: `agent-${i}`, role: 'agent', team: 'load' });
      tokens.push(await issueToken(db, `agent-${i}`));
    }

    // The archives: real exports of AGENTS × 5 short calls.
    const lib = await openLibrary(join(dir, 'agents.sqlite'));
    const archives: { id: string; body: Buffer }[] = [];
    const report = fakeReport(5);
    for (let i = 0; i < AGENTS * PER_AGENT; i++) {
      const id = await lib.calls.save({ startedAt: Date.UTC(2026, 0, 1) + i * 1000, source: 'file', title: `load ${i}` }, report);
      const path = join(dir, `${id}.cadence`);
      await exportCall(lib, id, path);
      archives.push({ id, body: readFileSync(path) });
      rmSync(path);
    }
    await lib.close();

    const limits = { requestsPerMinute: 10_000 };
    // Each listing's time inside the server (auth, rate count, query, JSON), from its own request log.
    const serverListMs: number[] = [];
    const log = (r: LogRecord): void => void (r.method === 'GET' && r.route === '/v1/calls' && typeof r.ms === 'number' && serverListMs.push(r.ms));
    const servers = [await startSyncServer({ dataDir, databaseUrl, limits, log, poolSize: 10 }), await startSyncServer({ dataDir, databaseUrl, limits, log, poolSize: 10 })];
    const latencies: number[] = [];
    let retries = 0;
    let refused = 0;
    const t0 = performance.now();
    await Promise.all(
      tokens.map(async (token, a) => {
        const server = servers[a % 2]!;
        for (let k = 0; k < PER_AGENT; k++) {
          const { id, body } = archives[a * PER_AGENT + k]!;
          for (let attempt = 0; ; attempt++) {
            const s = performance.now();
            try {
              const res = await fetch(`${server.url}/v1/calls/${id}`, { method: 'PUT', body: new Uint8Array(body), headers: { authorization: `Bearer ${token}` } });
              await res.arrayBuffer();
              if (res.status === 200 || res.status === 201) {
                latencies.push(performance.now() - s);
                break;
              }
              if (res.status < 500 && res.status !== 429) {
                refused++;
                break;
              }
            } catch {
              // connection trouble under load: the client's outbox would retry; so do we
            }
            retries++;
            if (attempt > 20) break;
            await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
          }
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    const rows = await db.selectFrom('calls').select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('id').distinct().as('d')]).where('team_id', 'is not', null).executeTakeFirstOrThrow();
    const ids = new Set((await db.selectFrom('calls').select('id').execute()).map((r) => r.id));
    const lost = archives.filter((a) => !ids.has(a.id)).length;
    const files = readdirSync(join(dataDir, 'archives')).length;

    // A lead's team with 100,000 calls (rows written directly; the archives themselves do not matter to a listing).
    const team = await db.selectFrom('teams').select('id').where('name', '=', 'big').executeTakeFirstOrThrow();
    const agent = await db.selectFrom('users').select('id').where('name', '=', 'big-agent').executeTakeFirstOrThrow();
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < TEAM_CALLS; i += 1000) {
      await db
        .insertInto('calls')
        .values(Array.from({ length: 1000 }, (_, j) => ({ id: `big${i + j}`, user_id: agent.id, team_id: team.id, sha256: '0'.repeat(64), bytes: 1000, started_at: base + (i + j) * 1000, duration_ms: 60_000, title: `big ${i + j}`, score: 70, uploaded_at: base + (i + j) * 1000 })))
        .execute();
    }
    await sql`ANALYZE calls`.execute(db);
    const since = (): number => base + Math.floor(Math.random() * TEAM_CALLS) * 1000;
    const query = (kind: ListKind, cursor: string | null): string => (kind === 'cursor' && cursor ? `&cursor=${cursor}` : kind === 'since' ? `&since=${since()}` : '');
    const http: Record<ListKind, number[]> = { first: [], cursor: [], since: [] };
    serverListMs.length = 0;
    let cursor: string | null = null;
    for (let i = 0; i < 300; i++) {
      const kind = LIST_KINDS[i % 3]!;
      const s = performance.now();
      const res = await fetch(`${servers[i % 2]!.url}/v1/calls?limit=100${query(kind, cursor)}`, { headers: { authorization: `Bearer ${leadToken}` } });
      const page = (await res.json()) as { calls: unknown[]; nextCursor: string | null };
      http[kind].push(performance.now() - s);
      cursor = kind === 'cursor' ? null : page.nextCursor;
    }
    const listLat = [...http.first, ...http.cursor, ...http.since];
    // Where a listing's time goes: each step the server takes, timed alone at the database (same mix).
    const lead = (await callerForToken(db, leadToken))!;
    const step = { auth: [] as number[], rate: [] as number[], json: [] as number[] };
    const dbLat: Record<ListKind, number[]> = { first: [], cursor: [], since: [] };
    cursor = null;
    for (let i = 0; i < 300; i++) {
      const kind = LIST_KINDS[i % 3]!;
      let s = performance.now();
      await callerForToken(db, leadToken);
      step.auth.push(performance.now() - s);
      s = performance.now();
      await countRequest(db, lead.tokenId, 60_000);
      step.rate.push(performance.now() - s);
      s = performance.now();
      const page = await listCalls(db, lead, { limit: 100, ...(kind === 'cursor' && cursor ? { cursor } : kind === 'since' ? { since: since() } : {}) });
      dbLat[kind].push(performance.now() - s);
      s = performance.now();
      JSON.stringify(page);
      step.json.push(performance.now() - s);
      cursor = kind === 'cursor' ? null : page.nextCursor;
    }
    // The plan PostgreSQL picks for each shape: the access path to `calls` and the time it took.
    const plans: string[] = [];
    for (const kind of LIST_KINDS) {
      const middle = { limit: 100, since: base + (TEAM_CALLS / 2) * 1000 };
      const q = kind === 'cursor' ? { limit: 100, cursor: (await listCalls(db, lead, middle)).nextCursor! } : kind === 'since' ? middle : { limit: 100 };
      const lines = (await listCallsQuery(db, lead, q).explain(undefined, sql`analyze`)).map((r) => String(Object.values(r)[0]));
      const access = lines.find((l) => / on calls\b/.test(l))?.trim().replace(/\s*\(cost.*$/, '') ?? '?';
      const ms = lines.find((l) => l.startsWith('Execution Time'))?.replace(/^Execution Time: /, '') ?? '?';
      const removed = lines.find((l) => l.includes('Rows Removed by Filter'))?.trim();
      plans.push(`${kind}: ${access.replace(/^->\s*/, '')}${removed ? ` (${removed})` : ''}, ${ms}`);
    }
    for (const s of servers) await s.close();
    await db.destroy();
    const uploads = AGENTS * PER_AGENT;
    return {
      'agents × uploads': `${AGENTS} × ${PER_AGENT} = ${uploads} archives (${(archives[0]!.body.length / 1024).toFixed(1)} KB each), two instances, one PostgreSQL`,
      'upload throughput': `${(latencies.length / wall).toFixed(0)} archives/s (${wall.toFixed(1)} s for all)`,
      'upload latency p50 / p95': `${pct(latencies, 50).toFixed(0)} / ${pct(latencies, 95).toFixed(0)} ms (each with 1,000 requests in flight)`,
      'retries / refused': `${retries} / ${refused}`,
      'lost (acknowledged but not stored)': lost,
      'duplicated (rows − distinct ids)': Number(rows.n) - Number(rows.d),
      'archive files stored': `${files} (expected ${uploads})`,
      'lead list p50 / p95 (100,000 team calls, page of 100)': `${p50p95(listLat)} over HTTP (target p95 < 50 ms); ${p50p95(serverListMs)} inside the server`,
      'lead list over HTTP by shape (first / since / cursor)': LIST_KINDS.map((k) => p50p95(http[k])).join('; '),
      'lead list breakdown p50 / p95': `auth lookup ${p50p95(step.auth)}; rate-limit write ${p50p95(step.rate)}; query first / since / cursor ${LIST_KINDS.map((k) => p50p95(dbLat[k])).join(', ')}; JSON ${p50p95(step.json)}`,
      'lead list plans (EXPLAIN ANALYZE)': plans.join('; '),
      'machine load (1-min average, cores)': `${loadavg()[0]!.toFixed(1)} on ${availableParallelism()}`,
    };
  } finally {
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
