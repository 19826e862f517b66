/** Values that cross every boundary: engine → host → store → UI. Plain JSON, no classes. */

export type ChannelName = 'agent' | 'customer';

export type Severity = 'info' | 'coach' | 'critical';

export const EVENT_TYPES = [
  'interruption',
  'backchannel',
  'overtalk',
  'dead_air',
  'slow_response',
  'monologue',
  'echo',
  'mark',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface SpeechSegment {
  readonly channel: ChannelName;
  readonly startMs: number;
  readonly endMs: number;
}

export interface CallEvent {
  readonly id: string;
  readonly type: EventType;
  readonly channel: ChannelName;
  readonly startMs: number;
  /** null while the event is still going on. */
  readonly endMs: number | null;
}

export type NudgeFeedback = 'dismissed' | 'helpful' | 'not_helpful';

export interface Nudge {
  /** Unique within a call: `${ruleId}#${n}`. */
  readonly id: string;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly message: string;
  readonly detail?: string;
  /** When the nudge opened (its condition was met), ms since call start. */
  readonly atMs: number;
  /** When its condition cleared; null while open. */
  readonly endMs: number | null;
  /** When the condition started holding (atMs − this ≥ the rule's forMs). */
  readonly conditionSinceMs: number;
  readonly feedback?: NudgeFeedback | null;
}

export interface ChannelPoint {
  readonly dbfs: number;
  readonly speaking: boolean;
  readonly wpm: number | null;
  readonly pitchHz: number | null;
}

export interface TimelinePoint {
  readonly tMs: number;
  readonly agent: ChannelPoint;
  readonly customer: ChannelPoint;
  readonly talkRatio: number | null;
}

export interface ChannelSummary {
  readonly talkMs: number;
  /** Words per minute over the channel's speaking time; null with too little speech. */
  readonly wpm: number | null;
  readonly syllables: number;
  /** Mean level while speaking. */
  readonly meanDbfs: number | null;
  readonly peakDbfs: number;
  readonly clippedSamples: number;
  readonly pitchHz: number | null;
  readonly pitchVarSt: number | null;
  readonly segments: number;
  readonly interruptions: number;
  readonly backchannels: number;
}

export interface CallSummary {
  readonly durationMs: number;
  readonly channels: { readonly agent: ChannelSummary; readonly customer: ChannelSummary };
  /** Agent share of talk over the whole call; null if nobody spoke. */
  readonly talkRatio: number | null;
  readonly overtalkMs: number;
  readonly longestMonologueMs: number;
  readonly meanResponseMs: number | null;
  readonly responses: number;
}

/** What `cadence analyze --json` prints and what the library stores for a call. */
export interface CallReport extends CallSummary {
  readonly speech: readonly SpeechSegment[];
  readonly timeline: readonly TimelinePoint[];
  readonly events: readonly CallEvent[];
  readonly nudges: readonly Nudge[];
}

