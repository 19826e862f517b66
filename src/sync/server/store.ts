/**
 * The server's repositories: teams, users and tokens (the admin CLI), calls and feedback (the API),
 * and per-token rate windows. Every query goes through kysely, so it runs on SQLite and PostgreSQL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { UserError } from '../../shared/errors';
import type { SyncRole, SyncedCall, SyncFeedback } from '../../shared/sync';
import type { ServerDb } from './db';

const newId = (): string => randomBytes(12).toString('base64url');
/** Tokens are 256 random bits: a plain sha256 is enough to store them (nothing to brute-force). */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface Caller {
  readonly userId: string;
  readonly tokenId: string;
  readonly user: string;
  readonly role: SyncRole;
  readonly teamId: string | null;
  readonly team: string | null;
}

// ---- admin ------------------------------------------------------------------------------------------

export async function createTeam(db: ServerDb, name: string): Promise<{ id: string; name: string }> {
  const existing = await db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
  if (existing) throw new UserError(`team ${name} already exists`, 'exists');
  const id = newId();
  await db.insertInto('teams').values({ id, name, created_at: Date.now() }).execute();
  return { id, name };
}

export async function addUser(db: ServerDb, u: { name: string; role: SyncRole; team: string | null }): Promise<{ id: string; name: string; role: SyncRole; team: string | null }> {
  let teamId: string | null = null;
  if (u.team !== null) {
    const team = await db.selectFrom('teams').select('id').where('name', '=', u.team).executeTakeFirst();
    if (!team) throw new UserError(`no team named ${u.team}`, 'not_found');
    teamId = team.id;
  } else if (u.role !== 'admin') {
    throw new UserError(`${u.role === 'agent' ? 'an' : 'a'} ${u.role} needs a team (--team NAME)`, 'bad_input');
  }
  if (await db.selectFrom('users').select('id').where('name', '=', u.name).executeTakeFirst()) throw new UserError(`user ${u.name} already exists`, 'exists');
  const id = newId();
  await db.insertInto('users').values({ id, name: u.name, role: u.role, team_id: teamId, created_at: Date.now() }).execute();
  return { id, name: u.name, role: u.role, team: u.team };
}

async function userIdOf(db: ServerDb, name: string): Promise<string> {
  const row = await db.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst();
  if (!row) throw new UserError(`no user named ${name}`, 'not_found');
  return row.id;
}

/** A new device token for the user: returned once, stored only as its hash. */
export async function issueToken(db: ServerDb, user: string): Promise<string> {
  const userId = await userIdOf(db, user);
  const token = `cad_${randomBytes(32).toString('base64url')}`;
  await db.insertInto('tokens').values({ id: newId(), user_id: userId, hash: hashToken(token), created_at: Date.now(), revoked_at: null }).execute();
  return token;
}

