/**
 * The optional AI report: the `openai` SDK writes a summary, the customer's issue and outcome, action
 * items and a better response for each coaching moment, as structured output (a JSON schema from zod)
 * that is validated again here. Only redacted text leaves the machine; time-outs and retries are
 * bounded; a failure is one line and never touches the offline insights.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import type { CallRecord } from '../library/types';
import { aiReportSchema, type AiReport } from '../shared/call-report';
import { oneLine, UserError } from '../shared/errors';
import { formatPath } from '../shared/playbook';
import { redactText } from '../shared/redact';

export interface ReportConfig {
  readonly apiKey: string;
  /** OPENAI_BASE_URL: an OpenAI-compatible server. */
  readonly baseURL: string | null;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** From a stored key or OPENAI_API_KEY; null without either. */
export function reportConfig(storedKey: string | null, env: Readonly<Record<string, string | undefined>> = process.env): ReportConfig | null {
  const apiKey = (storedKey ?? env.OPENAI_API_KEY ?? '').trim();
  if (!apiKey) return null;
  const base = env.OPENAI_BASE_URL?.trim() || null;
  if (base !== null && !/^https?:\/\//.test(base)) throw new UserError(`OPENAI_BASE_URL must be an http(s) URL, not "${base}"`, 'bad_input');
  return { apiKey, baseURL: base, model: env.OPENAI_MODEL?.trim() || 'gpt-4o-mini', timeoutMs: 60_000, maxRetries: 2 };
}

const mmss = (ms: number): string => `${Math.floor(ms / 60000)}:${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}`;

/** The prompt: the redacted transcript and the offline coaching moments the model should improve on. */
function prompt(call: CallRecord): string {
  const lines = call.transcript.filter((s) => s.final).map((s) => `[${mmss(s.startMs)}] ${s.channel}: ${redactText(s.text)}`);
  const moments = (call.meta.insights as { language?: { coaching?: { atMs: number; what: string; excerpt: string }[] } } | null)?.language?.coaching ?? [];
  return [
    'Transcript of a customer call (agent and customer), private numbers masked:',
    ...lines,
    '',
    'Coaching moments found offline (write one better response for each, same atMs):',
    ...(moments.length > 0 ? moments.map((m) => `- atMs ${m.atMs}: ${m.what} — ${redactText(m.excerpt)}`) : ['- none']),
  ].join('\n');
}

/** Writes the report; throws a one-line UserError on refusal, time-out or an answer that fails the schema. */
export async function writeReport(call: CallRecord, config: ReportConfig): Promise<AiReport> {
  if (!call.transcript.some((s) => s.final)) throw new UserError(`call ${call.meta.id} has no transcript to report on (cadence transcribe ${call.meta.id})`, 'bad_input');
  const client = new OpenAI({ apiKey: config.apiKey, ...(config.baseURL && { baseURL: config.baseURL }), timeout: config.timeoutMs, maxRetries: config.maxRetries });
  let content: string | null | undefined;
  try {
    const res = await client.chat.completions.create({
      model: config.model,
      messages: [
        { role: 'system', content: 'You review customer calls for a contact-centre coach. Answer only with the JSON object the schema describes.' },
        { role: 'user', content: prompt(call) },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'call_report', strict: true, schema: z.toJSONSchema(aiReportSchema) as Record<string, unknown> } },
    });
    content = res.choices[0]?.message.content;
  } catch (err) {
    const status = (err as { status?: number }).status;
    const what = status === 401 ? 'refused the API key (401)' : status === 429 ? 'quota or rate limit reached (429)' : err instanceof OpenAI.APIConnectionTimeoutError ? `did not answer within ${config.timeoutMs} ms` : oneLine(err);
    throw new UserError(`AI report failed: the model ${what}`, 'report_failed');
  }
  let json: unknown;
  try {
    json = JSON.parse(content ?? '');
  } catch {
    throw new UserError('AI report failed: the model did not answer with JSON', 'report_failed');
  }
  const parsed = aiReportSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UserError(`AI report failed: the model's answer does not fit the report schema (${formatPath(first.path) || '(root)'}: ${first.message})`, 'report_failed');
  }
  return parsed.data;
}

/** Checks a key by listing the server's models: one line saying why it is refused, or nothing. */
export async function checkReportKey(config: ReportConfig): Promise<void> {
  const client = new OpenAI({ apiKey: config.apiKey, ...(config.baseURL && { baseURL: config.baseURL }), timeout: 15_000, maxRetries: 0 });
  try {
    await client.models.list();
  } catch (err) {
    const status = (err as { status?: number }).status;
    throw new UserError(status === 401 || status === 403 ? `OpenAI refused the key (${status})` : `could not check the key: ${oneLine(err)}`, 'bad_key');
  }
}
