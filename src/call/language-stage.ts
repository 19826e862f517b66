/**
 * Transcript words → the engine's phrase rules and checklist, and knowledge cards. The transcriber
 * delivers words on the main thread; each result (interim or final) goes to the engine session as one
 * small `phrase-words` message, with the sentiment of final utterances scored here so the worker never
 * loads a model. Each final customer utterance is also looked up in the knowledge base; a strong match
 * becomes a card with the passage and its source.
 */
import type { CoachingSession } from '../engine/session';
import type { KbHit } from '../library/repos/kb';
import { sentimentOf } from '../insights/sentiment';
import type { ChannelName, Nudge } from '../shared/types';
import type { CallStage } from './session';

export interface SpokenWords {
  readonly channel: ChannelName;
  readonly text: string;
  readonly words: readonly { readonly word: string }[];
  readonly endMs?: number;
}

export interface LanguageFeedOptions {
  /** The knowledge base's strong match for an utterance, or null. */
  readonly lookup?: (text: string) => Promise<KbHit | null>;
  /** A knowledge card opened or closed (like an engine nudge). */
  readonly onCard?: (phase: 'open' | 'close', nudge: Nudge) => void;
  /** How long a knowledge card stays up unless a newer one replaces it, ms (default 20 s). */
  readonly cardHoldMs?: number;
}

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1).trimEnd()}…`);

export class LanguageFeed {
  private session: CoachingSession | null = null;
  private cards = 0;
  private open: { nudge: Nudge; timer: NodeJS.Timeout } | null = null;
  private lastPassage = '';
  readonly stage: CallStage = {
    onSession: (s) => {
      this.session = s;
    },
    onEnd: () => this.closeCard(),
    onFail: () => this.closeCard(),
  };

  constructor(private readonly options: LanguageFeedOptions = {}) {}

  /** One transcriber result; words before the session starts have nothing to coach and are dropped. */
  push(w: SpokenWords, final: boolean): void {
    const s = this.session;
    if (!s || s.ended) return;
    const words = w.words.length > 0 ? w.words.map((x) => x.word) : w.text.split(/\s+/).filter((x) => x.length > 0);
    if (words.length === 0) return;
    s.pushPhrases({ channel: w.channel, words, final, sentiment: final ? sentimentOf(w.text) : null });
    if (final && w.channel === 'customer' && this.options.lookup) void this.knowledge(w.text, w.endMs ?? 0);
  }

  private async knowledge(text: string, atMs: number): Promise<void> {
    let hit: KbHit | null;
    try {
      hit = await this.options.lookup!(text);
    } catch {
      // A failing lookup costs the card, never the call.
      return;
    }
    // The same passage again is already on screen (or was just read).
    if (!hit || hit.text === this.lastPassage || this.session?.ended) return;
    this.lastPassage = hit.text;
    this.closeCard(atMs);
    const nudge: Nudge = {
      id: `knowledge#${++this.cards}`,
      ruleId: 'knowledge',
      title: clip(`${hit.heading} (${hit.source})`, 60),
      severity: 'info',
      message: clip(hit.text, 140),
      ...(hit.text.length > 140 && { detail: clip(hit.text, 400) }),
      atMs,
      endMs: null,
      conditionSinceMs: atMs,
    };
    const timer = setTimeout(() => this.closeCard(atMs + (this.options.cardHoldMs ?? 20_000)), this.options.cardHoldMs ?? 20_000);
    timer.unref();
    this.open = { nudge, timer };
    this.options.onCard?.('open', nudge);
  }

  private closeCard(atMs?: number): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    clearTimeout(o.timer);
    this.options.onCard?.('close', { ...o.nudge, endMs: Math.max(o.nudge.atMs, atMs ?? o.nudge.atMs) });
  }
}
