/**
 * Closing the Twilio server in the middle of three calls (its `close()` and SIGTERM to a real
 * `cadence media-stream-server`): every call takes in all the audio its client sent before the close
 * handshake, then ends as its `stop` would: stored `completed`, scored, with a recording, a length and
 * talk times that match offline analysis of exactly the audio that was sent. A burst of 3 s of audio
 * just before the close makes sure something is still queued (before, that audio was dropped).
 * A client that never answers the close is cut at the bound; a second signal exits at once and the
 * next start recovers the call as `interrupted`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { encodeWav16 } from '../../../src/dsp/wav';
import { analyzeFile } from '../../../src/engine/analyze';
import { openLibrary } from '../../../src/library/library';
import { decodeOggOpus } from '../../../src/library/recording/ogg-opus';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { startMediaStreamServer } from '../../../src/telephony/media-stream-server';
import type { CallReport } from '../../../src/shared/types';
import { alternatingCall } from '../../fixtures/calls';
import { frame, rawUpgrade, type RawConnection } from '../../fixtures/raw-websocket';
import { fromMulaw, openSocket, toMulaw8k } from '../../fixtures/twilio-stream';

const ROOT = resolve(__dirname, '../../..');
const CALLS = 3;
/** Stored length and talk times against what was sent (and its offline analysis). */
const TOLERANCE_MS = 200;

let dir: string;
let outbound: Uint8Array;
let inbound: Uint8Array;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cadence-msclose-'));
  const call = alternatingCall();
  outbound = toMulaw8k(call.agent);
  inbound = toMulaw8k(call.customer);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Streams the same call on `CALLS` sockets: 2 s at once, 2 s in real time, 3 s at once, then `close`
 * is called and real-time sending goes on until the server's close reaches the client. Resolves with the
 * 20 ms chunks each socket sent while it was open, by call SID.
 */
