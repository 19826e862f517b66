/**
 * Paint timing: from a nudge leaving the engine (stamped by the app, epoch ms) to its card painted
 * here, and from a final transcript line reaching the app to its caption painted. Kept on
 * `window.__cadencePaint` and `window.__cadenceCaptionPaint` for the e2e run and the bench to read.
 */
export interface PaintSample {
  readonly nudgeId: string;
  readonly ms: number;
}

declare global {
  interface Window {
    __cadencePaint?: PaintSample[];
    __cadenceCaptionPaint?: PaintSample[];
  }
}

export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Call right after the card is committed to the DOM: measures once the frame has been painted. */
export function measurePaint(nudgeId: string, emittedAt: number, what: 'card' | 'caption' = 'card'): void {
  requestAnimationFrame(() => {
    // rAF runs before the paint; a task queued from it runs after that frame is presented.
    setTimeout(() => {
      const list = what === 'card' ? (window.__cadencePaint ??= []) : (window.__cadenceCaptionPaint ??= []);
      if (list.length < 10_000) list.push({ nudgeId, ms: nowEpochMs() - emittedAt });
    }, 0);
  });
}
