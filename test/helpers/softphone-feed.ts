/** Feeds a call into the app's softphone path the way the window's audio tap does. */
import type { LiveService } from '../../src/call/live-service';
import { FRAME_SIZE } from '../../src/dsp/frames';

/**
 * 100 ms batches numbered by the tap's own clock, paced a little faster than real time; waits a moment
 * after the last so the engine has them all before the caller stops the call.
 */
export async function feedSoftphone(live: LiveService, call: { readonly agent: Float32Array; readonly customer: Float32Array }): Promise<void> {
  const total = Math.floor(call.agent.length / FRAME_SIZE);
  for (let f = 0; f < total; f += 5) {
    const n = Math.min(5, total - f);
    live.softphoneFrames({ type: 'softphone-frames', tMs: f * 20, agent: call.agent.slice(f * FRAME_SIZE, (f + n) * FRAME_SIZE), customer: call.customer.slice(f * FRAME_SIZE, (f + n) * FRAME_SIZE) });
    // About 20× real time: a phone line cannot wait, so a feeder far faster than any line would only
    // measure how many frames a busy machine's engine queue can hold.
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 300));
}
