/**
 * "Try on a past call": runs a stored call's recording through the engine again with a playbook that
 * has not been saved, so the editor can show which cards it would raise and when. It runs in the app
 * core (never the renderer), inline, on the decoded recording — the same engine as a live call. A call
 * with a transcript also gives the engine its final words, each at the moment its utterance ended (as
 * the transcriber delivered them live), so phrase, sentiment and checklist rules fire where they would have.
 */
import { readFileSync } from 'node:fs';
import { FRAME_SIZE, HOP_MS } from '../dsp/frames';
import { createEngine } from '../engine/engine';
import { sentimentOf } from '../insights/sentiment';
import type { Library } from '../library/library';
import { decodeOggOpus } from '../library/recording/ogg-opus';
import { parsePlaybookText } from '../shared/playbook';
import type { PlaybookTrial } from '../shared/rpc';
import { UserError } from '../shared/errors';
import type { Nudge } from '../shared/types';

const SLICE_FRAMES = 500;

export async function tryPlaybookOnCall(library: Library, text: string, callId: string): Promise<PlaybookTrial> {
  const parsed = parsePlaybookText(text);
  if (!parsed.ok) throw new UserError(`the playbook has ${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'}; fix them first`, 'invalid_playbook');
  const call = await library.calls.get(callId);
  if (!call) throw new UserError(`no call with id ${callId}`, 'not_found');
  const rec = await library.recordings.get(callId);
  if (!rec || rec.error !== null) throw new UserError('this call has no recording to try the playbook on', 'no_recording');
  let audio: ReturnType<typeof decodeOggOpus>;
  try {
    audio = decodeOggOpus(readFileSync(rec.path));
  } catch (err) {
    throw new UserError(`cannot read this call's recording: ${(err as Error).message}`, 'bad_recording');
  }
  const nudges: Nudge[] = [];
  const engine = createEngine({
    playbook: parsed.playbook,
    sink: { onNudge: (phase, n) => phase === 'close' && nudges.push(n) },
  });
  const frames = Math.floor(audio.agent.length / FRAME_SIZE);
  // Final utterances in the order they ended; each is given to the engine once the audio reaches its end.
  const finals = call.transcript.filter((t) => t.final && t.text.trim() !== '').toSorted((a, b) => a.endMs - b.endMs);
  let next = 0;
  const feedUpTo = (tMs: number): void => {
    for (; next < finals.length && finals[next]!.endMs <= tMs; next++) {
      const t = finals[next]!;
      const words = t.words && t.words.length > 0 ? t.words.map((w) => w.word) : t.text.split(/\s+/).filter((w) => w.length > 0);
      if (t.words && t.words.length > 0) engine.addWords(t.channel === 'agent' ? 0 : 1, t.words);
      engine.words({ channel: t.channel, words, final: true, sentiment: sentimentOf(t.text) });
    }
  };
  // In slices of 10 s of audio, yielding between them, so the app keeps answering during a long call's trial;
  // a slice stops early at the next utterance's end, so its words arrive at their own time.
  for (let from = 0; from < frames; ) {
    const untilWords = next < finals.length ? Math.max(from + 1, Math.ceil(finals[next]!.endMs / HOP_MS)) : frames;
    const count = Math.min(SLICE_FRAMES, frames - from, untilWords - from);
    engine.processFrames(audio.agent, audio.customer, count, from);
    from += count;
    feedUpTo(engine.tMs);
    await new Promise((r) => setImmediate(r));
  }
  // Words after the recording's last frame (a transcript slightly longer than the audio) still count.
  feedUpTo(Number.POSITIVE_INFINITY);
  engine.finish();
  nudges.sort((a, b) => a.atMs - b.atMs);
  return {
    callId,
    durationMs: Math.round(audio.durationMs),
    nudges: nudges.map((n) => ({ ruleId: n.ruleId, title: n.title, severity: n.severity, atMs: n.atMs, endMs: n.endMs })),
    // What was raised when the call was coached, for comparison.
    storedNudges: call.report.nudges.length,
    utterances: finals.length,
  };
}
