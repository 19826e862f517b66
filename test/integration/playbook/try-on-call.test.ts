/**
 * "Try on a past call" with language rules: a real stored call (the bundled demo, imported into a temp
 * library) with its transcript stored gives the engine its final words at the times the utterances
 * ended, so phrase rules fire where the words were said and the checklist is ticked by what was said.
 * The same call without a transcript raises none of the phrase cards (the words are the cause).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCallPath, loadDemoTranscript } from '../../../src/call/demo';
import { importRecording } from '../../../src/call/import-recording';
import { openLibrary, type Library } from '../../../src/library/library';
import { loadPlaybookFile } from '../../../src/playbook/playbook-file';
import { tryPlaybookOnCall } from '../../../src/playbook/try-on-call';
import { parsePlaybook } from '../../../src/shared/playbook';
import { tempDir } from '../../e2e/harness';

/** An engine frame is 20 ms; a card opens at the first frame boundary after the words' end. */
const FRAME_TOLERANCE_MS = 40;

const tmp = tempDir('cadence-try-');
let library: Library;
let callId: string;
const transcript = loadDemoTranscript().segments;
const endOf = (needle: string): number => transcript.find((s) => s.text.includes(needle))!.endMs;

const playbook = JSON.stringify(
  parsePlaybook({
    version: 1,
    name: 'Language trial',
    rules: [
      { id: 'router', title: 'Router restarted', severity: 'info', message: 'Skip the restart script.', condition: { type: 'phrase', speaker: 'customer', phrases: ['turning the router off and on'], holdMs: 4000 } },
      { id: 'offer-more', title: 'Offered more help', severity: 'info', message: 'Good close.', condition: { type: 'phrase', speaker: 'agent', phrases: ['anything else I can help'] } },
      // Said by the agent, so a customer-only rule must stay quiet.
      { id: 'tech-by-customer', title: 'Technician', severity: 'info', message: 'x', condition: { type: 'phrase', speaker: 'customer', phrases: ['send a technician'] } },
      { id: 'cancel', title: 'Cancel', severity: 'critical', message: 'Retention offer.', condition: { type: 'phrase', speaker: 'either', phrases: ['cancel my account'] } },
      { id: 'greeting-missed', title: 'Greet', severity: 'coach', message: 'Greet.', condition: { type: 'missed', item: 'greeting', afterMs: 20_000 } },
      { id: 'disclosure-missed', title: 'Disclose', severity: 'coach', message: 'Disclose.', condition: { type: 'missed', item: 'disclosure', afterMs: 20_000 } },
    ],
    checklist: [
      { id: 'greeting', title: 'Greeting', speaker: 'agent', phrases: ['thanks for calling'] },
      { id: 'disclosure', title: 'Disclosure', speaker: 'agent', phrases: ['this call is recorded'] },
    ],
  }),
);

const raised = (r: Awaited<ReturnType<typeof tryPlaybookOnCall>>, ruleId: string) => r.nudges.filter((n) => n.ruleId === ruleId);

beforeAll(async () => {
  library = await openLibrary(join(tmp.dir, 'library.sqlite'));
  ({ callId } = await importRecording(library, demoCallPath(), { playbook: loadPlaybookFile(), title: 'Demo with words' }));
}, 60_000);

afterAll(async () => {
  await library?.close();
  tmp.cleanup();
});

describe('try a playbook with language rules on a stored call', () => {
  it('without a transcript, no phrase card is raised and nothing counts as missed', async () => {
    const r = await tryPlaybookOnCall(library, playbook, callId);
    expect(r.nudges.filter((n) => ['router', 'offer-more', 'tech-by-customer', 'cancel'].includes(n.ruleId))).toEqual([]);
    // Without words nothing can be missed either (transcription off is not a missed greeting).
    expect(raised(r, 'greeting-missed')).toEqual([]);
    expect(raised(r, 'disclosure-missed')).toEqual([]);
    // The voice rules of the same trial still run on the audio.
    expect(r.durationMs).toBeGreaterThan(50_000);
    expect(r.utterances).toBe(0);
  }, 60_000);

  it('with the stored transcript, phrase rules fire where the words ended and the checklist is ticked by what was said', async () => {
    await library.calls.replaceTranscript(
      callId,
      transcript.map((s) => ({ channel: s.channel, text: s.text, startMs: s.startMs, endMs: s.endMs, confidence: null, final: true })),
    );
    const r = await tryPlaybookOnCall(library, playbook, callId);
    expect(r.utterances).toBe(transcript.length);
    const router = raised(r, 'router');
    expect(router).toHaveLength(1);
    const routerEnd = endOf('turning the router off');
    expect(router[0]!.atMs).toBeGreaterThanOrEqual(routerEnd);
    expect(router[0]!.atMs).toBeLessThanOrEqual(routerEnd + FRAME_TOLERANCE_MS);
    // Held for holdMs after the words (give or take a frame) — the card closes on its own.
    expect(router[0]!.endMs! - router[0]!.atMs).toBeGreaterThanOrEqual(4000 - FRAME_TOLERANCE_MS);
    expect(router[0]!.endMs! - router[0]!.atMs).toBeLessThanOrEqual(4000 + 2000);

    const offer = raised(r, 'offer-more');
    expect(offer).toHaveLength(1);
    expect(Math.abs(offer[0]!.atMs - endOf('anything else'))).toBeLessThanOrEqual(FRAME_TOLERANCE_MS);

    expect(raised(r, 'tech-by-customer')).toEqual([]);
    expect(raised(r, 'cancel')).toEqual([]);
    // The agent greeted ("Thanks for calling", in the first 7 s): not missed. Nobody disclosed the recording.
    expect(raised(r, 'greeting-missed')).toEqual([]);
    const disclosure = raised(r, 'disclosure-missed');
    expect(disclosure).toHaveLength(1);
    // Missed at 20 s into the call (the agent was heard from 6.7 s on), give or take a frame.
    expect(Math.abs(disclosure[0]!.atMs - 20_000)).toBeLessThanOrEqual(FRAME_TOLERANCE_MS);
  }, 60_000);
});
