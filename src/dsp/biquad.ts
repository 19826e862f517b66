/**
 * Second-order IIR sections (RBJ Audio EQ Cookbook, Direct Form I). State lives in the returned
 * closure; `run` filters a block in place or into another buffer without allocating.
 */
export interface Biquad {
  run(input: Float32Array, output: Float32Array, length: number): void;
  reset(): void;
  /**
   * True when every state is zero: a block of zeros then comes out as zeros, so a caller may write them
   * instead of running the filter (digital silence costs nothing, with bit-identical output).
   */
  settled(): boolean;
}

/** Normalised coefficients b0, b1, b2, a1, a2 (a0 divided out). */
type Coefficients = readonly [number, number, number, number, number];

function normalise(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Coefficients {
  return [b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0];
}

function highpassCoefficients(sampleRate: number, cutoffHz: number, q: number): Coefficients {
  const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const c = Math.cos(w0);
  return normalise((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

function lowpassCoefficients(sampleRate: number, cutoffHz: number, q: number): Coefficients {
  const w0 = (2 * Math.PI * cutoffHz) / sampleRate;
  const alpha = Math.sin(w0) / (2 * q);
  const c = Math.cos(w0);
  return normalise((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

function make([nb0, nb1, nb2, na1, na2]: Coefficients): Biquad {
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
    settled: () => st[0] === 0 && st[1] === 0 && st[2] === 0 && st[3] === 0,
  };
}

export function makeHighpass(sampleRate: number, cutoffHz: number, q = Math.SQRT1_2): Biquad {
  return make(highpassCoefficients(sampleRate, cutoffHz, q));
}

/**
 * A high-pass at `lowHz` followed by a low-pass at `highHz`, run in one pass over the block: the same
 * arithmetic as the two sections in turn (including the single-precision store between them), with one
 * loop and one read and write of the block instead of two.
 */
export function makeBandpass(sampleRate: number, lowHz: number, highHz: number, q = Math.SQRT1_2): Biquad {
  const [hb0, hb1, hb2, ha1, ha2] = highpassCoefficients(sampleRate, lowHz, q);
  const [lb0, lb1, lb2, la1, la2] = lowpassCoefficients(sampleRate, highHz, q);
  const st = new Float64Array(8); // high-pass x1, x2, y1, y2; low-pass x1, x2, y1, y2
  return {
    run(input, output, length) {
      let hx1 = st[0]!;
      let hx2 = st[1]!;
      let hy1 = st[2]!;
      let hy2 = st[3]!;
      let lx1 = st[4]!;
      let lx2 = st[5]!;
      let ly1 = st[6]!;
      let ly2 = st[7]!;
      for (let i = 0; i < length; i++) {
        const x = input[i]!;
        let h = hb0 * x + hb1 * hx1 + hb2 * hx2 - ha1 * hy1 - ha2 * hy2;
        if (h < 1e-20 && h > -1e-20) h = 0;
        hx2 = hx1;
        hx1 = x;
        hy2 = hy1;
        hy1 = h;
        // The separate sections passed the high-pass output through a Float32Array.
        const m = Math.fround(h);
        let y = lb0 * m + lb1 * lx1 + lb2 * lx2 - la1 * ly1 - la2 * ly2;
        if (y < 1e-20 && y > -1e-20) y = 0;
        lx2 = lx1;
        lx1 = m;
        ly2 = ly1;
        ly1 = y;
        output[i] = y;
      }
      st[0] = hx1;
      st[1] = hx2;
      st[2] = hy1;
      st[3] = hy2;
      st[4] = lx1;
      st[5] = lx2;
      st[6] = ly1;
      st[7] = ly2;
    },
    reset() {
      st.fill(0);
    },
    settled: () => st[0] === 0 && st[1] === 0 && st[2] === 0 && st[3] === 0 && st[4] === 0 && st[5] === 0 && st[6] === 0 && st[7] === 0,
  };
}
