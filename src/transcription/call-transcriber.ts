/**
 * The transcriber as every live call uses it: finals stored with the call by its writer, every line
 * (interim and final) and every change of state handed to whoever shows them (the app's windows, the
 * agent apps on a Twilio server's /agent). Started at once, so the connection opens while the call's
 * first audio waits in its buffer.
 */
import type { TranscriptSegment } from '../library/types';
import type { DeepgramConfig } from './config';
import { LiveTranscriber, type LiveWords, type TranscriptionStatus } from './live';

export interface CallTranscriberOptions {
  /** null: off for this call (no key), for `offReason`. */
  readonly config: DeepgramConfig | null;
  readonly offReason?: string;
  readonly redact?: boolean;
  readonly keyterms?: readonly string[];
  /** Where the call's finals are stored (the call's LiveCallWriter); none when the call is not kept. */
  readonly writer?: { transcript(t: TranscriptSegment): void } | null;
  /** Each interim guess and each final, in call time. */
  readonly onLine?: (words: LiveWords) => void;
  readonly onStatus?: (status: TranscriptionStatus) => void;
}

export function callTranscriber(options: CallTranscriberOptions): LiveTranscriber {
  const { writer, onLine, onStatus } = options;
  const t = new LiveTranscriber({
    config: options.config,
    ...(options.offReason !== undefined && { offReason: options.offReason }),
    ...(options.redact !== undefined && { redact: options.redact }),
    ...(options.keyterms && { keyterms: options.keyterms }),
    onFinal: (w) => {
      writer?.transcript({ channel: w.channel, text: w.text, startMs: w.startMs, endMs: w.endMs, confidence: w.confidence, final: true, words: w.words });
      onLine?.(w);
    },
    ...(onLine && { onInterim: onLine }),
    ...(onStatus && { onStatus }),
  });
  t.start();
  return t;
}
