/**
 * The tolerant phrase matcher and the language conditions in the engine: inflection, case, punctuation,
 * fillers, small reorderings, near misses that must not match, and phrase + metric + sentiment rules
 * sharing the voice rules' lifecycle, cooldown and cap.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { FRAME_SIZE } from '../../src/dsp/frames';
import { compilePhrase, countFillers, findPhrase, isQuestion, stem, tokenize } from '../../src/shared/phrase';
import { parsePlaybook, validatePlaybook } from '../../src/shared/playbook';
import type { Nudge } from '../../src/shared/types';

const matches = (phrase: string, said: string): boolean => findPhrase([compilePhrase(phrase)], tokenize(said.split(' ')).tokens) !== null;

describe('phrase matcher', () => {
  it('maps inflections of one word to one stem', () => {
    const forms = ['cancel', 'cancels', 'cancelled', 'cancelling', 'canceling', 'cancellation', 'Cancellations'].map((w) => stem(tokenize([w]).tokens[0]!));
    expect(new Set(forms).size).toBe(1);
    expect(stem('prices')).toBe(stem('price'));
    expect(stem('managers')).toBe(stem('manager'));
  });

  it.each([
    ['cancel my account', 'I want to Cancel, my ACCOUNT.'],
    ['cancel my account', 'I am cancelling the account'],
    ['too expensive', 'honestly this is, um, too... expensive'],
    ['too expensive', "it's like too damn expensive"],
    ["can't afford", 'I cant really afford it'],
    ['cheaper elsewhere', 'elsewhere it is cheaper'],
    ['speak to a manager', 'let me speak with the manager'],
    ['speak to a manager', 'I want to speak to, you know, your manager'],
    ['supervisor', 'get me your supervisor!'],
    ['call is recorded', 'this call is being recorded for quality'],
  ])('"%s" matches "%s"', (phrase, said) => expect(matches(phrase, said)).toBe(true));

  it.each([
    ["can't afford", 'I can afford it'],
    ['too expensive', 'it is expensive but worth it'],
    ['speak to a manager', 'the manager said we could speak later'],
    ['cancel my account', 'I want to keep my account'],
    ['supervisor', 'super visor'],
    ['my name is', 'can I get your name please'],
  ])('"%s" does not match "%s"', (phrase, said) => expect(matches(phrase, said)).toBe(false));

  it('counts fillers (one- and two-word) and recognises questions with or without a question mark', () => {
    expect(countFillers(['um', 'it', 'is,', 'you', 'know,', 'like', 'uh', 'fine'])).toBe(4);
    expect(countFillers('just so you know this call is recorded'.split(' '))).toBe(0);
    expect(isQuestion('Could you tell me your date of birth')).toBe(true);
    expect(isQuestion('you have a router?')).toBe(true);
    expect(isQuestion('I can do that for you')).toBe(false);
    expect(isQuestion('Thanks for calling, my name is Sam, how can I help you today')).toBe(true);
    expect(isQuestion('it usually means, which happens, that the cabinet is full')).toBe(false);
  });
});

describe('language conditions in the engine', () => {
  const frame = new Float32Array(FRAME_SIZE);
  const run = (rules: unknown[], checklist: unknown[] = []) => {
    const log: { phase: string; nudge: Nudge }[] = [];
    const ticks: Record<string, number>[] = [];
    const engine = createEngine({
      playbook: parsePlaybook({ version: 1, name: 't', rules, checklist }),
      sink: { onNudge: (phase, nudge) => log.push({ phase, nudge }), onLanguage: (s) => ticks.push({ ...s.ticked }) },
    });
    const advance = (ms: number) => {
      for (let t = 0; t < ms; t += 20) engine.processFrame(frame, frame);
    };
    return { engine, log, ticks, advance };
  };
  const base = { title: 'T', severity: 'coach', message: 'm' } as const;

  it('opens on the interim words, at once, holds for holdMs, then respects its cooldown and cap', () => {
    const { engine, log, advance } = run([{ ...base, id: 'price', condition: { type: 'phrase', speaker: 'customer', phrases: ['too expensive'], holdMs: 2000 }, cooldownMs: 10000, maxPerCall: 2 }]);
    advance(1000);
    engine.words({ channel: 'customer', words: ['that', 'is', 'too'], final: false, sentiment: null });
    expect(log).toHaveLength(0);
    engine.words({ channel: 'customer', words: ['that', 'is', 'too', 'expensive'], final: false, sentiment: null });
    expect(log.map((l) => l.phase)).toEqual(['open']);
    expect(log[0]!.nudge.atMs).toBe(1000);
    // The final repeats the words: same card, still open.
    engine.words({ channel: 'customer', words: ['That', 'is', 'too', 'expensive.'], final: true, sentiment: -0.1 });
    advance(2500);
    expect(log.map((l) => l.phase)).toEqual(['open', 'close']);
    // The agent saying it does not count; within the cooldown the customer saying it again does not either.
    engine.words({ channel: 'agent', words: ['too', 'expensive'], final: true, sentiment: 0 });
    engine.words({ channel: 'customer', words: ['way', 'too', 'expensive'], final: true, sentiment: 0 });
    expect(log).toHaveLength(2);
    advance(8000);
    engine.words({ channel: 'customer', words: ['still', 'too', 'expensive'], final: true, sentiment: 0 });
    advance(12000);
    engine.words({ channel: 'customer', words: ['too', 'expensive'], final: true, sentiment: 0 });
    expect(log.filter((l) => l.phase === 'open')).toHaveLength(2);
  });

  it('matches a phrase split across two finals but not old words again', () => {
    const { engine, log, advance } = run([{ ...base, id: 'mgr', condition: { type: 'phrase', speaker: 'either', phrases: ['speak to a manager'], holdMs: 1000 }, cooldownMs: 0 }]);
    advance(200);
    engine.words({ channel: 'customer', words: ['I', 'want', 'to', 'speak'], final: true, sentiment: null });
    engine.words({ channel: 'customer', words: ['to', 'a', 'manager'], final: true, sentiment: null });
    expect(log).toHaveLength(1);
    advance(2000);
    engine.words({ channel: 'customer', words: ['now'], final: true, sentiment: null });
    expect(log.filter((l) => l.phase === 'open')).toHaveLength(1);
  });

  it('combines a phrase with sentiment held over turns in `all`', () => {
    const rule = { ...base, id: 'angry-cancel', condition: { type: 'all', of: [{ type: 'phrase', speaker: 'customer', phrases: ['cancel'] }, { type: 'sentiment', speaker: 'customer', below: -0.2, turns: 2 }], clearMs: 0 } };
    const calm = run([rule]);
    calm.engine.words({ channel: 'customer', words: ['this', 'is', 'awful'], final: true, sentiment: -0.6 });
    calm.engine.words({ channel: 'customer', words: ['I', 'will', 'cancel'], final: true, sentiment: 0 });
    expect(calm.log).toHaveLength(0);
    const angry = run([rule]);
    angry.engine.words({ channel: 'customer', words: ['this', 'is', 'awful'], final: true, sentiment: -0.6 });
    angry.engine.words({ channel: 'customer', words: ['I', 'will', 'cancel', 'this', 'terrible', 'service'], final: true, sentiment: -0.5 });
    expect(angry.log.map((l) => l.nudge.ruleId)).toEqual(['angry-cancel']);
  });

  const checklistRun = () =>
    run(
      [{ ...base, id: 'disclose', condition: { type: 'missed', item: 'rec', afterMs: 1000 } }],
      [{ id: 'rec', title: 'Recording', phrases: ['call is recorded'] }, { id: 'hi', title: 'Greeting', phrases: ['thanks for calling'] }],
    );

  it('misses nothing on a call without words (transcription off)', () => {
    const { log, advance } = checklistRun();
    advance(5000);
    expect(log).toHaveLength(0);
  });

  it('ticks checklist items and opens a card when one is missed by its deadline, closing it once said', () => {
    const { engine, log, ticks, advance } = checklistRun();
    engine.words({ channel: 'agent', words: ['Thanks', 'for', 'calling'], final: true, sentiment: 0.5 });
    expect(ticks.at(-1)).toEqual({ hi: 0 });
    advance(1200);
    expect(log.map((l) => l.phase)).toEqual(['open']);
    expect(log[0]!.nudge.atMs).toBe(1000);
    engine.words({ channel: 'agent', words: ['this', 'call', 'is', 'recorded'], final: false, sentiment: null });
    expect(log.map((l) => l.phase)).toEqual(['open', 'close']);
    expect(ticks.at(-1)).toEqual({ hi: 0, rec: 1200 });
  });

  it('refuses a rule naming a checklist item that does not exist, with its path', () => {
    const r = validatePlaybook({ version: 1, name: 't', rules: [{ ...base, id: 'x', condition: { type: 'missed', item: 'nope', afterMs: 0 } }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toEqual({ path: 'rules[0].condition.item', message: 'no checklist item "nope"' });
  });
});
