/**
 * Values that cross every boundary: engine → host → store → UI. Plain JSON, no classes.
 *
 * Schema-first: each zod schema is the source and its TypeScript type is inferred from it, so the
 * sync server and the archive importer can validate exactly what the rest of the code assumes. Every
 * enum is one `z.enum`; runtime lists are its `.options`. Hot per-frame values are never parsed on
 * their way through the engine; the schemas cost nothing until someone calls `parse`.
 */
import { z } from 'zod';

export const channelNameSchema = z.enum(['agent', 'customer']);
export type ChannelName = z.infer<typeof channelNameSchema>;
export const CHANNEL_NAMES = channelNameSchema.options;

/** One recognised word of a transcript, in call time. */
export const transcriptWordSchema = z
  .object({ word: z.string(), startMs: z.number(), endMs: z.number(), confidence: z.number() })
  .readonly();
export type TranscriptWord = z.infer<typeof transcriptWordSchema>;

export const severitySchema = z.enum(['info', 'coach', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

/** Where a call's pace figures came from: the transcript's words, or the acoustic estimate (no words). */
const paceSourceSchema = z.enum(['words', 'acoustic']);

export const eventTypeSchema = z.enum(['interruption', 'backchannel', 'overtalk', 'dead_air', 'slow_response', 'monologue', 'echo', 'mark']);
export type EventType = z.infer<typeof eventTypeSchema>;
export const EVENT_TYPES = eventTypeSchema.options;

export const nudgeFeedbackSchema = z.enum(['dismissed', 'helpful', 'not_helpful']);
export type NudgeFeedback = z.infer<typeof nudgeFeedbackSchema>;
export const NUDGE_FEEDBACK = nudgeFeedbackSchema.options;

/** Whether a nudge or event opened or closed. */
export const phaseSchema = z.enum(['open', 'close']);
export type Phase = z.infer<typeof phaseSchema>;

const ms = z.number().min(0);

const speechSegmentSchema = z.object({ channel: channelNameSchema, startMs: ms, endMs: ms }).readonly();
export type SpeechSegment = z.infer<typeof speechSegmentSchema>;

const callEventSchema = z
  .object({
    id: z.string(),
    type: eventTypeSchema,
    channel: channelNameSchema,
    startMs: ms,
    /** null while the event is still going on. */
    endMs: ms.nullable(),
  })
  .readonly();
export type CallEvent = z.infer<typeof callEventSchema>;

export const nudgeSchema = z
  .object({
    /** Unique within a call: `${ruleId}#${n}`. */
    id: z.string(),
    ruleId: z.string(),
    title: z.string(),
    severity: severitySchema,
    message: z.string(),
    detail: z.string().optional(),
    /** When the nudge opened (its condition was met), ms since call start. */
    atMs: ms,
    /** When its condition cleared; null while open. */
    endMs: ms.nullable(),
    /** When the condition started holding (atMs − this ≥ the rule's forMs). */
    conditionSinceMs: ms,
    feedback: nudgeFeedbackSchema.nullable().optional(),
  })
  .readonly();
export type Nudge = z.infer<typeof nudgeSchema>;

const channelPointSchema = z
  .object({ dbfs: z.number(), speaking: z.boolean(), wpm: z.number().nullable(), pitchHz: z.number().nullable() })
  .readonly();
export type ChannelPoint = z.infer<typeof channelPointSchema>;

/** One point of the 1 Hz timeline (not per frame). */
const timelinePointSchema = z
  .object({ tMs: ms, agent: channelPointSchema, customer: channelPointSchema, talkRatio: z.number().nullable() })
  .readonly();
export type TimelinePoint = z.infer<typeof timelinePointSchema>;

const channelSummarySchema = z
  .object({
    talkMs: ms,
    /** Words per minute over the channel's speaking time; null with too little speech. */
    wpm: z.number().nullable(),
    syllables: z.number(),
    /** Mean level while speaking. */
    meanDbfs: z.number().nullable(),
    peakDbfs: z.number(),
    clippedSamples: z.number(),
    pitchHz: z.number().nullable(),
    pitchVarSt: z.number().nullable(),
    segments: z.number(),
    interruptions: z.number(),
    backchannels: z.number(),
  })
  .readonly();
export type ChannelSummary = z.infer<typeof channelSummarySchema>;

const callSummaryShape = {
  durationMs: ms,
  channels: z.object({ agent: channelSummarySchema, customer: channelSummarySchema }).readonly(),
  /** Agent share of talk over the whole call; null if nobody spoke. */
  talkRatio: z.number().nullable(),
  overtalkMs: ms,
  longestMonologueMs: ms,
  meanResponseMs: z.number().nullable(),
  responses: z.number(),
  /** Which pace the channels' wpm is; absent in calls stored before pace came from words (acoustic). */
  paceSource: paceSourceSchema.optional(),
};

export const callSummarySchema = z.object(callSummaryShape).readonly();
export type CallSummary = z.infer<typeof callSummarySchema>;

/** What `cadence analyze --json` prints and what the library stores for a call. */
export const callReportSchema = z
  .object({
    ...callSummaryShape,
    speech: z.array(speechSegmentSchema).readonly(),
    timeline: z.array(timelinePointSchema).readonly(),
    events: z.array(callEventSchema).readonly(),
    nudges: z.array(nudgeSchema).readonly(),
  })
  .readonly();
export type CallReport = z.infer<typeof callReportSchema>;

