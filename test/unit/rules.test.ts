/** The rule engine on synthetic metric streams, and playbook validation. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeRuleEngine } from '../../src/engine/rules';
import { defaultPlaybookPath } from '../../src/playbook/playbook-file';
import { METRIC_INDEX, METRIC_NAMES } from '../../src/shared/metrics';
import { parsePlaybook, validatePlaybook } from '../../src/shared/playbook';
import type { Nudge } from '../../src/shared/types';

function playbook(rules: readonly unknown[]): ReturnType<typeof parsePlaybook> {
  return parsePlaybook({ version: 1, name: 'test', rules });
}

const base = { title: 'T', severity: 'coach', message: 'm' } as const;

/** Drives a rule engine with a metric that follows `f(tMs)` for `ms`, 20 ms frames. */
function drive(rules: readonly unknown[], metric: keyof typeof METRIC_INDEX, f: (t: number) => number, ms: number) {
  const log: { phase: 'open' | 'close'; nudge: Nudge }[] = [];
  const engine = makeRuleEngine(playbook(rules), (phase, nudge) => log.push({ phase, nudge }));
  const values = new Float64Array(METRIC_NAMES.length).fill(NaN);
  for (let t = 20; t <= ms; t += 20) {
    values[METRIC_INDEX[metric]] = f(t);
    engine.evaluate(values, t, 20);
  }
  engine.closeAll(ms);
  return log;
}

describe('metric rules', () => {
  const fast = { ...base, id: 'fast', condition: { type: 'metric', metric: 'agent.wpm', op: '>', value: 190, forMs: 6000, clearMs: 2000 } } as const;

  it('opens exactly when the threshold has held for forMs (same frame), closes clearMs after it clears', () => {
    const log = drive([fast], 'agent.wpm', (t) => (t > 1000 && t <= 12000 ? 200 : 150), 20000);
    expect(log.map((l) => l.phase)).toEqual(['open', 'close']);
    expect(log[0]!.nudge.conditionSinceMs).toBe(1000);
    expect(log[0]!.nudge.atMs).toBe(7000);
    expect(log[1]!.nudge.endMs).toBe(14000);
  });

  it('does not open when the condition breaks before forMs', () => {
    const log = drive([fast], 'agent.wpm', (t) => (t % 5000 < 4000 ? 200 : 150), 30000);
    expect(log).toHaveLength(0);
  });

  it('on the agentSpeech clock, waits forMs of the agent speaking, however the turns fall', () => {
    const rule = { ...fast, condition: { ...fast.condition, clock: 'agentSpeech' } };
    const log: Nudge[] = [];
    const engine = makeRuleEngine(playbook([rule]), (phase, n) => phase === 'open' && log.push(n));
    const values = new Float64Array(METRIC_NAMES.length).fill(NaN);
    values[METRIC_INDEX['agent.wpm']] = 200;
    // The agent speaks 2 s of every 5 s: 6 s of agent speech is complete 2 s into the third turn.
    for (let t = 20; t <= 30000; t += 20) {
      values[METRIC_INDEX['agent.speaking']] = (t - 20) % 5000 < 2000 ? 1 : 0;
      engine.evaluate(values, t, 20);
    }
    expect(log).toHaveLength(1);
    expect(log[0]!.atMs).toBe(12000);
    expect(log[0]!.conditionSinceMs).toBe(0);
    // The same stream on the call clock would have opened at 6 s.
    expect(drive([fast], 'agent.wpm', () => 200, 30000)[0]!.nudge.atMs).toBe(6000);
  });

  it('treats an unknown (NaN) metric as not satisfied', () => {
    const log = drive([fast], 'agent.wpm', () => NaN, 20000);
    expect(log).toHaveLength(0);
  });

  it('respects cooldown and maxPerCall', () => {
    const rule = { ...fast, cooldownMs: 10000, maxPerCall: 2, condition: { ...fast.condition, forMs: 0, clearMs: 0 } };
    // On for 1 s every 3 s, for 60 s: without limits it would open 20 times.
    const log = drive([rule], 'agent.wpm', (t) => (t % 3000 < 1000 ? 200 : 150), 60000);
    const opens = log.filter((l) => l.phase === 'open');
    expect(opens).toHaveLength(2);
    expect(opens[1]!.nudge.atMs - opens[0]!.nudge.atMs).toBeGreaterThanOrEqual(10000);
    expect(opens.map((o) => o.nudge.id)).toEqual(['fast#1', 'fast#2']);
  });

  it('combines predicates with any / all', () => {
    const anyRule = {
      ...base,
      id: 'any',
      condition: { type: 'any', of: [{ metric: 'agent.wpm', op: '>', value: 190 }, { metric: 'agent.wpm', op: '<', value: 100 }], forMs: 0, clearMs: 0 },
      cooldownMs: 0,
    } as const;
    const allRule = {
      ...base,
      id: 'all',
      condition: { type: 'all', of: [{ metric: 'agent.wpm', op: '>', value: 120 }, { metric: 'agent.wpm', op: '<', value: 130 }], forMs: 0, clearMs: 0 },
    } as const;
    const log = drive([anyRule, allRule], 'agent.wpm', (t) => (t < 1000 ? 90 : t < 2000 ? 125 : t < 3000 ? 200 : 150), 4000);
    expect(log.filter((l) => l.phase === 'open').map((l) => `${l.nudge.ruleId}@${l.nudge.atMs}`)).toEqual(['any@20', 'all@1000', 'any@2000']);
  });

  it('skips disabled rules', () => {
    const log = drive([{ ...fast, enabled: false }], 'agent.wpm', () => 250, 20000);
    expect(log).toHaveLength(0);
  });
});

