/**
 * Pace from words with known answers: words of 300 ms every 400 ms are 150 per minute of speaking time;
 * a pause under a second inside a turn counts, a longer one starts a new turn and does not.
 */
import { describe, expect, it } from 'vitest';
import { linePace, makeWordPace, wordPaceOfTranscript, type TimedWord } from '../../src/dsp/word-pace';

/** `n` words from `t0`, one every `everyMs`, each `lenMs` long. */
function words(t0: number, n: number, everyMs: number, lenMs = 300): TimedWord[] {
  return Array.from({ length: n }, (_, i) => ({ startMs: t0 + i * everyMs, endMs: t0 + i * everyMs + lenMs }));
}

/** Words per minute of speaking time for `n` words spaced `everyMs`: n / ((n-1)·every + len). */
const expected = (n: number, everyMs: number, lenMs = 300): number => n / (((n - 1) * everyMs + lenMs) / 60000);

describe('word pace', () => {
  it('counts words per minute of speaking time, short pauses included', () => {
    const p = makeWordPace();
    p.add(0, words(1000, 30, 400));
    expect(p.hasWords).toBe(true);
    expect(p.rolling(0)).toBeCloseTo(expected(30, 400), 1);
    expect(p.turn(0)).toBeCloseTo(expected(30, 400), 1);
    expect(p.call(0)).toBeCloseTo(expected(30, 400), 1);
    // ~150 wpm within 1 %.
    expect(Math.abs(p.call(0) - 150) / 150).toBeLessThan(0.01);
    expect(Number.isNaN(p.rolling(1))).toBe(true);
  });

  it('a long pause starts a new turn and is not speaking time', () => {
    const p = makeWordPace();
    p.add(1, words(0, 20, 400)); // 150 wpm
    p.add(1, words(20_000, 20, 250, 200)); // 240 wpm, after a 12 s pause
    expect(p.turn(1)).toBeCloseTo(expected(20, 250, 200), 1);
    const callMs = (19 * 400 + 300) + (19 * 250 + 200);
    expect(p.call(1)).toBeCloseTo(40 / (callMs / 60000), 1);
  });

  it('the rolling pace covers only the last window of speaking time', () => {
    const p = makeWordPace({ windowMs: 10_000 });
    p.add(0, words(0, 100, 600)); // 100 wpm for a minute
    p.add(0, words(62_000, 60, 300, 250)); // then 200 wpm for 18 s
    expect(Math.abs(p.rolling(0) - 200) / 200).toBeLessThan(0.03);
    expect(p.call(0)).toBeLessThan(150);
  });

  it('needs enough speech before it reports, and ignores words out of order', () => {
    const p = makeWordPace();
    p.add(0, words(0, 3, 400));
    expect(Number.isNaN(p.rolling(0))).toBe(true);
    expect(Number.isNaN(p.call(0))).toBe(true);
    p.add(0, words(2000, 10, 400));
    const before = p.call(0);
    p.add(0, [{ startMs: 100, endMs: 300 }, { startMs: 900, endMs: 400 }]);
    expect(p.call(0)).toBe(before);
  });

  it('whole-call pace from a stored transcript, null without words', () => {
    const seg = (channel: 'agent' | 'customer', w: TimedWord[]) => ({ channel, words: w });
    const pace = wordPaceOfTranscript([seg('customer', words(5000, 15, 400)), seg('agent', words(0, 12, 400)), seg('agent', words(4800, 12, 400))]);
    // The two agent segments are 100 ms apart: one turn, the pause counted (0 → 9500 ms).
    expect(pace?.agent).toBeCloseTo(24 / (9500 / 60000), 0);
    expect(pace?.customer).toBeCloseTo(expected(15, 400), 0);
    expect(wordPaceOfTranscript([{ channel: 'agent', words: null }])).toBeNull();
  });

  it('a transcript line has its own pace once it holds 2 s of speech; a short answer has none', () => {
    expect(linePace(words(5000, 12, 400))).toBe(Math.round(expected(12, 400)));
    // 220 wpm in a 3 s line, whatever the call around it.
    const fast = words(0, 11, 270, 200);
    expect(Math.abs(linePace(fast)! - 220) / 220).toBeLessThan(0.05);
    expect(linePace(words(0, 2, 400))).toBeNull();
    expect(linePace([])).toBeNull();
    expect(linePace(null)).toBeNull();
  });
});
