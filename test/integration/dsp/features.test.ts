/**
 * Voice features against synthesised speech with known truth (espeak-ng + sox).
 * Tolerances: VAD frame F1 ≥ 0.95 clean, ≥ 0.90 on a noisy line and on 8 kHz μ-law; speaking rate
 * within 10% on turns of 10 s or more (the just-noticeable tempo difference); level within 1 dB.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src/engine/analyze';
import { FRAME_SIZE, SAMPLE_RATE } from '../../../src/dsp/frames';
import { createEngine } from '../../../src/engine/engine';
import { buildCall, soxConvert, synth, vadScore, writeCallWav, type CallSpec } from '../../fixtures/speech';
import { analyzeCall, defaultPlaybook } from '../../fixtures/run';
import { AGENT_LINES, CUSTOMER_LINES, RATE_PASSAGE, RATE_PASSAGE_SYLLABLES_PER_WORD } from '../../fixtures/texts';

const dir = mkdtempSync(join(tmpdir(), 'cadence-feat-'));

/** A polite two-sided call: alternating turns with natural gaps. */
export function alternatingCall(extra: Partial<CallSpec> = {}): CallSpec {
  const turns: CallSpec['turns'][number][] = [];
  let t = 500;
  for (let i = 0; i < 6; i++) {
    const agentText = AGENT_LINES[i % AGENT_LINES.length]!;
    turns.push({ channel: 'agent', text: agentText, atMs: t });
    t += synth(agentText, { voice: 'en-us' }).samples.length / 16 + 700;
    const custText = CUSTOMER_LINES[i % CUSTOMER_LINES.length]!;
    turns.push({ channel: 'customer', text: custText, atMs: t });
    t += synth(custText, { voice: 'en-gb', pitch: 70 }).samples.length / 16 + 600;
  }
  return { turns, ...extra };
}

describe('voice activity', () => {
  const cases: [string, Partial<CallSpec>, string[] | null, number][] = [
    ['clean 16 kHz', {}, null, 0.95],
    ['noisy line (white noise at -45 dBFS + hum)', { noiseDb: -45 }, null, 0.9],
    ['8 kHz μ-law telephony', {}, ['-r', '8000', '-e', 'mu-law'], 0.9],
    ['noisy 8 kHz μ-law', { noiseDb: -45 }, ['-r', '8000', '-e', 'mu-law'], 0.9],
  ];
  for (const [name, extra, convert, minF1] of cases) {
    it(`F1 ≥ ${minF1} per channel on ${name}`, () => {
      const call = buildCall(alternatingCall(extra));
      let path = writeCallWav(call, join(dir, `vad-${name.replace(/\W+/g, '_')}.wav`));
      if (convert) path = soxConvert(path, path.replace('.wav', '-conv.wav'), convert);
      const report = analyzeFile(path, { playbook: defaultPlaybook });
      for (const ch of ['agent', 'customer']) {
        const s = vadScore(report.speech, call.truth, ch, call.durationMs);
        expect(s.f1, `${ch} P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)}`).toBeGreaterThanOrEqual(minF1);
      }
    });
  }
});

describe('speaking rate', () => {
  // espeak-ng's -s is nominal; the truth is words over the synthesised duration. The passage's own
  // syllables-per-word converts nuclei to words here (see RATE_PASSAGE_SYLLABLES_PER_WORD).
  for (const speed of [80, 105, 130, 155, 180, 205]) {
    it(`rolling wpm within 10% of the truth at espeak speed ${speed}`, () => {
      const u = synth(RATE_PASSAGE, { wpm: speed });
      const durationS = u.samples.length / SAMPLE_RATE;
      expect(durationS).toBeGreaterThanOrEqual(10);
      const truth = (u.words / durationS) * 60;
      const n = Math.floor(u.samples.length / FRAME_SIZE);
      let last: number | null = null;
      const engine = createEngine({
        playbook: defaultPlaybook,
        channel: { syllablesPerWord: RATE_PASSAGE_SYLLABLES_PER_WORD },
        sink: { onTimeline: (p) => (p.agent.wpm !== null ? (last = p.agent.wpm) : undefined) },
      });
      engine.processFrames(u.samples, new Float32Array(n * FRAME_SIZE), n);
      engine.finish();
      expect(last).not.toBeNull();
      expect(Math.abs(last! - truth) / truth, `estimate ${last} vs truth ${truth.toFixed(0)}`).toBeLessThanOrEqual(0.1);
    });
  }
});

describe('level and pitch', () => {
  it('measures the speech level within 1 dB and separates the two voices by pitch', () => {
    const call = buildCall({
      turns: [
        { channel: 'agent', text: AGENT_LINES[0]!, atMs: 300, levelDb: -30 },
        { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 6000, levelDb: -20 },
      ],
    });
    const r = analyzeCall(call);
    // Speech level is measured on voiced frames only, so it sits slightly above the utterance RMS.
    expect(r.channels.agent.meanDbfs!).toBeGreaterThan(-30);
    expect(r.channels.agent.meanDbfs!).toBeLessThan(-29 + 2);
    expect(Math.abs(r.channels.customer.meanDbfs! - r.channels.agent.meanDbfs! - 10)).toBeLessThan(1);
    // espeak-ng pitch 50 (en-us) vs 70 (en-gb): the second voice is higher.
    expect(r.channels.agent.pitchHz!).toBeGreaterThan(70);
    expect(r.channels.agent.pitchHz!).toBeLessThan(200);
    expect(r.channels.customer.pitchHz!).toBeGreaterThan(r.channels.agent.pitchHz! * 1.1);
  });
});
