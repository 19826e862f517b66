import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/engine/analyze';
import { FileSource } from '../../../src/capture/file-source';
import { makeFramePairer } from '../../../src/capture/pairer';
import { runCall } from '../../../src/call/session';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { buildCall, writeCallWav } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';

function harness() {
  let t = 0;
  const out: { a: Float32Array; c: Float32Array }[] = [];
  const p = makeFramePairer({ onFrames: (a, c) => out.push({ a, c }), now: () => t, stallMs: 250, maxSkewMs: 400, maxQueueMs: 2000 });
  const total = () => out.reduce((s, f) => s + f.a.length, 0);
  return { p, out, total, advance: (ms: number) => (t += ms) };
}

const block = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);

describe('frame pairer', () => {
  it('emits whole 20 ms frame pairs, keeping each side in order', () => {
    const h = harness();
    h.p.write('agent', block(500, 1));
    h.p.write('customer', block(200, 2));
    expect(h.total()).toBe(0);
    h.p.write('customer', block(300, 2));
    expect(h.total()).toBe(320);
    expect(h.out[0]!.a.every((x) => x === 1) && h.out[0]!.c.every((x) => x === 2)).toBe(true);
    h.p.flush();
    expect(h.total()).toBe(640);
    expect(h.p.stats().paddedSamples).toBe(0 + 140 * 2);
  });

  it('pads a side that stops delivering so the call clock keeps running, and counts it', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) {
      h.p.write('agent', block(320, 1));
      h.p.write('customer', block(320, 2));
      h.advance(20);
    }
    for (let i = 0; i < 30; i++) {
      h.advance(20);
      h.p.write('agent', block(320, 1));
    }
    expect(h.total()).toBeGreaterThanOrEqual(320 * 30);
    expect(h.p.stats().paddedSamples).toBeGreaterThan(0);
  });

  it('drops the excess of a side that runs ahead of a live other side', () => {
    const h = harness();
    h.p.write('customer', block(320, 2));
    h.p.write('agent', block(16000, 1)); // one second at once
    expect(h.p.stats().droppedSamples).toBeGreaterThan(0);
  });
});

describe('file source paced in real time', () => {
  it('feeds runCall and gives the same report as offline analysis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cadence-file-'));
    try {
      const call = buildCall({
        turns: [
          { channel: 'customer', text: CUSTOMER_LINES[3]!, atMs: 200 },
          { channel: 'agent', text: AGENT_LINES[6]!, atMs: 200 + 5200 + 2800 },
        ],
      });
      const wav = writeCallWav(call, join(dir, 'c.wav'));
      const playbook = loadPlaybookFile();
      const offline = analyzeFile(wav, { playbook });
      const source = new FileSource(wav, { speed: 8, framesPerChunk: 5 });
      const opened: string[] = [];
      const result = await runCall(source, { playbook }, [{ onNudge: (phase, n) => phase === 'open' && opened.push(n.ruleId) }]);
      expect(result.stats.stopReason).toBe('source');
      expect(result.report.nudges.map((n) => [n.ruleId, n.atMs, n.endMs])).toEqual(offline.nudges.map((n) => [n.ruleId, n.atMs, n.endMs]));
      expect(opened).toEqual(offline.nudges.map((n) => n.ruleId));
      expect(result.report.speech).toEqual(offline.speech);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
