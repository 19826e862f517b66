import { describe, expect, it } from 'vitest';
import type { Nudge, Severity } from '../../src/shared/types';
import { closeNudge, fitToCall, JUST_NOW_MS, nextDue, openNudge, orderCards, RESOLVED_SHOW_MS, tick, type CardList, type RuleInfo } from '../../src/renderer/src/overlay/cards';

const RULES: Record<string, RuleInfo> = {
  fast: { title: 'Slow down', momentary: false, group: null },
  respond: { title: 'Respond', momentary: false, group: 'silence' },
  'dead-air': { title: 'Dead air', momentary: false, group: 'silence' },
  interrupting: { title: 'Let them finish', momentary: true, group: null },
  loud: { title: 'Lower your voice', momentary: false, group: null },
};
const SEV: Record<string, Severity> = { fast: 'coach', respond: 'info', 'dead-air': 'critical', interrupting: 'coach', loud: 'coach' };

let n = 0;
const nudge = (ruleId: string): Nudge => ({ id: `${ruleId}#${++n}`, ruleId, title: RULES[ruleId]!.title, severity: SEV[ruleId]!, message: 'm', atMs: 0, endMs: null, conditionSinceMs: 0 });
const EMPTY: CardList = { cards: [], justNow: [] };
const open = (l: CardList, nd: Nudge, now: number): CardList => openNudge(l, nd, 'call', now, RULES[nd.ruleId], now);

describe('overlay cards', () => {
  it('puts open cards first, by severity then age, and sinks resolved ones', () => {
    const fast = nudge('fast');
    const loud = nudge('loud');
    const dead = nudge('dead-air');
    let l = open(EMPTY, fast, 1000);
    l = open(l, loud, 2000);
    l = closeNudge(l, loud, 2500);
    l = open(l, dead, 3000);
    expect(l.cards.map((c) => [c.nudge.ruleId, c.state])).toEqual([
      ['dead-air', 'open'],
      ['fast', 'open'],
      ['loud', 'resolved'],
    ]);
    expect(orderCards(l.cards)).toEqual(l.cards);
  });

  it('keeps an open card while its condition holds: a chip after the set time, never gone', () => {
    const fast = nudge('fast');
    let l = open(EMPTY, fast, 0);
    expect(nextDue(l, 8000)).toBe(8000);
    l = tick(l, 8000, 8000);
    expect(l.cards[0]).toMatchObject({ state: 'open', compact: true });
    expect(nextDue(l, 8000)).toBeNull();
    l = tick(l, 8000, 60_000);
    expect(l.cards).toHaveLength(1);
    l = closeNudge(l, fast, 61_000);
    expect(l.cards[0]).toMatchObject({ state: 'resolved', compact: false });
    expect(tick(l, 8000, 61_000 + RESOLVED_SHOW_MS).cards).toHaveLength(0);
  });

  it('escalates one situation in place ("Respond" becomes "Dead air") and grows a chip again', () => {
    const respond = nudge('respond');
    const dead = nudge('dead-air');
    let l = tick(open(EMPTY, respond, 0), 1000, 1000);
    expect(l.cards[0]!.compact).toBe(true);
    l = open(l, dead, 2000);
    expect(l.cards).toHaveLength(1);
    expect(l.cards[0]).toMatchObject({ compact: false, escalatedFrom: 'Respond', state: 'open' });
    expect(l.cards[0]!.nudge.ruleId).toBe('dead-air');
    // Both clear when the agent speaks, in either order: the card stays at its level until the last one.
    l = closeNudge(l, dead, 3000);
    expect(l.cards[0]).toMatchObject({ state: 'open' });
    expect(l.cards[0]!.nudge.ruleId).toBe('dead-air');
    l = closeNudge(l, respond, 3000);
    expect(l.cards).toHaveLength(1);
    expect(l.cards[0]).toMatchObject({ state: 'resolved' });
    expect(l.cards[0]!.nudge.ruleId).toBe('dead-air');
  });

  it('settles a momentary event into a "just now" line instead of a resolved card', () => {
    const hit = nudge('interrupting');
    let l = open(EMPTY, hit, 0);
    expect(l.cards[0]).toMatchObject({ momentary: true, state: 'open' });
    l = closeNudge(l, hit, 4000);
    expect(l.cards).toHaveLength(0);
    expect(l.justNow.map((j) => j.title)).toEqual(['Let them finish']);
    expect(tick(l, 8000, 4000 + JUST_NOW_MS).justNow).toHaveLength(0);
  });

  it('fits a rule text to the call length', () => {
    const text = 'You have done more than 65% of the talking over the last 5 minutes.';
    expect(fitToCall(text, 50_000)).toBe('You have done more than 65% of the talking so far in this call.');
    expect(fitToCall(text, 6 * 60_000)).toBe(text);
  });
});
