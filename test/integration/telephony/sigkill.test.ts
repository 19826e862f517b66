/**
 * `cadence media-stream-server` killed with SIGKILL in the middle of two calls: the calls were stored as
 * they happened, and the next start recovers both as `interrupted` with playable recordings that cover
 * what was streamed (the live writer commits about once a second).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMulaw } from '../../../src/dsp/g711';
import { openLibrary } from '../../../src/library/library';
import { decodeOggOpus } from '../../../src/library/recording/ogg-opus';
import { openSocket } from '../../fixtures/twilio-stream';

const ROOT = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'cadence-msskill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const COVER_TOLERANCE_MS = 1500;

function startServer(db: string): { child: ChildProcessWithoutNullStreams; listening: Promise<{ url: string }>; stderr: () => string } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/cadence.mjs'), 'media-stream-server', '--port', '0', '--json', '--db', db], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const listening = new Promise<{ url: string }>((res, rej) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"listening"'));
      if (line) res(JSON.parse(line) as { url: string });
    });
    child.once('exit', (code) => rej(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, listening, stderr: () => err };
}

/** A 300 Hz μ-law tone chunk of 20 ms (sample clock continues across chunks). */
function toneChunk(k: number): string {
  const b = Buffer.alloc(160);
  for (let i = 0; i < 160; i++) {
    b[i] = encodeMulaw(0.3 * Math.sin((2 * Math.PI * 300 * (k * 160 + i)) / 8000));
  }
  return b.toString('base64');
}

describe('media-stream-server killed mid-call', () => {
  it('recovers both calls as interrupted with recordings covering what was sent', async () => {
    const db = join(dir, 'lib.sqlite');
    const first = startServer(db);
    const { url } = await first.listening;
    const sockets = await Promise.all([1, 2].map(() => openSocket(`${url.replace('http', 'ws')}/media`)));
    sockets.forEach((ws, i) => {
      const streamSid = `MZkill${i}`;
      ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
      ws.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid, start: { accountSid: 'AC1', streamSid, callSid: `CAkill${i}`, tracks: ['inbound', 'outbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
    });
    // 3 s at once, then real time (100 ms batches) for 3 s more: both calls are in full flow when killed.
    let k = 0;
    const send = (chunks: number): void => {
      for (let j = 0; j < chunks; j++, k++) {
        sockets.forEach((ws, i) => {
          for (const track of ['outbound', 'inbound'] as const) {
            ws.send(JSON.stringify({ event: 'media', sequenceNumber: String(k + 2), streamSid: `MZkill${i}`, media: { track, chunk: String(k + 1), timestamp: String(k * 20), payload: toneChunk(k) } }));
          }
        });
      }
    };
    send(150);
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      send(5);
      await new Promise((r) => setTimeout(r, 100));
    }
    const sentMs = k * 20;
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('close', r));
    for (const ws of sockets) ws.terminate();

    // The next start finalizes what the dead server left behind, before it listens.
    const second = startServer(db);
    await second.listening;
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('close', r));

    const lib = await openLibrary(db);
    try {
      const page = await lib.calls.list({});
      expect(page.items).toHaveLength(2);
      for (const item of page.items) {
        const call = (await lib.calls.get(item.id))!;
        expect(call.meta.status).toBe('interrupted');
        expect(call.recording?.error ?? null).toBeNull();
        const audio = decodeOggOpus(readFileSync(call.recording!.path));
        expect(audio.durationMs).toBeGreaterThanOrEqual(sentMs - COVER_TOLERANCE_MS);
        expect(audio.durationMs).toBeLessThanOrEqual(sentMs + 500);
        expect(Math.abs(call.meta.durationMs - sentMs)).toBeLessThanOrEqual(COVER_TOLERANCE_MS);
        let energy = 0;
        for (const x of audio.agent) energy += x * x;
        expect(Math.sqrt(energy / audio.agent.length)).toBeGreaterThan(0.01);
      }
    } finally {
      await lib.close();
    }
  }, 60_000);
});
