/**
 * Speaking rate on recordings of real people (pocketsphinx-testdata), against words over speaking time
 * from the transcripts. Tolerances: mean absolute error ≤ 10% and each clip within 20% on utterances with
 * at least 2.5 s of speech (below that a clip has 2-5 words and one syllable is 10-30% of it; the
 * pace rules wait for 6 s of speech); and no clip of any length whose true rate is
 * ≤ 180 wpm reads above 190, the "Slow down" threshold.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { createEngine } from '../../../src/engine/engine';
import { defaultPlaybook } from '../../fixtures/run';
import { loadRealClips, measureClipWpm, REAL_SPEECH_MISSING } from '../../fixtures/real-speech';

const title = REAL_SPEECH_MISSING ? `speaking rate on real speech (skipped: ${REAL_SPEECH_MISSING})` : 'speaking rate on real speech';

describe.skipIf(REAL_SPEECH_MISSING !== null)(title, () => {
  it('reads utterances of 2.5 s or more within 10% on average and 20% each, held-out clips included', () => {
    const rows = loadRealClips()
      .filter((c) => c.speechS >= 2.5)
      .map((c) => ({ c, est: measureClipWpm(c.samples).wpm }));
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(rows.some((r) => r.c.heldOut)).toBe(true);
    const errors = rows.map((r) => Math.abs(r.est - r.c.truthWpm) / r.c.truthWpm);
    const table = rows.map((r) => `${r.c.id} ${r.c.truthWpm.toFixed(0)}→${r.est.toFixed(0)}`).join(', ');
    expect(errors.reduce((a, b) => a + b, 0) / errors.length, table).toBeLessThanOrEqual(0.1);
    for (const e of errors) expect(e, table).toBeLessThanOrEqual(0.2);
  });

  it('never reads a normal speaker (true rate ≤ 180 wpm) above 190 wpm, on clips of any length', () => {
    for (const c of loadRealClips().filter((x) => x.truthWpm <= 180)) {
      const est = measureClipWpm(c.samples).wpm;
      expect(est, `${c.id}: true ${c.truthWpm.toFixed(0)} wpm`).toBeLessThanOrEqual(190);
    }
  });

  it('the live meter and the whole-call figure agree, and match the transcript, on a call of real sentences', () => {
    // The LibriVox reader's five sentences as one agent turn sequence with 0.6 s pauses between them.
    const clips = loadRealClips().filter((c) => c.speaker === 'librivox');
    const gap = new Float32Array(9600);
    const parts: Float32Array[] = [gap];
    for (const c of clips) parts.push(c.samples, gap);
    const len = Math.floor(parts.reduce((n, p) => n + p.length, 0) / FRAME_SIZE) * FRAME_SIZE;
    const agent = new Float32Array(len);
    let off = 0;
    for (const p of parts) {
      agent.set(p.subarray(0, Math.min(p.length, len - off)), off);
      off += p.length;
      if (off >= len) break;
    }
    let live: number | null = null;
    const engine = createEngine({ playbook: defaultPlaybook, sink: { onTimeline: (p) => void (p.agent.wpm !== null && (live = p.agent.wpm)) } });
    engine.processFrames(agent, new Float32Array(len), len / FRAME_SIZE);
    const whole = engine.finish().channels.agent.wpm!;
    const words = clips.reduce((n, c) => n + c.words, 0);
    const speechS = clips.reduce((n, c) => n + c.speechS, 0);
    // Pauses of 0.6 s between sentences are inside the turn, so they count as speaking time.
    const truth = (words / (speechS + 0.6 * (clips.length - 1))) * 60;
    expect(live).not.toBeNull();
    expect(Math.abs(whole - truth) / truth, `whole-call ${whole} vs truth ${truth.toFixed(0)}`).toBeLessThanOrEqual(0.1);
    expect(Math.abs(live! - whole) / whole, `live ${live} vs whole-call ${whole}`).toBeLessThanOrEqual(0.05);
  });
});
