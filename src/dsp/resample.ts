/**
 * Streaming band-limited resampler (windowed-sinc interpolation, Smith's "bandlimited interpolation"
 * method). The kernel is tabulated once per instance at PHASES sub-sample offsets and linearly
 * interpolated between them, so converting a block allocates nothing.
 */

export interface ResamplerConfig {
  /** Zero crossings of the sinc on each side of the centre, at the output's bandwidth. */
  readonly zeroCrossings: number;
  /** Passband edge as a fraction of the narrower Nyquist frequency. */
  readonly rolloff: number;
  /** Largest input block `process` will be given. */
  readonly maxBlock: number;
}

export const RESAMPLER_DEFAULTS: ResamplerConfig = { zeroCrossings: 8, rolloff: 0.85, maxBlock: 8192 };

// Kernel phases tabulated per sample; the nearest one is used (≤ 1/2048 sample of timing error, far
// below what speech analysis can notice), which saves interpolating every tap.
const PHASES = 1024;

export interface Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Most output samples one call can produce for a block of `inputLength` samples. */
  maxOutput(inputLength: number): number;
  /** Converts `length` input samples; writes to `out` from index 0 and returns the count written. */
  process(input: Float32Array, length: number, out: Float32Array): number;
  reset(): void;
}

function blackman(x: number): number {
  // x in [-1, 1]
  const t = (x + 1) / 2;
  return 0.42 - 0.5 * Math.cos(2 * Math.PI * t) + 0.08 * Math.cos(4 * Math.PI * t);
}

export function makeResampler(inRate: number, outRate: number, config: Partial<ResamplerConfig> = {}): Resampler {
  const cfg = { ...RESAMPLER_DEFAULTS, ...config };
  if (inRate === outRate) {
    return {
      inRate,
      outRate,
      maxOutput: (n) => n,
      process(input, length, out) {
        out.set(input.subarray(0, length));
        return length;
      },
      reset() {},
    };
  }
  const step = inRate / outRate; // input samples per output sample
  const fc = Math.min(1, outRate / inRate) * cfg.rolloff; // cutoff relative to input Nyquist
  const half = Math.ceil(cfg.zeroCrossings / fc); // kernel half-width in input samples
  const taps = 2 * half;
  // table[p * taps + j] = h(j - half + 1 - p / PHASES), for p in 0..PHASES (inclusive, for interpolation)
  const table = new Float32Array((PHASES + 1) * taps);
  for (let p = 0; p <= PHASES; p++) {
    const frac = p / PHASES;
    for (let j = 0; j < taps; j++) {
      const x = j - half + 1 - frac;
      const arg = Math.PI * fc * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      table[p * taps + j] = fc * sinc * blackman(x / half);
    }
  }
  const buf = new Float32Array(cfg.maxBlock + taps + 2);
  let buffered = 0;
  // Position of the next output sample in input-sample coordinates relative to buf[0].
  let pos = 0;

  const reset = (): void => {
    buf.fill(0);
    // Pre-roll with silence so the first output is centred on the first input sample.
    buffered = half - 1;
    pos = half - 1;
  };
  reset();

  return {
    inRate,
    outRate,
    maxOutput: (n) => Math.ceil((n + taps) / step) + 2,
    process(input, length, out) {
      if (length > cfg.maxBlock) throw new RangeError(`resampler block of ${length} exceeds maxBlock ${cfg.maxBlock}`);
      buf.set(input.subarray(0, length), buffered);
      buffered += length;
      let n = 0;
      // A local copy of the position: a captured `let` would go through the closure context per sample.
      let p = pos;
      // Need samples floor(p)-half+1 .. floor(p)+half.
      while (Math.floor(p) + half < buffered) {
        const base = Math.floor(p);
        const row = Math.round((p - base) * PHASES) * taps;
        const start = base - half + 1;
        let acc = 0;
        for (let j = 0; j < taps; j++) acc += buf[start + j]! * table[row + j]!;
        out[n++] = acc;
        p += step;
      }
      pos = p;
      // Drop input no longer needed by any future output.
      const keepFrom = Math.max(0, Math.floor(pos) - half + 1);
      if (keepFrom > 0) {
        buf.copyWithin(0, keepFrom, buffered);
        buffered -= keepFrom;
        pos -= keepFrom;
      }
      return n;
    },
    reset,
  };
}
