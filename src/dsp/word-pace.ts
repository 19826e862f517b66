/**
 * Pace from a transcript's words: words per minute of speaking time, the same measure the acoustic
 * estimate approximates from syllable nuclei (channel.ts), but counted instead of guessed. Speaking
 * time is the span of each word plus the pauses shorter than `maxPauseMs` between words (pauses inside
 * a turn count, as in the acoustic meter); a longer pause starts a new turn.
 *
 * Three figures per channel: the current turn's pace, the rolling pace over the last `windowMs` of
 * speaking time across turns (what the pace rule reads live), and the whole call's. Words arrive a few
 * per second as finals, so the tracker is small: a fixed ring of word times per channel, nothing
 * allocated per word.
 */

export interface WordPaceConfig {
  /** Pauses between words shorter than this count as speaking time (same turn). */
  readonly maxPauseMs: number;
  /** Speaking time over which the rolling pace is measured (the acoustic meter's rateWindowMs). */
  readonly windowMs: number;
  /** Speaking time needed before a rolling or turn pace is reported. */
  readonly minMs: number;
  /** Speaking time needed before a whole-call pace is reported (as the acoustic summary). */
  readonly callMinMs: number;
  /** Word times kept per channel; must cover `windowMs` at the fastest pace (~300 wpm → 125 words per 25 s). */
  readonly capacity: number;
}

export const WORD_PACE_DEFAULTS: WordPaceConfig = {
  maxPauseMs: 1000,
  windowMs: 25000,
  minMs: 2000,
  callMinMs: 3000,
  capacity: 256,
};

/** A word's time span in call time, ms (the transcript's words fit). */
export interface TimedWord {
  readonly startMs: number;
  readonly endMs: number;
}

export interface WordPace {
  /** Adds a channel's final words, in time order (older words than the last one kept are ignored). */
  add(channel: number, words: readonly TimedWord[]): void;
  /** True once any word has been added: pace then comes from words for the whole call. */
  readonly hasWords: boolean;
  /** Rolling pace over the last `windowMs` of the channel's speaking time; NaN with too little. */
  rolling(channel: number): number;
  /** Pace of the channel's current (latest) turn; NaN with too little. */
  turn(channel: number): number;
  /** Whole-call pace of the channel; NaN with too little speech. */
  call(channel: number): number;
  /** End of the channel's latest word, ms; -Infinity before any. */
  lastEndMs(channel: number): number;
}

export function makeWordPace(config: Partial<WordPaceConfig> = {}): WordPace {
  const cfg = { ...WORD_PACE_DEFAULTS, ...config };
  const cap = cfg.capacity;
  // Per channel: ring of word starts and ends, and each word's contribution to speaking time.
  const starts = [new Float64Array(cap), new Float64Array(cap)];
  const ends = [new Float64Array(cap), new Float64Array(cap)];
  const spans = [new Float64Array(cap), new Float64Array(cap)];
  const count = [0, 0];
  const totalWords = [0, 0];
  const totalMs = [0, 0];
  const turnWords = [0, 0];
  const turnMs = [0, 0];
  const last = [-Infinity, -Infinity];
  let hasWords = false;

  const perMinute = (words: number, ms: number, min: number): number => (ms >= min ? words / (ms / 60000) : NaN);

  return {
    add(channel, words) {
      const ch = channel === 1 ? 1 : 0;
      for (const w of words) {
        if (!(w.endMs >= w.startMs) || w.startMs < last[ch]! - 1) continue;
        const gap = w.startMs - last[ch]!;
        // Inside a turn the pause before the word is speaking time; a long pause starts a new turn.
        const span = gap < cfg.maxPauseMs ? w.endMs - last[ch]! : w.endMs - w.startMs;
        if (gap >= cfg.maxPauseMs) {
          turnWords[ch] = 0;
          turnMs[ch] = 0;
        }
        const at = count[ch]! % cap;
        starts[ch]![at] = w.startMs;
        ends[ch]![at] = w.endMs;
        spans[ch]![at] = span;
        count[ch]!++;
        totalWords[ch]!++;
        totalMs[ch]! += span;
        turnWords[ch]!++;
        turnMs[ch]! += span;
        last[ch] = Math.max(last[ch]!, w.endMs);
        hasWords = true;
      }
    },
    get hasWords() {
      return hasWords;
    },
    rolling(channel) {
      const ch = channel === 1 ? 1 : 0;
      const n = Math.min(count[ch]!, cap);
      let ms = 0;
      let words = 0;
      for (let k = 0; k < n && ms < cfg.windowMs; k++) {
        const at = (count[ch]! - 1 - k) % cap;
        ms += spans[ch]![at]!;
        words++;
      }
      return perMinute(words, ms, cfg.minMs);
    },
    turn: (channel) => perMinute(turnWords[channel === 1 ? 1 : 0]!, turnMs[channel === 1 ? 1 : 0]!, cfg.minMs),
    call: (channel) => perMinute(totalWords[channel === 1 ? 1 : 0]!, totalMs[channel === 1 ? 1 : 0]!, cfg.callMinMs),
    lastEndMs: (channel) => last[channel === 1 ? 1 : 0]!,
  };
}

/** Whole-call pace per channel from a stored transcript's words (null with too little speech, or without words). */
export function wordPaceOfTranscript(
  segments: readonly { readonly channel: 'agent' | 'customer'; readonly words?: readonly TimedWord[] | null }[],
  config: Partial<WordPaceConfig> = {},
): { readonly agent: number | null; readonly customer: number | null } | null {
  const pace = makeWordPace(config);
  const sorted = [...segments].sort((a, b) => (a.words?.[0]?.startMs ?? 0) - (b.words?.[0]?.startMs ?? 0));
  for (const s of sorted) if (s.words && s.words.length > 0) pace.add(s.channel === 'customer' ? 1 : 0, s.words);
  if (!pace.hasWords) return null;
  const fin = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
  return { agent: fin(pace.call(0)), customer: fin(pace.call(1)) };
}

/**
 * Pace of one transcript line (a turn or a part of one): words per minute of its own speaking time,
 * null when it holds under `minMs` of speech (a "yes" has no pace worth showing).
 */
export function linePace(words: readonly TimedWord[] | null | undefined, minMs = WORD_PACE_DEFAULTS.minMs): number | null {
  if (!words || words.length === 0) return null;
  const pace = makeWordPace({ callMinMs: minMs, capacity: Math.max(16, words.length) });
  pace.add(0, words);
  const v = pace.call(0);
  return Number.isFinite(v) ? Math.round(v) : null;
}
