/**
 * The sync server's security and reliability, on SQLite and on a real PostgreSQL: role scoping, 401
 * and 403 on every route, hostile ids and archives refused with nothing stored, idempotent uploads,
 * pagination, rate limits, logs without secrets, and two instances on one PostgreSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../../src/library/library';
import { openServerDb } from '../../../src/sync/server/db';
import { revokeTokens } from '../../../src/sync/server/store';
import { verifyJwt } from '../../../src/telephony/token-endpoint';
import { startSyncServer } from '../../../src/sync/server/server';
import { postgresUnavailable } from '../../helpers/postgres';
import { startS3StandIn } from '../../helpers/s3';
import { archiveOf, as, recordedCall, savedCall, seed, stopSharedPostgres, syncWorld, type Backend, type Storage, type SyncWorld } from '../../helpers/sync';
import { tempDir } from '../library/helpers';

const BACKENDS: Backend[] = postgresUnavailable() === null ? ['sqlite', 'postgres'] : ['sqlite'];
if (BACKENDS.length === 1) console.warn(`sync server tests run on SQLite only: ${postgresUnavailable()}`);
/** Each database with archives on disk, and SQLite with archives in the S3 stand-in. */
const CASES: [Backend, Storage][] = [...BACKENDS.map((b): [Backend, Storage] => [b, 'disk']), ['sqlite', 's3']];

let tmp: ReturnType<typeof tempDir>;
let lib: Library;
/** Archives by owner: ana has a recorded call and a plain one, ben and al one each. */
const arch: Record<'ana1' | 'ana2' | 'ben1' | 'al1', { id: string; path: string }> = {} as never;

beforeAll(async () => {
  tmp = tempDir('cadence-sync-test-');
  lib = await openLibrary(join(tmp.dir, 'library.sqlite'));
  const ids = { ana1: await recordedCall(lib, 3), ana2: await savedCall(lib, 1), ben1: await savedCall(lib, 2), al1: await savedCall(lib, 3) };
  for (const [k, id] of Object.entries(ids)) arch[k as keyof typeof arch] = { id, path: await archiveOf(lib, id, tmp.dir) };
}, 60_000);
afterAll(async () => {
  await lib.close();
  tmp.cleanup();
  stopSharedPostgres();
});

