/**
 * Transcription after the fact: a file or a stored call's recording goes to Deepgram's pre-recorded
 * API as a 16 kHz stereo WAV (multichannel, agent = channel 0), in pieces so a long file reports its
 * progress and no single upload grows without bound. The words come back per channel and are grouped
 * into segments at pauses, redacted (by default) and put in time order.
 */
import { readFileSync } from 'node:fs';
import { FRAME_SIZE, SAMPLE_RATE } from '../dsp/frames';
import { encodeWav16 } from '../dsp/wav';
import { redactWords } from '../shared/redact';
import { UserError } from '../shared/errors';
import type { ChannelName, TranscriptWord } from '../shared/types';
import type { Library } from '../library/library';
import type { TranscriptSegment } from '../library/types';
import { decodeOggOpus } from '../library/recording/ogg-opus';
import type { PostCallStep } from '../call/finalize';
import { deepgramClient, failureOf, type DeepgramConfig } from './config';

/** Planar 16 kHz audio, handed over in 20 ms frames (the arrays may be reused between calls). */
export type FrameReader = (onFrames: (agent: Float32Array, customer: Float32Array, count: number) => void) => void;

export interface PrerecordedOptions {
  readonly redact?: boolean;
  readonly keyterms?: readonly string[];
  /** Audio per upload, ms (default 10 minutes). */
  readonly pieceMs?: number;
  /**
   * Audio each piece repeats of the one before, ms (default 5 s, at most a quarter of a piece): a word
   * cut at a piece's edge is heard whole in the other piece, and each piece's words are kept on its side
   * of the overlap's middle.
   */
  readonly overlapMs?: number;
  /** Fraction of the audio transcribed so far, after each piece. */
  readonly onProgress?: (fraction: number) => void;
}

/** A pause at least this long starts a new segment. */
const SEGMENT_GAP_MS = 700;
/** …and so does a segment this many words long. */
const SEGMENT_WORDS = 40;
const CHANNELS: readonly ChannelName[] = ['agent', 'customer'];

/** Transcribes planar 16 kHz audio; segments are finals, time-ordered. */
export async function transcribeFrames(read: FrameReader, config: DeepgramConfig, options: PrerecordedOptions = {}): Promise<TranscriptSegment[]> {
  const pieceFrames = Math.max(1, Math.round((options.pieceMs ?? 600_000) / 20));
  // The audio, as pieces of planar floats of at most pieceFrames frames each.
  const pieces: { agent: Float32Array; customer: Float32Array; frames: number }[] = [];
  let cur: (typeof pieces)[number] | null = null;
  read((agent, customer, count) => {
    for (let f = 0; f < count; f++) {
      if (!cur || cur.frames === pieceFrames) {
        cur = { agent: new Float32Array(pieceFrames * FRAME_SIZE), customer: new Float32Array(pieceFrames * FRAME_SIZE), frames: 0 };
        pieces.push(cur);
      }
      cur.agent.set(agent.subarray(f * FRAME_SIZE, (f + 1) * FRAME_SIZE), cur.frames * FRAME_SIZE);
      cur.customer.set(customer.subarray(f * FRAME_SIZE, (f + 1) * FRAME_SIZE), cur.frames * FRAME_SIZE);
      cur.frames++;
    }
  });
  const client = deepgramClient(config);
  const keyterm = (options.keyterms ?? []).map((k) => k.trim()).filter((k) => k.length > 0).slice(0, 50);
  const overlapFrames = Math.min(Math.round((options.overlapMs ?? 5000) / 20), Math.floor(pieceFrames / 4));
  const words: (TranscriptWord & { channel: number })[] = [];
  const totalFrames = pieces.reduce((s, p) => s + p.frames, 0);
  let doneFrames = 0;
  for (const [k, piece] of pieces.entries()) {
    // The piece with the end of the one before it in front: a word cut at the boundary is whole here.
    const prev = k > 0 ? pieces[k - 1]! : null;
    const lead = prev ? Math.min(overlapFrames, prev.frames) : 0;
    const n = (lead + piece.frames) * FRAME_SIZE;
    const join = (own: Float32Array, before: Float32Array | undefined): Float32Array => {
      if (!before || lead === 0) return own.subarray(0, n);
      const out = new Float32Array(n);
      out.set(before.subarray((prev!.frames - lead) * FRAME_SIZE, prev!.frames * FRAME_SIZE));
      out.set(own.subarray(0, piece.frames * FRAME_SIZE), lead * FRAME_SIZE);
      return out;
    };
    const wav = encodeWav16([join(piece.agent, prev?.agent), join(piece.customer, prev?.customer)], SAMPLE_RATE);
    const upload = () =>
      client.listen.v1.media.transcribeFile(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength), {
        model: config.model,
        language: config.language,
        multichannel: true,
        punctuate: true,
        ...(keyterm.length > 0 && { keyterm }),
      });
    let response: unknown;
    try {
      // A connection that failed before any answer (a reused idle one the server had just closed) is tried once more.
      response = await upload().catch((err: unknown) => {
        if (typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err;
        return upload();
      });
    } catch (err) {
      throw new UserError(`transcription failed: ${failureOf(err).reason}`);
    }
    const channels = (response as { results?: { channels?: { alternatives?: { words?: { word?: string; punctuated_word?: string; start?: number; end?: number; confidence?: number }[] }[] }[] } }).results?.channels;
    if (!channels) throw new UserError('transcription failed: Deepgram answered without results (a callback request?)');
    // Call time of this upload's first sample, and the part of the call whose words it owns: from the
    // middle of the overlap in front to the middle of the one behind (a word belongs where it starts).
    const startMs = (doneFrames - lead) * 20;
    const ownFrom = k === 0 ? -Infinity : (doneFrames - lead / 2) * 20;
    const next = pieces[k + 1];
    const ownTo = next ? (doneFrames + piece.frames - Math.min(overlapFrames, piece.frames) / 2) * 20 : Infinity;
    channels.forEach((c, ch) => {
      for (const w of c.alternatives?.[0]?.words ?? []) {
        const word = w.punctuated_word ?? w.word;
        if (!word || w.start === undefined || w.end === undefined) continue;
        const at = round(startMs + w.start * 1000);
        if (at < ownFrom || at >= ownTo) continue;
        words.push({ channel: ch, word, startMs: at, endMs: round(startMs + w.end * 1000), confidence: w.confidence ?? 0 });
      }
    });
    doneFrames += piece.frames;
    options.onProgress?.(totalFrames === 0 ? 1 : doneFrames / totalFrames);
  }
  return segmentWords(words, options.redact !== false);
}

