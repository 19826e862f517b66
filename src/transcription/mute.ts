/**
 * Muting what redaction hid: the placeholder words (`[card]`, `[ssn]`, `[email]`, `[phone]`, `[number]`)
 * keep the time spans of what was said, so the recording can be made silent there too (a setting, off by
 * default). A post-call step after the words are stored: the recording is decoded, the spans (with a
 * little margin) zeroed on the channel that said them, re-encoded into an owned temporary file and
 * renamed over the original, and the library's record of it (size, checksum) updated. Until the rename
 * the original is untouched, so a failure leaves the call as it was.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { FRAME_SIZE, SAMPLE_RATE } from '../dsp/frames';
import type { ChannelName } from '../shared/types';
import type { Library } from '../library/library';
import type { TranscriptSegment } from '../library/types';
import { decodeOggOpus, OggOpusWriter } from '../library/recording/ogg-opus';
import type { PostCallStep } from '../call/finalize';

/** A placeholder redaction left in a word (it may keep a head or tail, e.g. "number:[card]"). */
const PLACEHOLDER = /\[(card|ssn|email|phone|number)\]/;
/** Margin either side of a span, ms: word timings are a recogniser's estimate. */
const DEFAULT_PAD_MS = 80;
/** The encoder's lookahead the decoder returns first, in 16 kHz samples (the Ogg header's pre-skip, 312 at 48 kHz). */
const DECODER_DELAY = 104;

export interface MutedSpan {
  readonly channel: ChannelName;
  readonly startMs: number;
  readonly endMs: number;
}

/** The time spans of redacted words in a transcript, per channel. */
export function redactedSpans(transcript: readonly TranscriptSegment[]): MutedSpan[] {
  return transcript.flatMap((t) => (t.words ?? []).filter((w) => PLACEHOLDER.test(w.word)).map((w) => ({ channel: t.channel, startMs: w.startMs, endMs: w.endMs })));
}

/** Silences the redacted spans of a stored call's recording; how many spans and how much audio were muted. */
export async function muteRedactedSpans(library: Library, callId: string, options: { readonly padMs?: number } = {}): Promise<{ spans: number; mutedMs: number }> {
  const call = await library.calls.get(callId);
  const rec = call?.recording;
  const spans = call ? redactedSpans(call.transcript) : [];
  if (!rec || rec.error !== null || spans.length === 0) return { spans: 0, mutedMs: 0 };
  const audio = decodeOggOpus(readFileSync(rec.path));
  // Back to call time: drop the decoder's delay so a span lands where it was said.
  const channels = { agent: audio.agent.subarray(DECODER_DELAY), customer: audio.customer.subarray(DECODER_DELAY) };
  const n = channels.agent.length;
  const pad = options.padMs ?? DEFAULT_PAD_MS;
  let muted = 0;
  for (const s of spans) {
    const from = Math.max(0, Math.floor(((s.startMs - pad) * SAMPLE_RATE) / 1000));
    const to = Math.min(n, Math.ceil(((s.endMs + pad) * SAMPLE_RATE) / 1000));
    if (to > from) {
      channels[s.channel].fill(0, from, to);
      muted += to - from;
    }
  }
  const frames = Math.ceil(n / FRAME_SIZE);
  const agent = new Float32Array(frames * FRAME_SIZE);
  const customer = new Float32Array(frames * FRAME_SIZE);
  agent.set(channels.agent);
  customer.set(channels.customer);
  const tmp = library.recordings.tempPath();
  try {
    const writer = new OggOpusWriter(tmp);
    try {
      writer.pushFrames(agent, customer, frames);
      writer.close();
    } catch (err) {
      writer.abandon();
      throw err;
    }
    const bytes = readFileSync(tmp);
    renameSync(tmp, rec.path);
    await library.recordings.attach(callId, { ...rec, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  } finally {
    rmSync(tmp, { force: true });
  }
  return { spans: spans.length, mutedMs: Math.round((muted * 1000) / SAMPLE_RATE) };
}

/** Post-call muting of redacted spans (after transcription, when the setting is on). */
export function muteStep(): PostCallStep {
  return { name: 'muting redacted audio', run: async (library, callId) => void (await muteRedactedSpans(library, callId)) };
}
