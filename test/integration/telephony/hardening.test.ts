/**
 * The Twilio server under hostile input: malformed WebSocket frames sent raw over TCP close only their
 * own connection with the right code while a call on another connection carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { startMediaStreamServer, type MediaStreamServer } from '../../../src/telephony/media-stream-server';
import type { CallReport } from '../../../src/shared/types';
import { frame, MALFORMED, rawUpgrade } from '../../fixtures/raw-websocket';
import { openSocket } from '../../fixtures/twilio-stream';
import { twilioSignature } from '../../../src/telephony/twilio-signature';

/** A μ-law tone (so the call is not silent) of `ms` milliseconds at 8 kHz. */
function tone(ms: number): Uint8Array {
  return Uint8Array.from({ length: (ms * 8) | 0 }, (_, i) => (i % 16 < 8 ? 0x20 : 0xa0));
}

const ids = (n: number): { streamSid: string; callSid: string; accountSid: string } => ({ streamSid: `MZ${n}`, callSid: `CA${n}`, accountSid: 'AC1' });

function startMsg(n: number, format: Record<string, unknown> = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }): string {
  const { streamSid, callSid, accountSid } = ids(n);
  return JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid, start: { accountSid, streamSid, callSid, tracks: ['inbound', 'outbound'], customParameters: {}, mediaFormat: format } });
}

function mediaMsg(n: number, track: 'inbound' | 'outbound', timestampMs: number, bytes: Uint8Array): string {
  return JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: ids(n).streamSid, media: { track, chunk: '1', timestamp: String(timestampMs), payload: Buffer.from(bytes).toString('base64') } });
}

function stopMsg(n: number): string {
  const { streamSid, callSid, accountSid } = ids(n);
  return JSON.stringify({ event: 'stop', sequenceNumber: '9', streamSid, stop: { accountSid, callSid } });
}

/** Sends `ms` of audio on both tracks in 20 ms chunks starting at `fromMs`. */
function sendAudio(send: (text: string) => void, n: number, fromMs: number, ms: number): void {
  const chunk = tone(20);
  for (let t = fromMs; t < fromMs + ms; t += 20) for (const track of ['inbound', 'outbound'] as const) send(mediaMsg(n, track, t, chunk));
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}


describe('media-stream-server: malformed frames', () => {
  let server: MediaStreamServer;
  const ended = new Map<string, CallReport>();
  const logs: string[] = [];
  beforeAll(async () => {
    server = await startMediaStreamServer({ playbook: loadPlaybookFile(), agentSecret: 's3cret', onLog: (m) => logs.push(m), onCallEnd: (call, report) => void ended.set(call.callSid, report) });
  });
  afterAll(() => server?.close());

  it('closes only the bad connection, with the right code, while another call goes on', async () => {
    const wsUrl = `${server.url.replace('http', 'ws')}/media`;
    const good = await openSocket(wsUrl);
    good.send(startMsg(1));
    sendAudio((t) => good.send(t), 1, 0, 1000);
    for (const bad of MALFORMED) {
      const conn = await rawUpgrade(wsUrl);
      expect(conn.status, bad.name).toBe(101);
      conn.send(frame(startMsg(100)));
      conn.send(bad.bytes);
      expect(await conn.closed, bad.name).toBe(bad.code);
      conn.socket.destroy();
    }
    // A frame that is just too big for a media message (but honest about its length).
    const big = await rawUpgrade(wsUrl);
    big.send(frame('x'.repeat(100_000)));
    expect(await big.closed).toBe(1009);
    big.socket.destroy();

    sendAudio((t) => good.send(t), 1, 1000, 1000);
    good.send(stopMsg(1));
    await expect.poll(() => ended.get('CA1'), { timeout: 20_000 }).toBeDefined();
    expect(Math.abs(ended.get('CA1')!.durationMs - 2000)).toBeLessThanOrEqual(100);
    good.close();

    // And a new connection after all that is served as usual.
    const again = await openSocket(wsUrl);
    again.send(startMsg(2));
    sendAudio((t) => again.send(t), 2, 0, 500);
    again.send(stopMsg(2));
    await expect.poll(() => ended.get('CA2'), { timeout: 20_000 }).toBeDefined();
    again.close();
  });

  it('survives malformed frames on /agent too', async () => {
    const agentUrl = `${server.url.replace('http', 'ws')}/agent`;
    for (const bad of MALFORMED) {
      const conn = await rawUpgrade(agentUrl, { Authorization: 'Bearer s3cret' });
      expect(conn.status).toBe(101);
      conn.send(bad.bytes);
      expect(await conn.closed, bad.name).toBe(bad.code);
      conn.socket.destroy();
    }
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
  });
});