/** Words per channel grouped at pauses into segments, redacted, time-ordered. */
function segmentWords(words: readonly (TranscriptWord & { channel: number })[], redact: boolean): TranscriptSegment[] {
  const out: TranscriptSegment[] = [];
  CHANNELS.forEach((channel, ch) => {
    const mine = words.filter((w) => w.channel === ch).sort((a, b) => a.startMs - b.startMs);
    let group: TranscriptWord[] = [];
    const close = (): void => {
      if (group.length === 0) return;
      const red = redact ? redactWords(group) : { text: group.map((w) => w.word).join(' '), words: group };
      out.push({
        channel,
        text: red.text,
        startMs: group[0]!.startMs,
        endMs: group.at(-1)!.endMs,
        confidence: Math.round((group.reduce((s, w) => s + w.confidence, 0) / group.length) * 1000) / 1000,
        final: true,
        words: red.words,
      });
      group = [];
    };
    let kept: TranscriptWord | null = null;
    for (const { channel: _c, ...w } of mine) {
      // The same word heard by two overlapping pieces, timed a little differently by each: keep one.
      if (kept && Math.min(kept.endMs, w.endMs) - Math.max(kept.startMs, w.startMs) > 0.5 * Math.min(kept.endMs - kept.startMs, w.endMs - w.startMs)) continue;
      kept = w;
      const last = group.at(-1);
      if (last && (w.startMs - last.endMs >= SEGMENT_GAP_MS || group.length >= SEGMENT_WORDS)) close();
      group.push(w);
    }
    close();
  });
  return out.sort((a, b) => a.startMs - b.startMs || (a.channel === 'agent' ? -1 : 1));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Transcribes a stored call from its recording and stores the words (replacing any transcript), reindexed for search. */
export async function transcribeStoredCall(library: Library, callId: string, config: DeepgramConfig, options: PrerecordedOptions = {}): Promise<TranscriptSegment[]> {
  const call = await library.calls.get(callId);
  if (!call) throw new UserError(`no call with id ${callId}`, 'not_found');
  const rec = call.recording;
  if (!rec || rec.error === 'recording lost') throw new UserError(`call ${callId} has no recording to transcribe`);
  let audio: ReturnType<typeof decodeOggOpus>;
  try {
    audio = decodeOggOpus(readFileSync(rec.path));
  } catch (err) {
    throw new UserError(`cannot read the recording of call ${callId}: ${(err as Error).message}`);
  }
  const read: FrameReader = (onFrames) => {
    const frames = Math.floor(audio.agent.length / FRAME_SIZE);
    onFrames(audio.agent, audio.customer, frames);
  };
  const segments = await transcribeFrames(read, config, options);
  await library.calls.replaceTranscript(callId, segments);
  return segments;
}

/** Post-call transcription: one more step of finalizing a stored call. */
export function transcribeStep(config: DeepgramConfig, options: PrerecordedOptions = {}): PostCallStep {
  return { name: 'transcription', run: async (library, callId) => void (await transcribeStoredCall(library, callId, config, options)) };
}
