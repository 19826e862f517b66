/**
 * The playbook editor's plain-language model: units convert both ways, typed text is refused in words,
 * and every rule operation (new, duplicate, switching condition types, every preset) leaves a playbook
 * the engine's schema accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePlaybook } from '../../src/shared/playbook';
import { defaultPlaybookPath } from '../../src/playbook/playbook-file';
import {
  conditionTypes,
  duplicateRule,
  newChecklistItem,
  phraseProblem,
  rulesUsingItem,
  sameDoc,
  switchPartKind,
  fromShown,
  metricInfo,
  newRule,
  parseShown,
  problemInWords,
  SECONDS,
  switchConditionType,
  toShown,
  uniqueId,
  type ConditionDoc,
  type ConditionType,
  type PlaybookDoc,
  type PredicateDoc,
} from '../../src/renderer/src/settings/playbook-model';

const defaults = JSON.parse(readFileSync(defaultPlaybookPath(), 'utf8')) as PlaybookDoc;

describe('playbook model', () => {
  it('reads metrics as phrases with the units people use', () => {
    expect(metricInfo('agent.wpm')).toMatchObject({ phrase: 'my pace', unit: { label: 'wpm' } });
    expect(metricInfo('customer.wpm').phrase).toBe("the customer's pace");
    const talk = metricInfo('talkRatio').unit;
    expect(talk.label).toBe('%');
    expect(toShown(0.65, talk)).toBe(65);
    expect(fromShown(55, talk)).toBeCloseTo(0.55, 12);
    expect(toShown(6000, SECONDS)).toBe(6);
    expect(fromShown(7.5, SECONDS)).toBe(7500);
    expect(metricInfo('agent.relLevelDb').unit.label).toBe('dB');
  });

  it('refuses text, empty and out-of-range numbers in words, and accepts a number again', () => {
    expect(parseShown('abc', SECONDS)).toEqual({ ok: false, message: '"abc" is not a number.' });
    expect(parseShown('', SECONDS)).toEqual({ ok: false, message: 'Enter a number.' });
    expect(parseShown('-1', SECONDS)).toMatchObject({ ok: false, message: 'Enter a number from 0 to 86400 s.' });
    expect(parseShown('1e3', SECONDS).ok).toBe(false);
    expect(parseShown(' 6,5 ', SECONDS)).toEqual({ ok: true, value: 6.5 });
    expect(parseShown('2.5', metricInfo('agent.wpm').unit)).toEqual({ ok: true, value: 2.5 });
  });

  it('turns schema messages into sentences', () => {
    expect(problemInWords({ path: 'rules[0].title', message: 'Too small: expected string to have >=1 characters' })).toBe('Give the card a title.');
    expect(problemInWords({ path: 'rules[0].cooldownMs', message: 'Too small: expected number to be >=0' })).toBe('This number is too small.');
    expect(problemInWords({ path: 'rules[1].id', message: 'duplicate rule id "x" (first at rules[0])' })).toMatch(/same name/);
  });

  it('new, duplicated and type-switched rules keep the playbook valid, with unique ids', () => {
    const rules = [...defaults.rules];
    const taken = () => new Set(rules.map((r) => r.id));
    rules.push(newRule(taken()));
    rules.push(duplicateRule(rules[0]!, taken()));
    rules.push(duplicateRule(rules[0]!, taken()));
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const items = (defaults.checklist ?? []).map((i) => i.id);
    const types: ConditionType[] = ['metric', 'any', 'all', 'event', 'phrase', 'metric', 'sentiment', 'event', 'missed', 'all', 'phrase', 'missed', 'sentiment', 'any', 'metric'];
    for (const rule of [...rules]) {
      let c = rule.condition;
      for (const t of types) {
        c = switchConditionType(c, t, items);
        expect(c.type).toBe(t);
        const check = validatePlaybook({ ...defaults, rules: [{ ...rule, condition: c }] });
        expect(check.ok ? [] : check.problems).toEqual([]);
      }
    }
    expect(validatePlaybook({ ...defaults, rules }).ok).toBe(true);
    expect(uniqueId('Slow down!', new Set(['slow-down']))).toBe('slow-down-2');
  });

  it('switching keeps what carries over: who speaks, the phrases, the mood, the item, the hold', () => {
    const items = ['greeting', 'recap'];
    const phrase: Extract<ConditionDoc, { type: 'phrase' }> = { type: 'phrase', speaker: 'customer', phrases: ['too expensive', "can't afford"], holdMs: 8000 };
    // Phrase → event → phrase: the side and the hold survive; the phrases restart from a default.
    const ev = switchConditionType(phrase, 'event', items);
    expect(ev).toEqual({ type: 'event', event: 'interruption', channel: 'customer', holdMs: 8000 });
    // Phrase → any: the phrase is the first part, whole; any → phrase gives it back.
    const any = switchConditionType(phrase, 'any', items);
    expect(any).toMatchObject({ type: 'any', of: [phrase] });
    expect(switchConditionType(any, 'phrase', items)).toEqual(phrase);
    // "either" has no mood of its own: sentiment picks the customer; sentiment → phrase keeps that side.
    const mood = switchConditionType({ ...phrase, speaker: 'either' }, 'sentiment', items);
    expect(mood).toEqual({ type: 'sentiment', speaker: 'customer', below: -0.2, turns: 2 });
    expect(switchConditionType({ type: 'sentiment', speaker: 'agent', below: -0.5, turns: 3 }, 'phrase', items)).toMatchObject({ type: 'phrase', speaker: 'agent' });
    // Missed takes the first item, or the one an any-part already named (when it still exists).
    expect(switchConditionType(phrase, 'missed', items)).toEqual({ type: 'missed', item: 'greeting', afterMs: 60_000 });
    const withMissed: ConditionDoc = { type: 'all', of: [{ metric: 'agent.wpm', op: '>', value: 190 }, { type: 'missed', item: 'recap', afterMs: 5000 }] };
    expect(switchConditionType(withMissed, 'missed', items)).toEqual({ type: 'missed', item: 'recap', afterMs: 5000 });
    expect(switchConditionType(withMissed, 'metric', items)).toMatchObject({ type: 'metric', metric: 'agent.wpm', value: 190 });
    // No checklist: nothing to miss, the condition stays as it is and "missed" is not offered.
    expect(switchConditionType(phrase, 'missed', [])).toBe(phrase);
    expect(conditionTypes([])).not.toContain('missed');
    expect(conditionTypes(items)).toContain('missed');
  });

  it('a part of an any / all rule switches between a measure and the language states', () => {
    const items = ['greeting'];
    const pred: PredicateDoc = { metric: 'customer.wpm', op: '<', value: 90 };
    const asPhrase = switchPartKind(pred, 'phrase', items);
    expect(asPhrase).toMatchObject({ type: 'phrase', speaker: 'customer', phrases: ['cancel'] });
    expect(switchPartKind(asPhrase, 'metric', items)).toEqual({ metric: 'agent.wpm', op: '>', value: 190 });
    expect(switchPartKind(pred, 'sentiment', items)).toEqual({ type: 'sentiment', speaker: 'customer', below: -0.2, turns: 2 });
    expect(switchPartKind(pred, 'missed', items)).toMatchObject({ type: 'missed', item: 'greeting' });
    // "A frustrated customer and 'cancel'", built from parts, is a rule the schema accepts.
    const rule = {
      ...newRule(new Set()),
      condition: { type: 'all' as const, of: [switchPartKind(pred, 'sentiment', items), asPhrase] },
    };
    const check = validatePlaybook({ ...defaults, rules: [rule] });
    expect(check.ok ? [] : check.problems).toEqual([]);
  });

  it('phrases and checklist items are refused in words; a used item names its rules', () => {
    expect(phraseProblem('')).toBe('Type the words of the phrase, or remove it.');
    expect(phraseProblem('   ')).toBe('Type the words of the phrase, or remove it.');
    expect(phraseProblem('x'.repeat(121))).toBe('Keep a phrase to 120 characters.');
    expect(phraseProblem('too expensive')).toBeNull();
    expect(problemInWords({ path: 'rules[2].condition.phrases[1]', message: 'Too small: expected string to have >=1 characters' })).toBe('Type the words of the phrase, or remove it.');
    expect(problemInWords({ path: 'rules[2].condition.phrases', message: 'Too small: expected array to have >=1 items' })).toBe('Give at least one phrase.');
    expect(problemInWords({ path: 'checklist[0].title', message: 'Too big: expected string to have <=40 characters' })).toBe('Keep the item title to 40 characters.');
    expect(problemInWords({ path: 'rules[3].condition.item', message: 'no checklist item "gone"' })).toMatch(/does not exist \("gone"\)/);
    const item = newChecklistItem(new Set(['new-item']));
    expect(item.id).toBe('new-item-2');
    expect(validatePlaybook({ ...defaults, checklist: [...(defaults.checklist ?? []), item] }).ok).toBe(true);
    expect(rulesUsingItem(defaults.rules, 'greeting')).toEqual([defaults.rules.find((r) => r.id === 'greeting-missed')!.title]);
    expect(rulesUsingItem(defaults.rules, 'recap')).toEqual([]);
    // Every condition the default playbook holds is one the editor can show as its own type.
    for (const r of defaults.rules) expect(conditionTypes((defaults.checklist ?? []).map((i) => i.id))).toContain(r.condition.type);
  });

  it('the same playbook with its fields in another order is not an unsaved change', () => {
    const { rules, checklist, ...head } = defaults;
    expect(sameDoc({ checklist, ...head, rules }, defaults)).toBe(true);
    expect(sameDoc({ ...defaults, checklist: [] }, defaults)).toBe(false);
  });

  it('every shipped preset is a valid playbook', () => {
    for (const id of ['default', 'support', 'sales', 'collections']) {
      const text = readFileSync(join(defaultPlaybookPath(), '..', `${id}.json`), 'utf8');
      expect(validatePlaybook(JSON.parse(text)).ok).toBe(true);
    }
  });
});
