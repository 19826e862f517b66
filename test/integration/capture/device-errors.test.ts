/**
 * Device problems give clear one-line messages: an unknown device name, an impossible sample rate, and
 * a device that vanishes mid-call (the PulseAudio server behind it dies) and comes back.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInputDevice, type AudioDevice } from '../../../src/capture/portaudio';
import { pulseUnavailable, startPulse, type PrivatePulse } from '../../helpers/pulse';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'bin/cadence.mjs');

const dev = (id: number, name: string, inputs = 2): AudioDevice => ({
  id,
  name,
  hostApi: 'ALSA',
  inputChannels: inputs,
  outputChannels: 2,
  defaultSampleRate: 48000,
  inputLatencyMs: 10,
  defaultInput: false,
  defaultOutput: false,
});
const DEVICES = [dev(0, 'HDA Intel PCH: ALC892 Analog (hw:0,0)'), dev(1, 'Monitor of Built-in Audio'), dev(2, 'HDMI output', 0), dev(3, 'USB Headset Mic')];

describe('choosing a device', () => {
  it('by id, exact name, or a unique part of the name', () => {
    expect(resolveInputDevice('3', DEVICES).name).toBe('USB Headset Mic');
    expect(resolveInputDevice('Monitor of Built-in Audio', DEVICES).id).toBe(1);
    expect(resolveInputDevice('headset', DEVICES).id).toBe(3);
  });
  it('refuses unknown, ambiguous and output-only devices with a message that lists the inputs', () => {
    expect(() => resolveInputDevice('blackhole', DEVICES)).toThrow(/no audio input device named "blackhole" \(inputs: 0 "HDA.*3 "USB Headset Mic"; see `cadence devices`\)/);
    expect(() => resolveInputDevice('9', DEVICES)).toThrow(/no audio device with id 9/);
    expect(() => resolveInputDevice('2', DEVICES)).toThrow(/"HDMI output" has no inputs/);
    expect(() => resolveInputDevice('i', DEVICES)).toThrow(/ambiguous/);
  });
});

function run(args: string[], env: NodeJS.ProcessEnv, onLine?: (obj: Record<string, unknown>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      pending += d;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        if (line.startsWith('{')) onLine?.(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

const cadenceErrors = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('cadence '));

describe.skipIf(pulseUnavailable() !== null)('device errors on real devices', () => {
  let pulse: PrivatePulse;
  beforeAll(() => {
    pulse = startPulse();
  });
  afterAll(() => pulse?.stop());

  it('an unknown device name is one line naming the device and the inputs there are', async () => {
    const r = await run(['live', '--agent', 'no-such-mic', '--customer', 'cadence_customer', '--seconds', '1'], pulse.env);
    expect(r.code).toBe(1);
    expect(cadenceErrors(r.stderr)).toEqual([expect.stringMatching(/^cadence live: no audio input device named "no-such-mic" \(inputs: .*"cadence_agent".*"cadence_customer"/)]);
    // A call that never started leaves nothing in the library.
    const calls = await run(['calls', '--json'], pulse.env);
    expect((JSON.parse(calls.stdout) as { total: number }).total).toBe(0);
  });

  it('remembers the devices of the last call', async () => {
    const first = await run(['live', '--agent', 'cadence_agent', '--customer', 'cadence_customer', '--seconds', '2', '--json'], pulse.env);
    expect(first.code, first.stderr.split("\n").filter((l) => l.startsWith("cadence")).join(" | ")).toBe(0);
    const statuses: Record<string, unknown>[] = [];
    const again = await run(['live', '--seconds', '2', '--json'], pulse.env, (o) => o.type === 'status' && statuses.push(o));
    if (again.code !== 0) console.error(again.stderr);
    expect(again.code).toBe(0);
    expect(JSON.stringify(statuses)).toContain('cadence_agent');
    expect(JSON.stringify(statuses)).toContain('cadence_customer');
  });

  it('a device that is listed but cannot be opened (busy) is one clear line, and no call is left behind', async () => {
    const count = async (): Promise<number> => (JSON.parse((await run(['calls', '--json'], pulse.env)).stdout) as { total: number }).total;
    const before = await count();
    const r = await run(['live', '--agent', 'cadence_busy', '--customer', 'cadence_customer', '--seconds', '2'], pulse.env);
    expect(r.code).toBe(1);
    expect(cadenceErrors(r.stderr)).toEqual([expect.stringMatching(/^cadence live: audio device "cadence_busy" is busy or unavailable \(.*\); close the other program using it or pick another device$/)]);
    expect(await count()).toBe(before);
  });

  it('survives calls started and stopped in quick succession (PortAudio teardown is serialised)', async () => {
    for (const seconds of ['0.3', '0.8', '1.5']) {
      const r = await run(['live', '--agent', 'cadence_agent', '--customer', 'cadence_customer', '--seconds', seconds, '--no-save'], pulse.env);
      expect(r.code, `after ${seconds} s: ${cadenceErrors(r.stderr).join(' | ')}`).toBe(0);
    }
  });

  it('an impossible sample rate is refused clearly', async () => {
    const r = await run(['live', '--agent', 'cadence_agent', '--customer', 'cadence_customer', '--rate', '1000', '--seconds', '1'], pulse.env);
    expect(r.code).toBe(1);
    expect(cadenceErrors(r.stderr)).toEqual([expect.stringMatching(/sample rate 1000 Hz is out of range for "cadence_agent".*default is 44100 Hz/)]);
  });

  it('a device that vanishes mid-call is reported and capture resumes when it returns', async () => {
    const statuses: Record<string, unknown>[] = [];
    let killed = false;
    let restarted = false;
    const result = run(['live', '--agent', 'cadence_agent', '--customer', 'cadence_customer', '--seconds', '14', '--json'], pulse.env, (obj) => {
      if (obj.type !== 'status') return;
      statuses.push(obj);
      if (obj.state === 'capturing' && !killed && statuses.filter((s) => s.state === 'capturing').length === 2) {
        killed = true;
        setTimeout(() => pulse.kill(), 1000);
      }
      if (obj.state === 'lost' && !restarted) {
        restarted = true;
        pulse.restart();
      }
    });
    const r = await result;
    expect(r.code, r.stderr.slice(-500)).toBe(0);
    const agent = statuses.filter((s) => s.channel === 'agent');
    const states = agent.map((s) => s.state);
    expect(states).toEqual(expect.arrayContaining(['capturing', 'stalled', 'lost']));
    const lost = agent.find((s) => s.state === 'lost')!;
    expect(lost.message).toMatch(/audio device "cadence_agent" stopped delivering audio for \d+\.\d s; retrying until it returns/);
    // After the loss it comes back.
    expect(states.slice(states.indexOf('lost'))).toContain('capturing');
    expect(agent.at(-1)?.message).toMatch(/again \(capture resumed\)/);
    const report = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"type":"report"'))!) as { stats: { frames: number; stopReason: string } };
    expect(report.stats.stopReason).toBe('time');
    expect(report.stats.frames).toBeGreaterThan(100);
  }, 60_000);
});
