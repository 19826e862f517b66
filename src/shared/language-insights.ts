/**
 * Post-call insights on what was said (src/insights/language.ts computes them from the transcript and
 * the playbook): counts per side, interactivity, patience, sentiment, key moments and coaching moments.
 */
import { z } from 'zod';
import { channelNameSchema } from './types';

const perSide = z.object({ agent: z.number(), customer: z.number() }).readonly();

const keyMomentSchema = z
  .object({
    atMs: z.number(),
    /** A phrase rule's id, a missed checklist item (`missed:<item>`) or `frustration`. */
    kind: z.string(),
    label: z.string(),
    channel: channelNameSchema.nullable(),
    excerpt: z.string(),
  })
  .readonly();
export type KeyMoment = z.infer<typeof keyMomentSchema>;

const coachingMomentSchema = z
  .object({
    atMs: z.number(),
    /** What happened, in a few words. */
    what: z.string(),
    /** The transcript around it. */
    excerpt: z.string(),
    /** What to do instead (the playbook's advice). */
    instead: z.string(),
  })
  .readonly();
export type CoachingMoment = z.infer<typeof coachingMomentSchema>;

export const languageInsightsSchema = z
  .object({
    questions: perSide,
    fillers: perSide,
    fillersPerMin: perSide,
    /** Speaker switches per minute of call. */
    interactivity: z.number(),
    /** Mean pause from the customer's last word to the agent's answer, ms; null with no answers. */
    patienceMs: z.number().nullable(),
    /** The customer's mean sentiment (−1 … +1) over the first and last few utterances; null if silent. */
    sentiment: z.object({ start: z.number().nullable(), end: z.number().nullable() }).readonly(),
    checklist: z.array(z.object({ id: z.string(), title: z.string(), tickedAtMs: z.number().nullable() }).readonly()).readonly(),
    keyMoments: z.array(keyMomentSchema).readonly(),
    coaching: z.array(coachingMomentSchema).readonly(),
  })
  .readonly();
export type LanguageInsights = z.infer<typeof languageInsightsSchema>;
