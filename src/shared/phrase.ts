/**
 * Tolerant phrase matching over transcript words, shared by the live engine (cards on interim words)
 * and the post-call insights, so a phrase is found the same way in both.
 *
 * Speech-to-text output is not prose: case and punctuation vary, people say "cancelling" where the
 * playbook says "cancel", and "um", "like" or "you know" land between the words of a phrase. So words
 * are folded (case, punctuation, apostrophes), stemmed lightly (enough for "cancel / cancelled /
 * cancelling / cancellation"), fillers are skipped, the phrase's function words are optional, and its
 * content words may come in a slightly different order or with a word or two between them.
 */

import type { ChannelName } from './types';

/** Words of one side from the transcriber: an interim guess (replaced by the next) or a final. */
export interface PhraseWords {
  readonly channel: ChannelName;
  readonly words: readonly string[];
  readonly final: boolean;
  /** Sentiment of a final utterance, −1 … +1 (computed where the words arrive); null if unknown. */
  readonly sentiment: number | null;
}

/** What the overlay shows live: checklist ticks and per-side counts. */
export interface LanguageSnapshot {
  /** Checklist item id → call time it was ticked, ms (absent: not yet). */
  readonly ticked: Readonly<Record<string, number>>;
  readonly fillers: { readonly agent: number; readonly customer: number };
  readonly questions: { readonly agent: number; readonly customer: number };
}

/** Words that carry no content in speech; skipped when matching and counted as fillers live. */
export const FILLER_WORDS: ReadonlySet<string> = new Set(['um', 'umm', 'uh', 'uhh', 'er', 'erm', 'ah', 'hmm', 'mm', 'like', 'basically', 'actually', 'literally']);
/** Two-word fillers ("you know", "i mean", "kind of", "sort of"). */
const FILLER_PAIRS: ReadonlySet<string> = new Set(['you know', 'i mean', 'kind of', 'sort of']);

/** Function words that a phrase may leave out or swap ("speak to a manager" ≈ "speak with the manager"). */
const FUNCTION_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'to', 'of', 'for', 'with', 'my', 'your', 'our', 'me', 'i', 'is', 'it', 'its', 'this', 'that', 'be', 'am', 'are', 'on', 'in', 'at', 'and',
]);

/** Lowercase letters and digits only: "Can't," → "cant". */
export function foldWord(word: string): string {
  return word.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * A light suffix stemmer: both sides of a comparison go through it, so it only has to map inflections
 * of one word to one form, not to a dictionary root.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4) {
    for (const suffix of ['ations', 'ation', 'ings', 'ing', 'edly', 'ed', 'ies', 'ly']) {
      if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
        w = suffix === 'ies' ? `${w.slice(0, -3)}y` : w.slice(0, -suffix.length);
        break;
      }
    }
  }
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  // "cancell" (from cancelled / cancelling / cancellation) → "cancel".
  const n = w.length;
  if (n > 3 && w[n - 1] === w[n - 2] && !'aeiou'.includes(w[n - 1]!)) w = w.slice(0, -1);
  return w;
}

/**
 * Words as the matcher sees them: folded, fillers removed, stemmed. The result keeps, for each token,
 * the index of the word it came from (for excerpts and times).
 */
/** Words that make a following "you know" / "I mean" literal ("just so you know", "do you know"). */
const LITERAL_BEFORE_PAIR: ReadonlySet<string> = new Set(['so', 'do', 'did', 'if', 'let', 'dont', 'what', 'you']);

function fold(words: readonly string[]): { folded: string[]; src: number[] } {
  const folded: string[] = [];
  const src: number[] = [];
  words.forEach((w, i) => {
    // A transcript "word" may hold several ("cheaper-elsewhere", punctuation in an interim).
    for (const part of w.split(/[\s\-–—/]+/)) {
      const f = foldWord(part);
      if (f) {
        folded.push(f);
        src.push(i);
      }
    }
  });
  return { folded, src };
}

/** Per folded word: 0 content, 1 a one-word filler, 2 the first word of a two-word filler. */
function fillerMarks(folded: readonly string[]): Uint8Array {
  const marks = new Uint8Array(folded.length);
  for (let i = 0; i < folded.length; i++) {
    const f = folded[i]!;
    if (i + 1 < folded.length && FILLER_PAIRS.has(`${f} ${folded[i + 1]!}`) && !(i > 0 && LITERAL_BEFORE_PAIR.has(folded[i - 1]!))) {
      marks[i] = 2;
      i++;
    } else if (FILLER_WORDS.has(f)) marks[i] = 1;
  }
  return marks;
}

