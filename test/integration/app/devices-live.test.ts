/**
 * The app's real-device path, in process: the test process takes a private PulseAudio's environment
 * before PortAudio first loads (vitest runs each file in its own process), then lists devices, runs the
 * first-run level check and a device call through the same RPC handlers the windows use.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CadenceApp } from '../../../src/app/app';
import { exportAsDownload, mediaPath } from '../../../src/app/browser-host';
import { dispatch, localClient } from '../../../src/app/handlers';
import { encodeWav16 } from '../../../src/dsp/wav';
import type { DeviceList } from '../../../src/shared/rpc';
import { buildCall, synth } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';
import { pulseUnavailable, startPulse, type PrivatePulse } from '../../helpers/pulse';
import { tempDir } from '../../e2e/harness';
import { writeFileSync } from 'node:fs';

const unavailable = pulseUnavailable();
if (unavailable) console.info(`skipping the app's real-device tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('app: devices, level check and a device call', () => {
  const tmp = tempDir();
  let pulse: PrivatePulse;
  let app: CadenceApp;
  let call: ReturnType<typeof localClient>;

  beforeAll(async () => {
    pulse = startPulse();
    for (const key of ['HOME', 'PULSE_RUNTIME_PATH', 'XDG_RUNTIME_DIR']) process.env[key] = pulse.env[key];
    delete process.env.ALSA_CONFIG_PATH;
    delete process.env.PULSE_SERVER;
    app = await createApp({ dbPath: join(tmp.dir, 'library.sqlite'), shell: 'browser', mediaUrl: mediaPath, exportCall: exportAsDownload });
    call = localClient(app.handlers);
  });
  afterAll(async () => {
    await app?.close();
    pulse?.stop();
    tmp.cleanup();
  });

  it('lists the inputs; a call with no devices chosen asks for them', async () => {
    const list: DeviceList = await call('devices.list');
    expect(list.available).toBe(true);
    expect(list.inputs.map((d) => d.name)).toEqual(expect.arrayContaining(['cadence_agent', 'cadence_customer']));
    expect(list.remembered).toBeNull();
    expect(await dispatch(app.handlers, 'live.start', {})).toMatchObject({ ok: false, error: { code: 'no_devices' } });
    expect(await dispatch(app.handlers, 'devices.choose', { agent: 'nope', customer: 'cadence_customer' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('no audio input device named "nope"') },
    });
  });

  it('level check: speech at -26 dBFS is "ok" and becomes the calibration; silence is "no speech"', async () => {
    const speech = synth(`${AGENT_LINES[0]!} ${AGENT_LINES[1]!}`, { levelDb: -26 }).samples;
    const wav = join(tmp.dir, 'level.wav');
    writeFileSync(wav, encodeWav16([speech], 16000));
    const playing = pulse.play('agent', wav);
    const result = await call('devices.levelCheck', { device: 'cadence_agent', seconds: 6 });
    await playing;
    expect(result.verdict).toBe('ok');
    // The speech level over voiced frames sits a little above the utterance RMS.
    expect(result.speechDbfs!).toBeGreaterThan(-28);
    expect(result.speechDbfs!).toBeLessThan(-18);
    expect((await call('devices.list')).calibrationDb).toBe(result.speechDbfs);
    const quiet = await call('devices.levelCheck', { device: 'cadence_customer', seconds: 2 });
    expect(['no_signal', 'no_speech']).toContain(quiet.verdict);
  });

  it('runs a call from the chosen devices: cards, a mark stamped by the engine, a dismissed card, then the call is stored', async () => {
    await call('devices.choose', { agent: 'cadence_agent', customer: 'cadence_customer' });
    const c = buildCall({
      turns: [
        { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 500, voice: 'en-gb', pitch: 70 },
        { channel: 'agent', text: AGENT_LINES[2]!, atMs: 2500 }, // over the customer
      ],
    });
    const agentWav = join(tmp.dir, 'agent.wav');
    const customerWav = join(tmp.dir, 'customer.wav');
    writeFileSync(agentWav, encodeWav16([c.agent], 16000));
    writeFileSync(customerWav, encodeWav16([c.customer], 16000));
    const opened: string[] = [];
    const unsubscribe = app.events.subscribe((event, payload) => {
      const p = payload as { phase?: string; nudge?: { id: string } };
      if (event === 'live.nudge' && p.phase === 'open') opened.push(p.nudge!.id);
    });
    const state = await call('live.start', {});
    expect(state.phase).toBe('live');
    await new Promise((r) => setTimeout(r, 2500)); // PulseAudio capture start-up
    await Promise.all([pulse.play('agent', agentWav), pulse.play('customer', customerWav)]);
    const mark = await call('live.mark');
    expect(mark.atMs).toBeGreaterThan(3000);
    for (let i = 0; i < 50 && !opened.some((id) => id.startsWith('interrupting')); i++) await new Promise((r) => setTimeout(r, 100));
    const card = opened.find((id) => id.startsWith('interrupting'));
    expect(card).toBeDefined();
    await call('live.feedback', { nudgeId: card!, feedback: 'dismissed' });
    const stopped = await call('live.stop');
    expect(stopped.phase).toBe('idle');
    unsubscribe();
    const page = await call('calls.list', {});
    expect(page.total).toBe(1);
    const detail = await call('calls.get', { id: page.items[0]!.id });
    expect(detail.meta.source).toBe('device');
    expect(detail.meta.status).toBe('completed');
    expect(detail.report.events.some((e) => e.type === 'mark' && Math.abs(e.startMs - mark.atMs) < 100)).toBe(true);
    const stored = detail.report.nudges.find((n) => n.id === card);
    expect(stored?.feedback).toBe('dismissed');
    expect(detail.recordingUrl).not.toBeNull();
    expect((await call('devices.list')).remembered).toEqual({ agent: 'cadence_agent', customer: 'cadence_customer' });
  }, 60_000);
});
