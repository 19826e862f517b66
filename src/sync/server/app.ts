/**
 * The sync server's HTTP API (Hono). Everything it needs comes in through `ServerContext` — the
 * database, the archive folder, limits and the log sink — and nothing that matters is kept in memory
 * between requests, so several instances can serve one PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, linkSync, openSync, rmSync, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { timeout } from 'hono/timeout';
import { z } from 'zod';
import { inspectArchive } from '../../library/archive';
import { mintVoiceToken } from '../../telephony/token-endpoint';
import { oneLine, UserError } from '../../shared/errors';
import { feedbackInputSchema, listQuerySchema, syncIdSchema, type SyncRole } from '../../shared/sync';
import { ObjectStoreError, type ArchiveStore } from './archives';
import type { ServerDb } from './db';
import { openApiDocument } from './openapi';
import { DbLocker } from './tus-locker';
import { addFeedback, callerForToken, canSee, countRequest, deleteCall, findCall, insertCall, listCalls, listFeedback, type Caller } from './store';

export interface ServerLimits {
  /** Largest archive accepted in one request (bigger ones go through the resumable upload). */
  readonly maxBodyBytes: number;
  /** Largest resumable upload. */
  readonly maxUploadBytes: number;
  /** Requests per token per minute. */
  readonly requestsPerMinute: number;
  /** Time allowed for a request that is not an upload. */
  readonly requestTimeoutMs: number;
  /** Time a resumable-upload request waits for the upload another request is writing, then 423. */
  readonly uploadLockWaitMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = { maxBodyBytes: 64 * 1024 * 1024, maxUploadBytes: 4 * 1024 * 1024 * 1024, requestsPerMinute: 600, requestTimeoutMs: 30_000, uploadLockWaitMs: 12_000 };

/** One structured log record. Never a token, a body or a transcript: method, route, status, user, timing. */
export type LogRecord = Readonly<Record<string, string | number | boolean | null>>;

export interface ServerContext {
  readonly db: ServerDb;
  readonly dbKind: 'sqlite' | 'postgres';
  readonly archives: ArchiveStore;
  readonly tusDir: string;
  readonly limits: ServerLimits;
  readonly log: (record: LogRecord) => void;
  /** Twilio credentials for softphone access tokens (`GET /v1/twilio/token`); absent: the route answers 404. */
  readonly twilio?: TwilioConfig | undefined;
}

export interface TwilioConfig {
  readonly accountSid: string;
  readonly apiKeySid: string;
  readonly apiKeySecret: string;
  readonly twimlAppSid?: string | undefined;
}

type Env = { Variables: { caller: Caller } };

class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ROUTE_ID = syncIdSchema;

function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new HttpError(400, 'bad_request', `${what}: ${issue?.path.join('.') || 'value'} ${issue?.message ?? 'is not valid'}`);
  }
  return r.data;
}

const idParam = (c: Context): string => parseOr400(ROUTE_ID, c.req.param('id'), 'call id');

function requireRole(caller: Caller, roles: readonly SyncRole[], action: string): void {
  if (!roles.includes(caller.role)) throw new HttpError(403, 'forbidden', `${caller.role === 'agent' ? 'an' : 'a'} ${caller.role} may not ${action}`);
}

/** Streams a request body to a file, refusing it as soon as it passes `max` bytes; returns its sha256 and size. */
async function receiveBody(body: ReadableStream<Uint8Array> | null, path: string, max: number): Promise<{ sha256: string; bytes: number }> {
  if (!body) throw new HttpError(400, 'bad_request', 'no archive in the request body');
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > max) {
        cb(new HttpError(413, 'too_large', `archive is larger than ${max} bytes; use the resumable upload (/v1/uploads)`));
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  // Opened before streaming, so a refusal mid-body can remove the file: nothing is created after it.
  const fd = openSync(path, 'wx', 0o600);
  await pipeline(Readable.fromWeb(body as unknown as NodeWebStream<Uint8Array>), meter, createWriteStream(path, { fd }));
  return { sha256: hash.digest('hex'), bytes };
}

