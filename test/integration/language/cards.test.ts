/**
 * Every default language card and checklist item, from words the Deepgram stand-in sends through the
 * real SDK, the live transcriber, the language feed and a real engine worker running the default
 * playbook: tolerant matches fire (on interim words, before the sentence ends), near misses do not,
 * and a checklist item missed by its deadline raises its card.
 */
import { describe, expect, it } from 'vitest';
import { FULL_CALL, runScriptedCall, type Line } from '../../helpers/language-call';

const NEAR_MISSES: readonly Line[] = [
  { who: 'agent', atMs: 500, text: 'Hello, can I get your name please?' },
  { who: 'customer', atMs: 3000, text: 'Sure. I can afford it, it is expensive but worth it.' },
  { who: 'customer', atMs: 7000, text: 'The manager said we could speak later.' },
  { who: 'customer', atMs: 10000, text: 'I want to keep my account, the old one is fine.' },
  { who: 'customer', atMs: 13000, text: 'That was a terrible storm last night.' },
  { who: 'customer', atMs: 16000, text: 'Anyway, thanks, it works now.' },
  { who: 'agent', atMs: 19000, text: 'Great, I recorded a note on the account.' },
];

describe('language cards from the stand-in', () => {
  it('fires every default card once, on tolerant matches, with what to say, and ticks every checklist item', async () => {
    const call = await runScriptedCall(FULL_CALL, 43000);
    const fired = call.opened.map((o) => o.nudge.ruleId);
    const language = ['price-objection', 'competitor-mention', 'cancel-intent', 'escalation-request', 'upsell-opening', 'customer-frustrated'];
    for (const id of language) expect(fired.filter((f) => f === id), id).toHaveLength(1);
    // Everything on the checklist was said in time: no missed-item card.
    expect(fired.filter((f) => f.endsWith('-missed'))).toEqual([]);
    const last = call.language.at(-1)!;
    expect(Object.keys(last.ticked).sort()).toEqual(['closing', 'greeting', 'identity-verification', 'recap', 'recording-disclosure']);
    // Ticked when said (call time, within the line's span and transport slack).
    expect(last.ticked['recording-disclosure']).toBeGreaterThanOrEqual(3500);
    expect(last.ticked['recording-disclosure']).toBeLessThan(3500 + 12 * 300 + 1500);
    // Live counts: fillers (um, like, you know) and questions per side.
    expect(last.fillers).toEqual({ agent: 0, customer: 3 });
    expect(last.questions).toEqual({ agent: 2, customer: 0 });
    // Each card carries what to say.
    for (const o of call.opened) expect(o.nudge.detail ?? '', o.nudge.ruleId).not.toBe('');

    const at = (id: string) => call.opened.find((o) => o.nudge.ruleId === id)!;
    // Price objection: "too expensive" is mid-sentence, so the card opens on interim words, before the final.
    // Judged in call time, which a loaded machine cannot shift: the engine stamps a card with the audio
    // time it has reached, and a final only arrives after the audio of its last word.
    const priceFinal = call.finals.find((f) => f.words.text.includes('expensive'))!;
    expect(at('price-objection').nudge.atMs).toBeGreaterThanOrEqual(8000 + 6 * 300);
    expect(at('price-objection').nudge.atMs).toBeLessThan(priceFinal.words.endMs);
    // Frustration needs the second negative turn.
    expect(at('customer-frustrated').nudge.atMs).toBeGreaterThanOrEqual(26000);
    expect(at('escalation-request').nudge.atMs).toBeGreaterThanOrEqual(29000);
  }, 60_000);

  it('fires nothing on near misses, and raises the missed-item cards at their deadlines', async () => {
    const call = await runScriptedCall(NEAR_MISSES, 33000);
    const fired = call.opened.map((o) => o.nudge.ruleId);
    expect(fired.filter((f) => !f.endsWith('-missed') && !f.startsWith('speaking') && f !== 'dead-air' && f !== 'low-energy')).toEqual([]);
    const missed = call.opened.filter((o) => o.nudge.ruleId.endsWith('-missed'));
    expect(missed.map((m) => m.nudge.ruleId).sort()).toEqual(['greeting-missed', 'recording-disclosure-missed']);
    const disclosure = missed.find((m) => m.nudge.ruleId === 'recording-disclosure-missed')!.nudge;
    expect(disclosure.atMs).toBeGreaterThanOrEqual(30000);
    expect(disclosure.atMs).toBeLessThanOrEqual(30100);
    expect(call.language.at(-1)!.ticked).toEqual({});
  }, 60_000);
});
