/**
 * Masks numbers a transcript must not keep: card, account, social security and phone numbers. Any run
 * of 6 or more digits (spaces, dashes and dots between them allowed) keeps only its last 2 digits.
 */
const DIGIT_RUN = /\d(?:[ .-]?\d){5,}/g;

export function redactNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return `${'•'.repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// Labelled redaction of stored transcripts (on by default): what a caller must not find in the library
// becomes a placeholder naming what it was, in the text, in the words and hence in the search index.

export type PiiKind = 'card' | 'ssn' | 'email' | 'phone' | 'number';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** A run of digits with single spaces, dashes or dots between groups; an optional leading + or (area). */
const DIGITS = /(?:\+|\(\d{3}\)\s?)?\d(?:[ .-]?\d)*/g;
const DIGIT_WORDS = new Map([
  ['zero', 0],
  ['oh', 0],
  ['o', 0],
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
]);
/** Spelled-out digits in a row (commas and dashes between them allowed): four or more are a number. */
const SPELLED = /\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b(?:[\s,-]+\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b){3,}/gi;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** What a run of digits is, from its digits and its shape; null for numbers too short to be private. */
function classifyDigits(run: string): PiiKind | null {
  const digits = run.replace(/\D/g, '');
  if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return 'card';
  if (/^\d{3}[- ]\d{2}[- ]\d{4}$/.test(run)) {
    const area = Number(digits.slice(0, 3));
    if (area !== 0 && area !== 666 && area < 900 && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000') return 'ssn';
  }
  if (/^(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$/.test(run)) return 'phone';
  if (/^\+\d(?:[ .-]?\d){7,14}$/.test(run)) return 'phone';
  // Otherwise a long number (account, reference…), unless spaced groups look like a date or a count.
  if (digits.length >= 6 && run.split(' ').every((g) => g.replace(/\D/g, '').length >= 3)) return 'number';
  return null;
}

interface Span {
  readonly from: number;
  readonly to: number;
  readonly kind: PiiKind;
}

/** The private spans of `text`, in order, not overlapping. */
export function findPii(text: string): Span[] {
  const spans: Span[] = [];
  const taken = (from: number, to: number): boolean => spans.some((s) => from < s.to && to > s.from);
  for (const m of text.matchAll(EMAIL)) spans.push({ from: m.index, to: m.index + m[0].length, kind: 'email' });
  for (const m of text.matchAll(DIGITS)) {
    // Trailing separators are not part of the number ("call 555-867-5309.").
    const run = m[0].replace(/[ .-]+$/, '');
    const kind = classifyDigits(run);
    if (kind && !taken(m.index, m.index + run.length)) spans.push({ from: m.index, to: m.index + run.length, kind });
  }
  for (const m of text.matchAll(SPELLED)) {
    // A run of "oh"s and "o"s alone is an exclamation, not a number.
    const words = m[0].toLowerCase().split(/[\s,-]+/);
    if (words.every((w) => DIGIT_WORDS.get(w) === 0 && w !== 'zero')) continue;
    if (!taken(m.index, m.index + m[0].length)) spans.push({ from: m.index, to: m.index + m[0].length, kind: 'number' });
  }
  return spans.sort((a, b) => a.from - b.from);
}

/** `text` with every private span replaced by its label (`[card]`, `[ssn]`, `[email]`, `[phone]`, `[number]`). */
export function redactText(text: string): string {
  let out = '';
  let at = 0;
  for (const s of findPii(text)) {
    out += `${text.slice(at, s.from)}[${s.kind}]`;
    at = s.to;
  }
  return out + text.slice(at);
}

interface TimedWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence: number;
}

/**
 * Redacts a segment's words: the words are read as one text, and the words a private span touches
 * become one placeholder word spanning their time (so a player can mute it). The text is rebuilt from
 * the words, so the two always agree.
 */
export function redactWords<W extends TimedWord>(words: readonly W[]): { text: string; words: W[]; redacted: number } {
  const starts: number[] = [];
  let text = '';
  for (const w of words) {
    if (text) text += ' ';
    starts.push(text.length);
    text += w.word;
  }
  const spans = findPii(text);
  if (spans.length === 0) return { text, words: [...words], redacted: 0 };
  const out: W[] = [];
  let i = 0;
  for (const s of spans) {
    while (i < words.length && starts[i]! + words[i]!.word.length <= s.from) out.push(words[i++]!);
    const first = i;
    while (i < words.length && starts[i]! < s.to) i++;
    if (i === first) continue;
    const a = words[first]!;
    const b = words[i - 1]!;
    // Keep what the span leaves of its first and last words ("number:" stays "number:" + "[card]").
    const head = text.slice(starts[first]!, Math.max(starts[first]!, s.from));
    const tail = text.slice(Math.min(s.to, starts[i - 1]! + b.word.length), starts[i - 1]! + b.word.length);
    out.push({ ...a, word: `${head}[${s.kind}]${tail}`, endMs: b.endMs, confidence: Math.min(...words.slice(first, i).map((w) => w.confidence)) });
  }
  while (i < words.length) out.push(words[i++]!);
  return { text: out.map((w) => w.word).join(' '), words: out, redacted: spans.length };
}
