/**
 * A call summary rebuilt from the parts that were stored, for calls that never finished (the engine's
 * own summary was lost with the process). Fields that need the audio are null or zero.
 */
import type { CallEvent, CallSummary, ChannelSummary, SpeechSegment } from '../shared/types';

function channelSummary(segments: readonly SpeechSegment[], events: readonly CallEvent[], channel: 'agent' | 'customer'): ChannelSummary {
  const mine = segments.filter((s) => s.channel === channel);
  return {
    talkMs: mine.reduce((sum, s) => sum + (s.endMs - s.startMs), 0),
    wpm: null,
    syllables: 0,
    meanDbfs: null,
    peakDbfs: -120,
    clippedSamples: 0,
    pitchHz: null,
    pitchVarSt: null,
    segments: mine.length,
    interruptions: events.filter((e) => e.type === 'interruption' && e.channel === channel).length,
    backchannels: events.filter((e) => e.type === 'backchannel' && e.channel === channel).length,
  };
}

export function summaryFromParts(segments: readonly SpeechSegment[], events: readonly CallEvent[], durationMs: number): CallSummary {
  const agent = channelSummary(segments, events, 'agent');
  const customer = channelSummary(segments, events, 'customer');
  const talk = agent.talkMs + customer.talkMs;
  const monologue = events.filter((e) => e.type === 'monologue' && e.endMs !== null).reduce((m, e) => Math.max(m, (e.endMs ?? 0) - e.startMs), 0);
  return {
    durationMs,
    channels: { agent, customer },
    talkRatio: talk > 0 ? agent.talkMs / talk : null,
    overtalkMs: events.filter((e) => e.type === 'overtalk' && e.endMs !== null).reduce((s, e) => s + ((e.endMs ?? 0) - e.startMs), 0),
    longestMonologueMs: monologue,
    meanResponseMs: null,
    responses: 0,
  };
}
