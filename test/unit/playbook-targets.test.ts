/** Playbook targets: read from the playbook's own rules, with the shipped default's values as fallbacks. */
import { describe, expect, it } from 'vitest';
import { scoreCall } from '../../src/insights/score';
import { loadPlaybookFile } from '../../src/playbook/playbook-file';
import { parsePlaybook, type Playbook } from '../../src/shared/playbook';
import { DEFAULT_TARGETS, playbookTargets } from '../../src/shared/playbook-targets';
import type { CallReport } from '../../src/shared/types';
import { fakeReport } from '../integration/library/helpers';

const base = { severity: 'coach', message: 'm' } as const;
const metricRule = (id: string, metric: string, op: string, value: number, enabled = true) => ({ ...base, id, title: id, enabled, condition: { type: 'metric', metric, op, value } });
const playbook = (rules: readonly unknown[]) => parsePlaybook({ version: 1, name: 'custom', rules } as unknown as Playbook);

function agentAt(wpm: number, talkRatio: number): CallReport {
  const r = fakeReport(300, []);
  return { ...r, talkRatio, longestMonologueMs: 20_000, meanResponseMs: 500, events: [], nudges: [], channels: { ...r.channels, agent: { ...r.channels.agent, wpm } } };
}

describe('playbookTargets', () => {
  it('reads the shipped playbook as the documented defaults', () => {
    expect(playbookTargets(loadPlaybookFile())).toEqual(DEFAULT_TARGETS);
  });

  it('takes pace, talk ratio, monologue, dead air and response from the rules that coach them', () => {
    const t = playbookTargets(
      playbook([
        metricRule('fast', 'agent.wpm', '>', 160),
        metricRule('slow', 'agent.wpm', '<=', 120),
        metricRule('talky', 'talkRatio', '>', 0.5),
        metricRule('mono', 'monologueMs', '>=', 45_000),
        metricRule('quiet', 'deadAirMs', '>=', 3_000),
        metricRule('wait', 'responseWaitMs', '>=', 2_000),
      ]),
    );
    expect(t).toEqual({ ...DEFAULT_TARGETS, paceWpm: { min: 120, max: 160 }, talkRatio: { min: DEFAULT_TARGETS.talkRatio.min, max: 0.5 }, monologueMs: 45_000, deadAirMs: 3_000, responseMs: 2_000 });
  });

  it('reads thresholds inside compound conditions and keeps the strictest of several', () => {
    const loud = { ...base, id: 'loud', title: 'loud', condition: { type: 'any', of: [{ metric: 'agent.relLevelDb', op: '>', value: 8 }, { metric: 'agent.levelDb', op: '>', value: -20 }] } };
    const t = playbookTargets(playbook([loud, metricRule('fast', 'agent.wpm', '>', 200), metricRule('faster', 'agent.wpm', '>', 170)]));
    expect(t.levelDb).toEqual({ min: DEFAULT_TARGETS.levelDb.min, max: -20 });
    expect(t.paceWpm.max).toBe(170);
  });

  it('falls back to the defaults for a missing or disabled rule, and never lets a floor pass its ceiling', () => {
    expect(playbookTargets(playbook([metricRule('fast', 'agent.wpm', '>', 160, false)]))).toEqual(DEFAULT_TARGETS);
    const t = playbookTargets(playbook([metricRule('talky', 'talkRatio', '>', 0.3)]));
    expect(t.talkRatio).toEqual({ min: 0.3, max: 0.3 });
  });
});

describe('scoreCall against playbook targets', () => {
  const custom = playbookTargets(playbook([metricRule('fast', 'agent.wpm', '>', 160), metricRule('slow', 'agent.wpm', '<', 120), metricRule('talky', 'talkRatio', '>', 0.5)]));

  it('moves the pace and talk-ratio rubric with the playbook', () => {
    const call = agentAt(175, 0.6);
    const byDefault = Object.fromEntries(scoreCall(call).items.map((i) => [i.id, i]));
    const byCustom = Object.fromEntries(scoreCall(call, custom).items.map((i) => [i.id, i]));
    // 175 wpm and 60 % are inside the default bands and outside the custom ones.
    expect(byDefault.pace!.status).toBe('good');
    expect(byDefault['talk-ratio']!.status).toBe('good');
    expect(byCustom.pace!.points).toBeLessThan(byCustom.pace!.maxPoints);
    expect(byCustom['talk-ratio']!.points).toBeLessThan(byCustom['talk-ratio']!.maxPoints);
    expect(byCustom.pace!.summary).toContain('aim for 120–160');
    expect(byCustom['talk-ratio']!.summary).toContain('–50%');
    expect(byDefault.pace!.summary).toContain(`aim for ${DEFAULT_TARGETS.paceWpm.min}–${DEFAULT_TARGETS.paceWpm.max}`);
  });

  it('keeps the targets it scored against with the insights', () => {
    expect(scoreCall(agentAt(150, 0.45), custom).targets).toEqual(custom);
    expect(scoreCall(agentAt(150, 0.45)).targets).toEqual(DEFAULT_TARGETS);
  });
});
