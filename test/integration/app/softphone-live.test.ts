/**
 * A softphone call through the app's live service: frames as the window's tap sends them go through
 * the bridge into the engine worker, and the stored call matches offline analysis of the same audio.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CadenceApp } from '../../../src/app/app';
import { exportAsDownload, mediaPath } from '../../../src/app/browser-host';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { buildCall } from '../../fixtures/speech';
import { analyzeCall } from '../../fixtures/run';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';
import { feedSoftphone } from '../../helpers/softphone-feed';
import { tempDir } from '../../e2e/harness';
import { dispatch } from '../../../src/app/handlers';
import { decodeFloat32, encodeFloat32 } from '../../../src/shared/frames-codec';

describe('softphone calls in the app', () => {
  const tmp = tempDir();
  let app: CadenceApp;
  beforeAll(async () => {
    app = await createApp({ dbPath: join(tmp.dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
  });
  afterAll(async () => {
    await app?.close();
    tmp.cleanup();
  });

  it('coaches and stores a softphone call from tapped frames, as offline analysis would', async () => {
    const call = buildCall({
      turns: [
        { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 300, voice: 'en-gb', pitch: 70 },
        { channel: 'agent', text: AGENT_LINES[2]!, atMs: 2300 },
      ],
    });
    const offline = analyzeCall(call);
    const state = await app.live.startSoftphone({ sid: 'CA1', direction: 'incoming', peer: '+15550001111' });
    expect(state.phase).toBe('live');
    expect(() => app.live.softphoneFrames({ type: 'softphone-frames', tMs: 0, agent: new Float32Array(100), customer: new Float32Array(100) })).toThrow(/whole number/);
    await feedSoftphone(app.live, call);
    await app.live.stop();
    const page = await app.library.calls.list({});
    expect(page.total).toBe(1);
    const stored = (await app.library.calls.get(page.items[0]!.id))!;
    expect(stored.meta.source).toBe('softphone');
    expect(stored.meta.title).toBe('Call from +15550001111');
    expect(stored.report.nudges.map((n) => n.ruleId)).toEqual(offline.nudges.map((n) => n.ruleId));
    stored.report.nudges.forEach((n, i) => expect(Math.abs(n.atMs - offline.nudges[i]!.atMs)).toBeLessThanOrEqual(20));
    expect(stored.report.speech.length).toBe(offline.speech.length);
    expect(() => app.live.softphoneFrames({ type: 'softphone-frames', tMs: 0, agent: new Float32Array(320), customer: new Float32Array(320) })).toThrow(/no softphone call/);
  });

  it('takes the same call over the RPC contract, frames as base64 float32, and refuses malformed frames', async () => {
    const x = new Float32Array([0, 0.5, -0.25, 1e-7]);
    expect(Array.from(decodeFloat32(encodeFloat32(x)))).toEqual(Array.from(x));
    const call = buildCall({ turns: [{ channel: 'agent', text: AGENT_LINES[0]!, atMs: 200 }] });
    expect(await dispatch(app.handlers, 'softphone.callStart', { call: { sid: null, direction: 'outgoing', peer: 'client:alex' } })).toMatchObject({ ok: true, value: { phase: 'live' } });
    const total = Math.floor(call.agent.length / FRAME_SIZE);
    for (let f = 0; f + 5 <= total; f += 5) {
      const r = await dispatch(app.handlers, 'softphone.frames', {
        tMs: f * 20,
        agent: encodeFloat32(call.agent.subarray(f * FRAME_SIZE, (f + 5) * FRAME_SIZE)),
        customer: encodeFloat32(call.customer.subarray(f * FRAME_SIZE, (f + 5) * FRAME_SIZE)),
      });
      expect(r.ok).toBe(true);
    }
    const bad = await dispatch(app.handlers, 'softphone.frames', { tMs: 0, agent: encodeFloat32(new Float32Array(10)), customer: encodeFloat32(new Float32Array(10)) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('whole number') } });
    expect(await dispatch(app.handlers, 'softphone.callStop', { reason: 'hangup' })).toMatchObject({ ok: true, value: { phase: 'idle' } });
    const page = await app.library.calls.list({});
    const latest = (await app.library.calls.get(page.items[0]!.id))!;
    expect(latest.meta.title).toBe('Call to client:alex');
    expect(latest.report.channels.agent.talkMs).toBeGreaterThan(3000);
  });
});
