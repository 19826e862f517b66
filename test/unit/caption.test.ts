import { describe, expect, it } from 'vitest';
import { captionText, mergeTranscript } from '../../src/renderer/src/overlay/caption';
import type { LiveState, TranscriptLine } from '../../src/shared/rpc';

const live = (transcription?: LiveState['transcription']): LiveState => ({ phase: 'live', callId: 'c', source: 's', startedAt: 0, error: null, ruleIds: [], ...(transcription && { transcription }) });
const line = (channel: 'agent' | 'customer', text: string, final?: boolean): TranscriptLine => ({ channel, text, startMs: 0, endMs: 1, ...(final !== undefined && { final }) });

describe('the overlay caption', () => {
  it('replaces a channel\'s interim guess with its next line, and keeps the other channel\'s', () => {
    let lines: TranscriptLine[] = [];
    lines = mergeTranscript(lines, line('agent', 'hel', false));
    lines = mergeTranscript(lines, line('customer', 'hi', false));
    lines = mergeTranscript(lines, line('agent', 'hello there', false));
    lines = mergeTranscript(lines, line('agent', 'Hello there.', true));
    expect(lines.map((l) => l.text)).toEqual(['hi', 'Hello there.']);
    lines = mergeTranscript(lines, line('customer', 'Hi!', true));
    expect(lines.map((l) => l.text)).toEqual(['Hello there.', 'Hi!']);
    expect(captionText(lines, live())).toBe('Customer: Hi!');
  });

  it('says why there are no words instead of listening forever', () => {
    expect(captionText([], live({ state: 'off', reason: 'no Deepgram API key' }))).toBe('Transcription off — no Deepgram API key');
    expect(captionText([], live({ state: 'degraded', reason: 'Deepgram quota or rate limit reached (429)' }))).toBe('Transcription degraded — Deepgram quota or rate limit reached (429)');
    expect(captionText([], live({ state: 'on', reason: null }))).toBe('Transcript: listening…');
    expect(captionText([], { ...live(), phase: 'idle' })).toBe('');
  });
});
