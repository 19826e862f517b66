import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../../src/dsp/wav';
import { tempDir } from './helpers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'cadence.mjs');
let tmp: ReturnType<typeof tempDir>;

function cadence(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CADENCE_DATA_DIR: join(tmp.dir, 'data'), CADENCE_DB: '' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** 20 s of stereo: the agent talks (voiced bursts) for 8 s, then the customer for 8 s. */
function wavFixture(path: string): void {
  const rate = 16000;
  const n = rate * 20;
  const agent = new Float32Array(n);
  const customer = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const syllable = Math.sin(Math.PI * ((t * 4) % 1)) ** 2; // 4 bursts a second
    const voice = 0.3 * syllable * (Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 280 * t));
    if (t >= 1 && t < 9) agent[i] = voice;
    if (t >= 10 && t < 18) customer[i] = voice;
  }
  writeFileSync(path, encodeWav16([agent, customer], rate));
}

beforeAll(() => {
  tmp = tempDir('cadence-cli-');
  wavFixture(join(tmp.dir, 'Renewal call.wav'));
});
afterAll(() => tmp.cleanup());

describe('cadence library commands', () => {
  let id = '';

  it('import analyzes a WAV file into the default library (CADENCE_DATA_DIR)', () => {
    const r = cadence('import', join(tmp.dir, 'Renewal call.wav'), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { id: string; outcome: string; title: string; durationMs: number };
    expect(res).toMatchObject({ outcome: 'imported', title: 'Renewal call' });
    expect(res.durationMs).toBeCloseTo(20_000, -2);
    id = res.id;
    expect(existsSync(join(tmp.dir, 'data', 'library.sqlite'))).toBe(true);
    expect(existsSync(join(tmp.dir, 'data', 'library.recordings', `${id}.opus`))).toBe(true);
  });

  it('calls lists and searches; show prints everything about the call', () => {
    const list = cadence('calls', '--search', 'renewal', '--json');
    expect(list.code).toBe(0);
    const page = JSON.parse(list.out) as { total: number; items: { id: string; snippet: string }[] };
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ id, snippet: '«Renewal» call' });
    expect(JSON.parse(cadence('calls', '--search', 'nothing-like-this', '--json').out)).toEqual({ items: [], total: 0 });
    expect(JSON.parse(cadence('calls', '--from', '2000-01-01', '--to', '2000-01-02', '--json').out).total).toBe(0);
    const human = cadence('calls');
    expect(human.out).toContain(id.slice(0, 8));
    expect(human.out).toContain('Renewal call');

    const show = cadence('show', id.slice(0, 8), '--json');
    expect(show.code).toBe(0);
    const call = JSON.parse(show.out) as { meta: { id: string; source: string }; report: { speech: { channel: string }[]; timeline: unknown[] }; recording: { codec: string } };
    expect(call.meta).toMatchObject({ id, source: 'file' });
    expect(call.report.speech.some((s) => s.channel === 'agent')).toBe(true);
    expect(call.report.speech.some((s) => s.channel === 'customer')).toBe(true);
    expect(call.report.timeline.length).toBeGreaterThanOrEqual(19);
    expect(call.recording.codec).toBe('opus/ogg');
    expect(cadence('show', id).out).toMatch(/Recording: .*opus\/ogg/);
  });

  it('export, import into another library (twice: a no-op), delete', () => {
    const archive = join(tmp.dir, 'renewal.cadence');
    expect(cadence('export', id, '-o', archive).code).toBe(0);
    const other = join(tmp.dir, 'other', 'lib.sqlite');
    const first = JSON.parse(cadence('import', archive, '--db', other, '--json').out) as { id: string; outcome: string };
    expect(first).toMatchObject({ id, outcome: 'imported' });
    expect(JSON.parse(cadence('import', archive, '--db', other, '--json').out)).toMatchObject({ id, outcome: 'unchanged' });
    expect(JSON.parse(cadence('delete', id, '--json').out)).toEqual({ deleted: id });
    expect(existsSync(join(tmp.dir, 'data', 'library.recordings', `${id}.opus`))).toBe(false);
    expect(JSON.parse(cadence('calls', '--json').out).total).toBe(0);
  });

  it('errors are one line on stderr with a non-zero exit', () => {
    for (const args of [
      ['show', 'does-not-exist'],
      ['calls', '--from', 'yesterday'],
      ['calls', '--limit', '0'],
      ['import', join(tmp.dir, 'missing.wav')],
      ['import', join(tmp.dir, 'Renewal call.wav'), '--db', join(tmp.dir, 'Renewal call.wav')],
    ]) {
      const r = cadence(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(new RegExp(`^cadence ${args[0]}: `));
    }
  });
});
