import { describe, expect, it } from 'vitest';
import { findPii, luhnValid, redactText, redactWords } from '../../src/shared/redact';

describe('redactText', () => {
  it('labels a Luhn-valid card number with spaces, dashes or none', () => {
    expect(redactText('my card is 4111 1111 1111 1111 thanks')).toBe('my card is [card] thanks');
    expect(redactText('card 5500-0000-0000-0004.')).toBe('card [card].');
    expect(redactText('amex 378282246310005')).toBe('amex [card]');
  });

  it('does not call a non-Luhn 16-digit number a card (it is still a long number)', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactText('ref 4111 1111 1111 1112')).toBe('ref [number]');
  });

  it('labels social security numbers, but not impossible ones', () => {
    expect(redactText('SSN 123-45-6789 ok')).toBe('SSN [ssn] ok');
    expect(redactText('SSN 123 45 6789')).toBe('SSN [ssn]');
    // Area 000 and 666 are never issued: a long number, not an SSN.
    expect(redactText('id 666-45-6789')).toBe('id [number]');
  });

  it('labels e-mail addresses', () => {
    expect(redactText('write to jane.doe+billing@example.co.uk today')).toBe('write to [email] today');
    expect(redactText('at example.com or @handle')).toBe('at example.com or @handle');
  });

  it('labels phone numbers in the usual shapes', () => {
    expect(redactText('call 555-867-5309.')).toBe('call [phone].');
    expect(redactText('call (555) 867-5309')).toBe('call [phone]');
    expect(redactText('call +1 555 867 5309')).toBe('call [phone]');
    expect(redactText('call +44 20 7946 0958')).toBe('call [phone]');
  });

  it('labels spelled-out digit runs of four or more', () => {
    expect(redactText('it is four one one one, one two three four')).toBe('it is [number]');
    expect(redactText('the last four are nine oh two one')).toBe('the last four are [number]');
    // Three digits, or an exclamation, are not a number.
    expect(redactText('one two three go')).toBe('one two three go');
    expect(redactText('oh oh oh oh no')).toBe('oh oh oh oh no');
  });

  it('leaves ordinary text and short numbers alone', () => {
    const text = 'we have 3 plans from 29 dollars, call back at 10:30 on June 12 2024';
    expect(redactText(text)).toBe(text);
    expect(findPii(text)).toEqual([]);
  });
});

describe('redactWords', () => {
  const w = (word: string, i: number) => ({ word, startMs: i * 100, endMs: i * 100 + 80, confidence: 0.9 });

  it('turns the words a span covers into one placeholder over their time, keeping the rest', () => {
    const words = ['my', 'number', 'is', 'four', 'one', 'one', 'one', 'thanks'].map(w);
    const out = redactWords(words);
    expect(out.text).toBe('my number is [number] thanks');
    expect(out.words.map((x) => x.word)).toEqual(['my', 'number', 'is', '[number]', 'thanks']);
    expect(out.words[3]).toMatchObject({ startMs: 300, endMs: 680 });
    expect(out.redacted).toBe(1);
  });

  it('keeps punctuation a word carries around the span', () => {
    const words = ['mail', 'jane@example.com,', 'card', '4111', '1111', '1111', '1111.'].map(w);
    expect(redactWords(words).text).toBe('mail [email], card [card].');
  });

  it('returns the words unchanged when nothing is private', () => {
    const words = ['hello', 'there'].map(w);
    expect(redactWords(words)).toEqual({ text: 'hello there', words, redacted: 0 });
  });
});
