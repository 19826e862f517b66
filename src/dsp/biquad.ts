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
  // State lives in a typed array and is copied into locals for the loop: captured `let` doubles would
  // be read and written through the closure context on every sample.
  const st = new Float64Array(4); // x1, x2, y1, y2
  return {
    run(input, output, length) {
      let x1 = st[0]!;
      let x2 = st[1]!;
      let y1 = st[2]!;
      let y2 = st[3]!;
      for (let i = 0; i < length; i++) {
        const x = input[i]!;
        let y = nb0 * x + nb1 * x1 + nb2 * x2 - na1 * y1 - na2 * y2;
        // Flush denormals: long silences otherwise decay into very slow subnormal arithmetic.
        if (y < 1e-20 && y > -1e-20) y = 0;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        output[i] = y;
      }
      st[0] = x1;
      st[1] = x2;
      st[2] = y1;
      st[3] = y2;
    },
    reset() {
      st.fill(0);
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
