/**
 * The browser host (`cadence ui`) under hostile input: malformed WebSocket frames sent raw close only
 * their own connection; other hosts and origins are refused on every route; export file names built
 * from call ids stay inside their folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CadenceApp } from '../../../src/app/app';
import type { BrowserHost } from '../../../src/app/browser-host';
import { WS_MAX_MESSAGE_BYTES } from '../../../src/shared/rpc';
import { fakeReport, tempDir } from '../library/helpers';
import { startStubHost } from './stub-host';
import { safeBaseName } from '../../../src/shared/file-names';
import { frame, MALFORMED, rawUpgrade } from '../../fixtures/raw-websocket';

describe('browser host hardening', () => {
  const tmp = tempDir();
  let app: CadenceApp;
  let host: BrowserHost;
  let origin: string;

  beforeAll(async () => {
    ({ app, host } = await startStubHost(tmp.dir));
    origin = `http://127.0.0.1:${host.port}`;
  });
  afterAll(async () => {
    await host.close();
    await app.close();
    tmp.cleanup();
  });

  async function rpcClient(): Promise<{ ws: WebSocket; call(id: number, method: string, input: unknown): Promise<unknown> }> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, { origin, maxPayload: 64 << 20 });
    const results = new Map<number, unknown>();
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; id?: number; result?: unknown };
      if (m.type === 'result') results.set(m.id!, m.result);
    });
    await new Promise((ok) => ws.once('open', ok));
    return {
      ws,
      async call(id, method, input) {
        ws.send(JSON.stringify({ type: 'call', id, method, input }));
        await expect.poll(() => results.has(id), { timeout: 10_000 }).toBe(true);
        return results.get(id);
      },
    };
  }

  it('closes a connection that sends a malformed frame with the right code; other windows keep working', async () => {
    const good = await rpcClient();
    for (const bad of MALFORMED) {
      const conn = await rawUpgrade(`ws://127.0.0.1:${host.port}/rpc`, { Origin: origin });
      expect(conn.status, bad.name).toBe(101);
      conn.send(bad.bytes);
      expect(await conn.closed, bad.name).toBe(bad.code);
      conn.socket.destroy();
    }
    expect(await good.call(1, 'app.info', null)).toMatchObject({ ok: true });
    good.ws.close();
  });

  it('answers a large playbook.validate with an error value, and closes (1009) only past the message limit', async () => {
    const c = await rpcClient();
    const large = await c.call(2, 'playbook.validate', { text: 'x'.repeat(6_000_000) });
    expect(large).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    const closed = new Promise<number>((ok) => c.ws.once('close', (code) => ok(code)));
    c.ws.send(JSON.stringify({ type: 'call', id: 3, method: 'playbook.validate', input: { text: 'x'.repeat(WS_MAX_MESSAGE_BYTES) } }));
    expect(await closed).toBe(1009);
    const again = await rpcClient();
    expect(await again.call(4, 'app.info', null)).toMatchObject({ ok: true });
    again.ws.close();
  });

  it('keeps going after a frame with a lying length on a raw socket', async () => {
    const conn = await rawUpgrade(`ws://127.0.0.1:${host.port}/rpc`, { Origin: origin });
    conn.send(frame('{"type":"call"', { announcedLength: 1 << 30 }));
    expect(await conn.closed).toBe(1009);
    conn.socket.destroy();
    expect((await fetch(host.url)).status).toBe(200);
  });

  function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    return new Promise((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', fail);
      req.end();
    });
  }

  it('answers only requests for its own host and from its own origin, on every route', async () => {
    const id = await app.library.calls.save({ startedAt: Date.UTC(2026, 0, 5), source: 'file', title: 'guarded' }, fakeReport(10));
    for (const path of ['/', '/index.html', `/media/${id}`, `/export/${id}`]) {
      expect((await get(path, { host: `evil.example:${host.port}` })).status, path).toBe(421);
      expect((await get(path, { host: 'evil.example' })).status, path).toBe(421);
      expect((await get(path, { origin: 'http://evil.example' })).status, path).toBe(403);
      expect((await get(path, { 'sec-fetch-site': 'cross-site' })).status, path).toBe(403);
      expect((await get(path, { 'sec-fetch-site': 'same-site' })).status, path).toBe(403);
    }
    expect((await get('/')).status).toBe(200);
    expect((await get('/', { host: `localhost:${host.port}`, 'sec-fetch-site': 'none' })).status).toBe(200);
    expect((await get(`/export/${id}`, { origin, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // The /rpc upgrade: right origin but another Host is refused.
    const rebound = await rawUpgrade(`ws://127.0.0.1:${host.port}/rpc`, { Host: `evil.example:${host.port}`, Origin: origin });
    expect(rebound.status).not.toBe(101);
    rebound.socket.destroy();
    const noOrigin = await rawUpgrade(`ws://127.0.0.1:${host.port}/rpc`);
    expect(noOrigin.status).not.toBe(101);
    noOrigin.socket.destroy();
  });

  it('names an export after a sanitised call id, never a path outside its folder', async () => {
    expect(safeBaseName('../../../x')).toBe('x');
    expect(safeBaseName('..')).toBe('call');
    expect(safeBaseName('a/b\\c d.e')).toBe('a_b_c_d_e');
    const evil = '../../../harden-escape';
    let saved: string | null = null;
    try {
      saved = await app.library.calls.save({ id: evil, startedAt: Date.UTC(2026, 0, 6), source: 'file', title: 'evil' }, fakeReport(5));
    } catch {
      // A library that refuses such ids already is fine too; the name below is still checked.
    }
    if (saved !== null) {
      const res = await get(`/export/${encodeURIComponent(saved)}`);
      expect(res.status).toBe(200);
      expect(String(res.headers['content-disposition'])).toBe('attachment; filename="harden-escape.cadence"');
      expect(res.body.subarray(0, 2).toString('latin1')).toBe('PK');
    }
    expect(existsSync(join(tmpdir(), '..', 'harden-escape.cadence'))).toBe(false);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('harden-escape'))).toEqual([]);
  });
});
