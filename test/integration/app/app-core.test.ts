/**
 * The Electron-free app under Node: the RPC dispatch (errors as values, inputs checked), the browser
 * host's guards (same-origin WebSocket, Range for media), and the pure shell policies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CadenceApp } from '../../../src/app/app';
import type { BrowserHost } from '../../../src/app/browser-host';
import { dispatch } from '../../../src/app/handlers';
import { overlayBoundsFor, rememberBounds } from '../../../src/app/overlay-bounds';
import { allowInstallOnQuit, feedFor, updateAction } from '../../../src/app/update-policy';
import { RPC_EVENTS, RPC_METHODS } from '../../../src/shared/rpc';
import { fakeReport, tempDir } from '../library/helpers';
import { startStubHost } from './stub-host';

describe('app services and browser host', () => {
  const tmp = tempDir();
  let app: CadenceApp;
  let host: BrowserHost;

  beforeAll(async () => {
    ({ app, host } = await startStubHost(tmp.dir));
  });
  afterAll(async () => {
    await host.close();
    await app.close();
    tmp.cleanup();
  });

  it('names every method and event once', () => {
    expect(new Set(RPC_METHODS).size).toBe(RPC_METHODS.length);
    expect(new Set(RPC_EVENTS).size).toBe(RPC_EVENTS.length);
    for (const m of RPC_METHODS) expect(typeof app.handlers[m]).toBe('function');
  });

  it('returns results and errors as values', async () => {
    expect(await dispatch(app.handlers, 'calls.list', {})).toEqual({ ok: true, value: { items: [], total: 0 } });
    expect(await dispatch(app.handlers, 'nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await dispatch(app.handlers, 'calls.get', { id: 42 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await dispatch(app.handlers, 'calls.get', { id: 'missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatch(app.handlers, 'settings.set', { retentionDays: -1 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    const set = await dispatch(app.handlers, 'settings.set', { retentionDays: 30, shortcuts: { markMoment: 'F9' } });
    expect(set).toMatchObject({ ok: true, value: { retentionDays: 30, shortcuts: { markMoment: 'F9', toggleOverlay: 'CommandOrControl+Alt+O' } } });
    const check = await dispatch(app.handlers, 'playbook.validate', { text: '{"version":1,"name":"x","rules":[{"id":"Bad Id"}]}' });
    expect(check.ok && (check.value as { problems: { path: string }[] }).problems.map((p) => p.path)).toContain('rules[0].id');
  });

  it('speaks the contract over its WebSocket and refuses other origins', async () => {
    const url = `ws://127.0.0.1:${host.port}/rpc`;
    const ws = new WebSocket(url, { origin: `http://127.0.0.1:${host.port}` });
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    await new Promise((ok) => ws.once('open', ok));
    ws.send(JSON.stringify({ type: 'call', id: 7, method: 'app.info', input: null }));
    await expect.poll(() => messages.find((m) => (m as { id?: number }).id === 7)).toMatchObject({ type: 'result', result: { ok: true, value: { shell: 'browser', calls: 0 } } });
    ws.close();

    const evil = new WebSocket(url, { origin: 'http://evil.example' });
    const refused = await new Promise<boolean>((ok) => {
      evil.once('open', () => ok(false));
      evil.once('error', () => ok(true));
    });
    expect(refused).toBe(true);
  });

  it('serves the app shell for client routes and refuses paths outside it', async () => {
    const res = await fetch(`${host.url}review/anything`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>t</title>');
    const media = await fetch(`${host.url}media/none`);
    expect(media.status).toBe(404);
  });

  it('exports a call as a .cadence download', async () => {
    const id = await app.library.calls.save({ startedAt: Date.UTC(2026, 0, 5), source: 'file', title: 'exported' }, fakeReport(20));
    const out = await dispatch(app.handlers, 'calls.export', { id });
    expect(out).toEqual({ ok: true, value: { downloadUrl: `/export/${id}`, path: null } });
    const res = await fetch(new URL(`/export/${id}`, host.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('.cadence');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe('PK');
    expect(await dispatch(app.handlers, 'calls.export', { id: 'missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('lists calls by agent and by status through the contract, and refuses a status that does not exist', async () => {
    const at = Date.UTC(2026, 1, 1);
    const ana = await app.library.calls.save({ startedAt: at, source: 'device', title: 'ana live', agent: 'ana-list', status: 'completed' }, fakeReport(20));
    const ana2 = await app.library.calls.save({ startedAt: at + 1000, source: 'import', title: 'ana imported', agent: 'ana-list', status: 'imported' }, fakeReport(20));
    const bo = await app.library.calls.save({ startedAt: at + 2000, source: 'import', title: 'bo imported', agent: 'bo-list', status: 'imported' }, fakeReport(20));
    const ids = (r: Awaited<ReturnType<typeof dispatch>>): string[] => (r.ok ? (r.value as { items: { id: string }[] }).items.map((i) => i.id).sort() : [`error: ${r.error.message}`]);
    expect(ids(await dispatch(app.handlers, 'calls.list', { agent: 'ana-list' }))).toEqual([ana, ana2].sort());
    expect(ids(await dispatch(app.handlers, 'calls.list', { status: 'imported' }))).toEqual([ana2, bo].sort());
    expect(ids(await dispatch(app.handlers, 'calls.list', { agent: 'ana-list', status: 'completed' }))).toEqual([ana]);
    expect(await dispatch(app.handlers, 'calls.list', { status: 'lost' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await dispatch(app.handlers, 'calls.list', { agent: 'ana-list', colour: 'red' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});

describe('shell policies', () => {
  it('never installs an update during a call', () => {
    expect(updateAction({ downloaded: false, inCall: false })).toBe('none');
    expect(updateAction({ downloaded: true, inCall: true })).toBe('wait-for-call-end');
    expect(updateAction({ downloaded: true, inCall: false })).toBe('install-on-quit');
    expect(allowInstallOnQuit({ downloaded: true, inCall: true })).toBe(false);
    expect(allowInstallOnQuit({ downloaded: true, inCall: false })).toBe(true);
    expect(feedFor('')).toBeNull();
    expect(feedFor(' https://updates.example/cadence ')).toEqual({ provider: 'generic', url: 'https://updates.example/cadence' });
  });

  it('remembers the overlay per display and restores it only where it fits', () => {
    const display = { id: 7, workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
    const fresh = overlayBoundsFor(display, {});
    expect(fresh.x + fresh.width).toBeLessThanOrEqual(1920);
    const saved = rememberBounds({}, 7, { x: 100.4, y: 200, width: 380, height: 500 });
    expect(overlayBoundsFor(display, saved)).toEqual({ x: 100, y: 200, width: 380, height: 500 });
    // The same bounds on a smaller display (or off-screen) fall back to the corner.
    expect(overlayBoundsFor({ id: 7, workArea: { x: 0, y: 0, width: 400, height: 400 } }, saved).x).toBeGreaterThanOrEqual(0);
    expect(overlayBoundsFor({ id: 8, workArea: display.workArea }, saved)).toEqual(fresh);
  });
});
