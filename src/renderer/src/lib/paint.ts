/**
 * Paint timing: from a nudge leaving the engine (stamped by the app, epoch ms) to its card painted
 * here. Kept on `window.__cadencePaint` for the e2e run and the bench to read.
 */
export interface PaintSample {
  readonly nudgeId: string;
  readonly ms: number;
}

declare global {
  interface Window {
    __cadencePaint?: PaintSample[];
  }
}

export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Call right after the card is committed to the DOM: measures once the frame has been painted. */
export function measurePaint(nudgeId: string, emittedAt: number): void {
  requestAnimationFrame(() => {
    // rAF runs before the paint; a task queued from it runs after that frame is presented.
    setTimeout(() => {
      const list = (window.__cadencePaint ??= []);
      if (list.length < 10_000) list.push({ nudgeId, ms: nowEpochMs() - emittedAt });
    }, 0);
  });
}
