/**
 * Second-order IIR sections (RBJ Audio EQ Cookbook, Direct Form I). State lives in the returned
 * closure; `run` filters a block in place or into another buffer without allocating.
 */
export interface Biquad {
  run(input: Float32Array, output: Float32Array, length: number): void;
  reset(): void;
}

function make(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Biquad {
  const nb0 = b0 / a0;
  const nb1 = b1 / a0;
  const nb2 = b2 / a0;
  const na1 = a1 / a0;
  const na2 = a2 / a0;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  return {
    run(input, output, length) {
      for (let i = 0; i < length; i++) {
        const x = input[i]!;
        const y = nb0 * x + nb1 * x1 + nb2 * x2 - na1 * y1 - na2 * y2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        // Flush denormals: long silences otherwise decay into very slow subnormal arithmetic.
        y1 = Math.abs(y) < 1e-20 ? 0 : y;
        output[i] = y1;
      }
    },
    reset() {
      x1 = x2 = y1 = y2 = 0;
    },
  };
}

export function makeHighpass(sampleRate: number, cutoffHz: number, q = Math.SQRT1_2): Biquad {
  const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const c = Math.cos(w0);
  return make((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

export function makeLowpass(sampleRate: number, cutoffHz: number, q = Math.SQRT1_2): Biquad {
  const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const c = Math.cos(w0);
  return make((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}
