/**
 * Transcript words → the engine's phrase rules and checklist. The transcriber delivers words on the
 * main thread; each result (interim or final) goes to the engine session as one small `phrase-words`
 * message, with the sentiment of final utterances scored here so the worker never loads a model.
 */
import type { CoachingSession } from '../engine/session';
import { sentimentOf } from '../insights/sentiment';
import type { ChannelName } from '../shared/types';
import type { CallStage } from './session';

export interface SpokenWords {
  readonly channel: ChannelName;
  readonly text: string;
  readonly words: readonly { readonly word: string }[];
}

export class LanguageFeed {
  private session: CoachingSession | null = null;
  readonly stage: CallStage = {
    onSession: (s) => {
      this.session = s;
    },
  };

  /** One transcriber result; words before the session starts have nothing to coach and are dropped. */
  push(w: SpokenWords, final: boolean): void {
    const s = this.session;
    if (!s || s.ended) return;
    const words = w.words.length > 0 ? w.words.map((x) => x.word) : w.text.split(/\s+/).filter((x) => x.length > 0);
    if (words.length === 0) return;
    s.pushWords({ channel: w.channel, words, final, sentiment: final ? sentimentOf(w.text) : null });
  }
}
