/** Call scoring: good and poor calls against the anchors, with evidence, stored with the call. */

import { describe, expect, it } from 'vitest';
import { scoreCall } from '../../../src/insights/score';
import type { Library } from '../../../src/library/library';
import type { CallReport } from '../../../src/shared/types';
import { buildCall } from '../../fixtures/speech';
import { analyzeCall } from '../../fixtures/run';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';
import { fakeReport, useFreshLibrary } from '../library/helpers';

function report(patch: Partial<CallReport>): CallReport {
  const base = fakeReport(300, []);
  return { ...base, ...patch, channels: { ...base.channels, ...(patch.channels ?? {}) } };
}

describe('scoreCall', () => {
  it('gives a balanced, quiet call full marks on every part', () => {
    const r = report({ talkRatio: 0.48, longestMonologueMs: 30000, meanResponseMs: 600, events: [], nudges: [], channels: { ...fakeReport().channels, agent: { ...fakeReport().channels.agent, wpm: 160 } } });
    const s = scoreCall(r);
    expect(s.score).toBe(100);
    expect(s.items.every((i) => i.status === 'good' && i.advice === '')).toBe(true);
    expect(s.items.reduce((n, i) => n + i.maxPoints, 0)).toBe(100);
  });

  it('marks down a call that talks over, goes silent and lectures, and says where', () => {
    const ev = (type: CallReport['events'][number]['type'], startMs: number) => ({ id: `${type}${startMs}`, type, channel: 'agent' as const, startMs, endMs: startMs + 2000 });
    const r = report({
      talkRatio: 0.82,
      longestMonologueMs: 150000,
      meanResponseMs: 3500,
      events: [ev('interruption', 12000), ev('interruption', 40000), ev('interruption', 90000), ev('dead_air', 60000), ev('dead_air', 120000), ev('monologue', 130000)],
      nudges: [],
      channels: { ...fakeReport().channels, agent: { ...fakeReport().channels.agent, wpm: 230 } },
    });
    const s = scoreCall(r);
    expect(s.score).toBeLessThan(30);
    const byId = Object.fromEntries(s.items.map((i) => [i.id, i]));
    expect(byId.interruptions!.status).toBe('problem');
    expect(byId.interruptions!.evidence.map((e) => e.atMs)).toEqual([12000, 40000, 90000]);
    expect(byId['talk-ratio']!.summary).toContain('82%');
    expect(byId.pace!.advice).toMatch(/slow down/i);
    expect(byId.silence!.evidence).toHaveLength(2);
  });

  it('scores an analysed call consistently with what the engine found', () => {
    const r = analyzeCall(
      buildCall({
        turns: [
          { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 300 },
          { channel: 'agent', text: AGENT_LINES[2]!, atMs: 2300 },
        ],
      }),
    );
    const s = scoreCall(r);
    const ints = s.items.find((i) => i.id === 'interruptions')!;
    expect(ints.evidence).toHaveLength(r.events.filter((e) => e.type === 'interruption' && e.channel === 'agent').length);
    expect(ints.points).toBeLessThan(ints.maxPoints);
  });
});

describe('scores in the library', () => {
  let lib: Library;
  useFreshLibrary((_tmp, l) => {
    lib = l;
  });

  it('stores the score and insights with a saved call, and filters by score', async () => {
    const good = await lib.calls.save({ startedAt: 1, source: 'file', title: 'good' }, report({ talkRatio: 0.5, events: [], nudges: [] }));
    const poor = await lib.calls.save({ startedAt: 2, source: 'file', title: 'poor' }, report({ talkRatio: 0.95, longestMonologueMs: 200000, events: [], nudges: [] }));
    const g = (await lib.calls.get(good))!;
    expect(g.meta.score).toBeGreaterThan(80);
    expect((g.meta.insights as { items: unknown[] }).items).toHaveLength(7);
    const high = await lib.calls.list({ minScore: 80 });
    expect(high.items.map((i) => i.id)).toEqual([good]);
    const low = await lib.calls.list({ maxScore: 79 });
    expect(low.items.map((i) => i.id)).toEqual([poor]);
  });
});
