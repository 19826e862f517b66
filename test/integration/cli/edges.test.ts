/**
 * Small sharp edges of the CLI, each as a user would hit it: FIFOs and directories where a file is
 * expected (one line naming the path, never a hang), a reader that closes the pipe early, an empty
 * `--db`, a playbook saved with a byte order mark, a WAV with lots of metadata before the audio, the
 * audio back-ends' noise, and export file names built from call ids.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../../src/dsp/wav';
import { openLibrary } from '../../../src/library/library';
import { defaultPlaybookPath } from '../../../src/playbook/playbook-file';
import { fakeReport } from '../library/helpers';

const BIN = join(__dirname, '../../../bin/cadence.mjs');
const dir = mkdtempSync(join(tmpdir(), 'cadence-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cadence(args: readonly string[], cwd = dir): { code: number | null; stdout: string; stderr: string } {
  // A hang (the bug) shows as a timeout: status null.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, cwd, env: { ...process.env, CADENCE_DATA_DIR: join(dir, 'data') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: ReturnType<typeof cadence>, mentions: string): void {
  expect(r.code, r.stderr).not.toBe(null);
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(mentions);
}

let fifo: string;
let folder: string;
let wav: string;

beforeAll(() => {
  fifo = join(dir, 'pipe.wav');
  execFileSync('mkfifo', [fifo]);
  folder = join(dir, 'folder.wav');
  mkdirSync(folder);
  // Two seconds of a tone on the agent side.
  wav = join(dir, 'tone.wav');
  writeFileSync(wav, encodeWav16([Float32Array.from({ length: 32000 }, (_, i) => 0.3 * Math.sin(i / 5))], 16000));
});

describe('files that are not regular files', () => {
  it('a FIFO or a directory as the WAV: one line naming the path (analyze, import)', () => {
    for (const path of [fifo, folder]) {
      expectOneLineError(cadence(['analyze', path]), path);
      expectOneLineError(cadence(['import', path, '--db', join(dir, 'lib1.sqlite')]), path);
    }
  });

  it('a FIFO or a directory as the playbook or the library: one line naming the path', () => {
    for (const path of [fifo, folder]) {
      expectOneLineError(cadence(['analyze', wav, '--playbook', path]), path);
      expectOneLineError(cadence(['calls', '--db', path]), path);
    }
  });

  it("refuses --db ''", () => {
    const r = cadence(['calls', '--db', '']);
    expectOneLineError(r, '--db');
    expect(existsSync(join(dir, 'data', 'library.sqlite'))).toBe(false);
  });
});

describe('output and input quirks', () => {
  it('ends quietly when the reader closes the pipe early (cadence … | head -1)', async () => {
    const child = spawn(process.execPath, [BIN, 'calls', '--db', join(dir, 'pipe.sqlite')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CADENCE_DATA_DIR: join(dir, 'data') } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
    // And through a real shell pipeline.
    const sh = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" --help | head -1`], { encoding: 'utf8', timeout: 30_000 });
    expect(sh.stdout.trim().split('\n')).toHaveLength(1);
    expect(sh.stderr).toBe('');
  });

  it('accepts a playbook saved with a UTF-8 byte order mark', () => {
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(defaultPlaybookPath())]));
    const r = cadence(['analyze', wav, '--playbook', bom, '--json']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('reads a WAV with more than 64 KB of metadata before the audio', () => {
    const plain = readFileSync(wav);
    // fmt ends at byte 36 in encodeWav16's output; a 100 KB LIST chunk goes between fmt and data.
    expect(plain.toString('latin1', 36, 40)).toBe('data');
    const list = Buffer.alloc(8 + 100_000);
    list.write('LIST', 0, 'latin1');
    list.writeUInt32LE(100_000, 4);
    list.write('INFO', 8, 'latin1');
    const big = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    big.writeUInt32LE(big.length - 8, 4);
    const path = join(dir, 'metadata.wav');
    writeFileSync(path, big);
    const r = cadence(['analyze', path, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Math.abs((JSON.parse(r.stdout) as { durationMs: number }).durationMs - 2000)).toBeLessThanOrEqual(40);
  });

  it('cadence devices keeps ALSA/JACK noise off stderr, and without an input device fails in one line', () => {
    const r = cadence(['devices']);
    expect(r.code).not.toBe(null);
    expect(r.stderr).not.toMatch(/ALSA|JACK|jack|snd_/);
    if (r.code === 0) expect(r.stdout).toContain('default input');
    else expectOneLineError(r, 'no audio input devices');
  });
});

describe('export file names', () => {
  it('cadence export without -o writes a sanitised base name in the current folder', async () => {
    const db = join(dir, 'export.sqlite');
    const lib = await openLibrary(db);
    let id: string | null = null;
    try {
      id = await lib.calls.save({ id: '../../edges-escape', startedAt: Date.UTC(2026, 0, 5), source: 'file', title: 'escape' }, fakeReport(5));
    } catch {
      // A library that refuses such ids already: nothing can escape through an id.
    } finally {
      await lib.close();
    }
    if (id === null) return;
    const cwd = join(dir, 'a', 'b', 'c');
    mkdirSync(cwd, { recursive: true });
    const r = cadence(['export', id, '--db', db], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual(['edges-escape.cadence']);
    expect(existsSync(join(dir, 'a', 'edges-escape.cadence'))).toBe(false);
    expect(existsSync(join(dir, 'edges-escape.cadence'))).toBe(false);
  });
});
