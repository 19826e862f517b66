import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary, type Library } from '../../../src/library/library';

let lib: Library;
beforeEach(async () => {
  lib = await openLibrary(':memory:');
});
afterEach(() => lib.close());

describe('settings through the key registry', () => {
  it('stores each registered key and reads it back', async () => {
    await lib.settings.set('capture.calibrationDb', -26.5);
    await lib.settings.set('overlay.bounds', { '1': { x: 10, y: 20, width: 380, height: 560 } });
    await lib.settings.set('app.settings', { record: false, retentionDays: 30 });
    await lib.settings.set('secret.openai', { kind: 'file', data: 'AAAA' });
    expect(await lib.settings.get('capture.calibrationDb')).toBe(-26.5);
    expect(await lib.settings.get('overlay.bounds')).toEqual({ '1': { x: 10, y: 20, width: 380, height: 560 } });
    expect(await lib.settings.get('app.settings')).toEqual({ record: false, retentionDays: 30 });
    expect(await lib.settings.get('secret.openai')).toEqual({ kind: 'file', data: 'AAAA' });
    expect(await lib.settings.get('secret.deepgram')).toBeUndefined();
  });

  it('refuses a value that does not fit its key, in one line, and keeps the old one', async () => {
    await lib.settings.set('capture.calibrationDb', -30);
    const err = await lib.settings.set('capture.calibrationDb', 12 as never).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/^invalid value for setting capture\.calibrationDb: /);
    expect(err?.message).not.toContain('\n');
    await expect(lib.settings.set('no.such.key' as never, 1 as never)).rejects.toThrow(/^unknown setting no\.such\.key$/);
    expect(await lib.settings.get('capture.calibrationDb')).toBe(-30);
  });

  it('reads a stored value that no longer fits (another version wrote it) as absent', async () => {
    lib.sqlite.prepare(`INSERT INTO settings (key, value) VALUES ('capture.devices', '{"agent": 3}')`).run();
    expect(await lib.settings.get('capture.devices')).toBeUndefined();
  });
});
