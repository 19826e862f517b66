/**
 * The overlay's caption: the last lines of the live transcript, where a channel's interim guess is
 * replaced by its next line (a better guess or the final), and what to say when there are no words.
 */
import type { LiveState, TranscriptLine } from '../../../shared/rpc';

/** Lines kept for the caption. */
const KEEP = 3;

export function mergeTranscript(lines: readonly TranscriptLine[], t: TranscriptLine): TranscriptLine[] {
  const i = lines.findLastIndex((l) => l.channel === t.channel && l.final === false);
  const rest = i < 0 ? lines : [...lines.slice(0, i), ...lines.slice(i + 1)];
  return [...rest, t].slice(-KEEP);
}

export function captionText(lines: readonly TranscriptLine[], live: LiveState): string {
  const inCall = live.phase === 'live' || live.phase === 'starting';
  const tr = live.transcription;
  const last = lines.at(-1);
  if (last) return `${last.channel === 'agent' ? 'You' : 'Customer'}: ${last.text}`;
  if (!inCall) return '';
  if (tr && tr.state !== 'on') return `Transcription ${tr.state}${tr.reason ? ` — ${tr.reason}` : ''}`;
  return 'Transcript: listening…';
}
