import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openWavFile } from '../../../src/capture/wav-file';
import { SAMPLE_RATE } from '../../../src/dsp/frames';
import { decodeWavFrames, encodeWav16, parseWavHeader, WavError } from '../../../src/dsp/wav';

let dir: string;
let source: string;
const F0 = 440;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cadence-wav-'));
  // Stereo reference: left a 440 Hz sine at -6 dBFS peak, right silent. 1 s at 48 kHz.
  const n = 48000;
  const left = new Float32Array(n);
  for (let i = 0; i < n; i++) left[i] = 0.5 * Math.sin((2 * Math.PI * F0 * i) / 48000);
  source = join(dir, 'ref.wav');
  writeFileSync(source, encodeWav16([left, new Float32Array(n)], 48000));
});

/** Frequency by zero-crossing count and RMS of a channel, resampled to 16 kHz through the file source. */
function measure(path: string, swap = false): { hz: number; rms: number; other: number; durationMs: number } {
  const src = openWavFile(path, { swap });
  const agent: number[] = [];
  const customer: number[] = [];
  src.read((a, c, count) => {
    for (let i = 0; i < count * 320; i++) {
      agent.push(a[i]!);
      customer.push(c[i]!);
    }
  });
  // Skip the resampler's edges.
  const a = agent.slice(800, agent.length - 800);
  let crossings = 0;
  for (let i = 1; i < a.length; i++) if (a[i - 1]! < 0 && a[i]! >= 0) crossings++;
  const rms = Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
  const other = Math.sqrt(customer.reduce((s, x) => s + x * x, 0) / customer.length);
  return { hz: crossings / (a.length / SAMPLE_RATE), rms, other, durationMs: src.durationMs };
}

describe('WAV input', () => {
  const variants: [string, string[]][] = [
    ['pcm 8-bit', ['-b', '8', '-e', 'unsigned-integer']],
    ['pcm 16-bit', ['-b', '16']],
    ['pcm 24-bit (WAVE_FORMAT_EXTENSIBLE)', ['-b', '24']],
    ['pcm 32-bit', ['-b', '32', '-e', 'signed-integer']],
    ['float32', ['-b', '32', '-e', 'floating-point']],
    ['mu-law 8 kHz', ['-r', '8000', '-e', 'mu-law']],
    ['a-law 8 kHz', ['-r', '8000', '-e', 'a-law']],
    ['pcm 16-bit 44.1 kHz', ['-r', '44100', '-b', '16']],
    ['pcm 16-bit 22.05 kHz', ['-r', '22050', '-b', '16']],
  ];
  for (const [name, args] of variants) {
    it(`decodes ${name} to 16 kHz frames with frequency within 1% and level within 0.5 dB`, () => {
      const out = join(dir, `${name.replace(/\W+/g, '_')}.wav`);
      execFileSync('sox', [source, ...args, out]);
      const m = measure(out);
      expect(Math.abs(m.hz - F0) / F0).toBeLessThan(0.01);
      const expectedRms = 0.5 / Math.SQRT2;
      expect(Math.abs(20 * Math.log10(m.rms / expectedRms))).toBeLessThan(0.5);
      expect(m.other).toBeLessThan(0.01);
      expect(Math.abs(m.durationMs - 1000)).toBeLessThanOrEqual(1);
    });
  }

  it('recognises WAVE_FORMAT_EXTENSIBLE headers', () => {
    const out = join(dir, 'ext.wav');
    execFileSync('sox', [source, '-b', '24', out]);
    const bytes = readFileSync(out);
    expect(bytes.readUInt16LE(20)).toBe(0xfffe);
    expect(parseWavHeader(bytes).codec).toBe('pcm_s24');
  });

  it('swaps channels with --swap semantics', () => {
    const m = measure(source, true);
    expect(m.rms).toBeLessThan(0.01);
    expect(m.other).toBeGreaterThan(0.3);
  });

  it('treats a mono file as agent only, with a silent customer', () => {
    const out = join(dir, 'mono.wav');
    execFileSync('sox', [source, '-c', '1', out, 'remix', '1']);
    const m = measure(out);
    expect(Math.abs(m.hz - F0) / F0).toBeLessThan(0.01);
    expect(m.other).toBe(0);
  });

  it('reads the audio that is there when the data chunk is cut short, and flags it', () => {
    const bytes = readFileSync(source);
    const info = parseWavHeader(bytes.subarray(0, 44 + 4 * 24000), bytes.length - 4 * 24000 + 0);
    expect(info.truncated).toBe(true);
    expect(info.frames).toBeLessThan(48000);
    const out = [new Float32Array(10), new Float32Array(10)];
    decodeWavFrames(bytes, info, 0, 10, out);
    expect(Math.abs(out[0]![1]! - 0.5 * Math.sin((2 * Math.PI * F0) / 48000))).toBeLessThan(1e-3);
  });

  const bad: [string, (p: string) => void, RegExp][] = [
    ['not a WAV', (p) => writeFileSync(p, 'hello, this is text not audio'), /not a WAV file/],
    ['empty file', (p) => writeFileSync(p, ''), /not a WAV file/],
    ['header only', (p) => writeFileSync(p, readFileSync(source).subarray(0, 44)), /truncated WAV|empty WAV/],
    ['ADPCM codec', (p) => execFileSync('sox', [source, '-e', 'ima-adpcm', p]), /unsupported WAV codec/],
    ['three channels', (p) => execFileSync('sox', ['-M', source, source, p, 'remix', '1', '2', '1']), /3 channels/],
    ['rate too high', (p) => execFileSync('sox', [source, '-r', '96000', p]), /sample rate 96000/],
  ];
  for (const [name, make, pattern] of bad) {
    it(`refuses ${name} with a one-line WavError`, () => {
      const p = join(dir, `bad-${name.replace(/\W+/g, '_')}.wav`);
      make(p);
      let err: unknown;
      try {
        openWavFile(p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WavError);
      expect((err as Error).message).toMatch(pattern);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});