/** Revokes every live token of the user; returns how many. */
export async function revokeTokens(db: ServerDb, user: string): Promise<number> {
  const userId = await userIdOf(db, user);
  const res = await db.updateTable('tokens').set({ revoked_at: Date.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export interface Overview {
  readonly teams: { name: string; users: { name: string; role: string; tokens: number }[] }[];
  readonly admins: { name: string; tokens: number }[];
}

export async function overview(db: ServerDb): Promise<Overview> {
  const teams = await db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute();
  const users = await db
    .selectFrom('users')
    .leftJoin('tokens', (j) => j.onRef('tokens.user_id', '=', 'users.id').on('tokens.revoked_at', 'is', null))
    .select(['users.name', 'users.role', 'users.team_id', (eb) => eb.fn.count<number>('tokens.id').as('tokens')])
    .groupBy(['users.id', 'users.name', 'users.role', 'users.team_id'])
    .orderBy('users.name')
    .execute();
  return {
    teams: teams.map((t) => ({ name: t.name, users: users.filter((u) => u.team_id === t.id).map((u) => ({ name: u.name, role: u.role, tokens: Number(u.tokens) })) })),
    admins: users.filter((u) => u.team_id === null).map((u) => ({ name: u.name, tokens: Number(u.tokens) })),
  };
}

// ---- auth and rate ----------------------------------------------------------------------------------

export async function callerForToken(db: ServerDb, token: string): Promise<Caller | null> {
  const row = await db
    .selectFrom('tokens')
    .innerJoin('users', 'users.id', 'tokens.user_id')
    .leftJoin('teams', 'teams.id', 'users.team_id')
    .select(['tokens.id as tokenId', 'tokens.revoked_at', 'users.id as userId', 'users.name as user', 'users.role', 'users.team_id as teamId', 'teams.name as team'])
    .where('tokens.hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  return { userId: row.userId, tokenId: row.tokenId, user: row.user, role: row.role as SyncRole, teamId: row.teamId, team: row.team };
}

/** Counts one request in the token's current window; returns the count so far. Kept in the database so every instance shares it. */
export async function countRequest(db: ServerDb, tokenId: string, windowMs: number, now = Date.now()): Promise<number> {
  const windowStart = now - (now % windowMs);
  const row = await db
    .insertInto('rate_windows')
    .values({ token_id: tokenId, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['token_id', 'window_start']).doUpdateSet({ count: sql<number>`rate_windows.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  // Old windows are dropped now and then by whichever request opens a new one.
  if (row.count === 1) await db.deleteFrom('rate_windows').where('token_id', '=', tokenId).where('window_start', '<', windowStart).execute();
  return row.count;
}

// ---- calls ------------------------------------------------------------------------------------------

export interface CallRow {
  readonly id: string;
  readonly userId: string;
  readonly teamId: string | null;
  readonly sha256: string;
  readonly bytes: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly title: string;
  readonly score: number | null;
}

const callColumns = ['calls.id', 'calls.sha256', 'calls.bytes', 'calls.started_at', 'calls.duration_ms', 'calls.title', 'calls.score', 'calls.uploaded_at', 'calls.user_id', 'calls.team_id', 'users.name as agent', 'teams.name as team'] as const;

export async function findCall(db: ServerDb, id: string): Promise<{ userId: string; teamId: string | null; sha256: string } | undefined> {
  const row = await db.selectFrom('calls').select(['user_id', 'team_id', 'sha256']).where('id', '=', id).executeTakeFirst();
  return row && { userId: row.user_id, teamId: row.team_id, sha256: row.sha256 };
}

/** Inserts the call's row; false when a row with that id already exists (another upload won the race). */
export async function insertCall(db: ServerDb, c: CallRow): Promise<boolean> {
  const res = await db
    .insertInto('calls')
    .values({ id: c.id, user_id: c.userId, team_id: c.teamId, sha256: c.sha256, bytes: c.bytes, started_at: c.startedAt, duration_ms: c.durationMs, title: c.title, score: c.score, uploaded_at: Date.now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function deleteCall(db: ServerDb, id: string): Promise<void> {
  await db.deleteFrom('calls').where('id', '=', id).execute();
}

/** Who may see a call: its owner, a lead of its team, an admin. */
export function canSee(caller: Caller, call: { userId: string; teamId: string | null }): boolean {
  if (caller.role === 'admin') return true;
  if (caller.role === 'lead') return caller.teamId !== null && call.teamId === caller.teamId;
  return call.userId === caller.userId;
}

const encodeCursor = (uploadedAt: number, id: string): string => Buffer.from(`${uploadedAt}:${id}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): { uploadedAt: number; id: string } {
  const m = /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new UserError('cursor is not valid', 'bad_request');
  return { uploadedAt: Number(m[1]), id: m[2]! };
}

type ListQuery = { since?: number | undefined; cursor?: string | undefined; limit?: number | undefined; agent?: string | undefined };

/** The query behind {@link listCalls}, one row past the page (the bench `EXPLAIN`s it). */
export function listCallsQuery(db: ServerDb, caller: Caller, q: ListQuery) {
  const limit = q.limit ?? 100;
  let query = db.selectFrom('calls').innerJoin('users', 'users.id', 'calls.user_id').leftJoin('teams', 'teams.id', 'calls.team_id').select(callColumns);
  if (caller.role === 'agent') query = query.where('calls.user_id', '=', caller.userId);
  else if (caller.role === 'lead') query = query.where('calls.team_id', '=', caller.teamId ?? '');
  if (q.agent !== undefined) query = query.where('users.name', '=', q.agent);
  if (q.since !== undefined) query = query.where('calls.uploaded_at', '>=', q.since);
  if (q.cursor !== undefined && q.cursor !== '') {
    const c = decodeCursor(q.cursor);
    // A row comparison, not `a > x OR (a = x AND id > y)`: both databases seek the (scope, uploaded_at, id) index with it instead of scanning the scope from its start.
    query = query.where((eb) => eb(eb.refTuple('calls.uploaded_at', 'calls.id'), '>', eb.tuple(c.uploadedAt, c.id)));
  }
  return query.orderBy('calls.uploaded_at').orderBy('calls.id').limit(limit + 1);
}

/** The calls a caller may see, oldest upload first, keyset-paginated on (uploaded_at, id). */
export async function listCalls(db: ServerDb, caller: Caller, q: ListQuery): Promise<{ calls: SyncedCall[]; nextCursor: string | null }> {
  const limit = q.limit ?? 100;
  const rows = await listCallsQuery(db, caller, q).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    calls: page.map((r) => ({ id: r.id, agent: r.agent, team: r.team, sha256: r.sha256, bytes: Number(r.bytes), startedAt: Number(r.started_at), durationMs: Number(r.duration_ms), title: r.title, score: r.score, uploadedAt: Number(r.uploaded_at) })),
    nextCursor: rows.length > limit && last ? encodeCursor(Number(last.uploaded_at), last.id) : null,
  };
}

// ---- feedback ---------------------------------------------------------------------------------------

export async function addFeedback(db: ServerDb, callId: string, authorId: string, f: { atMs: number | null; text: string; rubric: Record<string, number> | null }): Promise<string> {
  const id = newId();
  await db.insertInto('feedback').values({ id, call_id: callId, author_id: authorId, at_ms: f.atMs, text: f.text, rubric: f.rubric === null ? null : JSON.stringify(f.rubric), created_at: Date.now() }).execute();
  return id;
}

/** Feedback on the calls a caller may see, optionally on one call or since a time. */
export async function listFeedback(db: ServerDb, caller: Caller, q: { callId?: string; since?: number | undefined }): Promise<SyncFeedback[]> {
  let query = db
    .selectFrom('feedback')
    .innerJoin('calls', 'calls.id', 'feedback.call_id')
    .innerJoin('users', 'users.id', 'feedback.author_id')
    .select(['feedback.id', 'feedback.call_id', 'users.name as author', 'feedback.at_ms', 'feedback.text', 'feedback.rubric', 'feedback.created_at']);
  if (caller.role === 'agent') query = query.where('calls.user_id', '=', caller.userId);
  else if (caller.role === 'lead') query = query.where('calls.team_id', '=', caller.teamId ?? '');
  if (q.callId !== undefined) query = query.where('feedback.call_id', '=', q.callId);
  if (q.since !== undefined) query = query.where('feedback.created_at', '>=', q.since);
  const rows = await query.orderBy('feedback.created_at').orderBy('feedback.id').limit(5000).execute();
  return rows.map((r) => ({ id: r.id, callId: r.call_id, author: r.author, atMs: r.at_ms === null ? null : Number(r.at_ms), text: r.text, rubric: r.rubric === null ? null : (JSON.parse(r.rubric) as Record<string, number>), createdAt: Number(r.created_at) }));
}