describe('media-stream-server: who may connect', () => {
  let server: MediaStreamServer;
  const logs: string[] = [];
  const started: string[] = [];
  beforeAll(async () => {
    server = await startMediaStreamServer({
      playbook: loadPlaybookFile(),
      authToken: 'tok',
      agentSecret: 's3cret',
      agentOrigins: ['https://agent.example'],
      onLog: (m) => logs.push(m),
      onCallStart: (c) => void started.push(c.callSid),
    });
  });
  afterAll(() => server?.close());

  it('takes a /media stream only with a valid Twilio signature of its wss URL', async () => {
    const wsUrl = `${server.url.replace('http', 'ws')}/media`;
    const missing = await rawUpgrade(wsUrl);
    expect(missing.status).toBe(401);
    missing.socket.destroy();
    const forged = await rawUpgrade(wsUrl, { 'X-Twilio-Signature': twilioSignature('not-the-token', wsUrl, {}) });
    expect(forged.status).toBe(403);
    forged.socket.destroy();
    const otherUrl = await rawUpgrade(wsUrl, { 'X-Twilio-Signature': twilioSignature('tok', 'wss://elsewhere.example/media', {}) });
    expect(otherUrl.status).toBe(403);
    otherUrl.socket.destroy();
    expect(logs.filter((l) => l.includes('refused a /media connection'))).toHaveLength(3);
    expect(started).toEqual([]);

    const signed = await rawUpgrade(wsUrl, { 'X-Twilio-Signature': twilioSignature('tok', wsUrl, {}) });
    expect(signed.status).toBe(101);
    signed.send(frame(startMsg(7)));
    // The first call starts the engine worker: seconds on a loaded machine.
    await expect.poll(() => started, { timeout: 15_000 }).toEqual(['CA7']);
    signed.socket.destroy();
  });

  it('lets agent apps in only with the secret, and browsers only from an allowed origin', async () => {
    const agentUrl = `${server.url.replace('http', 'ws')}/agent`;
    const status = async (url: string, headers: Record<string, string> = {}): Promise<number> => {
      const c = await rawUpgrade(url, headers);
      c.socket.destroy();
      return c.status;
    };
    expect(await status(agentUrl)).toBe(401);
    expect(await status(agentUrl, { Authorization: 'Bearer wrong' })).toBe(401);
    expect(await status(`${agentUrl}?token=wrong`)).toBe(401);
    expect(await status(agentUrl, { Authorization: 'Bearer s3cret' })).toBe(101);
    expect(await status(`${agentUrl}?token=s3cret`)).toBe(101);
    expect(await status(agentUrl, { Authorization: 'Bearer s3cret', Origin: 'https://evil.example' })).toBe(403);
    expect(await status(agentUrl, { Authorization: 'Bearer s3cret', Origin: 'https://agent.example' })).toBe(101);
    const hello = await rawUpgrade(agentUrl, { Authorization: 'Bearer s3cret' });
    await expect.poll(() => hello.messages.length).toBeGreaterThan(0);
    expect(JSON.parse(hello.messages[0]!)).toMatchObject({ type: 'hello' });
    hello.socket.destroy();
  });

  it('refuses /agent altogether, with a log line, when no secret is configured', async () => {
    const lines: string[] = [];
    const open = await startMediaStreamServer({ playbook: loadPlaybookFile(), onLog: (m) => lines.push(m) });
    try {
      const c = await rawUpgrade(`${open.url.replace('http', 'ws')}/agent`);
      expect(c.status).toBe(403);
      c.socket.destroy();
      expect(lines.some((l) => /no agent secret is configured/.test(l))).toBe(true);
    } finally {
      await open.close();
    }
  });
});

