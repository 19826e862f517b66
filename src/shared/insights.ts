/** A call's score and the insights behind it, with evidence a reviewer can jump to. Schemas are the source. */
import { z } from 'zod';
import { languageInsightsSchema } from './language-insights';
import { playbookTargetsSchema } from './playbook-targets';

const insightStatusSchema = z.enum(['good', 'improve', 'problem']);
export type InsightStatus = z.infer<typeof insightStatusSchema>;

const insightIdSchema = z.enum(['talk-ratio', 'pace', 'interruptions', 'silence', 'monologue', 'responsiveness', 'volume', 'checklist', 'objections', 'questions']);

const insightEvidenceSchema = z
  .object({
    atMs: z.number(),
    endMs: z.number().nullable(),
    /** What happened there, in a few words. */
    label: z.string(),
  })
  .readonly();
export type InsightEvidence = z.infer<typeof insightEvidenceSchema>;

const callInsightSchema = z
  .object({
    id: insightIdSchema,
    title: z.string(),
    status: insightStatusSchema,
    /** One line: the measure against its target. */
    summary: z.string(),
    /** What to do about it (empty when good). */
    advice: z.string(),
    points: z.number(),
    maxPoints: z.number(),
    evidence: z.array(insightEvidenceSchema).readonly(),
  })
  .readonly();
export type CallInsight = z.infer<typeof callInsightSchema>;

export const callInsightsSchema = z
  .object({
    version: z.literal(1),
    /** 0–100: the insights' points as a share of their maximum (100 without a transcript). */
    score: z.number(),
    items: z.array(callInsightSchema).readonly(),
    /** The playbook targets the score was measured against (absent in calls scored before they travelled). */
    targets: playbookTargetsSchema.optional(),
    /** What was said (calls with a transcript); the rubric's language items are among `items`. */
    language: languageInsightsSchema.optional(),
  })
  .readonly();
export type CallInsights = z.infer<typeof callInsightsSchema>;
