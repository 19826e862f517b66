/**
 * The call library's listing values: plain JSON shared by the store, the CLI and the UI. Schemas are
 * the source; types are inferred from them and every enum's runtime list is its `.options`.
 */
import { z } from 'zod';

const callSourceSchema = z.enum(['device', 'softphone', 'file', 'import']);
export type CallSource = z.infer<typeof callSourceSchema>;
export const CALL_SOURCES = callSourceSchema.options;

const callStatusSchema = z.enum(['live', 'completed', 'interrupted', 'imported']);
export type CallStatus = z.infer<typeof callStatusSchema>;
export const CALL_STATUSES = callStatusSchema.options;

/**
 * What `calls.list` accepts: the RPC validates windows' input with this very schema, so the type the
 * UI codes against and what the app accepts cannot drift apart.
 */
export const callQuerySchema = z
  .strictObject({
    search: z.string().max(500).optional(),
    /** Epoch ms, inclusive. */
    from: z.number().optional(),
    /** Epoch ms, exclusive. */
    to: z.number().optional(),
    agent: z.string().max(200).optional(),
    ruleId: z.string().max(100).optional(),
    minScore: z.number().optional(),
    maxScore: z.number().optional(),
    tag: z.string().max(100).optional(),
    status: callStatusSchema.optional(),
    /** Newest first (default), highest score first (unscored last), or longest first. */
    sort: z.enum(['date', 'score', 'duration']).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
  })
  .readonly();
export type CallQuery = z.infer<typeof callQuerySchema>;

const tags = z.array(z.string()).readonly();

const callListItemSchema = z
  .object({
    id: z.string(),
    startedAt: z.number(),
    durationMs: z.number(),
    source: callSourceSchema,
    status: callStatusSchema,
    title: z.string(),
    agent: z.string().nullable(),
    customerLabel: z.string().nullable(),
    tags,
    score: z.number().nullable(),
    /** The matching text with hits between `«` and `»`; null without a search. */
    snippet: z.string().nullable(),
  })
  .readonly();
export type CallListItem = z.infer<typeof callListItemSchema>;

export const callPageSchema = z.object({ items: z.array(callListItemSchema).readonly(), total: z.number() }).readonly();
export type CallPage = z.infer<typeof callPageSchema>;

export const callMetaSchema = z
  .object({
    id: z.string(),
    startedAt: z.number(),
    endedAt: z.number().nullable(),
    durationMs: z.number(),
    source: callSourceSchema,
    status: callStatusSchema,
    title: z.string(),
    customerLabel: z.string().nullable(),
    agent: z.string().nullable(),
    tags,
    notes: z.string(),
    score: z.number().nullable(),
    /** Free-form in the store (see CallInsights for what the app writes there). */
    insights: z.unknown(),
  })
  .readonly();
export type CallMeta = z.infer<typeof callMetaSchema>;