describe('media-stream-server: stream parameters are not trusted', () => {
  let server: MediaStreamServer;
  const logs: string[] = [];
  const started: string[] = [];
  const ended = new Map<string, CallReport>();
  beforeAll(async () => {
    server = await startMediaStreamServer({
      playbook: loadPlaybookFile(),
      maxStreams: 2,
      maxLeadMs: 10_000,
      onLog: (m) => logs.push(m),
      onCallStart: (c) => void started.push(c.callSid),
      onCallEnd: (call, report) => void ended.set(call.callSid, report),
    });
  });
  afterAll(() => server?.close());
  const wsUrl = (): string => `${server.url.replace('http', 'ws')}/media`;

  it('closes a stream in any format but 8 kHz mono μ-law with 1008, creating no call', async () => {
    const formats = [
      { encoding: 'audio/x-mulaw', sampleRate: 2, channels: 1 },
      { encoding: 'audio/x-mulaw', sampleRate: 1e8, channels: 1 },
      { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 2 },
      { encoding: 'audio/l16', sampleRate: 8000, channels: 1 },
    ];
    for (const [i, format] of formats.entries()) {
      const ws = await openSocket(wsUrl());
      const closed = closeCode(ws);
      ws.send(startMsg(200 + i, format));
      ws.send(mediaMsg(200 + i, 'inbound', 0, new Uint8Array(160)));
      expect(await closed).toBe(1008);
    }
    expect(started.filter((s) => s.startsWith('CA20'))).toEqual([]);
    expect(logs.filter((l) => l.includes('unsupported media format'))).toHaveLength(formats.length);
  });

  it('clamps a timestamp jump to 2 s of silence', async () => {
    const ws = await openSocket(wsUrl());
    ws.send(startMsg(300));
    sendAudio((t) => ws.send(t), 300, 0, 500);
    // 100 minutes later, by the timestamps.
    sendAudio((t) => ws.send(t), 300, 6_000_000, 500);
    ws.send(stopMsg(300));
    await expect.poll(() => ended.get('CA300'), { timeout: 20_000 }).toBeDefined();
    expect(Math.abs(ended.get('CA300')!.durationMs - 3000)).toBeLessThanOrEqual(100);
    ws.close();
  });

  it('bounds a stream that runs ahead of real time: 1,000 jumping messages do not make a 100-minute call', async () => {
    const ws = await openSocket(wsUrl());
    const closed = closeCode(ws);
    ws.send(startMsg(301));
    const chunk = tone(20);
    for (let k = 0; k < 1000; k++) ws.send(mediaMsg(301, 'outbound', k * 6000, chunk));
    expect(await closed).toBe(1008);
    await expect.poll(() => ended.get('CA301'), { timeout: 20_000 }).toBeDefined();
    // At most the allowed lead (10 s here) plus the wall time it took, plus one clamped gap.
    expect(ended.get('CA301')!.durationMs).toBeLessThan(10_000 + 5_000 + 2_100);
    expect(logs.some((l) => /ahead of real time/.test(l))).toBe(true);
  });

  it('closes a media message carrying more than 8 KiB of audio with 1009', async () => {
    const ws = await openSocket(wsUrl());
    const closed = closeCode(ws);
    ws.send(startMsg(302));
    // 10 KiB of audio (Twilio sends 160 bytes a message): over the message limit, and over the decoded bound.
    ws.send(mediaMsg(302, 'inbound', 0, new Uint8Array(10 * 1024)));
    expect(await closed).toBe(1009);
    await expect.poll(() => ended.get('CA302'), { timeout: 20_000 }).toBeDefined();
    expect(ended.get('CA302')!.durationMs).toBeLessThan(100);
  });

  it('bounds concurrent streams: one over the limit is closed with 1013', async () => {
    const a = await openSocket(wsUrl());
    const b = await openSocket(wsUrl());
    a.send(startMsg(400));
    b.send(startMsg(401));
    await expect.poll(() => server.activeCalls).toBe(2);
    const c = await openSocket(wsUrl());
    expect(await closeCode(c)).toBe(1013);
    for (const [n, ws] of [[400, a], [401, b]] as const) {
      sendAudio((t) => ws.send(t), n, 0, 200);
      ws.send(stopMsg(n));
    }
    await expect.poll(() => ended.has('CA400') && ended.has('CA401'), { timeout: 20_000 }).toBe(true);
    a.close();
    b.close();
    await expect.poll(() => server.activeCalls).toBe(0);
    const d = await openSocket(wsUrl());
    d.send(startMsg(402));
    await expect.poll(() => started).toContain('CA402');
    d.close();
  });
});

describe('media-stream-server: messages waiting on a call that cannot take them yet', () => {
  it('closes a stream that floods over 8,000 messages while its call starts with 1008; the server goes on', async () => {
    const logs: string[] = [];
    const started: string[] = [];
    // A fresh server: its engine worker starts with the first call, so that call's messages must wait.
    const server = await startMediaStreamServer({ playbook: loadPlaybookFile(), maxLeadMs: 10_000, onLog: (m) => logs.push(m), onCallStart: (c) => void started.push(c.callSid) });
    try {
      const wsUrl = `${server.url.replace('http', 'ws')}/media`;
      const ws = await openSocket(wsUrl);
      const closed = closeCode(ws);
      ws.send(startMsg(500));
      const chunk = tone(20);
      for (let k = 0; k < 9000; k++) ws.send(mediaMsg(500, 'inbound', k * 20, chunk));
      expect(await closed).toBe(1008);
      expect(logs.some((l) => l.includes('over 8000 messages waiting'))).toBe(true);
      // The server is up and takes the next call.
      const next = await openSocket(wsUrl);
      next.send(startMsg(501));
      await expect.poll(() => started, { timeout: 20_000 }).toContain('CA501');
      next.close();
    } finally {
      await server.close();
    }
  }, 60_000);
});
