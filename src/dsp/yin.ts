/**
 * YIN fundamental-frequency estimator (de Cheveigné & Kawahara, "YIN, a fundamental frequency
 * estimator for speech and music", JASA 2002). Steps numbered as in the paper. All buffers are
 * allocated by the factory; the returned function allocates nothing.
 */
export interface YinConfig {
  readonly sampleRate: number;
  readonly minHz: number;
  readonly maxHz: number;
  /** Absolute threshold on the cumulative mean normalized difference (step 4). */
  readonly threshold: number;
  /** Samples in the analysed window; must exceed the longest period. */
  readonly windowSize: number;
  /**
   * Step 2 sums every `stride`-th product. The input is already band-limited well below Nyquist, so a
   * stride of 2 changes d(τ) by a scale factor only and halves the cost.
   */
  readonly stride: number;
}

export const YIN_DEFAULTS: YinConfig = { sampleRate: 8000, minHz: 60, maxHz: 400, threshold: 0.15, windowSize: 320, stride: 1 };

export interface YinResult {
  /** Estimated F0 in Hz, or NaN when the window is not periodic enough. */
  hz: number;
  /** d'(τ) at the chosen lag: lower is more periodic (0 = perfectly periodic). */
  aperiodicity: number;
}

export function makeYin(config: Partial<YinConfig> = {}): (window: Float32Array, result: YinResult) => YinResult {
  const cfg = { ...YIN_DEFAULTS, ...config };
  const tauMin = Math.max(2, Math.floor(cfg.sampleRate / cfg.maxHz));
  const tauMax = Math.ceil(cfg.sampleRate / cfg.minHz);
  const w = cfg.windowSize - tauMax;
  if (w < tauMax) throw new RangeError(`YIN window ${cfg.windowSize} too short for ${cfg.minHz} Hz`);
  const d = new Float32Array(tauMax + 2);
  const stride = Math.max(1, Math.floor(cfg.stride));

  const threshold = cfg.threshold;
  return (x, result) => {
    // Steps 2–4 in one pass over τ: d'(τ) needs only d(1..τ), and step 4 stops at the first dip's local
    // minimum, so the lags beyond it (most of them for a voiced frame) are never computed. Each d(τ) is
    // summed exactly as in the full computation, so the estimate is the same.
    d[0] = 1;
    let running = 0;
    let candidate = -1;
    let best = -1;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      // Step 2: difference function d(τ) = Σ (x_j − x_{j+τ})².
      let sum = 0;
      for (let j = 0; j < w; j += stride) {
        const delta = x[j]! - x[j + tau]!;
        sum += delta * delta;
      }
      // Step 3: cumulative mean normalized difference d'(τ), with d(τ) rounded to single precision as
      // the table that held it used to (keeps the results bit-identical to the two-pass form).
      const raw = Math.fround(sum);
      running += raw;
      d[tau] = running > 0 ? (raw * tau) / running : 1;
      const dn = d[tau]!;
      // Step 4: first dip below the absolute threshold, followed to its local minimum.
      if (candidate < 0) {
        if (tau >= tauMin && tau <= tauMax && dn < threshold) candidate = tau;
      } else if (tau <= tauMax && dn < d[candidate]!) {
        candidate = tau;
      } else {
        best = candidate;
        break;
      }
    }
    // No dip: the global minimum, reported as aperiodic if it is still high.
    if (best < 0) {
      result.hz = NaN;
      let min = Infinity;
      for (let tau = tauMin; tau <= tauMax; tau++) if (d[tau]! < min) min = d[tau]!;
      result.aperiodicity = min;
      return result;
    }
    // Step 5: parabolic interpolation around the chosen lag.
    const a = d[best - 1]!;
    const b = d[best]!;
    const c = d[best + 1]!;
    const denom = a - 2 * b + c;
    const shift = denom > 0 ? (0.5 * (a - c)) / denom : 0;
    result.hz = cfg.sampleRate / (best + Math.max(-0.5, Math.min(0.5, shift)));
    result.aperiodicity = b;
    return result;
  };
}
