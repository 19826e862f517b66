/**
 * Device setup's pure parts: the same-signal check on frame-level envelopes (one signal on two inputs
 * correlates near 1 even at another gain; two different talkers do not) and the parsing of `arecord -L`.
 */
import { describe, expect, it } from 'vitest';
import { envelopeCorrelation, SAME_SIGNAL_R } from '../../src/capture/device-compare';
import { parseAlsaList } from '../../src/capture/device-names';

/** A speech-like envelope (dB per 20 ms frame): bursts and pauses from a seeded generator. */
function envelope(seed: number, n: number): number[] {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: number[] = [];
  let on = false;
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.05) on = !on;
    out.push(on ? -30 + rnd() * 12 : -90);
  }
  return out;
}

describe('same-signal check', () => {
  it('one signal at another gain correlates above the threshold; two talkers stay below it', () => {
    const a = envelope(1, 400);
    const louder = a.map((v) => (v > -80 ? v + 6 : v));
    expect(envelopeCorrelation(a, louder)!).toBeGreaterThan(SAME_SIGNAL_R);
    const b = envelope(7, 400);
    expect(envelopeCorrelation(a, b)!).toBeLessThan(SAME_SIGNAL_R);
  });

  it('says nothing with too little sound', () => {
    expect(envelopeCorrelation(new Array<number>(400).fill(-100), new Array<number>(400).fill(-100))).toBeNull();
  });
});

describe('arecord -L', () => {
  it('maps each PCM name to its description lines', () => {
    const text = 'null\n    Discard all samples\ncadence_agent\n    Cadence test: agent sink monitor\npulse\n    PulseAudio Sound Server\n    (second line)\nbare\n';
    const m = parseAlsaList(text);
    expect(m.get('cadence_agent')).toBe('Cadence test: agent sink monitor');
    expect(m.get('pulse')).toBe('PulseAudio Sound Server — (second line)');
    expect(m.has('bare')).toBe(false);
  });
});
