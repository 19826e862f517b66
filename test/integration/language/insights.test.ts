/**
 * Post-call language insights of a scripted call whose words came from the Deepgram stand-in, against
 * answers worked out by hand from the script (times, counts, moments), stored through the post-call
 * step and recomputed for another playbook as `cadence reanalyze` does.
 */
import { describe, expect, it } from 'vitest';
import { languageStep } from '../../../src/insights/language';
import type { TranscriptSegment } from '../../../src/library/types';
import { callInsightsSchema } from '../../../src/shared/insights';
import { parsePlaybook } from '../../../src/shared/playbook';
import { defaultPlaybook, FULL_CALL, runScriptedCall } from '../../helpers/language-call';
import { fakeReport, useFreshLibrary } from '../library/helpers';
import type { Library } from '../../../src/library/library';
import { run } from '../../../src/cli/main';
import { join } from 'node:path';

let lib: Library;
let dbPath = '';
useFreshLibrary((tmp, l) => {
  lib = l;
  dbPath = join(tmp.dir, 'library.sqlite');
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function storedCall(): Promise<string> {
  const call = await runScriptedCall(FULL_CALL, 43000);
  const transcript: TranscriptSegment[] = call.finals.map(({ words: w }) => ({ channel: w.channel, text: w.text, startMs: w.startMs, endMs: w.endMs, confidence: w.confidence, final: true, words: w.words }));
  return lib.calls.save({ startedAt: Date.now(), source: 'file', title: 'scripted' }, { ...fakeReport(43, []), events: [] }, { transcript });
}

describe('language insights', () => {
  it('match the answers worked out from the script', async () => {
    const id = await storedCall();
    await languageStep(defaultPlaybook()).run(lib, id);
    const insights = callInsightsSchema.parse((await lib.calls.get(id))!.meta.insights);
    const l = insights.language!;
    expect(l.questions).toEqual({ agent: 2, customer: 0 });
    expect(l.fillers).toEqual({ agent: 0, customer: 3 });
    // 3 fillers over 16.15 s of customer speech (word spans of its seven lines).
    expect(l.fillersPerMin.customer).toBeGreaterThan(10.9);
    expect(l.fillersPerMin.customer).toBeLessThan(11.4);
    // 4 speaker switches over 43 s.
    expect(l.interactivity).toBeCloseTo(5.6, 1);
    // The agent answered 1.25 s after the customer's last word, both times.
    expect(l.patienceMs).toBe(1250);
    // Angry in the middle, neutral at the end, milder at the start.
    expect(l.sentiment.start).not.toBeNull();
    expect(l.sentiment.end).not.toBeNull();
    const moments = l.keyMoments.map((m) => [m.kind, m.atMs]);
    expect(moments).toEqual([
      ['price-objection', 9800],
      ['competitor-mention', 14000],
      ['cancel-intent', 17900],
      ['customer-frustrated', 26000],
      ['escalation-request', 29600],
      ['upsell-opening', 32600],
    ]);
    expect(l.checklist.map((c) => [c.id, c.tickedAtMs])).toEqual([
      ['greeting', 500],
      ['recording-disclosure', 3500 + 4 * 300],
      ['identity-verification', 20000 + 2 * 300],
      ['recap', 35000 + 300],
      ['closing', 39000 + 300],
    ]);
    expect(l.coaching.map((c) => c.what)).toEqual(['Price objection', 'Competitor mentioned', 'Cancel intent', 'Customer frustrated', 'Escalation requested']);
    expect(l.coaching[0]!.excerpt).toContain('too expensive');
    expect(l.coaching[0]!.excerpt).toContain('agent: “Could you confirm your date of birth?”');
    expect(l.coaching[0]!.instead).toMatch(/^Try:/);
    const item = (id: string) => insights.items.find((i) => i.id === id)!;
    expect([item('checklist').points, item('checklist').maxPoints]).toEqual([10, 10]);
    expect([item('objections').points, item('objections').summary]).toEqual([10, '4 of 4 objections handled.']);
    expect(item('objections').evidence).toHaveLength(4);
    expect([item('questions').points, item('questions').maxPoints]).toEqual([3.3, 5]);
    const max = insights.items.reduce((s, i) => s + i.maxPoints, 0);
    expect(max).toBe(125);
    expect(insights.score).toBe(Math.round((100 * insights.items.reduce((s, i) => s + i.points, 0)) / max));
  }, 60_000);

  it('are recomputed for another playbook (reanalyze): missed items become moments and coaching', async () => {
    const id = await storedCall();
    const base = defaultPlaybook();
    const strict = parsePlaybook({
      ...base,
      checklist: [...base.checklist, { id: 'offer-survey', title: 'Offer survey', phrases: ['quick survey'], advice: 'Offer the satisfaction survey before closing.' }],
      languageRubric: { checklist: 20, objections: 0, questions: 5, questionsTarget: 2 },
    });
    await languageStep(strict).run(lib, id);
    const insights = callInsightsSchema.parse((await lib.calls.get(id))!.meta.insights);
    expect(insights.items.map((i) => i.id)).not.toContain('objections');
    const checklist = insights.items.find((i) => i.id === 'checklist')!;
    expect([checklist.points, checklist.maxPoints]).toEqual([16.7, 20]);
    expect(insights.language!.keyMoments.at(-1)).toMatchObject({ kind: 'missed:offer-survey', atMs: 43000 });
    expect(insights.language!.coaching.at(-1)).toMatchObject({ what: 'Missed: Offer survey', instead: 'Offer the satisfaction survey before closing.' });
    expect(insights.items.find((i) => i.id === 'questions')!.points).toBe(5);
  }, 60_000);

  it('are printed by `cadence show` and recomputed by `cadence reanalyze`; an unknown call is one line', async () => {
    const id = await storedCall();
    const re = await cli('reanalyze', id, '--db', dbPath);
    expect(re.code, re.err).toBe(0);
    expect(re.out).toContain('Objections handled');
    const shown = await cli('show', id, '--db', dbPath);
    expect(shown.code, shown.err).toBe(0);
    for (const text of ['Key moments:', 'Coaching moments:', 'Price objection', 'instead: Try:', 'questions        agent 2, customer 0', '✓ Recording disclosure']) expect(shown.out).toContain(text);
    const bad = await cli('reanalyze', 'no-such-call', '--db', dbPath);
    expect(bad.code).not.toBe(0);
    expect(bad.err.split('\n')).toHaveLength(1);
  }, 60_000);
});
