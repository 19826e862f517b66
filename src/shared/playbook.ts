/**
 * The playbook: coaching rules as data, validated with zod. An invalid playbook is refused with the
 * JSON path of every problem, so an editor can point at the offending field.
 */
import { z } from 'zod';
import { METRIC_NAMES, type MetricName } from './metrics';
import { channelNameSchema, eventTypeSchema, severitySchema } from './types';

const metricName = z.enum(METRIC_NAMES as unknown as [MetricName, ...MetricName[]]);
export const OPERATORS = ['>', '>=', '<', '<='] as const;
const op = z.enum(OPERATORS);
const ms = z.number().int().min(0).max(24 * 3600 * 1000);

export const predicateSchema = z.strictObject({ metric: metricName, op, value: z.number() });

const metricCondition = z.strictObject({
  type: z.literal('metric'),
  metric: metricName,
  op,
  value: z.number(),
  /** The predicate must hold this long before the nudge opens. */
  forMs: ms.default(0),
  /** …and stay false this long before it closes (avoids flicker). */
  clearMs: ms.default(1500),
  /**
   * Whose time forMs counts: the whole call's, or only the frames where that side is speaking (so a
   * pace rule waits for the agent's own speech, however many turns it takes, not the customer's).
   */
  clock: z.enum(['call', 'agentSpeech', 'customerSpeech']).default('call'),
});

/** Who must say a phrase: one side or either. */
export const speakerSchema = z.enum(['agent', 'customer', 'either']);
export type Speaker = z.infer<typeof speakerSchema>;
const phraseList = z.array(z.string().trim().min(1).max(120)).min(1).max(200);

/**
 * Something said (src/shared/phrase.ts matches it tolerantly, on interim words too). It holds for
 * `holdMs` after the words that matched, so the card stays up long enough to read.
 */
const phraseCondition = z.strictObject({
  type: z.literal('phrase'),
  speaker: speakerSchema,
  phrases: phraseList,
  holdMs: ms.default(6000),
});

/**
 * How a side feels, from the sentiment of its final utterances: holds while each of its last `turns`
 * utterances scored below `below` (−1 negative … +1 positive), i.e. held over turns, not one remark.
 */
const sentimentCondition = z.strictObject({
  type: z.literal('sentiment'),
  speaker: z.enum(['agent', 'customer']),
  below: z.number().min(-1).max(1).default(-0.2),
  turns: z.number().int().min(1).max(10).default(2),
});

/** A checklist item (by id) still not ticked `afterMs` into the call. */
const missedCondition = z.strictObject({
  type: z.literal('missed'),
  item: z.string().min(1),
  afterMs: ms,
});

const languagePart = z.discriminatedUnion('type', [phraseCondition, sentimentCondition, missedCondition]);

const compoundCondition = z.strictObject({
  type: z.enum(['any', 'all']),
  /** Metric predicates and language states, combined ("a frustrated customer" and "cancel"). */
  of: z.array(z.union([predicateSchema, languagePart])).min(1),
  forMs: ms.default(0),
  clearMs: ms.default(1500),
  /**
   * Whose time forMs counts: the whole call's, or only the frames where that side is speaking (so a
   * pace rule waits for the agent's own speech, however many turns it takes, not the customer's).
   */
  clock: z.enum(['call', 'agentSpeech', 'customerSpeech']).default('call'),
});

const eventCondition = z.strictObject({
  type: z.literal('event'),
  event: eventTypeSchema,
  channel: channelNameSchema.default('agent'),
  /** For events that have no duration, how long the nudge stays open. */
  holdMs: ms.default(4000),
});

export const conditionSchema = z.discriminatedUnion('type', [metricCondition, compoundCondition, eventCondition, phraseCondition, sentimentCondition, missedCondition]);

