/** The softphone bridge: tapped frame messages into engine frames (gaps, repeats, backlog, status, errors). */
import { describe, expect, it } from 'vitest';
import type { CaptureStatus } from '../../src/capture/source';
import { createSoftphoneBridge } from '../../src/telephony/softphone-bridge';
import { FRAME_SIZE } from '../../src/dsp/frames';
import type { SoftphoneFramesMessage } from '../../src/shared/softphone';

function msg(tMs: number, frames: number, value = 0.1): SoftphoneFramesMessage {
  const a = new Float32Array(frames * FRAME_SIZE).fill(value);
  const c = new Float32Array(frames * FRAME_SIZE).fill(-value);
  return { type: 'softphone-frames', tMs, agent: a, customer: c };
}

function collect(): { got: { agent: Float32Array; customer: Float32Array }[]; statuses: CaptureStatus[]; sink: Parameters<ReturnType<typeof createSoftphoneBridge>['start']>[0] } {
  const got: { agent: Float32Array; customer: Float32Array }[] = [];
  const statuses: CaptureStatus[] = [];
  return { got, statuses, sink: { frames: (agent, customer) => got.push({ agent, customer }), status: (s) => statuses.push(s) } };
}

describe('softphone bridge', () => {
  it('passes whole frames through, fills a gap with silence and drops repeats', async () => {
    const b = createSoftphoneBridge();
    const c = collect();
    await b.start(c.sink);
    b.push(msg(0, 2));
    b.push(msg(40, 1));
    b.push(msg(40, 1)); // repeat
    b.push(msg(20, 3, 0.2)); // 20..80: only 60..80 is new
    b.push(msg(200, 1)); // gap of 80..200 = 6 frames
    await b.stop();
    const total = c.got.reduce((n, f) => n + f.agent.length, 0);
    expect(total).toBe(11 * FRAME_SIZE);
    expect(c.got.every((f) => f.agent.length === f.customer.length && f.agent.length % FRAME_SIZE === 0)).toBe(true);
    expect(b.stats()).toEqual({ droppedSamples: 3 * FRAME_SIZE, paddedSamples: 6 * FRAME_SIZE, frames: 11 });
    expect(c.got[2]!.agent[0]).toBeCloseTo(0.2);
    expect(c.got[3]!.agent.length).toBe(6 * FRAME_SIZE);
    expect(c.got[3]!.agent.every((x) => x === 0)).toBe(true);
    expect(c.statuses.map((s) => s.state)).toEqual(['opening', 'opening', 'capturing', 'capturing', 'stopped', 'stopped']);
  });

  it('keeps frames that arrive before start (bounded), and re-syncs on a large jump without padding', async () => {
    const b = createSoftphoneBridge({ maxBacklogMs: 100, maxGapMs: 1000 });
    for (let i = 0; i < 10; i++) b.push(msg(i * 20, 1));
    const c = collect();
    await b.start(c.sink);
    expect(c.got.length).toBe(5);
    b.push(msg(60_000, 1));
    expect(b.stats()).toEqual({ droppedSamples: 5 * FRAME_SIZE, paddedSamples: 0, frames: 6 });
    await b.stop();
  });

  it('says when the audio stalls', async () => {
    let t = 0;
    const b = createSoftphoneBridge({ stallMs: 100, now: () => t });
    const c = collect();
    await b.start(c.sink);
    b.push(msg(0, 1));
    t = 1000;
    await new Promise((r) => setTimeout(r, 120));
    expect(c.statuses.at(-1)).toMatchObject({ state: 'stalled', channel: 'customer' });
    expect(c.statuses.at(-1)!.message).toMatch(/No softphone audio/);
    b.push(msg(20, 1));
    expect(c.statuses.at(-1)!.state).toBe('capturing');
    await b.stop();
  });

  it('refuses malformed messages with a clear error', () => {
    const b = createSoftphoneBridge();
    expect(() => b.push({ ...msg(0, 1), customer: new Float32Array(FRAME_SIZE * 2) })).toThrow(/must match/);
    expect(() => b.push({ ...msg(0, 1), agent: new Float32Array(100), customer: new Float32Array(100) })).toThrow(/whole number/);
    expect(() => b.push({ ...msg(0, 1), tMs: 13 })).toThrow(/multiple of 20/);
    expect(() => b.push({ type: 'nope' } as unknown as SoftphoneFramesMessage)).toThrow(/not a softphone-frames/);
  });
});