function dropUpload(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.json`, { force: true });
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The uploads folder is created before the server starts; FileStore's own mkdir (asynchronous, throwing
 * from its callback) would otherwise race a shutdown that removes the folder and crash the process.
 */
class FolderStore extends FileStore {}
(FolderStore.prototype as unknown as { checkOrCreateDirectory(): void }).checkOrCreateDirectory = () => undefined;

export function createApp(ctx: ServerContext): Hono<Env> {
  const app = new Hono<Env>();
  const { db, archives, limits } = ctx;

  /**
   * Accepts a received archive file for `callId`: checked completely before anything is stored,
   * idempotent on id + sha256, 409 for a different body under a known id. The file is consumed.
   */
  async function accept(caller: Caller, callId: string, tmp: string, sha256: string): Promise<{ status: 200 | 201; outcome: 'stored' | 'unchanged' }> {
    try {
      const existing = await findCall(db, callId);
      if (existing) {
        if (existing.userId !== caller.userId) throw new HttpError(409, 'conflict', `call ${callId} was uploaded by someone else`);
        if (existing.sha256 === sha256) return { status: 200, outcome: 'unchanged' };
        throw new HttpError(409, 'conflict', `a different archive for call ${callId} is already stored`);
      }
      let facts;
      try {
        facts = await inspectArchive(tmp);
      } catch (err) {
        throw new HttpError(422, 'bad_archive', oneLine(err).replace(/^cannot import [^:]*: /, ''));
      }
      if (facts.callId !== callId) throw new HttpError(422, 'bad_archive', `the archive holds call ${facts.callId}, not ${callId}`);
      const bytes = statSync(tmp).size;
      await archives.put(tmp, callId, sha256);
      const m = facts.meta;
      const inserted = await insertCall(db, { id: callId, userId: caller.userId, teamId: caller.teamId, sha256, bytes, startedAt: m.startedAt, durationMs: m.durationMs, title: m.title, score: m.score });
      if (inserted) return { status: 201, outcome: 'stored' };
      // Another request stored this id between our look and our insert.
      const winner = await findCall(db, callId);
      if (winner && winner.userId === caller.userId && winner.sha256 === sha256) return { status: 200, outcome: 'unchanged' };
      await archives.remove(callId, sha256);
      throw new HttpError(409, 'conflict', `a different archive for call ${callId} is already stored`);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  const tusCallers = new WeakMap<Request, Caller>();
  const tus = new TusServer({
    path: '/v1/uploads',
    datastore: new FolderStore({ directory: ctx.tusDir }),
    maxSize: limits.maxUploadBytes,
    relativeLocation: true,
    respectForwardedHeaders: false,
    // Locks in the database, not in this process: another instance may be serving the same upload.
    locker: new DbLocker(db, { acquireTimeoutMs: limits.uploadLockWaitMs }),
    // Each upload id starts with its owner's user id, so ownership needs no lookup and no memory.
    namingFunction: (req) => `${tusCallers.get(req as unknown as Request)?.userId ?? 'x'}.${createHash('sha256').update(String(Math.random()) + Date.now()).digest('hex').slice(0, 32)}`,
    onUploadCreate: async (req, upload) => {
      const caller = tusCallers.get(req as unknown as Request);
      const callId = upload.metadata?.callId;
      if (!caller) throw { status_code: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'no caller' } }) };
      if (typeof callId !== 'string' || !ROUTE_ID.safeParse(callId).success) throw { status_code: 400, body: JSON.stringify({ error: { code: 'bad_request', message: 'metadata callId is not a valid id' } }) };
      return {};
    },
    onIncomingRequest: async (req, uploadId) => {
      const caller = tusCallers.get(req as unknown as Request);
      if (!caller || !uploadId.startsWith(`${caller.userId}.`)) throw { status_code: 404, body: JSON.stringify({ error: { code: 'not_found', message: 'no such upload' } }) };
    },
  });

  // ---- middleware: logging, errors, auth, rate ------------------------------------------------------
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    await next();
    const caller = c.get('caller') as Caller | undefined;
    // The route pattern, not the URL: no query strings (cursors) and nothing from the Authorization header.
    ctx.log({ t: new Date().toISOString(), level: c.res.status >= 500 ? 'error' : 'info', method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - t0), user: caller?.user ?? null });
  });
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json({ error: { code: err.code, message: err.message } }, err.status);
    if (err instanceof UserError) return c.json({ error: { code: err.code, message: err.message } }, 400);
    if (err instanceof ObjectStoreError) {
      ctx.log({ t: new Date().toISOString(), level: 'error', route: c.req.routePath, message: err.message });
      return c.json({ error: { code: 'storage_unavailable', message: err.message } }, 503);
    }
    ctx.log({ t: new Date().toISOString(), level: 'error', route: c.req.routePath, message: oneLine(err) });
    return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));

  app.get('/v1/health', async (c) => {
    try {
      await db.selectFrom('teams').select('id').limit(1).execute();
    } catch (err) {
      throw new HttpError(503, 'unavailable', `database: ${oneLine(err)}`);
    }
    return c.json({ ok: true, database: ctx.dbKind });
  });
  app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));

  const auth: MiddlewareHandler<Env> = async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header);
    const caller = m ? await callerForToken(db, m[1]!) : null;
    if (!caller) throw new HttpError(401, 'unauthorized', header === '' ? 'missing bearer token' : 'unknown or revoked token');
    c.set('caller', caller);
    const count = await countRequest(db, caller.tokenId, 60_000);
    if (count > limits.requestsPerMinute) {
      c.header('Retry-After', String(60 - Math.floor((Date.now() % 60_000) / 1000)));
      throw new HttpError(429, 'rate_limited', `more than ${limits.requestsPerMinute} requests a minute from this token`);
    }
    await next();
  };
  app.use('/v1/*', async (c, next) => {
    const p = c.req.path;
    if (p === '/v1/health' || p === '/v1/openapi.json') return next();
    return auth(c, next);
  });
  // Uploads stream for as long as they need to; everything else has a deadline.
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'PUT' || c.req.path.startsWith('/v1/uploads')) return next();
    return timeout(limits.requestTimeoutMs, () => new HttpError(503, 'timeout', `request took longer than ${limits.requestTimeoutMs} ms`) as never)(c, next);
  });

  const MAX_JSON_BYTES = 64 * 1024;
  app.use('/v1/*', async (c, next) => {
    if (c.req.method !== 'POST' || c.req.path.startsWith('/v1/uploads')) return next();
    return bodyLimit({ maxSize: MAX_JSON_BYTES, onError: () => { throw new HttpError(413, 'too_large', `body is larger than ${MAX_JSON_BYTES} bytes`); } })(c, next);
  });

  // ---- routes ------------------------------------------------------------------------------------
  app.get('/v1/me', (c) => {
    const me = c.get('caller');
    return c.json({ user: me.user, role: me.role, team: me.team });
  });

  // Softphone mode without a separate token server: the caller's user name is the Twilio identity.
  app.get('/v1/twilio/token', (c) => {
    const caller = c.get('caller');
    requireRole(caller, ['agent', 'lead'], 'take softphone calls');
    const t = ctx.twilio;
    if (!t) throw new HttpError(404, 'not_configured', 'this sync server has no Twilio credentials');
    c.header('cache-control', 'no-store');
    return c.json({ token: mintVoiceToken({ accountSid: t.accountSid, apiKeySid: t.apiKeySid, apiKeySecret: t.apiKeySecret, identity: caller.user, outgoingApplicationSid: t.twimlAppSid }) });
  });

  app.get('/v1/calls', async (c) => {
    const q = parseOr400(listQuerySchema, c.req.query(), 'query');
    return c.json(await listCalls(db, c.get('caller'), q));
  });

  app.put('/v1/calls/:id', async (c) => {
    const caller = c.get('caller');
    const id = idParam(c);
    requireRole(caller, ['agent', 'lead'], 'upload calls');
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw new HttpError(413, 'too_large', `archive is larger than ${limits.maxBodyBytes} bytes; use the resumable upload (/v1/uploads)`);
    const tmp = archives.tempPath();
    let received;
    try {
      received = await receiveBody(c.req.raw.body, tmp, limits.maxBodyBytes);
    } catch (err) {
      rmSync(tmp, { force: true });
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'bad_request', `the upload broke off (${oneLine(err)})`);
    }
    const res = await accept(caller, id, tmp, received.sha256);
    return c.json({ id, sha256: received.sha256, outcome: res.outcome }, res.status);
  });

  /** A finished resumable upload becomes a call here (idempotent: a client repeats it after any failure). */
  app.post('/v1/uploads/:upload/commit', async (c) => {
    const caller = c.get('caller');
    requireRole(caller, ['agent', 'lead'], 'upload calls');
    const uploadId = c.req.param('upload');
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(uploadId) || !uploadId.startsWith(`${caller.userId}.`)) throw new HttpError(404, 'not_found', 'no such upload');
    const upload = await tus.datastore.getUpload(uploadId).catch(() => null);
    if (!upload) throw new HttpError(404, 'not_found', 'no such upload');
    const id = parseOr400(ROUTE_ID, upload.metadata?.callId, 'upload metadata callId');
    if (upload.size === undefined || upload.offset !== upload.size) throw new HttpError(409, 'incomplete', `upload has ${upload.offset} of ${upload.size ?? '?'} bytes`);
    const file = `${ctx.tusDir}/${uploadId}`;
    const sha256 = await sha256File(file);
    // accept() consumes its file, so it gets a second link to the upload's bytes (same file system). The
    // upload itself goes once its outcome is final; an object store that is down leaves it for the retry.
    const tmp = archives.tempPath();
    linkSync(file, tmp);
    let res: Awaited<ReturnType<typeof accept>>;
    try {
      res = await accept(caller, id, tmp, sha256);
    } catch (err) {
      if (!(err instanceof ObjectStoreError)) dropUpload(file);
      throw err;
    }
    dropUpload(file);
    return c.json({ id, sha256, outcome: res.outcome }, res.status);
  });
  // Hono routes HEAD through GET handlers; the raw request keeps its method, so tus still sees a HEAD.
  app.on(['GET', 'POST', 'PATCH', 'OPTIONS', 'DELETE'], ['/v1/uploads', '/v1/uploads/*'], async (c) => {
    if (c.req.method === 'GET') throw new HttpError(404, 'not_found', 'uploads are not downloadable; use /v1/calls/{id}/archive');
    const caller = c.get('caller');
    requireRole(caller, ['agent', 'lead'], 'upload calls');
    tusCallers.set(c.req.raw, caller);
    return tus.handleWeb(c.req.raw);
  });

  async function visibleCall(c: Context<Env>): Promise<{ id: string; userId: string; teamId: string | null; sha256: string }> {
    const id = idParam(c);
    const call = await findCall(db, id);
    // Someone else's call is "not found", not "forbidden": its existence is not theirs to learn.
    if (!call || !canSee(c.get('caller'), call)) throw new HttpError(404, 'not_found', `no call ${id}`);
    return { id, ...call };
  }

  app.get('/v1/calls/:id/archive', async (c) => {
    const call = await visibleCall(c);
    const { stream, size } = await archives.open(call.id, call.sha256);
    return new Response(Readable.toWeb(stream) as unknown as ReadableStream, {
      headers: { 'content-type': 'application/vnd.cadence+zip', 'content-length': String(size), 'x-archive-sha256': call.sha256 },
    });
  });

  app.delete('/v1/calls/:id', async (c) => {
    const caller = c.get('caller');
    const call = await visibleCall(c);
    if (caller.role !== 'admin' && call.userId !== caller.userId) throw new HttpError(403, 'forbidden', 'only the call’s owner or an admin may delete it');
    await deleteCall(db, call.id);
    // The row is gone, so the call is deleted; an object the store failed to drop is only an orphan to log.
    await archives.remove(call.id, call.sha256).catch((err: unknown) => ctx.log({ t: new Date().toISOString(), level: 'error', route: c.req.routePath, message: oneLine(err) }));
    return c.json({ id: call.id, deleted: true });
  });

  app.post('/v1/calls/:id/feedback', async (c) => {
    const caller = c.get('caller');
    requireRole(caller, ['lead'], 'give feedback');
    const call = await visibleCall(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HttpError(400, 'bad_request', 'body is not JSON');
    }
    const f = parseOr400(feedbackInputSchema, body, 'feedback');
    const id = await addFeedback(db, call.id, caller.userId, { atMs: f.atMs ?? null, text: f.text ?? '', rubric: f.rubric ?? null });
    return c.json({ id, callId: call.id }, 201);
  });

  app.get('/v1/calls/:id/feedback', async (c) => {
    const call = await visibleCall(c);
    return c.json({ feedback: await listFeedback(db, c.get('caller'), { callId: call.id }) });
  });

  app.get('/v1/feedback', async (c) => {
    const q = parseOr400(z.strictObject({ since: listQuerySchema.shape.since }), c.req.query(), 'query');
    return c.json({ feedback: await listFeedback(db, c.get('caller'), { since: q.since }) });
  });

  return app;
}
