/**
 * The library's tables (as kysely sees them) and the values its API hands out. Table row types are
 * internal to src/library; the public types below are plain JSON and may cross to the UI.
 */
import type { ColumnType, Generated } from 'kysely';
import type { CallReport, CallSummary, ChannelName, NudgeFeedback, TranscriptWord } from '../shared/types';

import type { CallMeta, CallSource, CallStatus } from '../shared/library';

export { CALL_SOURCES, CALL_STATUSES } from '../shared/library';
export type { CallListItem, CallMeta, CallPage, CallQuery, CallSource, CallStatus } from '../shared/library';
export { NUDGE_FEEDBACK } from '../shared/types';

// ---------------------------------------------------------------------------------------------------
// Tables

export interface CallsTable {
  /** Stable integer key; the FTS index uses it as its rowid. */
  seq: Generated<number>;
  id: string;
  started_at: number;
  ended_at: number | null;
  duration_ms: number;
  source: CallSource;
  title: string;
  customer_label: string | null;
  agent: string | null;
  status: CallStatus;
  notes: string;
  score: number | null;
  /** JSON (insights are produced by a later issue; stored as given). */
  insights: string | null;
  /** JSON CallSummary; null while live or when a call was interrupted before it finished. */
  summary: string | null;
  updated_at: number;
}

/** One row per tag of a call (0002; tags were a JSON column before). `pos` keeps the order given. */
export interface CallTagsTable {
  call_id: string;
  tag: string;
  pos: number;
}

/** Which process records a live call (0002), so nobody else finalises or deletes it while it runs. */
export interface LiveOwnersTable {
  call_id: string;
  pid: number;
  host: string;
  started_at: number;
}

export interface SpeechSegmentsTable {
  call_id: string;
  channel: ChannelName;
  start_ms: number;
  end_ms: number;
}

export interface TranscriptSegmentsTable {
  id: Generated<number>;
  call_id: string;
  channel: ChannelName;
  text: string;
  start_ms: number;
  end_ms: number;
  confidence: number | null;
  final: number;
  /** The segment's words with their timings, JSON (0003); null when the source had none (the demo). */
  words: string | null;
}

export interface EventsTable {
  call_id: string;
  id: string;
  type: string;
  channel: ChannelName;
  start_ms: number;
  end_ms: number | null;
}

export interface NudgesTable {
  call_id: string;
  id: string;
  rule_id: string;
  title: string;
  severity: string;
  message: string;
  detail: string | null;
  opened_ms: number;
  closed_ms: number | null;
  condition_since_ms: number;
  feedback: NudgeFeedback | null;
}

/** The 1 Hz metrics timeline, one row per minute of call: `data` is a JSON array of compact points. */
export interface TimelineChunksTable {
  call_id: string;
  chunk: number;
  data: string;
}

export interface RecordingsTable {
  call_id: string;
  /** Relative to the library's recordings directory when inside it, else absolute. */
  path: string;
  codec: string;
  size_bytes: number;
  sha256: string | null;
  duration_ms: number;
  /** Why recording stopped early (disk full, unwritable folder…); null when it is whole. */
  error: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface PlaybooksTable {
  id: string;
  name: string;
  json: string;
  updated_at: number;
}

export interface CallSearchTable {
  rowid: ColumnType<number, number, never>;
  title: string;
  notes: string;
  transcript: string;
}

export interface KbDocumentsTable {
  id: Generated<number>;
  name: string;
  /** md, txt or pdf. */
  kind: string;
  added_at: number;
}

export interface KbPassagesTable {
  id: Generated<number>;
  doc_id: number;
  ord: number;
  heading: string;
  text: string;
}

export interface KbSearchTable {
  rowid: ColumnType<number, number, never>;
  heading: string;
  text: string;
}

export interface KbVocabTable {
  term: string;
  /** Passages holding the term. */
  doc: number;
}

export interface CallReportsTable {
  call_id: string;
  model: string;
  created_at: number;
  json: string;
}

export interface LibrarySchema {
  calls: CallsTable;
  call_tags: CallTagsTable;
  live_owners: LiveOwnersTable;
  speech_segments: SpeechSegmentsTable;
  transcript_segments: TranscriptSegmentsTable;
  events: EventsTable;
  nudges: NudgesTable;
  timeline_chunks: TimelineChunksTable;
  recordings: RecordingsTable;
  settings: SettingsTable;
  playbooks: PlaybooksTable;
  call_search: CallSearchTable;
  kb_documents: KbDocumentsTable;
  kb_passages: KbPassagesTable;
  kb_search: KbSearchTable;
  kb_vocab: KbVocabTable;
  call_reports: CallReportsTable;
  sync_outbox: SyncOutboxTable;
  sync_feedback: SyncFeedbackTable;
  sync_state: { key: string; value: string };
}

export interface SyncOutboxTable {
  call_id: string;
  state: 'pending' | 'sent' | 'held' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: Generated<number>;
  last_error: string | null;
  archive_path: string | null;
  sha256: string | null;
  upload_url: string | null;
  enqueued_at: number;
  sent_at: number | null;
}

export interface SyncFeedbackTable {
  id: string;
  call_id: string;
  author: string;
  at_ms: number | null;
  text: string;
  rubric: string | null;
  created_at: number;
}

// ---------------------------------------------------------------------------------------------------
// Public values

export interface TranscriptSegment {
  readonly channel: ChannelName;
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly confidence: number | null;
  readonly final: boolean;
  /** Word timings, when the recogniser gave them. */
  readonly words?: readonly TranscriptWord[];
}

/** What the caller says about a call when it is stored. */
export interface CallMetaInput {
  readonly id?: string;
  readonly startedAt: number;
  readonly endedAt?: number | null;
  readonly source: CallSource;
  readonly status?: CallStatus;
  readonly title?: string;
  readonly customerLabel?: string | null;
  readonly agent?: string | null;
  readonly tags?: readonly string[];
  readonly notes?: string;
  readonly score?: number | null;
  readonly insights?: unknown;
}


export interface RecordingInfo {
  /** Absolute path on this machine. */
  readonly path: string;
  readonly codec: string;
  readonly sizeBytes: number;
  readonly sha256: string | null;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface CallRecord {
  readonly meta: CallMeta;
  readonly report: CallReport;
  /** False when the summary was rebuilt from stored parts (an interrupted call). */
  readonly summaryComplete: boolean;
  readonly transcript: readonly TranscriptSegment[];
  readonly recording: RecordingInfo | null;
}

export interface CallUpdate {
  readonly title?: string;
  readonly notes?: string;
  readonly tags?: readonly string[];
  readonly customerLabel?: string | null;
  readonly agent?: string | null;
  readonly score?: number | null;
  readonly insights?: unknown;
}

export interface SaveOptions {
  readonly transcript?: readonly TranscriptSegment[];
}

export type { CallSummary };
