import { describe, expect, it } from 'vitest';
import { makeBandpass, makeHighpass } from '../../src/dsp/biquad';
import { encodeMulaw, MULAW_TABLE } from '../../src/dsp/g711';
import { makeFramer } from '../../src/dsp/frames';
import { makeResampler } from '../../src/dsp/resample';
import { makeYin } from '../../src/dsp/yin';

function sine(hz: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate);
  return x;
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

describe('resampler', () => {
  for (const [from, to] of [
    [48000, 16000],
    [44100, 16000],
    [8000, 16000],
    [22050, 16000],
  ] as const) {
    it(`${from} → ${to} Hz keeps a 1 kHz tone's level within 0.2 dB and length within 2 samples`, () => {
      const r = makeResampler(from, to);
      const x = sine(1000, from, 1);
      const out = new Float32Array(r.maxOutput(1024) * Math.ceil(x.length / 1024));
      const block = new Float32Array(r.maxOutput(1024));
      let n = 0;
      for (let i = 0; i < x.length; i += 1024) {
        const len = Math.min(1024, x.length - i);
        const got = r.process(x.subarray(i, i + len), len, block);
        out.set(block.subarray(0, got), n);
        n += got;
      }
      expect(Math.abs(n - to)).toBeLessThanOrEqual(64); // kernel latency holds back at most a few dozen samples
      const level = 20 * Math.log10(rms(out, 200, n - 200) / (0.5 / Math.SQRT2));
      expect(Math.abs(level)).toBeLessThan(0.2);
    });
  }

  it('removes content above the new Nyquist frequency (9 kHz tone, 48 → 16 kHz, attenuated ≥ 30 dB)', () => {
    const r = makeResampler(48000, 16000, { maxBlock: 32768 });
    const x = sine(9000, 48000, 0.5);
    const out = new Float32Array(r.maxOutput(x.length));
    const got = r.process(x, x.length, out);
    expect(20 * Math.log10(rms(out, 100, got - 100) / (0.5 / Math.SQRT2))).toBeLessThan(-30);
  });
});

describe('band-pass (high-pass then low-pass in one pass)', () => {
  // 300–1800 Hz at 8 kHz, as the syllable nuclei use it. Second-order sections: −3 dB at the corners,
  // 12 dB/octave beyond them. Measured on the second half of a 0.5 s tone (past the filter's settling).
  const gainDb = (hz: number, blocks: number): number => {
    const bp = makeBandpass(8000, 300, 1800);
    const x = sine(hz, 8000, 0.5);
    const y = new Float32Array(x.length);
    // Run in uneven blocks: the state must carry across calls exactly as over one block.
    const step = Math.ceil(x.length / blocks);
    for (let i = 0; i < x.length; i += step) bp.run(x.subarray(i), y.subarray(i), Math.min(step, x.length - i));
    return 20 * Math.log10(rms(y, 2000) / rms(x, 2000));
  };
  it('passes 800 Hz within 1 dB, attenuates 75 Hz and 3.6 kHz by ≥ 15 dB, −3 dB ± 1 at the corners', () => {
    expect(Math.abs(gainDb(800, 1))).toBeLessThan(1);
    expect(gainDb(75, 1)).toBeLessThan(-15);
    expect(gainDb(3600, 1)).toBeLessThan(-15);
    expect(Math.abs(gainDb(300, 1) + 3)).toBeLessThan(1);
    expect(Math.abs(gainDb(1800, 1) + 3)).toBeLessThan(1);
  });
  it('gives the same output in blocks as in one call', () => {
    expect(gainDb(500, 25)).toBe(gainDb(500, 1));
  });
  it('says when it has settled: then zeros in give exactly zeros out, so the channel may skip the run', () => {
    for (const f of [makeBandpass(8000, 300, 1800), makeHighpass(8000, 60)]) {
      expect(f.settled()).toBe(true);
      const y = new Float32Array(160);
      f.run(sine(500, 8000, 0.02), y, 160);
      expect(f.settled()).toBe(false);
      // The tail decays below the denormal flush (1e-20) within a second of zeros, then stays at zero.
      const zeros = new Float32Array(160);
      let blocks = 0;
      while (!f.settled() && blocks < 50) {
        f.run(zeros, y, 160);
        blocks++;
      }
      expect(blocks).toBeLessThan(50);
      y.fill(1);
      f.run(zeros, y, 160);
      expect(y.every((v) => Object.is(v, 0))).toBe(true);
      expect(f.settled()).toBe(true);
    }
  });
});

describe('YIN pitch', () => {
  const yin = makeYin({ sampleRate: 8000, windowSize: 320 });
  for (const hz of [80, 120, 220, 350]) {
    it(`finds ${hz} Hz within 1.5%`, () => {
      // A harmonic-rich periodic signal, closer to voice than a pure sine.
      const x = new Float32Array(320);
      for (let i = 0; i < 320; i++) {
        const t = (2 * Math.PI * hz * i) / 8000;
        x[i] = 0.5 * Math.sin(t) + 0.3 * Math.sin(2 * t + 0.3) + 0.2 * Math.sin(3 * t + 1.1);
      }
      const r = yin(x, { hz: NaN, aperiodicity: 1 });
      expect(Math.abs(r.hz - hz) / hz).toBeLessThan(0.015);
    });
  }
  it('reports white noise as unvoiced', () => {
    let s = 1;
    const x = new Float32Array(320).map(() => {
      s = (s * 16807) % 2147483647;
      return s / 2147483647 - 0.5;
    });
    expect(Number.isNaN(yin(x, { hz: 0, aperiodicity: 0 }).hz)).toBe(true);
  });
});

describe('G.711', () => {
  it('μ-law round-trips within its quantisation step (< 4% relative above -40 dBFS)', () => {
    for (const v of [0.01, 0.05, 0.1, 0.3, 0.7, -0.2, -0.9]) {
      const back = MULAW_TABLE[encodeMulaw(v)]!;
      expect(Math.abs(back - v) / Math.abs(v)).toBeLessThan(0.04);
    }
  });
});

describe('framer', () => {
  it('cuts arbitrary blocks into whole 320-sample frames, keeping order', () => {
    const f = makeFramer(320);
    const seen: number[] = [];
    const x = new Float32Array(1000).map((_, i) => i);
    f.push(x.subarray(0, 100), 100, (fr) => seen.push(fr[0]!));
    f.push(x.subarray(100), 900, (fr) => seen.push(fr[0]!));
    expect(seen).toEqual([0, 320, 640]);
    expect(f.pending).toBe(40);
  });
});