describe('event rules', () => {
  it('opens on an event, closes when it ends; instant events close after holdMs; dismiss closes early', () => {
    const log: { phase: string; nudge: Nudge }[] = [];
    const e = makeRuleEngine(
      playbook([{ ...base, id: 'int', condition: { type: 'event', event: 'interruption', channel: 'agent', holdMs: 3000 }, cooldownMs: 0 }]),
      (phase, nudge) => log.push({ phase, nudge }),
    );
    const v = new Float64Array(METRIC_NAMES.length);
    e.onEvent('interruption', 'customer', 'open', 100); // other channel: ignored
    e.onEvent('interruption', 'agent', 'open', 1000);
    e.onEvent('interruption', 'agent', 'close', 2500);
    e.onEvent('interruption', 'agent', 'instant', 5000);
    for (let t = 5020; t <= 9000; t += 20) e.evaluate(v, t, 20);
    e.onEvent('interruption', 'agent', 'open', 10000);
    expect(e.dismiss('int#3', 10500)).toBe(true);
    expect(e.dismiss('int#3', 10600)).toBe(false);
    expect(log.map((l) => `${l.phase}:${l.nudge.id}@${l.phase === 'open' ? l.nudge.atMs : l.nudge.endMs}`)).toEqual([
      'open:int#1@1000',
      'close:int#1@2500',
      'open:int#2@5000',
      'close:int#2@8000',
      'open:int#3@10000',
      'close:int#3@10500',
    ]);
    expect(e.openCount).toBe(0);
  });
});

describe('playbook validation', () => {
  it('accepts the default playbook, which has exactly the documented rule ids, each with a source', () => {
    const pb = parsePlaybook(JSON.parse(readFileSync(defaultPlaybookPath(), 'utf8')));
    expect(pb.rules.map((r) => r.id).sort()).toEqual(
      [
        'speaking-too-fast',
        'speaking-too-slow',
        'speaking-too-loud',
        'speaking-too-soft',
        'interrupting',
        'dead-air',
        'slow-to-respond',
        'monologue',
        'talk-ratio-high',
        'low-energy',
        'price-objection',
        'competitor-mention',
        'cancel-intent',
        'escalation-request',
        'upsell-opening',
        'customer-frustrated',
        'recording-disclosure-missed',
        'greeting-missed',
        'identity-verification-missed',
      ].sort(),
    );
    for (const r of pb.rules) expect(r.source, r.id).toBeTruthy();
  });

  it('refuses an invalid playbook with the JSON path of every problem', () => {
    const result = validatePlaybook({
      version: 1,
      name: 'bad',
      rules: [
        { ...base, id: 'ok', condition: { type: 'metric', metric: 'agent.wpm', op: '>', value: 1 } },
        { ...base, id: 'Bad Id', severity: 'urgent', condition: { type: 'metric', metric: 'agent.nope', op: '>', value: 'x' } },
        { ...base, id: 'ok', condition: { type: 'event', event: 'sneeze' } },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['rules[1].id', 'rules[1].severity', 'rules[1].condition.metric', 'rules[1].condition.value', 'rules[2].condition.event']),
    );
    // The duplicate id check runs only once the shapes are valid; check it separately.
    const dup = validatePlaybook({ version: 1, name: 'd', rules: [{ ...base, id: 'a', condition: { type: 'event', event: 'mark' } }, { ...base, id: 'a', condition: { type: 'event', event: 'mark' } }] });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.problems).toEqual([{ path: 'rules[1].id', message: expect.stringContaining('duplicate rule id') }]);
  });
});
