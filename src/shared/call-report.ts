/** The optional AI-written call report: the model's structured output, validated with this schema. */
import { z } from 'zod';

export const aiReportSchema = z.strictObject({
  summary: z.string().min(1).max(2000),
  customerIssue: z.string().min(1).max(1000),
  outcome: z.string().min(1).max(1000),
  actionItems: z.array(z.string().min(1).max(300)).max(20),
  /** One per coaching moment, in order: a better thing to have said. */
  betterResponses: z.array(z.strictObject({ atMs: z.number().min(0), moment: z.string().max(200), better: z.string().min(1).max(600) })).max(50),
});
export type AiReport = z.infer<typeof aiReportSchema>;

export const storedReportSchema = z
  .object({ model: z.string(), createdAt: z.number(), report: aiReportSchema })
  .readonly();
export type StoredReport = z.infer<typeof storedReportSchema>;
