/** Starting a call on speech from both sides, with pre-roll; and `cadence live --auto-start`. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSpeechTrigger } from '../../../src/call/speech-trigger';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { buildCall, synth, writeCallWav } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';

const ROOT = resolve(__dirname, '../../..');

function feed(call: { agent: Float32Array; customer: Float32Array }, chunkFrames = 5): { atMs: number | null; trigger: ReturnType<typeof makeSpeechTrigger> } {
  const t = makeSpeechTrigger();
  const total = Math.floor(call.agent.length / FRAME_SIZE);
  for (let f = 0; f < total; f += chunkFrames) {
    const n = Math.min(chunkFrames, total - f);
    const r = t.push(call.agent.subarray(f * FRAME_SIZE), call.customer.subarray(f * FRAME_SIZE), n);
    if (r >= 0) return { atMs: (f + r) * 20, trigger: t };
  }
  return { atMs: null, trigger: t };
}

describe('speech trigger', () => {
  it('starts once both sides have spoken 0.8 s (±0.3 s), keeping 3 s of pre-roll', () => {
    const call = buildCall({
      turns: [
        { channel: 'agent', text: AGENT_LINES[0]!, atMs: 500 },
        { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 7000 },
      ],
    });
    const { atMs, trigger } = feed(call);
    expect(atMs).not.toBeNull();
    expect(Math.abs(atMs! - 7800)).toBeLessThan(300);
    const pre = trigger.takePreroll();
    expect(pre.agent.length).toBe(150 * FRAME_SIZE);
    // The pre-roll ends where the trigger fired: its last samples are the customer's opening words.
    const from = atMs! * 16 - pre.customer.length;
    expect(pre.customer[pre.customer.length - 1]).toBeCloseTo(call.customer[from + pre.customer.length - 1]!, 6);
  });

  it('does not start on one side alone', () => {
    const call = buildCall({ turns: [{ channel: 'agent', text: `${AGENT_LINES[0]!} ${AGENT_LINES[1]!}`, atMs: 500 }] });
    expect(feed(call).atMs).toBeNull();
  });
});

describe('cadence live --auto-start', () => {
  it('waits for both sides, then coaches the call from the pre-roll on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-auto-'));
    const custAt = 3000;
    const custEnd = custAt + (synth(CUSTOMER_LINES[1]!).samples.length / 16000) * 1000;
    const call = buildCall({
      turns: [
        { channel: 'agent', text: AGENT_LINES[5]!, atMs: 300 },
        { channel: 'customer', text: CUSTOMER_LINES[1]!, atMs: custAt },
      ],
      durationMs: Math.ceil(custEnd + 500),
    });
    const wav = writeCallWav(call, join(dir, 'call.wav'));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/cadence.mjs'), 'live', '--file', wav, '--auto-start', '--json', '--no-save'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; phase?: string; report?: { durationMs: number; speech: { channel: string }[] } });
    expect(lines.map((l) => `${l.type}:${l.phase ?? ''}`)).toEqual(expect.arrayContaining(['call:waiting', 'call:start']));
    const report = lines.find((l) => l.type === 'report')!.report!;
    // Coached from 3 s before the trigger (~custAt + 0.8 s) to the end of the file.
    const expected = call.durationMs - (custAt + 800) + 3000;
    expect(Math.abs(report.durationMs - expected)).toBeLessThan(600);
    expect(report.speech.some((s) => s.channel === 'customer')).toBe(true);
  });
});