const put = (w: SyncWorld, user: string, id: string, body: Buffer | Uint8Array): Promise<Response> => as(w, user)(`/v1/calls/${id}`, { method: 'PUT', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/octet-stream' } });
const file = (k: keyof typeof arch): Buffer => readFileSync(arch[k].path);

async function callRows(w: SyncWorld): Promise<number> {
  const { db } = await openServerDb({ dataDir: w.dataDir, databaseUrl: w.databaseUrl, poolSize: 1 });
  try {
    return Number((await db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  } finally {
    await db.destroy();
  }
}

describe.each(CASES)('sync server on %s with archives on %s', (backend, storage) => {
  let w: SyncWorld;
  beforeAll(async () => {
    w = await syncWorld(backend, {}, undefined, storage);
    expect((await put(w, 'ana', arch.ana1.id, file('ana1'))).status).toBe(201);
    expect((await put(w, 'ana', arch.ana2.id, file('ana2'))).status).toBe(201);
    expect((await put(w, 'ben', arch.ben1.id, file('ben1'))).status).toBe(201);
    expect((await put(w, 'al', arch.al1.id, file('al1'))).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await w.close();
  });

  it('answers health and its OpenAPI document without a token', async () => {
    expect(await (await fetch(`${w.server.url}/v1/health`)).json()).toEqual({ ok: true, database: backend });
    const doc = (await (await fetch(`${w.server.url}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/calls', '/v1/calls/{id}', '/v1/calls/{id}/archive', '/v1/calls/{id}/feedback', '/v1/uploads']));
  });

  it('is idempotent on id + sha256 and refuses a different body for a known id with 409', async () => {
    const again = await put(w, 'ana', arch.ana1.id, file('ana1'));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { outcome: string }).outcome).toBe('unchanged');
    // A fresh export of the same call differs (its manifest's creation time): a different body.
    mkdirSync(join(tmp.dir, 'x'), { recursive: true });
    const other = await archiveOf(lib, arch.ana1.id, join(tmp.dir, 'x'));
    const res = await put(w, 'ana', arch.ana1.id, readFileSync(other));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('conflict');
    // Someone else cannot take over a known id either.
    expect((await put(w, 'ben', arch.ana1.id, file('ana1'))).status).toBe(409);
    expect(await callRows(w)).toBe(4);
    expect(w.stored().filter((f) => f.startsWith(arch.ana1.id))).toHaveLength(1);
  });

  it('scopes listings: an agent their own, a lead their team, an admin all', async () => {
    const ids = async (user: string, q = ''): Promise<string[]> => ((await (await as(w, user)(`/v1/calls${q}`)).json()) as { calls: { id: string }[] }).calls.map((c) => c.id).sort();
    expect(await ids('ana')).toEqual([arch.ana1.id, arch.ana2.id].sort());
    expect(await ids('ben')).toEqual([arch.ben1.id]);
    expect(await ids('rita')).toEqual([arch.ana1.id, arch.ana2.id, arch.ben1.id].sort());
    expect(await ids('rita', '?agent=ben')).toEqual([arch.ben1.id]);
    expect(await ids('lou')).toEqual([arch.al1.id]);
    expect(await ids('root')).toHaveLength(4);
    // An agent filter cannot widen a scope.
    expect(await ids('ana', '?agent=ben')).toEqual([]);
  });

  it('paginates with a cursor, each call once, and honours since', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const page = (await (await as(w, 'root')(`/v1/calls?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { calls: { id: string; uploadedAt: number }[]; nextCursor: string | null };
      seen.push(...page.calls.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(Object.values(arch).map((a) => a.id).sort());
    const all = (await (await as(w, 'root')('/v1/calls')).json()) as { calls: { uploadedAt: number }[] };
    const latest = Math.max(...all.calls.map((c) => c.uploadedAt));
    const since = (await (await as(w, 'root')(`/v1/calls?since=${latest}`)).json()) as { calls: { uploadedAt: number }[] };
    expect(since.calls.length).toBeGreaterThanOrEqual(1);
    expect(since.calls.every((c) => c.uploadedAt >= latest)).toBe(true);
    expect((await as(w, 'root')('/v1/calls?cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
  });

  it('downloads only what the caller may see, byte for byte', async () => {
    const own = await as(w, 'ana')(`/v1/calls/${arch.ana1.id}/archive`);
    expect(own.status).toBe(200);
    expect(Buffer.from(await own.arrayBuffer()).equals(file('ana1'))).toBe(true);
    expect((await as(w, 'rita')(`/v1/calls/${arch.ana1.id}/archive`)).status).toBe(200);
    expect((await as(w, 'ben')(`/v1/calls/${arch.ana1.id}/archive`)).status).toBe(404);
    expect((await as(w, 'lou')(`/v1/calls/${arch.ana1.id}/archive`)).status).toBe(404);
  });

  it('takes feedback from the team’s lead only and shows it to the agent', async () => {
    const fb = (user: string, id: string, body: unknown): Promise<Response> => as(w, user)(`/v1/calls/${id}/feedback`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expect((await fb('rita', arch.ana1.id, { atMs: 1500, text: 'Slow down here', rubric: { pace: 40 } })).status).toBe(201);
    expect((await fb('ana', arch.ana1.id, { text: 'self praise' })).status).toBe(403);
    expect((await fb('ben', arch.ana1.id, { text: 'hi' })).status).toBe(403);
    expect((await fb('lou', arch.ana1.id, { text: 'other team' })).status).toBe(404);
    expect((await fb('rita', arch.ana1.id, {})).status).toBe(400);
    expect((await fb('rita', arch.ana1.id, { text: 'x', extra: 1 })).status).toBe(400);
    const mine = (await (await as(w, 'ana')('/v1/feedback')).json()) as { feedback: { callId: string; author: string; atMs: number; text: string; rubric: unknown }[] };
    expect(mine.feedback).toEqual([expect.objectContaining({ callId: arch.ana1.id, author: 'rita', atMs: 1500, text: 'Slow down here', rubric: { pace: 40 } })]);
    expect(((await (await as(w, 'ben')('/v1/feedback')).json()) as { feedback: unknown[] }).feedback).toEqual([]);
    expect((await as(w, 'ben')(`/v1/calls/${arch.ana1.id}/feedback`)).status).toBe(404);
  });

  const ROUTES: [method: string, path: (id: string) => string][] = [
    ['GET', () => '/v1/me'],
    ['GET', () => '/v1/calls'],
    ['PUT', (id) => `/v1/calls/${id}`],
    ['GET', (id) => `/v1/calls/${id}/archive`],
    ['DELETE', (id) => `/v1/calls/${id}`],
    ['POST', (id) => `/v1/calls/${id}/feedback`],
    ['GET', (id) => `/v1/calls/${id}/feedback`],
    ['GET', () => '/v1/feedback'],
    ['GET', () => '/v1/twilio/token'],
    ['POST', () => '/v1/uploads'],
    ['POST', () => '/v1/uploads/x.y/commit'],
  ];

  it('answers 401 to a missing, unknown or revoked token on every route', async () => {
    const { db } = await openServerDb({ dataDir: w.dataDir, databaseUrl: w.databaseUrl, poolSize: 1 });
    const { addUser, issueToken } = await import('../../../src/sync/server/store');
    await addUser(db, { name: 'gone', role: 'agent', team: 'red' });
    const revoked = await issueToken(db, 'gone');
    expect(await revokeTokens(db, 'gone')).toBe(1);
    await db.destroy();
    for (const [method, path] of ROUTES) {
      for (const auth of [undefined, 'Bearer cad_unknowntokenunknowntokenunknowntoken', `Bearer ${revoked}`, 'Basic YTpi']) {
        const res = await fetch(`${w.server.url}${path(arch.ana1.id)}`, { method, headers: auth ? { authorization: auth } : {} });
        expect(res.status, `${method} ${path('id')} with ${auth ?? 'no token'}`).toBe(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it('answers 403 to a wrong role on every route that has one', async () => {
    expect((await put(w, 'root', 'adminscall', file('ben1'))).status).toBe(403);
    expect((await as(w, 'root')('/v1/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } })).status).toBe(403);
    expect((await as(w, 'root')('/v1/uploads/x.y/commit', { method: 'POST' })).status).toBe(403);
    expect((await as(w, 'ana')(`/v1/calls/${arch.ana1.id}/feedback`, { method: 'POST', body: '{"text":"x"}' })).status).toBe(403);
    expect((await as(w, 'rita')(`/v1/calls/${arch.ana1.id}`, { method: 'DELETE' })).status).toBe(403);
  });

  it('refuses ids that are not [A-Za-z0-9_-]', async () => {
    for (const id of ['a.b', '..', '%2E%2E%2Fetc', 'caf%C3%A9', 'x'.repeat(65), 'a%20b', 'a%00b']) {
      const res = await put(w, 'ana', id, file('ana2'));
      expect([400, 404], id).toContain(res.status);
      expect((await as(w, 'ana')(`/v1/calls/${id}/archive`)).status, id).toBeGreaterThanOrEqual(400);
    }
    expect((await as(w, 'ana')('/v1/calls/a.b/archive')).status).toBe(400);
    expect(await callRows(w)).toBe(4);
  });

  it('refuses truncated, tampered, foreign and mislabelled archives with 4xx and stores nothing', async () => {
    const before = w.stored().sort();
    const body = file('ana1');
    const tampered = Buffer.from(body);
    tampered[Math.floor(tampered.length / 2)]! ^= 0xff;
    const cases: [string, Buffer][] = [
      ['truncated', body.subarray(0, body.length - 100)],
      ['half', body.subarray(0, body.length >> 1)],
      ['tampered', tampered],
      ['empty', Buffer.alloc(0)],
      ['not a zip', Buffer.from('hello world')],
    ];
    for (const [what, b] of cases) {
      const res = await put(w, 'ana', 'newcall1', b);
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
      expect(((await res.json()) as { error: { message: string } }).error.message, what).toMatch(/\S/);
    }
    // A good archive under another id is refused: the URL's id must be the archive's.
    expect((await put(w, 'ana', 'newcall1', file('ana2'))).status).toBe(422);
    expect(await callRows(w)).toBe(4);
    expect(w.stored().sort()).toEqual(before);
  });

  it('lets the owner or an admin delete a call', async () => {
    const lone = await savedCall(lib, 9);
    const path = await archiveOf(lib, lone, tmp.dir);
    expect((await put(w, 'ben', lone, readFileSync(path))).status).toBe(201);
    expect((await as(w, 'ana')(`/v1/calls/${lone}`, { method: 'DELETE' })).status).toBe(404);
    expect((await as(w, 'ben')(`/v1/calls/${lone}`, { method: 'DELETE' })).status).toBe(200);
    expect(w.stored().some((f) => f.startsWith(lone))).toBe(false);
    expect((await put(w, 'ben', lone, readFileSync(path))).status).toBe(201);
    expect((await as(w, 'root')(`/v1/calls/${lone}`, { method: 'DELETE' })).status).toBe(200);
    expect((await as(w, 'ben')(`/v1/calls/${lone}/archive`)).status).toBe(404);
  });

  it('keeps resumable uploads to their owner and checks them like any upload before storing', async () => {
    const body = Buffer.from('not an archive at all, but uploaded resumably');
    const create = await as(w, 'ana')('/v1/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': String(body.length), 'upload-metadata': `callId ${Buffer.from('resumable1').toString('base64')}` } });
    expect(create.status).toBe(201);
    const location = create.headers.get('location')!;
    const uploadId = location.split('/').pop()!;
    // Another user can neither see, append to nor commit it.
    expect((await as(w, 'ben')(`/v1/uploads/${uploadId}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } })).status).toBe(404);
    expect((await as(w, 'ben')(`/v1/uploads/${uploadId}`, { method: 'PATCH', body, headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } })).status).toBe(404);
    expect((await as(w, 'ben')(`/v1/uploads/${uploadId}/commit`, { method: 'POST' })).status).toBe(404);
    // Committing before the last byte is refused; uploads are not downloadable.
    expect((await as(w, 'ana')(`/v1/uploads/${uploadId}/commit`, { method: 'POST' })).status).toBe(409);
    expect((await as(w, 'ana')(`/v1/uploads/${uploadId}`)).status).toBe(404);
    const head = await as(w, 'ana')(`/v1/uploads/${uploadId}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('0');
    const patch = await as(w, 'ana')(`/v1/uploads/${uploadId}`, { method: 'PATCH', body, headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } });
    expect(patch.status).toBe(204);
    const before = w.stored().length;
    const commit = await as(w, 'ana')(`/v1/uploads/${uploadId}/commit`, { method: 'POST' });
    expect(commit.status).toBe(422);
    expect(await callRows(w)).toBe(4);
    expect(w.stored()).toHaveLength(before);
    // A bad id in the metadata is refused when the upload is created.
    expect((await as(w, 'ana')('/v1/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `callId ${Buffer.from('../x').toString('base64')}` } })).status).toBe(400);
  });

  it('never writes a token or a transcript to its logs', () => {
    expect(w.logs.length).toBeGreaterThan(20);
    const text = JSON.stringify(w.logs);
    for (const token of Object.values(w.tokens)) expect(text).not.toContain(token);
    expect(text).not.toContain('secret-transcript-words');
    expect(text).not.toContain('Slow down here');
    expect(w.logs.every((r) => typeof r.status === 'number' || r.level === 'error')).toBe(true);
  });

  if (backend === 'postgres') {
    it('serves one team consistently from two instances on one PostgreSQL', async () => {
      const second = await w.startInstance();
      const ids = await Promise.all([10, 11, 12, 13].map((i) => savedCall(lib, i)));
      const paths = await Promise.all(ids.map((id) => archiveOf(lib, id, tmp.dir)));
      // The same upload raced to both instances: one stores it, the other finds it unchanged.
      const results = await Promise.all(
        ids.flatMap((id, i) => [w.server, second].map((s) => as(w, 'ben', s)(`/v1/calls/${id}`, { method: 'PUT', body: readFileSync(paths[i]!) }).then((r) => r.status))),
      );
      for (let i = 0; i < ids.length; i++) expect([results[2 * i], results[2 * i + 1]].sort()).toEqual([200, 201]);
      const list = async (s: typeof second): Promise<string[]> => ((await (await as(w, 'rita', s)('/v1/calls?agent=ben')).json()) as { calls: { id: string }[] }).calls.map((c) => c.id).sort();
      expect(await list(second)).toEqual(await list(w.server));
      expect(await list(second)).toEqual(expect.arrayContaining(ids));
      const fb = await as(w, 'rita', second)(`/v1/calls/${ids[0]}/feedback`, { method: 'POST', body: JSON.stringify({ text: 'from the second instance' }) });
      expect(fb.status).toBe(201);
      const seen = (await (await as(w, 'ben')(`/v1/calls/${ids[0]}/feedback`)).json()) as { feedback: { text: string }[] };
      expect(seen.feedback.map((f) => f.text)).toEqual(['from the second instance']);
    });
  }
});

describe('sync server with an object store that refuses', () => {
  it('answers 503 naming the store, keeps no row and no object, and serves again once the store accepts', async () => {
    const w = await syncWorld('sqlite', {}, undefined, 's3');
    const wrong = await startSyncServer({ dataDir: w.dataDir, log: () => undefined, s3: { ...w.s3!, secretAccessKey: 'not-the-secret' } });
    try {
      const res = await as(w, 'ana', wrong)(`/v1/calls/${arch.ana2.id}`, { method: 'PUT', body: file('ana2') });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'storage_unavailable', message: expect.stringMatching(/^object store answered 403 SignatureDoesNotMatch to PUT /) });
      expect(w.s3!.requests.at(-1)).toMatchObject({ method: 'PUT', status: 403 });
      expect(await callRows(w)).toBe(0);
      expect(w.stored()).toEqual([]);
      // The client's retry against a correctly configured instance stores it once.
      expect((await put(w, 'ana', arch.ana2.id, file('ana2'))).status).toBe(201);
      expect(w.stored()).toHaveLength(1);
      expect([...w.s3!.objects.values()][0]!.equals(file('ana2'))).toBe(true);
      // A download through the misconfigured instance fails the same way, never with a partial body.
      expect((await as(w, 'ana', wrong)(`/v1/calls/${arch.ana2.id}/archive`)).status).toBe(503);

      // A resumable upload whose commit meets the refusing store keeps its bytes: the retried commit stores it once.
      const body = file('ana1');
      const tus = { 'tus-resumable': '1.0.0' };
      const create = await as(w, 'ana', wrong)('/v1/uploads', { method: 'POST', headers: { ...tus, 'upload-length': String(body.length), 'upload-metadata': `callId ${Buffer.from(arch.ana1.id).toString('base64')}` } });
      expect(create.status).toBe(201);
      const uploadId = create.headers.get('location')!.split('/').pop()!;
      expect((await as(w, 'ana', wrong)(`/v1/uploads/${uploadId}`, { method: 'PATCH', body: body as Uint8Array<ArrayBuffer>, headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } })).status).toBe(204);
      expect((await as(w, 'ana', wrong)(`/v1/uploads/${uploadId}/commit`, { method: 'POST' })).status).toBe(503);
      expect(await callRows(w)).toBe(1);
      expect(w.stored()).toHaveLength(1);
      const commit = await as(w, 'ana')(`/v1/uploads/${uploadId}/commit`, { method: 'POST' });
      expect(commit.status).toBe(201);
      const sha = createHash('sha256').update(body).digest('hex');
      expect(await commit.json()).toEqual({ id: arch.ana1.id, sha256: sha, outcome: 'stored' });
      expect(w.s3!.objects.get(`${arch.ana1.id}.${sha}.cadence`)?.equals(body)).toBe(true);
      expect((await as(w, 'ana')(`/v1/uploads/${uploadId}`, { method: 'HEAD', headers: tus })).status).toBe(404);
      expect(await callRows(w)).toBe(2);
      expect(w.stored()).toHaveLength(2);
    } finally {
      await wrong.close();
      await w.close();
    }
  }, 60_000);

  it('answers 503 when the object store is down, and stores nothing', async () => {
    const w = await syncWorld('sqlite', {}, undefined, 's3');
    await w.s3!.close();
    try {
      const res = await put(w, 'ana', arch.ana2.id, file('ana2'));
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('storage_unavailable');
      expect(error.message).toMatch(/^object store PUT \S+: .*ECONNREFUSED/);
      expect(error.message).not.toContain('\n');
      expect(await callRows(w)).toBe(0);
      expect(w.stored()).toEqual([]);
      expect(w.logs.some((l) => l.level === 'error' && String(l.message).startsWith('object store PUT'))).toBe(true);
    } finally {
      await w.close();
    }
  }, 60_000);
});

describe('cadence sync-server with S3 settings', () => {
  it('keeps archives in the store named by flags and environment, and refuses half a configuration in one line', async () => {
    const s3 = await startS3StandIn();
    const dataDir = join(tmp.dir, 'cli-s3');
    const tokens = await seed(dataDir, undefined);
    const env = { ...process.env, DATABASE_URL: '', S3_ENDPOINT: '', S3_BUCKET: s3.bucket, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const child = spawn(process.execPath, ['bin/cadence.mjs', 'sync-server', '--data', dataDir, '--port', '0', '--s3-endpoint', s3.endpoint, '--s3-region', s3.region], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const listening = await new Promise<{ url: string; archives: string }>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.includes('"listening"'));
          if (line) resolve(JSON.parse(line) as { url: string; archives: string });
        });
        child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
      expect(listening.archives).toBe(`${s3.endpoint} bucket ${s3.bucket}`);
      const auth = { authorization: `Bearer ${tokens.ana}` };
      const body = file('ana2');
      const id = arch.ana2.id;
      expect((await fetch(`${listening.url}/v1/calls/${id}`, { method: 'PUT', body: body as Uint8Array<ArrayBuffer>, headers: auth })).status).toBe(201);
      const key = `${id}.${createHash('sha256').update(body).digest('hex')}.cadence`;
      expect([...s3.objects.keys()]).toEqual([key]);
      expect(s3.objects.get(key)!.equals(body)).toBe(true);
      expect(existsSync(join(dataDir, 'archives'))).toBe(false);
      const back = await fetch(`${listening.url}/v1/calls/${id}/archive`, { headers: auth });
      expect(back.status).toBe(200);
      expect(Buffer.from(await back.arrayBuffer()).equals(body)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await s3.close();
    }
    expect(readdirSync(join(dataDir, 'incoming'))).toEqual([]);
    // An endpoint without a bucket is a mistake to name, not a silent fallback to disk.
    const half = spawnSync(process.execPath, ['bin/cadence.mjs', 'sync-server', '--data', dataDir, '--port', '0', '--s3-endpoint', s3.endpoint], { env: { ...env, S3_BUCKET: '' }, encoding: 'utf8', timeout: 30_000 });
    expect(half.status).not.toBe(0);
    expect(half.stderr.trim().split('\n')).toEqual([expect.stringMatching(/S3 storage needs both an endpoint and a bucket.*the bucket is missing/)]);
    expect(half.stdout).not.toContain('listening');
  }, 60_000);
});

describe('sync server Twilio tokens', () => {
  it('mints a softphone token for agents and leads when configured, 404 without credentials, 403 for an admin', async () => {
    const creds = { accountSid: 'AC' + '1'.repeat(32), apiKeySid: 'SK' + '2'.repeat(32), apiKeySecret: 's3cret', twimlAppSid: 'AP' + '3'.repeat(32) };
    const w = await syncWorld('sqlite', {}, creds);
    try {
      const res = await as(w, 'ana')('/v1/twilio/token');
      expect(res.status).toBe(200);
      const claims = verifyJwt(((await res.json()) as { token: string }).token, 's3cret') as { grants: { identity: string; voice: { outgoing: { application_sid: string } } } } | null;
      expect(claims?.grants.identity).toBe('ana');
      expect(claims?.grants.voice.outgoing.application_sid).toBe(creds.twimlAppSid);
      expect((await as(w, 'root')('/v1/twilio/token')).status).toBe(403);
      expect((await fetch(`${w.server.url}/v1/twilio/token`)).status).toBe(401);
    } finally {
      await w.close();
    }
    const plain = await syncWorld('sqlite');
    try {
      expect((await as(plain, 'ana')('/v1/twilio/token')).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe.each(BACKENDS)('sync server limits on %s', (backend) => {
  it('refuses an oversized body with 413 and counts requests per token across the window', async () => {
    const w = await syncWorld(backend, { maxBodyBytes: 2048, requestsPerMinute: 8 });
    try {
      const big = file('ana1');
      expect(big.length).toBeGreaterThan(2048);
      const res = await put(w, 'ana', arch.ana1.id, big);
      expect(res.status).toBe(413);
      // Without a declared length the body is cut off as it streams.
      const streamed = await as(w, 'ben')(`/v1/calls/${arch.ana1.id}`, {
        method: 'PUT',
        body: new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(big)), c.close()) }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(await callRows(w)).toBe(0);
      expect(w.stored()).toEqual([]);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await as(w, 'al')('/v1/me')).status);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(6);
      const limited = await as(w, 'al')('/v1/me');
      // Eight allowed a minute; a window that turned over mid-loop allows a few more, never all.
      const more: number[] = [limited.status];
      for (let i = 0; i < 8; i++) more.push((await as(w, 'al')('/v1/me')).status);
      expect(more).toContain(429);
      expect(((await (await as(w, 'al')('/v1/me')).json()) as { error?: { code: string } }).error?.code ?? 'rate_limited').toBe('rate_limited');
      // Another token is not limited by al's requests.
      expect((await as(w, 'lou')('/v1/me')).status).toBe(200);
    } finally {
      await w.close();
    }
  }, 60_000);
});