/**
 * Words as the matcher sees them: folded, fillers removed, stemmed. The result keeps, for each token,
 * the index of the word it came from (for excerpts and times).
 */
export function tokenize(words: readonly string[]): { tokens: string[]; from: number[] } {
  const { folded, src } = fold(words);
  const marks = fillerMarks(folded);
  const tokens: string[] = [];
  const from: number[] = [];
  for (let i = 0; i < folded.length; i++) {
    if (marks[i] === 2) i++;
    else if (marks[i] === 0) {
      tokens.push(stem(folded[i]!));
      from.push(src[i]!);
    }
  }
  return { tokens, from };
}

/** Fillers in a run of words (single and two-word ones). */
export function countFillers(words: readonly string[]): number {
  let n = 0;
  for (const m of fillerMarks(fold(words).folded)) if (m > 0) n++;
  return n;
}

const QUESTION_OPENERS = new Set(['who', 'what', 'when', 'where', 'why', 'how', 'which', 'can', 'could', 'would', 'will', 'do', 'does', 'did', 'is', 'are', 'was', 'were', 'have', 'has', 'should', 'may', 'shall', 'isnt', 'arent', 'dont', 'doesnt', 'didnt', 'wont', 'cant', 'couldnt', 'wouldnt']);

/** Openers that start a question inside a longer utterance ("Thanks for calling, how can I help"). */
const CLAUSE_OPENERS = new Set(['how', 'what', 'why', 'is', 'are', 'do', 'does', 'did', 'can', 'could', 'would', 'should', 'have', 'has']);

/**
 * Whether an utterance asks something: the recogniser's question mark, or (punctuation off or
 * missing) an interrogative or auxiliary opening the utterance or one of its clauses.
 */
export function isQuestion(text: string): boolean {
  if (text.includes('?')) return true;
  const clauses = text.split(/[,;:.!]+/).map((c) => c.trim().split(/\s+/).map(foldWord).filter((w) => w.length > 0));
  return clauses.some((words, i) => words.length >= 3 && (i === 0 ? QUESTION_OPENERS : CLAUSE_OPENERS).has(words[0]!));
}

/** One phrase, compiled: content stems (order-free within a window), or every stem when all are function words. */
export interface CompiledPhrase {
  readonly text: string;
  readonly stems: readonly string[];
  /** Longest run of tokens that may hold the stems. */
  readonly span: number;
}

export function compilePhrase(text: string): CompiledPhrase {
  const all = tokenize(text.split(/\s+/)).tokens;
  let stems = all.filter((t) => !FUNCTION_WORDS.has(t));
  if (stems.length === 0) stems = all;
  else if (stems.length === 1 && all.length > 1) {
    // One content word alone is too loose ("my name is" is not just "name"): keep its neighbour.
    const at = all.indexOf(stems[0]!);
    stems = at > 0 ? [all[at - 1]!, stems[0]!] : [stems[0]!, all[at + 1]!];
  }
  // Room for the function words left out plus a word or two more ("too damn expensive").
  const span = stems.length === 1 ? 1 : stems.length + Math.max(2, stems.length);
  return { text, stems, span };
}

export interface PhraseHit {
  readonly phrase: string;
  /** Token positions of the match (first and last), indices into the tokens given. */
  readonly first: number;
  readonly last: number;
}

/**
 * Finds the earliest match of any phrase in `tokens` (from tokenize), starting at token `fromToken`
 * or later; null when none. A match is a window of at most `span` tokens holding every stem of the
 * phrase, and starting and ending on one of them.
 */
export function findPhrase(phrases: readonly CompiledPhrase[], tokens: readonly string[], fromToken = 0): PhraseHit | null {
  let best: PhraseHit | null = null;
  for (const p of phrases) {
    if (p.stems.length === 0) continue;
    for (let i = fromToken; i < tokens.length; i++) {
      if (best && i > best.first) break;
      if (!p.stems.includes(tokens[i]!)) continue;
      const need = [...p.stems];
      let last = -1;
      for (let j = i; j < Math.min(tokens.length, i + p.span); j++) {
        const k = need.indexOf(tokens[j]!);
        if (k >= 0) {
          need.splice(k, 1);
          if (need.length === 0) {
            last = j;
            break;
          }
        }
      }
      if (last >= 0) {
        if (!best || i < best.first) best = { phrase: p.text, first: i, last };
        break;
      }
    }
  }
  return best;
}
