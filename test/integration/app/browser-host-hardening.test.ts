/**
 * The browser host (`cadence ui`) under hostile input: malformed WebSocket frames sent raw close only
 * their own connection; other hosts and origins are refused on every route; export file names built
 * from call ids stay inside their folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, type CadenceApp } from '../../../src/app/app';
import { exportAsDownload, mediaPath, startBrowserHost, type BrowserHost } from '../../../src/app/browser-host';
import { WS_MAX_MESSAGE_BYTES } from '../../../src/shared/rpc';
import { tempDir } from '../library/helpers';
import { frame, MALFORMED, rawUpgrade } from '../../fixtures/raw-websocket';

describe('browser host hardening', () => {
  const tmp = tempDir();
  let app: CadenceApp;
  let host: BrowserHost;
  let origin: string;

  beforeAll(async () => {
    app = await createApp({ dbPath: join(tmp.dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
    const renderer = join(tmp.dir, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
    host = await startBrowserHost({ app, rendererDir: renderer, port: 0 });
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
});
