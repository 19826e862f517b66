/**
 * The Twilio Media Streams server, driven the way Twilio drives it: a WebSocket client sends the
 * recorded message format (connected, start, media on inbound and outbound tracks of 8 kHz μ-law in
 * 20 ms chunks with string sequence numbers and timestamps, mark, stop). The nudges pushed to an agent
 * client match offline analysis of the same μ-law audio. Webhook signatures use Twilio's published
 * test vector.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { analyzeFile } from '../../../src/engine/analyze';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { startMediaStreamServer, type MediaStreamServer } from '../../../src/telephony/media-stream-server';
import { twilioSignature, validTwilioSignature } from '../../../src/telephony/twilio-signature';
import { encodeWav16 } from '../../../src/dsp/wav';
import type { CallReport } from '../../../src/shared/types';
import { buildCall, synth } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';
import { fromMulaw, sendStream, toMulaw8k } from '../../fixtures/twilio-stream';

const TOLERANCE_MS = 60;

describe('Twilio webhook signature', () => {
  it("matches Twilio's published example and rejects tampering", () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(validTwilioSignature('12345', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
    expect(validTwilioSignature('12345', url, { ...params, Digits: '9999' }, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(validTwilioSignature('12345', url, params, undefined)).toBe(false);
  });
});

describe('cadence media-stream-server', () => {
  let server: MediaStreamServer;
  let dir: string;
  const ended: { callSid: string; report: CallReport }[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cadence-twilio-'));
    server = await startMediaStreamServer({
      playbook: loadPlaybookFile(),
      authToken: 'test-token',
      agentSecret: 'agent-secret',
      dial: 'client:agent-1',
      onCallEnd: (call, report) => void ended.push({ callSid: call.callSid, report }),
    });
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers the voice webhook with TwiML that streams both tracks, only when signed', async () => {
    const body = new URLSearchParams({ CallSid: 'CA123', From: '+15550001111', To: '+15550002222', AccountSid: 'AC1' });
    const url = `${server.url}/voice`;
    const unsigned = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.status).toBe(403);
    const signature = twilioSignature('test-token', url, Object.fromEntries(body));
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/xml');
    const xml = await res.text();
    expect(xml).toContain(`<Start><Stream url="ws://${new URL(server.url).host}/media" track="both_tracks"/></Start>`);
    expect(xml).toContain('<Dial><Client>agent-1</Client></Dial>');
  });

  it('runs the engine on a recorded-format stream and pushes the same nudges as offline analysis', async () => {
    const c1 = synth(CUSTOMER_LINES[0]!, { pitch: 70, voice: 'en-gb' });
    const a1 = synth(AGENT_LINES[0]!);
    const a1At = 400 + (c1.samples.length / 16) + 3400;
    const c2At = a1At + a1.samples.length / 16 + 300;
    const call = buildCall({
      turns: [
        { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 400 },
        { channel: 'agent', text: AGENT_LINES[0]!, atMs: a1At },
        { channel: 'customer', text: CUSTOMER_LINES[1]!, atMs: c2At },
        { channel: 'agent', text: AGENT_LINES[5]!, atMs: c2At + 1500 },
      ],
    });
    // The phone line: 8 kHz μ-law per track; the outbound track is the agent, inbound the caller.
    const outbound = toMulaw8k(call.agent);
    const inbound = toMulaw8k(call.customer);
    const wav = join(dir, 'line.wav');
    writeFileSync(wav, encodeWav16([fromMulaw(outbound), fromMulaw(inbound)], 8000));
    const offline = analyzeFile(wav, { playbook: loadPlaybookFile() });
    expect(offline.nudges.length).toBeGreaterThan(0);

    const agent = new WebSocket(`${server.url.replace('http', 'ws')}/agent`, { headers: { authorization: 'Bearer agent-secret' } });
    const pushed: { type: string; phase?: string; callSid?: string; nudge?: { id: string; ruleId: string; atMs: number }; report?: CallReport }[] = [];
    agent.on('message', (d) => pushed.push(JSON.parse(String(d)) as (typeof pushed)[number]));
    await new Promise((r) => agent.once('open', r));

    const mediaUrl = `${server.url.replace('http', 'ws')}/media`;
    const twilio = new WebSocket(mediaUrl, { headers: { 'x-twilio-signature': twilioSignature('test-token', mediaUrl, {}) } });
    await new Promise((r) => twilio.once('open', r));
    const streamSid = 'MZ18ad3ab5a668481ce02b83e7395059f0';
    const callSid = 'CA5b3f4b8a3d61e2b6d7a4f0c0ae5d9e21';
    const accountSid = 'ACd1e3b7f3bd83e1ea1c2d3f4e5a6b7c8d';
    sendStream(twilio, { streamSid, callSid, accountSid }, outbound, inbound);

    const deadline = Date.now() + 30_000;
    while (!pushed.some((m) => m.type === 'call' && m.phase === 'end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    twilio.close();
    agent.close();

    expect(pushed[0]?.type).toBe('hello');
    expect(pushed.find((m) => m.type === 'call' && m.phase === 'start')).toMatchObject({ call: { callSid, streamSid } });
    const end = pushed.find((m) => m.type === 'call' && m.phase === 'end')!;
    expect(end).toBeDefined();
    const live = end.report!;
    expect(ended.map((e) => e.callSid)).toContain(callSid);

    const opened = pushed.filter((m) => m.type === 'nudge' && m.phase === 'open');
    expect(opened.every((m) => m.callSid === callSid)).toBe(true);
    expect(opened.map((m) => m.nudge!.ruleId)).toEqual(offline.nudges.map((n) => n.ruleId));
    opened.forEach((m, i) => expect(Math.abs(m.nudge!.atMs - offline.nudges[i]!.atMs)).toBeLessThanOrEqual(TOLERANCE_MS));
    expect(live.speech.length).toBe(offline.speech.length);
    live.speech.forEach((s, i) => {
      const o = offline.speech[i]!;
      expect(s.channel).toBe(o.channel);
      expect(Math.abs(s.startMs - o.startMs)).toBeLessThanOrEqual(TOLERANCE_MS);
      expect(Math.abs(s.endMs - o.endMs)).toBeLessThanOrEqual(TOLERANCE_MS);
    });
  });
});