async function streamAndClose(mediaUrl: string, close: () => void): Promise<Map<string, number>> {
  const sockets = await Promise.all(Array.from({ length: CALLS }, () => openSocket(mediaUrl)));
  const sent = new Map<string, number>();
  const sid = (i: number): string => `CAclose${i}`;
  sockets.forEach((ws, i) => {
    const streamSid = `MZclose${i}`;
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid, start: { accountSid: 'AC1', streamSid, callSid: sid(i), tracks: ['inbound', 'outbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
    sent.set(sid(i), 0);
  });
  const closed = sockets.map((ws) => new Promise<void>((r) => ws.once('close', () => r())));
  const send = (chunks: number): void => {
    sockets.forEach((ws: WebSocket, i) => {
      for (let j = 0; j < chunks; j++) {
        if (ws.readyState !== ws.OPEN) return;
        const k = sent.get(sid(i))!;
        if ((k + 1) * 160 > outbound.length) return;
        for (const [track, bytes] of [['outbound', outbound], ['inbound', inbound]] as const) {
          const payload = Buffer.from(bytes.subarray(k * 160, (k + 1) * 160)).toString('base64');
          ws.send(JSON.stringify({ event: 'media', sequenceNumber: String(2 * k + 2), streamSid: `MZclose${i}`, media: { track, chunk: String(k + 1), timestamp: String(k * 20), payload } }));
        }
        sent.set(sid(i), k + 1);
      }
    });
  };
  send(100);
  for (let t = 0; t < 20; t++) {
    send(5);
    await sleep(100);
  }
  send(150);
  close();
  const deadline = Date.now() + 15_000;
  while (sockets.some((ws) => ws.readyState === ws.OPEN) && Date.now() < deadline) {
    send(5);
    await sleep(100);
  }
  await Promise.all(closed);
  return sent;
}

/** A client that streams `ms` of audio at once and then never answers the server's close frame. */
async function deafClient(mediaUrl: string, callSid: string, ms: number): Promise<RawConnection> {
  const conn = await rawUpgrade(mediaUrl);
  expect(conn.status).toBe(101);
  const streamSid = `MZ${callSid}`;
  conn.send(frame(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid, start: { accountSid: 'AC1', streamSid, callSid, tracks: ['inbound', 'outbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } })));
  for (let k = 0; k < ms / 20; k++) {
    for (const [track, bytes] of [['outbound', outbound], ['inbound', inbound]] as const) {
      const payload = Buffer.from(bytes.subarray(k * 160, (k + 1) * 160)).toString('base64');
      conn.send(frame(JSON.stringify({ event: 'media', sequenceNumber: String(2 * k + 2), streamSid, media: { track, chunk: String(k + 1), timestamp: String(k * 20), payload } })));
    }
  }
  return conn;
}

/** Offline analysis of the first `chunks` 20 ms chunks of the line, as the server heard them. */
function offline(chunks: number): CallReport {
  const wav = join(dir, `prefix-${chunks}.wav`);
  const n = chunks * 160;
  writeFileSync(wav, encodeWav16([fromMulaw(outbound.subarray(0, n)), fromMulaw(inbound.subarray(0, n))], 8000));
  return analyzeFile(wav, { playbook: loadPlaybookFile() });
}

/** Every stream's call is stored `completed`, scored, and covers exactly what was sent. */
async function expectStored(db: string, sent: Map<string, number>): Promise<void> {
  const lib = await openLibrary(db);
  try {
    const page = await lib.calls.list({});
    expect(page.items).toHaveLength(CALLS);
    for (const item of page.items) {
      const call = (await lib.calls.get(item.id))!;
      const callSid = /CAclose\d/.exec(call.meta.title)?.[0] ?? '';
      const chunks = sent.get(callSid)!;
      const sentMs = chunks * 20;
      expect(sentMs).toBeGreaterThan(6500); // the bursts went out before the close
      expect(call.meta.status).toBe('completed');
      expect(call.summaryComplete).toBe(true);
      expect(call.meta.score ?? null).not.toBeNull();
      expect(Math.abs(call.meta.durationMs - sentMs)).toBeLessThanOrEqual(TOLERANCE_MS);
      expect(call.recording?.error ?? null).toBeNull();
      const audio = decodeOggOpus(readFileSync(call.recording!.path));
      expect(Math.abs(audio.durationMs - sentMs)).toBeLessThanOrEqual(TOLERANCE_MS);
      const ref = offline(chunks);
      expect(ref.channels.agent.talkMs).toBeGreaterThan(1000);
      for (const ch of ['agent', 'customer'] as const) {
        expect(Math.abs(call.report.channels[ch].talkMs - ref.channels[ch].talkMs)).toBeLessThanOrEqual(TOLERANCE_MS);
      }
    }
    const live = await lib.calls.list({ status: 'live' });
    expect(live.items).toHaveLength(0);
  } finally {
    await lib.close();
  }
}

describe('media-stream-server closed mid-call', () => {
  it('close() ends three streaming calls with all the audio sent before it', async () => {
    const db = join(dir, 'inproc.sqlite');
    const library = await openLibrary(db);
    const server = await startMediaStreamServer({ playbook: loadPlaybookFile(), library, agentSecret: 'agent-secret' });
    // An agent app hears every call's end before the server lets it go.
    const agent = await openSocket(`${server.url.replace('http', 'ws')}/agent?token=agent-secret`);
    const heard: { type: string; phase?: string; at: 'open' | 'closed' }[] = [];
    let agentClosed = false;
    agent.on('message', (d) => heard.push({ ...(JSON.parse(String(d)) as { type: string; phase?: string }), at: agentClosed ? 'closed' : 'open' }));
    const agentCode = new Promise<number>((r) =>
      agent.once('close', (code) => {
        agentClosed = true;
        r(code);
      }),
    );
    let closing: ReturnType<typeof server.close> | null = null;
    const sent = await streamAndClose(`${server.url.replace('http', 'ws')}/media`, () => (closing = server.close()));
    const result = await closing!;
    expect(result).toEqual({ ended: CALLS, unfinished: 0 });
    expect(await agentCode).toBe(1001);
    expect(heard.filter((m) => m.type === 'call' && m.phase === 'end' && m.at === 'open')).toHaveLength(CALLS);
    // Closed means closed: no new connection is taken.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await library.close();
    await expectStored(db, sent);
  }, 90_000);

  it('SIGTERM to `cadence media-stream-server` does the same and exits 0', async () => {
    const db = join(dir, 'cli.sqlite');
    const child = spawn(process.execPath, [join(ROOT, 'bin/cadence.mjs'), 'media-stream-server', '--port', '0', '--json', '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const { url } = await new Promise<{ url: string }>((res, rej) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.includes('"listening"'));
        if (line) res(JSON.parse(line) as { url: string });
      });
      void exited.then((code) => rej(new Error(`server exited (${code}): ${stderr}`)));
    });
    const sent = await streamAndClose(`${url.replace('http', 'ws')}/media`, () => child.kill('SIGTERM'));
    expect(await exited, stderr).toBe(0);
    expect(stderr).toContain(`${CALLS} call(s) ended`);
    await expectStored(db, sent);
  }, 90_000);

  it('close() is bounded: a client that never answers the close is cut at closeTimeoutMs', async () => {
    const db = join(dir, 'deaf.sqlite');
    const library = await openLibrary(db);
    const started: string[] = [];
    const server = await startMediaStreamServer({ playbook: loadPlaybookFile(), library, closeTimeoutMs: 1500, onCallStart: (c) => void started.push(c.callSid) });
    const deaf = await deafClient(`${server.url.replace('http', 'ws')}/media`, 'CAdeaf', 2000);
    await expect.poll(() => started, { timeout: 15_000 }).toEqual(['CAdeaf']);
    const t0 = performance.now();
    const result = await server.close();
    const tookMs = performance.now() - t0;
    expect(result).toEqual({ ended: 0, unfinished: 1 });
    expect(tookMs).toBeGreaterThanOrEqual(1400);
    expect(tookMs).toBeLessThan(1500 + 3000); // the bound, plus closing the engine on a loaded machine
    expect(await deaf.closed).toBe(1001); // it was told, and then cut
    // The cut call still ends in this process with what it had; nothing is left live.
    await expect.poll(() => server.activeCalls, { timeout: 15_000 }).toBe(0);
    const calls = await library.calls.list({});
    expect(calls.items.map((c) => c.status)).toEqual(['completed']);
    expect(Math.abs(calls.items[0]!.durationMs - 2000)).toBeLessThanOrEqual(TOLERANCE_MS);
    await library.close();
  }, 60_000);

  it('a second signal exits at once, and the next start recovers the call as interrupted', async () => {
    const db = join(dir, 'twice.sqlite');
    const start = (): { exited: Promise<number | null>; url: Promise<string>; stderr: () => string; kill: (s: NodeJS.Signals) => void } => {
      const child = spawn(process.execPath, [join(ROOT, 'bin/cadence.mjs'), 'media-stream-server', '--port', '0', '--json', '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const url = new Promise<string>((res, rej) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const line = buf.split('\n').find((l) => l.includes('"listening"'));
          if (line) res((JSON.parse(line) as { url: string }).url);
        });
        void exited.then((code) => rej(new Error(`server exited (${code}): ${stderr}`)));
      });
      return { exited, url, stderr: () => stderr, kill: (s) => child.kill(s) };
    };
    const first = start();
    const deaf = await deafClient(`${(await first.url).replace('http', 'ws')}/media`, 'CAtwice', 3000);
    // The burst is taken in and committed (the live writer commits about once a second).
    await sleep(3000);
    first.kill('SIGTERM');
    while (!first.stderr().includes('SIGTERM: closing 1 media stream(s)')) await sleep(50);
    const killedAt = performance.now();
    first.kill('SIGINT');
    expect(await first.exited, first.stderr()).toBe(130);
    expect(performance.now() - killedAt).toBeLessThan(3000); // at once, not after the 10 s bound
    expect(first.stderr()).toContain('SIGINT again: exiting now');
    deaf.socket.destroy();

    // The next start recovers what the first one had written.
    const second = start();
    await second.url;
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const lib = await openLibrary(db);
    try {
      const calls = await lib.calls.list({});
      expect(calls.items).toHaveLength(1);
      expect(calls.items[0]!.status).toBe('interrupted');
      // The live writer commits about once a second: at most that much of the 3 s is missing.
      expect(calls.items[0]!.durationMs).toBeGreaterThanOrEqual(3000 - 1500);
      expect(calls.items[0]!.durationMs).toBeLessThanOrEqual(3000 + TOLERANCE_MS);
    } finally {
      await lib.close();
    }
  }, 90_000);
});
