import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Library } from '../../../src/library/library';
import { dataDir, defaultDbPath } from '../../../src/library/paths';
import { fakeReport, useFreshLibrary } from './helpers';

let lib: Library;
useFreshLibrary((_tmp, l) => {
  lib = l;
});

describe('library', () => {
  it('opens with WAL, foreign keys and a busy timeout', () => {
    expect(lib.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(lib.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(lib.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('stores a whole report and reads back exactly what it stored', async () => {
    const report = fakeReport(90, ['pace-fast', 'monologue']);
    const id = await lib.calls.save(
      { startedAt: Date.UTC(2026, 0, 5, 10), source: 'file', title: 'Renewal call', agent: 'ana', tags: ['renewal', ' vip ', 'renewal'], notes: 'asked about pricing' },
      report,
      { transcript: [{ channel: 'customer', text: 'the invoice was wrong', startMs: 4500, endMs: 6000, confidence: 0.9, final: true }] },
    );
    const call = await lib.calls.get(id);
    expect(call).toBeDefined();
    expect(call!.meta).toMatchObject({ id, source: 'file', status: 'completed', title: 'Renewal call', agent: 'ana', tags: ['renewal', 'vip'], durationMs: 90_000 });
    expect(call!.report).toEqual(report);
    expect(call!.summaryComplete).toBe(true);
    expect(call!.transcript).toEqual([{ channel: 'customer', text: 'the invoice was wrong', startMs: 4500, endMs: 6000, confidence: 0.9, final: true }]);
    expect(await lib.calls.get('nope')).toBeUndefined();
  });

  it('stores the timeline compactly (one row per minute)', async () => {
    const id = await lib.calls.save({ startedAt: 0, source: 'file' }, fakeReport(3600));
    const rows = lib.sqlite.prepare('SELECT count(*) AS n, sum(length(data)) AS bytes FROM timeline_chunks WHERE call_id = ?').get(id) as { n: number; bytes: number };
    expect(rows.n).toBe(60);
    expect(rows.bytes / 3600).toBeLessThan(80);
  });

  it('is all-or-nothing: a failing part leaves no call behind', async () => {
    const bad = { ...fakeReport(10), nudges: [{ ...fakeReport(10).nudges[0]!, severity: 'loud' as never }] };
    await expect(lib.calls.save({ startedAt: 0, source: 'file', title: 'bad' }, bad)).rejects.toThrow();
    expect((await lib.calls.list()).total).toBe(0);
    expect(lib.sqlite.prepare('SELECT count(*) AS n FROM timeline_chunks').get()).toEqual({ n: 0 });
  });

  it('lists newest first with filters, pagination and highlighted snippets', async () => {
    const day = (d: number): number => Date.UTC(2026, 0, d, 12);
    const a = await lib.calls.save({ startedAt: day(1), source: 'file', title: 'Pricing question', agent: 'ana', tags: ['sales'], score: 80 }, fakeReport(30, ['talk-ratio']));
    const b = await lib.calls.save({ startedAt: day(2), source: 'device', title: 'Support', agent: 'bo', notes: 'customer angry about the refund', score: 40 }, fakeReport(30, ['pace-fast']));
    const c = await lib.calls.save({ startedAt: day(3), source: 'softphone', title: 'Refund follow-up', agent: 'ana', tags: ['sales', 'refund'], score: 65 }, fakeReport(30, []));
    expect((await lib.calls.list()).items.map((i) => i.id)).toEqual([c, b, a]);
    expect((await lib.calls.list({ agent: 'ana' })).items.map((i) => i.id)).toEqual([c, a]);
    expect((await lib.calls.list({ from: day(2), to: day(3) })).items.map((i) => i.id)).toEqual([b]);
    expect((await lib.calls.list({ ruleId: 'pace-fast' })).items.map((i) => i.id)).toEqual([b]);
    expect((await lib.calls.list({ minScore: 50, maxScore: 70 })).items.map((i) => i.id)).toEqual([c]);
    expect((await lib.calls.list({ tag: 'sales' })).items.map((i) => i.id)).toEqual([c, a]);
    expect((await lib.calls.list({ status: 'completed', limit: 1, offset: 1 })).items.map((i) => i.id)).toEqual([b]);
    expect((await lib.calls.list({ limit: 1 })).total).toBe(3);
    const found = await lib.calls.list({ search: 'refund' });
    expect(found.items.map((i) => i.id)).toEqual([c, b]);
    expect(found.items[0]!.snippet).toContain('«Refund»');
    expect(found.items[1]!.snippet).toContain('«refund»');
    expect((await lib.calls.list({ search: 'refu' })).total).toBe(2); // last word is a prefix
    expect((await lib.calls.list({ search: '"unbalanced AND (' })).total).toBe(0); // never an FTS syntax error
    expect((await lib.calls.list({ search: 'refund', agent: 'bo' })).items.map((i) => i.id)).toEqual([b]);
  });

  it('updates title, notes and tags and keeps the search index in step', async () => {
    const id = await lib.calls.save({ startedAt: 0, source: 'file', title: 'old' }, fakeReport(5));
    await lib.calls.update(id, { title: 'Quarterly renewal', notes: 'escalate to billing', tags: ['q1'] });
    const call = await lib.calls.get(id);
    expect(call!.meta).toMatchObject({ title: 'Quarterly renewal', notes: 'escalate to billing', tags: ['q1'] });
    expect((await lib.calls.list({ search: 'billing' })).total).toBe(1);
    expect((await lib.calls.list({ search: 'old' })).total).toBe(0);
    await expect(lib.calls.update('missing', { title: 'x' })).rejects.toThrow(/no call/);
  });

  it('records nudge feedback', async () => {
    const id = await lib.calls.save({ startedAt: 0, source: 'file' }, fakeReport(5, ['pace-fast']));
    await lib.calls.setNudgeFeedback(id, 'pace-fast#1', 'helpful');
    expect((await lib.calls.get(id))!.report.nudges[0]!.feedback).toBe('helpful');
    await expect(lib.calls.setNudgeFeedback(id, 'nope#1', 'helpful')).rejects.toThrow(/no nudge/);
    await expect(lib.calls.setNudgeFeedback(id, 'pace-fast#1', 'great' as never)).rejects.toThrow(/unknown feedback/);
  });

  it('deletes a call, all its rows and its recording file', async () => {
    const id = await lib.calls.save({ startedAt: 0, source: 'file', title: 'gone soon' }, fakeReport(5));
    const rec = join(lib.recordings.dir, `${id}.opus`);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(lib.recordings.dir, { recursive: true });
    writeFileSync(rec, 'x');
    await lib.recordings.attach(id, { path: rec, codec: 'opus/ogg', sizeBytes: 1, sha256: null, durationMs: 0, error: null });
    expect(await lib.calls.delete(id)).toBe(true);
    expect(existsSync(rec)).toBe(false);
    for (const t of ['calls', 'call_tags', 'speech_segments', 'events', 'nudges', 'timeline_chunks', 'recordings', 'call_search']) {
      expect(lib.sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get(), t).toEqual({ n: 0 });
    }
    expect(await lib.calls.delete(id)).toBe(false);
  });

  it('keeps settings and playbooks', async () => {
    expect(await lib.settings.get('capture.devices')).toBeUndefined();
    await lib.settings.set('capture.devices', { agent: 'mic', customer: 'loopback' });
    await lib.settings.set('capture.devices', { agent: 'headset', customer: 'loopback' });
    expect(await lib.settings.get('capture.devices')).toEqual({ agent: 'headset', customer: 'loopback' });
    await lib.settings.set('capture.devices', undefined);
    expect(await lib.settings.get('capture.devices')).toBeUndefined();
    await lib.playbooks.save('default', 'Default', { rules: [] });
    expect(await lib.playbooks.get('default')).toEqual({ id: 'default', name: 'Default', playbook: { rules: [] } });
    expect((await lib.playbooks.list()).map((p) => p.id)).toEqual(['default']);
  });

  it('resolves unique id prefixes', async () => {
    const id = await lib.calls.save({ id: 'abcdef12-0000', startedAt: 0, source: 'file' }, fakeReport(5));
    await lib.calls.save({ id: 'abcdff12-0000', startedAt: 0, source: 'file' }, fakeReport(5));
    expect(await lib.calls.resolveId('abcdef')).toBe(id);
    expect(await lib.calls.resolveId('abcd')).toBeUndefined();
    expect(await lib.calls.resolveId('abc%')).toBeUndefined();
  });
});

describe('library path', () => {
  it('follows --db, CADENCE_DB, CADENCE_DATA_DIR and the platform folder', () => {
    expect(defaultDbPath('/x/y.sqlite', {})).toBe('/x/y.sqlite');
    expect(defaultDbPath(undefined, { CADENCE_DB: '/a.sqlite' })).toBe('/a.sqlite');
    expect(defaultDbPath(undefined, { CADENCE_DATA_DIR: '/data' })).toBe(join('/data', 'library.sqlite'));
    expect(dataDir({}, 'linux')).toMatch(/\.config[/\\]Cadence$/);
    expect(dataDir({}, 'darwin')).toMatch(/Library[/\\]Application Support[/\\]Cadence$/);
    expect(dataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(/Roaming[/\\]Cadence$/);
  });
});
