import { describe, expect, it } from 'vitest';
import { makeSilentTail } from '../../src/call/silent-tail';
import { FRAME_SIZE } from '../../src/dsp/frames';
import type { SessionOutput } from '../../src/shared/engine-protocol';
import type { MetricsSnapshot } from '../../src/shared/metrics';

type Stored = Exclude<SessionOutput, { type: 'metrics' }>;

/** `n` frames of a 0.1-amplitude tone (about -23 dBFS) or of silence. */
function frames(n: number, loud: boolean): Float32Array {
  const x = new Float32Array(n * FRAME_SIZE);
  if (loud) for (let i = 0; i < x.length; i++) x[i] = 0.1 * Math.sin((2 * Math.PI * 200 * i) / 16000);
  return x;
}
const metrics = (tMs: number): SessionOutput => ({ type: 'metrics', seq: 0, sessionId: 's', snapshot: { tMs } as MetricsSnapshot });
const point = (tMs: number): Stored =>
  ({ type: 'timeline', seq: 0, sessionId: 's', point: { tMs, agent: { dbfs: -90, speaking: false, wpm: null, pitchHz: null }, customer: { dbfs: -90, speaking: false, wpm: null, pitchHz: null }, talkRatio: null } });
const nudge = (phase: 'open' | 'close', id: string, atMs: number): Stored => ({
  type: 'nudge',
  seq: 0,
  sessionId: 's',
  phase,
  nudge: { id, ruleId: id.split('#')[0]!, title: 't', severity: 'coach', message: 'm', atMs, endMs: phase === 'close' ? atMs + 1 : null, conditionSinceMs: atMs },
});

describe('the silent tail', () => {
  it('passes output on while people talk, holds it through a silence, and passes it on in order when they talk again', () => {
    const tail = makeSilentTail();
    const out: Stored[] = [];
    const write = (m: Stored): void => void out.push(m);
    tail.frames(frames(100, true), frames(100, false)); // 2 s of talk
    tail.route(point(1000), write);
    expect(out).toHaveLength(1);
    tail.frames(frames(150, false), frames(150, false)); // 3 s of silence
    tail.route(metrics(4500), write);
    tail.route(point(4000), write);
    tail.route(nudge('open', 'slow-to-respond#1', 4500), write);
    expect(out).toHaveLength(1);
    tail.frames(frames(10, false), frames(10, true)); // the customer speaks again
    tail.route(point(5000), write);
    expect(out.map((m) => m.type)).toEqual(['timeline', 'timeline', 'nudge', 'timeline']);
    expect(tail.lastSoundMs).toBe(5200);
  });

  it('drops what belongs to a silence the call stopped on, but keeps the closing of what opened before it', () => {
    const tail = makeSilentTail();
    const out: Stored[] = [];
    const write = (m: Stored): void => void out.push(m);
    tail.frames(frames(100, true), frames(100, true));
    tail.route(nudge('open', 'speaking-too-fast#1', 1500), write);
    tail.frames(frames(500, false), frames(500, false)); // 10 s of silence
    tail.route(metrics(4000), write);
    tail.route(nudge('close', 'speaking-too-fast#1', 1500), write);
    tail.route(nudge('open', 'dead-air#1', 7000), write);
    tail.route(point(8000), write);
    tail.route(nudge('close', 'dead-air#1', 7000), write);
    tail.end(false, write);
    expect(out.map((m) => (m.type === 'nudge' ? `${m.phase} ${m.nudge.id}` : m.type))).toEqual(['open speaking-too-fast#1', 'close speaking-too-fast#1']);
    expect(tail.lastSoundMs).toBe(2000);
  });

  it('keeps everything when the call did not stop on the silence', () => {
    const tail = makeSilentTail();
    const out: Stored[] = [];
    tail.frames(frames(100, true), frames(100, false));
    tail.frames(frames(200, false), frames(200, false));
    tail.route(metrics(6000), (m) => out.push(m));
    tail.route(point(6000), (m) => out.push(m));
    expect(out).toHaveLength(0);
    tail.end(true, (m) => out.push(m));
    expect(out).toHaveLength(1);
  });
});
