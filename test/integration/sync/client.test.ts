/**
 * The desktop side of sync against a real server: `cadence sync` login/push/pull/status/hold, the
 * outbox across failures and restarts (nothing lost, nothing doubled), a lead's pull marking each call
 * with its agent, feedback coming back, and a resumable upload that survives the server being killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCipher } from '../../../src/app/secrets';
import { run } from '../../../src/cli/main';
import { exportCall } from '../../../src/library/archive';
import { openLibrary, type Library } from '../../../src/library/library';
import { login } from '../../../src/sync/client/config';
import { SyncClient } from '../../../src/sync/client/http';
import { backoffMs, outboxDir, push } from '../../../src/sync/client/sync';
import { recordedCall, savedCall, seed, stopSharedPostgres, syncWorld, type SyncWorld } from '../../helpers/sync';
import { tempDir } from '../library/helpers';

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let tmp: ReturnType<typeof tempDir>;
let w: SyncWorld;
beforeEach(async () => {
  tmp = tempDir('cadence-sync-client-');
  w = await syncWorld('sqlite');
});
afterEach(async () => {
  await w.close();
  tmp.cleanup();
});
afterAll(() => stopSharedPostgres());

const serverCalls = async (user = 'root'): Promise<string[]> => ((await (await fetch(`${w.server.url}/v1/calls?limit=500`, { headers: { authorization: `Bearer ${w.tokens[user as 'root']}` } })).json()) as { calls: { id: string }[] }).calls.map((c) => c.id).sort();

describe('cadence sync', () => {
  it('logs in (checking the token), pushes all but held calls once, and a lead pulls them marked with their agent; feedback comes back', async () => {
    const agentDb = join(tmp.dir, 'agent', 'library.sqlite');
    const leadDb = join(tmp.dir, 'lead', 'library.sqlite');
    const seedLib = await openLibrary(agentDb);
    const [c1, c2, c3] = [await savedCall(seedLib, 1), await savedCall(seedLib, 2), await recordedCall(seedLib, 3)];
    await seedLib.close();

    const bad = await cli('sync', 'login', '--server', w.server.url, '--token', 'cad_notatokennotatokennotatoken', '--db', agentDb);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toHaveLength(1);
    expect(bad.err[0]).toMatch(/unknown or revoked token/);
    const ok = await cli('sync', 'login', '--server', w.server.url, '--token', w.tokens.ana, '--db', agentDb, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out[0]!)).toEqual({ url: w.server.url, user: 'ana', role: 'agent', team: 'red' });

    expect((await cli('sync', 'hold', c2, '--db', agentDb)).code).toBe(0);
    const pushed = await cli('sync', 'push', '--db', agentDb, '--json');
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.out[0]!).sent.sort()).toEqual([c1, c3].sort());
    expect(await serverCalls()).toEqual([c1, c3].sort());
    // Again: nothing is due, nothing doubled.
    expect(JSON.parse((await cli('sync', 'push', '--db', agentDb, '--json')).out[0]!)).toEqual({ sent: [], unchanged: [], failed: [] });
    const status = JSON.parse((await cli('sync', 'status', '--db', agentDb, '--json')).out[0]!) as { outbox: Record<string, number> };
    expect(status.outbox).toEqual({ pending: 0, sent: 2, held: 1, failed: 0 });
    // The token is stored encrypted: its text is nowhere in the library file.
    const probe = await openLibrary(agentDb);
    expect(JSON.stringify(await probe.settings.get('sync.token'))).not.toContain(w.tokens.ana);
    await probe.close();

    expect((await cli('sync', 'login', '--server', w.server.url, '--token', w.tokens.rita, '--db', leadDb)).code).toBe(0);
    const pulled = await cli('sync', 'pull', '--db', leadDb, '--json');
    expect(pulled.code).toBe(0);
    expect(JSON.parse(pulled.out[0]!).imported.sort()).toEqual([c1, c3].sort());
    const lead = await openLibrary(leadDb);
    try {
      expect((await lead.calls.list({ agent: 'ana' })).items.map((i) => i.id).sort()).toEqual([c1, c3].sort());
      const rec = await lead.calls.get(c3);
      expect(rec?.recording?.sizeBytes).toBeGreaterThan(0);
      // Pulled calls are the agent's, not the lead's: they never enter the lead's outbox.
      expect(await lead.sync.enqueueFinished()).toBe(0);
    } finally {
      await lead.close();
    }
    // A second pull imports nothing again.
    expect(JSON.parse((await cli('sync', 'pull', '--db', leadDb, '--json')).out[0]!).imported).toEqual([]);

    await new SyncClient(w.server.url, w.tokens.rita).addFeedback(c1, { atMs: 4000, text: 'Good opening', rubric: { empathy: 90 } });
    expect(JSON.parse((await cli('sync', 'pull', '--db', agentDb, '--json')).out[0]!).feedback).toBe(1);
    const agent = await openLibrary(agentDb);
    try {
      expect(await agent.sync.feedback(c1)).toEqual([expect.objectContaining({ author: 'rita', atMs: 4000, text: 'Good opening', rubric: { empathy: 90 } })]);
    } finally {
      await agent.close();
    }
  }, 90_000);

  it('refuses to push before login with one line', async () => {
    const r = await cli('sync', 'push', '--db', join(tmp.dir, 'x.sqlite'));
    expect(r.code).not.toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^cadence sync: sync is not set up.*sync login/)]);
  });
});

describe('cadence sync-admin', () => {
  it('creates teams and users, issues a token shown once (hashed at rest), lists and revokes', async () => {
    const data = join(tmp.dir, 'admin');
    expect((await cli('sync-admin', '--data', data, 'create-team', 'green')).code).toBe(0);
    expect((await cli('sync-admin', '--data', data, 'create-team', 'green')).err[0]).toMatch(/already exists/);
    expect((await cli('sync-admin', '--data', data, 'add-user', '--team', 'green', '--name', 'gil', '--role', 'lead')).code).toBe(0);
    const bad = await cli('sync-admin', '--data', data, 'add-user', '--team', 'green', '--name', 'x', '--role', 'boss');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toEqual([expect.stringMatching(/--role must be agent, lead or admin/)]);
    const issued = await cli('sync-admin', '--data', data, '--json', 'issue-token', 'gil');
    const { token } = JSON.parse(issued.out[0]!) as { token: string };
    expect(token).toMatch(/^cad_[A-Za-z0-9_-]{40,}$/);
    expect(readFileSync(join(data, 'sync.sqlite')).includes(Buffer.from(token))).toBe(false);
    const listed = JSON.parse((await cli('sync-admin', '--data', data, '--json', 'list')).out[0]!) as { teams: { name: string; users: { name: string; role: string; tokens: number }[] }[] };
    expect(listed.teams).toEqual([{ name: 'green', users: [{ name: 'gil', role: 'lead', tokens: 1 }] }]);
    expect(JSON.parse((await cli('sync-admin', '--data', data, '--json', 'revoke-token', 'gil')).out[0]!)).toEqual({ revoked: 1 });
    expect((await cli('sync-admin', '--data', data, 'issue-token', 'nobody')).err[0]).toMatch(/no user named nobody/);
  });
});

describe('outbox', () => {
  let lib: Library;
  beforeEach(async () => {
    lib = await openLibrary(join(tmp.dir, 'lib', 'library.sqlite'));
  });
  afterEach(async () => {
    await lib.close();
  });

  it('keeps calls through an offline period with backoff, then sends each once', async () => {
    const ids = [await savedCall(lib, 1), await savedCall(lib, 2)];
    const offline = new SyncClient('http://127.0.0.1:9', w.tokens.ana);
    const t0 = Date.now();
    const r1 = await push(lib, offline, { now: () => t0 });
    expect(r1.failed).toHaveLength(1); // offline: the rest wait their turn untried
    expect(r1.failed[0]!.retryAt! - t0).toBeGreaterThanOrEqual(24_000);
    expect(await lib.sync.counts()).toEqual({ pending: 2, sent: 0, held: 0, failed: 0 });
    const online = new SyncClient(w.server.url, w.tokens.ana);
    // Before the backoff ends the failed call waits; the untried one goes.
    const r2 = await push(lib, online, { now: () => t0 + 1000 });
    expect(r2.sent).toHaveLength(1);
    const r3 = await push(lib, online, { now: () => t0 + 3_600_000 });
    expect([...r2.sent, ...r3.sent].sort()).toEqual(ids.sort());
    expect(await serverCalls()).toEqual(ids.sort());
    expect(backoffMs(1, () => 0.5)).toBe(30_000);
    expect(backoffMs(20, () => 0.5)).toBe(3_600_000);
  });

  it('a call deleted while it waits to be sent leaves no archive behind in the outbox folder', async () => {
    const id = await savedCall(lib, 1);
    const t0 = Date.now();
    // Offline: the call is exported into the outbox folder and waits there.
    await push(lib, new SyncClient('http://127.0.0.1:9', w.tokens.ana), { now: () => t0 });
    const dir = outboxDir(lib);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(await lib.calls.delete(id)).toBe(true);
    // A round soon after leaves young files alone (another round may be about to record one)…
    await push(lib, new SyncClient(w.server.url, w.tokens.ana), { now: () => Date.now() });
    expect(readdirSync(dir)).toHaveLength(1);
    // …and one later removes the orphan; nothing was sent.
    const r = await push(lib, new SyncClient(w.server.url, w.tokens.ana), { now: () => Date.now() + 3_600_000 });
    expect(r).toEqual({ sent: [], unchanged: [], failed: [] });
    expect(readdirSync(dir)).toEqual([]);
    expect(await serverCalls()).toEqual([]);
  });

  it('resends the same bytes after a crash between the server’s acknowledgement and the outbox’s: no duplicate', async () => {
    const id = await savedCall(lib, 1);
    await lib.sync.enqueueFinished();
    // What a process that died right after the upload left behind: the recorded archive, the call still pending.
    const path = join(tmp.dir, 'kept.cadence');
    await exportCall(lib, id, path);
    await lib.sync.setArchive(id, path, createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect((await new SyncClient(w.server.url, w.tokens.ana).upload(id, path)).outcome).toBe('stored');
    const r = await push(lib, new SyncClient(w.server.url, w.tokens.ana));
    expect(r).toEqual({ sent: [], unchanged: [id], failed: [] });
    expect(await serverCalls()).toEqual([id]);
    expect((await lib.sync.get(id))?.state).toBe('sent');
  });

  it('parks a call the server refuses (not retried) and a revoked token fails with 401', async () => {
    const id = await savedCall(lib, 1);
    const r = await push(lib, new SyncClient(w.server.url, w.tokens.root));
    expect(r.failed).toEqual([expect.objectContaining({ callId: id, retryAt: null, error: expect.stringMatching(/may not upload/) })]);
    expect((await lib.sync.counts()).failed).toBe(1);
    expect(await lib.sync.retryFailed()).toBe(1);
    await expect(login(lib, fileCipher(tmp.dir), w.server.url, 'cad_revokedrevokedrevokedrevoked')).rejects.toThrow(/unknown or revoked token/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('resumable upload', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  async function startChild(dataDir: string, port: number): Promise<ChildProcess> {
    const p = spawn(process.execPath, ['bin/cadence.mjs', 'sync-server', '--data', dataDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (process.env.SYNC_DEBUG) process.stderr.write(d);
        if (out.includes('"listening"')) resolve();
      });
      p.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    return p;
  }

  it('survives the server being killed mid-upload: resumes from where it was, stores the call once', async () => {
    const dataDir = join(tmp.dir, 'server');
    const tokens = await seed(dataDir, undefined);
    const port = await freePort();
    child = await startChild(dataDir, port);
    const lib = await openLibrary(join(tmp.dir, 'lib', 'library.sqlite'));
    try {
      const id = await recordedCall(lib, 40);
      const client = new SyncClient(`http://127.0.0.1:${port}`, tokens.ana);
      const upload = { directMax: 0, chunkSize: 16 * 1024 };
      let killedAt = 0;
      const t0 = Date.now();
      const r1 = await push(lib, client, {
        now: () => t0,
        upload,
        onProgress: (p) => {
          if (killedAt === 0 && p.sent >= p.total / 3) {
            killedAt = p.sent;
            child!.kill('SIGKILL');
          }
        },
      });
      expect(killedAt).toBeGreaterThan(0);
      expect(r1.failed).toHaveLength(1);
      const item = await lib.sync.get(id);
      expect(item?.uploadUrl).toMatch(/\/v1\/uploads\//);
      expect(item?.state).toBe('pending');

      child = await startChild(dataDir, port);
      let firstReport = -1;
      const r2 = await push(lib, client, { now: () => t0 + 3_600_000, upload, onProgress: (p) => (firstReport = firstReport < 0 ? p.sent : firstReport) });
      expect(r2.sent).toEqual([id]);
      // Resumed: the first progress after the restart is already past the start.
      expect(firstReport).toBeGreaterThanOrEqual(16 * 1024);
      const list = (await (await fetch(`http://127.0.0.1:${port}/v1/calls`, { headers: { authorization: `Bearer ${tokens.ana}` } })).json()) as { calls: { id: string }[] };
      expect(list.calls.map((c) => c.id)).toEqual([id]);
      expect(readdirSync(join(dataDir, 'archives'))).toHaveLength(1);
    } finally {
      await lib.close();
    }
  }, 120_000);
});