/** An item of the call checklist: ticked when `speaker` says one of its phrases. */
export const checklistItemSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'checklist ids are lowercase letters, digits and dashes'),
  title: z.string().min(1).max(40),
  speaker: speakerSchema.default('agent'),
  phrases: phraseList,
  /** Post-call: what the agent should have done when the item is missed. */
  advice: z.string().max(200).optional(),
});

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are lowercase letters, digits and dashes'),
  title: z.string().min(1).max(60),
  severity: severitySchema,
  message: z.string().min(1).max(140),
  detail: z.string().max(400).optional(),
  condition: conditionSchema,
  cooldownMs: ms.default(30000),
  maxPerCall: z.number().int().min(1).max(1000).default(5),
  enabled: z.boolean().default(true),
  /**
   * Rules sharing a group are one situation: the overlay shows one card for it, with the most severe of
   * its open nudges, so "Respond" escalates into "Dead air" instead of a second card stacking up.
   */
  group: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'groups are lowercase letters, digits and dashes').max(40).optional(),
  /** Where the threshold comes from (research, vendor practice); shown in the editor. */
  source: z.string().max(300).optional(),
});

export const playbookSchema = z
  .strictObject({
    version: z.literal(1),
    name: z.string().min(1).max(80),
    description: z.string().max(1000).optional(),
    rules: z.array(ruleSchema).max(200),
    checklist: z.array(checklistItemSchema).max(20).default([]),
    /** Points of the score's language items (calls with a transcript), beside the voice items' 100. */
    languageRubric: z
      .strictObject({
        checklist: z.number().min(0).max(100).default(10),
        objections: z.number().min(0).max(100).default(10),
        questions: z.number().min(0).max(100).default(5),
        /** Questions the agent should ask for full marks. */
        questionsTarget: z.number().int().min(1).max(100).default(3),
      })
      .prefault({}),
  })
  .superRefine((pb, ctx) => {
    const items = new Set(pb.checklist.map((c) => c.id));
    pb.rules.forEach((rule, i) => {
      const c = rule.condition;
      const parts = c.type === 'any' || c.type === 'all' ? c.of.map((p, j) => ({ p, path: ['rules', i, 'condition', 'of', j, 'item'] })) : [{ p: c, path: ['rules', i, 'condition', 'item'] }];
      for (const { p, path } of parts) {
        if ('type' in p && p.type === 'missed' && !items.has(p.item)) ctx.addIssue({ code: 'custom', path, message: `no checklist item "${p.item}"` });
      }
    });
    const seen = new Map<string, number>();
    pb.rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}" (first at rules[${first}])` });
      } else seen.set(rule.id, i);
    });
  });

export type Playbook = z.output<typeof playbookSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type Predicate = z.output<typeof predicateSchema>;
export type LanguageCondition = z.output<typeof languagePart>;
export type ChecklistItem = z.output<typeof checklistItemSchema>;

export interface PlaybookProblem {
  /** JSON path such as `rules[3].condition.value`. */
  readonly path: string;
  readonly message: string;
}

export class PlaybookError extends Error {
  override readonly name = 'PlaybookError';
  constructor(readonly problems: readonly PlaybookProblem[]) {
    super(`invalid playbook: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export type PlaybookResult = { ok: true; playbook: Playbook } | { ok: false; problems: PlaybookProblem[] };

export function validatePlaybook(input: unknown): PlaybookResult {
  const parsed = playbookSchema.safeParse(input);
  if (parsed.success) return { ok: true, playbook: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

/** Parses and validates; throws PlaybookError listing every problem. */
export function parsePlaybook(input: unknown): Playbook {
  const result = validatePlaybook(input);
  if (!result.ok) throw new PlaybookError(result.problems);
  return result.playbook;
}

/** Parses JSON text, reporting a syntax error the same way as a schema problem. */
export function parsePlaybookText(text: string): PlaybookResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ path: '', message: `not valid JSON: ${(err as Error).message}` }] };
  }
  return validatePlaybook(json);
}
