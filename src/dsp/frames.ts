/** The engine's internal frame format (docs/architecture.md, "Contracts": 16 kHz mono float32, 20 ms hop). */
export const SAMPLE_RATE = 16000;
export const HOP_MS = 20;
export const FRAME_SIZE = (SAMPLE_RATE * HOP_MS) / 1000; // 320 samples

export function dbfs(meanSquare: number): number {
  // -120 dBFS stands in for digital silence so that comparisons stay finite.
  return meanSquare > 1e-12 ? 10 * Math.log10(meanSquare) : -120;
}

/**
 * Collects arbitrary-sized blocks into fixed frames. `push` calls `onFrame` synchronously with a view
 * into an internal buffer, valid only during the callback.
 */
export interface Framer {
  push(input: Float32Array, length: number, onFrame: (frame: Float32Array) => void): void;
  /** Samples waiting for a full frame. */
  readonly pending: number;
  reset(): void;
}

export function makeFramer(frameSize = FRAME_SIZE): Framer {
  const buf = new Float32Array(frameSize);
  let fill = 0;
  return {
    push(input, length, onFrame) {
      let i = 0;
      while (i < length) {
        const take = Math.min(frameSize - fill, length - i);
        buf.set(input.subarray(i, i + take), fill);
        fill += take;
        i += take;
        if (fill === frameSize) {
          onFrame(buf);
          fill = 0;
        }
      }
    },
    get pending() {
      return fill;
    },
    reset() {
      fill = 0;
    },
  };
}
