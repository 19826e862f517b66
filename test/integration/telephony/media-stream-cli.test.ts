/** `cadence media-stream-server` as a process: a call streamed in Twilio's format lands in the library. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openLibrary } from '../../../src/library/library';
import { encodeMulaw } from '../../../src/dsp/g711';
import { synth } from '../../fixtures/speech';
import { AGENT_LINES } from '../../fixtures/texts';

const ROOT = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'cadence-msscli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cadence media-stream-server (CLI)', () => {
  it('saves each streamed call in the library when it stops', async () => {
    const db = join(dir, 'lib.sqlite');
    const child = spawn(process.execPath, [join(ROOT, 'bin/cadence.mjs'), 'media-stream-server', '--port', '0', '--json', '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    let buf = '';
    const waitFor = (pred: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
      new Promise((res, rej) => {
        const t = setInterval(() => {
          const hit = lines.find(pred);
          if (hit) {
            clearInterval(t);
            res(hit);
          }
        }, 20);
        setTimeout(() => (clearInterval(t), rej(new Error(`timed out; saw ${JSON.stringify(lines)}`))), 30_000);
      });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    try {
      const listening = await waitFor((l) => l.type === 'listening');
      const ws = new WebSocket(`${String(listening.url).replace('http', 'ws')}/media`);
      await new Promise((r) => ws.once('open', r));
      const streamSid = 'MZ00000000000000000000000000000001';
      const callSid = 'CA00000000000000000000000000000001';
      const send = (m: object): void => ws.send(JSON.stringify(m));
      send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      send({ event: 'start', sequenceNumber: '1', streamSid, start: { accountSid: 'AC1', streamSid, callSid, tracks: ['inbound', 'outbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } });
      // The agent (outbound) speaks; 8 kHz by taking every other 16 kHz sample of a band-limited voice.
      const voice = synth(AGENT_LINES[0]!).samples;
      const mu = Uint8Array.from({ length: Math.floor(voice.length / 2) }, (_, i) => encodeMulaw(voice[2 * i]!));
      const silence = new Uint8Array(160).fill(0xff);
      let seq = 2;
      for (let k = 0; k * 160 < mu.length; k++) {
        const ts = String(k * 20);
        send({ event: 'media', sequenceNumber: String(seq++), streamSid, media: { track: 'outbound', chunk: String(k + 1), timestamp: ts, payload: Buffer.from(mu.subarray(k * 160, (k + 1) * 160)).toString('base64') } });
        send({ event: 'media', sequenceNumber: String(seq++), streamSid, media: { track: 'inbound', chunk: String(k + 1), timestamp: ts, payload: Buffer.from(silence).toString('base64') } });
      }
      send({ event: 'stop', sequenceNumber: String(seq++), streamSid, stop: { accountSid: 'AC1', callSid } });
      const end = await waitFor((l) => l.type === 'call' && l.phase === 'end');
      expect(typeof end.callId).toBe('string');
      ws.close();
      const lib = await openLibrary(db);
      try {
        const call = await lib.calls.get(end.callId as string);
        expect(call?.meta.title).toContain(callSid);
        expect(call!.report.channels.agent.talkMs).toBeGreaterThan(2000);
        expect(call!.report.channels.customer.talkMs).toBe(0);
      } finally {
        await lib.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
