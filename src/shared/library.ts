/**
 * The call library's listing types: plain JSON shared by the store, the CLI and the UI.
 */
export const CALL_SOURCES = ['device', 'softphone', 'file', 'import'] as const;
export type CallSource = (typeof CALL_SOURCES)[number];
export const CALL_STATUSES = ['live', 'completed', 'interrupted', 'imported'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export interface CallQuery {
  readonly search?: string;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
  readonly agent?: string;
  readonly ruleId?: string;
  readonly minScore?: number;
  readonly maxScore?: number;
  readonly tag?: string;
  readonly status?: CallStatus;
  readonly limit?: number;
  readonly offset?: number;
}

export interface CallListItem {
  readonly id: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly source: CallSource;
  readonly status: CallStatus;
  readonly title: string;
  readonly agent: string | null;
  readonly customerLabel: string | null;
  readonly tags: readonly string[];
  readonly score: number | null;
  /** The matching text with hits between `«` and `»`; null without a search. */
  readonly snippet: string | null;
}

export interface CallPage {
  readonly items: readonly CallListItem[];
  readonly total: number;
}

export interface CallMeta {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly durationMs: number;
  readonly source: CallSource;
  readonly status: CallStatus;
  readonly title: string;
  readonly customerLabel: string | null;
  readonly agent: string | null;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly score: number | null;
  readonly insights: unknown;
}
