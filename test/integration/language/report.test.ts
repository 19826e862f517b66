/**
 * The optional AI report with the real `openai` SDK against a local OpenAI-compatible stand-in:
 * structured output requested and validated, redacted text only, stored; a malformed or off-schema
 * answer, a refused key and a hung server each end in one line with nothing stored; a 500 is retried.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main';
import { languageStep } from '../../../src/insights/language';
import { reportConfig, writeReport } from '../../../src/insights/report';
import type { Library } from '../../../src/library/library';
import type { TranscriptSegment } from '../../../src/library/types';
import { defaultPlaybook, FULL_CALL, scriptOf } from '../../helpers/language-call';
import { OpenAiStandin } from '../../helpers/openai-standin';
import { fakeReport, useFreshLibrary } from '../library/helpers';

const KEY = 'sk-test';
let lib: Library;
let db = '';
useFreshLibrary((tmp, l) => {
  lib = l;
  db = join(tmp.dir, 'library.sqlite');
});
let standin: OpenAiStandin | null = null;
afterEach(async () => {
  await standin?.close();
  standin = null;
});

const GOOD = {
  summary: 'The customer found the price too high and asked for a manager; the agent booked a router replacement.',
  customerIssue: 'Internet too expensive, old router.',
  outcome: 'New router sent; follow-up on pricing.',
  actionItems: ['Send the new router', 'Call back about a cheaper plan'],
  betterResponses: [{ atMs: 9800, moment: 'Price objection', better: 'I hear you — let me check whether a plan fits better.' }],
};

async function storedCall(): Promise<string> {
  const lines = [...FULL_CALL, { who: 'customer' as const, atMs: 41000, text: 'Call me back on 415 555 0123 or mail jo@example.com' }];
  const transcript: TranscriptSegment[] = scriptOf(lines).map((p) => ({
    channel: p.channel === 0 ? 'agent' : 'customer',
    text: p.words.map((w) => w.word).join(' '),
    startMs: p.words[0]!.startMs,
    endMs: p.words.at(-1)!.endMs,
    confidence: 0.95,
    final: true,
    words: p.words.map((w) => ({ word: w.word, startMs: w.startMs, endMs: w.endMs, confidence: 0.95 })),
  }));
  const id = await lib.calls.save({ startedAt: Date.now(), source: 'file', title: 'scripted' }, { ...fakeReport(45, []), events: [] }, { transcript });
  await languageStep(defaultPlaybook()).run(lib, id);
  return id;
}

const config = (s: OpenAiStandin, key = KEY) => ({ ...reportConfig(null, { OPENAI_API_KEY: key, OPENAI_BASE_URL: s.url })!, timeoutMs: 2000, maxRetries: 1 });

describe('AI report', () => {
  it('asks for structured output with redacted text, validates the answer and stores it (cadence report)', async () => {
    standin = await OpenAiStandin.start(KEY);
    standin.reply({ content: JSON.stringify(GOOD) });
    const id = await storedCall();
    const env = { ...process.env };
    process.env.OPENAI_API_KEY = KEY;
    process.env.OPENAI_BASE_URL = standin.url;
    const out: string[] = [];
    const err: string[] = [];
    let code: number;
    try {
      code = await run(['report', id, '--db', db], { out: (l) => out.push(l), err: (l) => err.push(l) });
    } finally {
      process.env = env;
    }
    expect(code, err.join('\n')).toBe(0);
    expect(out.join('\n')).toContain('Summary: The customer found the price too high');
    expect((await lib.reports.get(id))?.report).toEqual(GOOD);
    const body = standin.requests[0]!;
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'call_report', strict: true } });
    const sent = JSON.stringify(body.messages);
    expect(sent).toContain('too expensive');
    expect(sent).toContain('atMs 9800: Price objection');
    expect(sent).not.toContain('555 0123');
    expect(sent).not.toContain('jo@example.com');
    expect(sent).toContain('[email]');
  });

  it('refuses a malformed or off-schema answer in one line and stores nothing', async () => {
    standin = await OpenAiStandin.start(KEY);
    const id = await storedCall();
    const call = (await lib.calls.get(id))!;
    standin.reply({ content: 'Sure! Here is your report: summary...' });
    await expect(writeReport(call, config(standin))).rejects.toThrow('AI report failed: the model did not answer with JSON');
    standin.reply({ content: JSON.stringify({ ...GOOD, outcome: undefined, betterResponses: [{ atMs: -5, moment: 'x', better: 'y' }] }) });
    await expect(writeReport(call, config(standin))).rejects.toThrow(/does not fit the report schema \((outcome|betterResponses\[0\]\.atMs): /);
    expect(await lib.reports.get(id)).toBeNull();
  });

  it('retries a server error, reports a refused key and a hung server in one line', async () => {
    standin = await OpenAiStandin.start(KEY);
    const id = await storedCall();
    const call = (await lib.calls.get(id))!;
    standin.reply({ status: 500 }, { content: JSON.stringify(GOOD) });
    await expect(writeReport(call, config(standin))).resolves.toEqual(GOOD);
    expect(standin.requests).toHaveLength(2);
    await expect(writeReport(call, config(standin, 'sk-wrong'))).rejects.toThrow('AI report failed: the model refused the API key (401)');
    standin.reply({ hang: true });
    const t0 = Date.now();
    await expect(writeReport(call, { ...config(standin), timeoutMs: 300, maxRetries: 0 })).rejects.toThrow('AI report failed: the model did not answer within 300 ms');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
