/**
 * The silent tail of a call that stops on silence: the seconds after the last words on either side,
 * before the stop, are not part of the conversation. Whatever the engine says about them (a "Dead air"
 * opened by the customer having hung up, timeline points of nothing) is held back from the library
 * while the silence lasts — passed on in order the moment anyone speaks again, dropped if the call ends
 * on that silence — so the stored call, and its score, end with the last words. The recording keeps
 * every frame.
 */
import type { SessionOutput } from '../shared/engine-protocol';
import { dbfs, FRAME_SIZE, HOP_MS } from '../dsp/frames';

/** Under this level on both sides a frame is silence (for the silence stop and its tail), dBFS. */
export const DEFAULT_SILENCE_DB = -50;

/** Stored outputs: what the library writes (metrics are never stored). */
type StoredOutput = Exclude<SessionOutput, { type: 'metrics' }>;

export interface SilentTail {
  /** Feeds the call's frames (the same as go to the engine), before they are transferred. */
  frames(agent: Float32Array, customer: Float32Array): void;
  /** Passes an engine output on, or holds it while it belongs to a silence that may be the tail (metrics only tell the engine's time). */
  route(msg: SessionOutput, write: (msg: StoredOutput) => void): void;
  /** The call ended: the held outputs are written (`keep`) or dropped (the call stopped on this silence). */
  end(keep: boolean, write: (msg: StoredOutput) => void): void;
  /** Call time where the silence began (the end of the last loud frame), ms. */
  readonly lastSoundMs: number;
}

/**
 * How long both sides must have been silent before what the engine says is held: past a breath and
 * the end of a word's hangover, well before "Respond" (2.5 s) or "Dead air" (5 s) can open.
 */
const HOLD_AFTER_MS = 1000;

/** A close whose open was written stays (it ends something of the call); one of a held open goes with it. */
function closes(msg: StoredOutput): string | null {
  if (msg.type === 'nudge' && msg.phase === 'close') return `n:${msg.nudge.id}`;
  if (msg.type === 'event' && msg.phase === 'close') return `e:${msg.event.id}`;
  return null;
}

function opens(msg: StoredOutput): string | null {
  if (msg.type === 'nudge' && msg.phase === 'open') return `n:${msg.nudge.id}`;
  if (msg.type === 'event' && msg.phase === 'open') return `e:${msg.event.id}`;
  return null;
}

/** The level of the frame at sample `from`, dBFS. */
export function frameLevelDb(x: Float32Array, from: number): number {
  let s = 0;
  for (let i = from; i < from + FRAME_SIZE; i++) s += x[i]! * x[i]!;
  return dbfs(s / FRAME_SIZE);
}

/** `silenceDb`: the level under which both sides count as silent (the same as the call's silence stop). */
export function makeSilentTail(silenceDb = DEFAULT_SILENCE_DB): SilentTail {
  let tMs = 0;
  let lastSoundMs = 0;
  const held: StoredOutput[] = [];
  let pendingFlush = false;
  // The engine's call time, from what it says: its output may trail the frames fed here (a busy worker,
  // a recording played faster than real time), so "how long silent" is measured on its clock.
  let engineMs = 0;
  return {
    get lastSoundMs() {
      return lastSoundMs;
    },
    frames(agent, customer) {
      const count = Math.floor(Math.min(agent.length, customer.length) / FRAME_SIZE);
      for (let f = 0; f < count; f++) {
        tMs += HOP_MS;
        if (frameLevelDb(agent, f * FRAME_SIZE) > silenceDb || frameLevelDb(customer, f * FRAME_SIZE) > silenceDb) {
          lastSoundMs = tMs;
          if (held.length > 0) pendingFlush = true;
        }
      }
    },
    route(msg, write) {
      if (msg.type === 'metrics') {
        engineMs = Math.max(engineMs, msg.snapshot.tMs);
        return;
      }
      if (msg.type === 'timeline') engineMs = Math.max(engineMs, msg.point.tMs);
      else if (msg.type === 'nudge' && msg.phase === 'open') engineMs = Math.max(engineMs, msg.nudge.atMs);
      // Someone spoke again: what was held was part of the call after all.
      if (pendingFlush) {
        pendingFlush = false;
        for (const h of held.splice(0)) write(h);
      }
      // After a second of silence on the engine's clock, what it says is about the silence.
      if (held.length > 0 || (engineMs - lastSoundMs >= HOLD_AFTER_MS && tMs > lastSoundMs)) held.push(msg);
      else write(msg);
    },
    end(keep, write) {
      const rest = held.splice(0);
      if (keep || pendingFlush) {
        for (const h of rest) write(h);
        return;
      }
      const heldOpens = new Set(rest.map(opens).filter((k): k is string => k !== null));
      for (const h of rest) {
        const k = closes(h);
        if (k !== null && !heldOpens.has(k)) write(h);
      }
    },
  };
}
