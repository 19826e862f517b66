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
  duplicateRule,
  fromShown,
  metricInfo,
  newRule,
  parseShown,
  problemInWords,
  SECONDS,
  switchConditionType,
  toShown,
  uniqueId,
  type ConditionType,
  type PlaybookDoc,
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
    const types: ConditionType[] = ['metric', 'any', 'all', 'event', 'metric', 'event', 'all'];
    for (const rule of [...rules]) {
      let c = rule.condition;
      for (const t of types) {
        c = switchConditionType(c, t);
        expect(c.type).toBe(t);
        const check = validatePlaybook({ ...defaults, rules: [{ ...rule, condition: c }] });
        expect(check.ok ? [] : check.problems).toEqual([]);
      }
    }
    expect(validatePlaybook({ ...defaults, rules }).ok).toBe(true);
    expect(uniqueId('Slow down!', new Set(['slow-down']))).toBe('slow-down-2');
  });

  it('every shipped preset is a valid playbook', () => {
    for (const id of ['default', 'support', 'sales', 'collections']) {
      const text = readFileSync(join(defaultPlaybookPath(), '..', `${id}.json`), 'utf8');
      expect(validatePlaybook(JSON.parse(text)).ok).toBe(true);
    }
  });
});
