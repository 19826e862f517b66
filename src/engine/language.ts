/**
 * The language half of the engine: what is said. Transcript words reach the worker as small
 * `phrase-words` messages (interim guesses and finals, per side); this module matches the playbook's
 * phrases on them, ticks checklist items, keeps each side's recent sentiment and counts fillers and
 * questions. The rule engine reads its state through the tests it compiles here, so phrase conditions
 * share the voice rules' lifecycle, cooldowns and caps and combine with metric predicates in any/all.
 *
 * Runs per message (a few a second), not per frame: allocation here is fine.
 */
import { compilePhrase, countFillers, findPhrase, isQuestion, tokenize, type CompiledPhrase, type LanguageSnapshot, type PhraseWords } from '../shared/phrase';
import type { ChecklistItem, LanguageCondition, Playbook, Speaker } from '../shared/playbook';
import type { ChannelName } from '../shared/types';

/** Tokens of the last final kept per side, so a phrase spoken across two results still matches. */
const TAIL_TOKENS = 6;
const SENTIMENT_TURNS = 10;

interface Side {
  /** Whether any words of this side have arrived (without a transcript nothing can be missed). */
  heard: boolean;
  tail: string[];
  sentiments: number[];
  fillers: number;
  questions: number;
}

interface PhraseState {
  readonly speaker: Speaker;
  readonly phrases: readonly CompiledPhrase[];
  readonly holdMs: number;
  holdUntil: number;
}

interface ItemState {
  readonly item: ChecklistItem;
  readonly phrases: readonly CompiledPhrase[];
  tickedAt: number;
}

export interface Language {
  /** A test over call time for one language condition (true while it holds). */
  compile(cond: LanguageCondition): (tMs: number) => boolean;
  /** Takes words said at call time `tMs`; returns whether a checklist item was ticked. */
  words(w: PhraseWords, tMs: number): boolean;
  snapshot(): LanguageSnapshot;
}

const speaks = (speaker: Speaker, channel: ChannelName): boolean => speaker === 'either' || speaker === channel;

export function makeLanguage(playbook: Pick<Playbook, 'checklist'>): Language {
  const sides: Record<ChannelName, Side> = {
    agent: { heard: false, tail: [], sentiments: [], fillers: 0, questions: 0 },
    customer: { heard: false, tail: [], sentiments: [], fillers: 0, questions: 0 },
  };
  const phraseStates: PhraseState[] = [];
  const items: ItemState[] = playbook.checklist.map((item) => ({ item, phrases: item.phrases.map(compilePhrase), tickedAt: NaN }));
  const itemById = new Map(items.map((s) => [s.item.id, s]));

  /** A hit that uses at least one new token (not only the kept tail). */
  const hitsNew = (phrases: readonly CompiledPhrase[], tokens: readonly string[], tailLen: number): boolean => {
    let from = 0;
    for (;;) {
      const hit = findPhrase(phrases, tokens, from);
      if (!hit) return false;
      if (hit.last >= tailLen) return true;
      from = hit.first + 1;
    }
  };

  return {
    compile(cond) {
      switch (cond.type) {
        case 'phrase': {
          const s: PhraseState = { speaker: cond.speaker, phrases: cond.phrases.map(compilePhrase), holdMs: cond.holdMs, holdUntil: -Infinity };
          phraseStates.push(s);
          return (t) => t <= s.holdUntil;
        }
        case 'sentiment': {
          const side = sides[cond.speaker];
          const { turns, below } = cond;
          return () => {
            const n = side.sentiments.length;
            if (n < turns) return false;
            for (let i = n - turns; i < n; i++) if (!(side.sentiments[i]! < below)) return false;
            return true;
          };
        }
        case 'missed': {
          const s = itemById.get(cond.item);
          const after = cond.afterMs;
          // Only once the item's speaker has been transcribed: with transcription off, nothing is missed.
          const heard = (): boolean => (s?.item.speaker === 'customer' ? sides.customer.heard : s?.item.speaker === 'agent' ? sides.agent.heard : sides.agent.heard || sides.customer.heard);
          return (t) => t >= after && s !== undefined && Number.isNaN(s.tickedAt) && heard();
        }
      }
    },
    words(w, tMs) {
      const side = sides[w.channel];
      side.heard = true;
      const fresh = tokenize(w.words).tokens;
      const tokens = side.tail.concat(fresh);
      const tailLen = side.tail.length;
      for (const s of phraseStates) {
        if (speaks(s.speaker, w.channel) && hitsNew(s.phrases, tokens, tailLen)) s.holdUntil = tMs + s.holdMs;
      }
      let ticked = false;
      for (const s of items) {
        if (Number.isNaN(s.tickedAt) && speaks(s.item.speaker, w.channel) && hitsNew(s.phrases, tokens, tailLen)) {
          s.tickedAt = tMs;
          ticked = true;
        }
      }
      if (w.final) {
        side.tail = fresh.slice(-TAIL_TOKENS);
        side.fillers += countFillers(w.words);
        if (isQuestion(w.words.join(' '))) side.questions++;
        if (w.sentiment !== null && Number.isFinite(w.sentiment)) {
          side.sentiments.push(w.sentiment);
          if (side.sentiments.length > SENTIMENT_TURNS) side.sentiments.shift();
        }
      }
      return ticked;
    },
    snapshot() {
      const ticked: Record<string, number> = {};
      for (const s of items) if (!Number.isNaN(s.tickedAt)) ticked[s.item.id] = s.tickedAt;
      return {
        ticked,
        fillers: { agent: sides.agent.fillers, customer: sides.customer.fillers },
        questions: { agent: sides.agent.questions, customer: sides.customer.questions },
      };
    },
  };
}
