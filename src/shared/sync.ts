/**
 * The sync server's contract: the values its API takes and returns, shared by the server (which
 * validates every request with these), the desktop client and the review UI.
 */
import { z } from 'zod';

/** Ids that travel between machines become parts of file names: a safe base name and nothing else. */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const syncIdSchema = z.string().regex(CALL_ID_PATTERN, 'not a valid id ([A-Za-z0-9_-], at most 64)');

export const SYNC_ROLES = ['agent', 'lead', 'admin'] as const;
export const syncRoleSchema = z.enum(SYNC_ROLES);
export type SyncRole = z.infer<typeof syncRoleSchema>;

/** A name of a team or user: printable, one line. */
export const syncNameSchema = z.string().min(1).max(100).regex(/^[^\s\p{C}][^\p{C}]*$/u, 'not a valid name (one printable line)');

export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export const meSchema = z.object({ user: z.string(), role: syncRoleSchema, team: z.string().nullable() });
export type SyncMe = z.infer<typeof meSchema>;

/** `GET /v1/calls`: `since` is epoch ms of upload (inclusive); `cursor` continues a listing. */
export const listQuerySchema = z.strictObject({
  since: z.coerce.number().int().min(0).max(8.64e15).optional(),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]*$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  agent: syncNameSchema.optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const syncedCallSchema = z.object({
  id: syncIdSchema,
  agent: z.string(),
  team: z.string().nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  startedAt: z.number(),
  durationMs: z.number(),
  title: z.string(),
  score: z.number().nullable(),
  uploadedAt: z.number(),
});
export type SyncedCall = z.infer<typeof syncedCallSchema>;

export const callPageSchema = z.object({ calls: z.array(syncedCallSchema), nextCursor: z.string().nullable() });
export type SyncCallPage = z.infer<typeof callPageSchema>;

export const uploadResultSchema = z.object({ id: syncIdSchema, sha256: z.string(), outcome: z.enum(['stored', 'unchanged']) });
export type UploadResult = z.infer<typeof uploadResultSchema>;

/** A lead's feedback on a call: a comment (at a moment of the call, or on the whole call) and/or rubric overrides. */
export const feedbackInputSchema = z
  .strictObject({
    atMs: z.number().int().min(0).max(48 * 3600_000).nullable().optional(),
    text: z.string().max(10_000).optional(),
    /** Rubric item → score 0–100, overriding the computed one. */
    rubric: z.record(z.string().min(1).max(100), z.number().min(0).max(100)).optional(),
  })
  .refine((f) => (f.text !== undefined && f.text.trim() !== '') || (f.rubric !== undefined && Object.keys(f.rubric).length > 0), 'feedback needs a text or a rubric override');
export type FeedbackInput = z.infer<typeof feedbackInputSchema>;

export const feedbackSchema = z.object({
  id: syncIdSchema,
  callId: syncIdSchema,
  author: z.string(),
  atMs: z.number().nullable(),
  text: z.string(),
  rubric: z.record(z.string(), z.number()).nullable(),
  createdAt: z.number(),
});
export type SyncFeedback = z.infer<typeof feedbackSchema>;
export const feedbackListSchema = z.object({ feedback: z.array(feedbackSchema) });

// ---- the app's view of sync (RPC) -----------------------------------------------------------------

export const syncLoginSchema = z.strictObject({ url: z.url().max(500), token: z.string().min(1).max(300) });

export interface SyncStatus {
  readonly account: { readonly url: string; readonly user: string; readonly role: SyncRole; readonly team: string | null } | null;
  readonly outbox: { readonly pending: number; readonly sent: number; readonly held: number; readonly failed: number };
  readonly lastRunAt: number | null;
  readonly lastError: string | null;
}

/** A call's place in sync: in the outbox (pending/sent/held/failed), pulled from the team, or not yet finished/queued. */
export type CallSyncState = 'pending' | 'sent' | 'held' | 'failed' | 'pulled' | 'live' | 'waiting';

export interface CallSyncInfo {
  readonly callId: string;
  readonly state: CallSyncState;
  readonly lastError: string | null;
  readonly feedback: readonly SyncFeedback[];
  /** The viewer is a lead looking at a team member's call: feedback can be given. */
  readonly canReview: boolean;
}

export interface TeamView {
  readonly agents: readonly { agent: string; calls: number; meanScore: number | null; meanWpm: number | null; meanTalkRatio: number | null; topCards: readonly { title: string; count: number }[] }[];
  readonly needsReview: readonly { id: string; title: string; agent: string; score: number | null }[];
}
