/**
 * Generates the demo call shipped in resources/demo: a ~57 s two-channel support call, synthesised
 * with espeak-ng and sox through the test fixtures, designed so several default rules open and then
 * resolve within a minute (slow to respond, dead air, an interruption, a fast stretch).
 *
 *   npx tsx resources/demo/make-demo.ts
 *
 * Writes demo-call.wav (8 kHz stereo μ-law, agent left: what a softphone line sounds like, ~0.8 MB)
 * and demo-call.transcript.json (the words and their times, so search can find them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCall, soxConvert, writeCallWav, type TurnSpec } from '../../test/fixtures/speech';

const here = dirname(fileURLToPath(import.meta.url));

/** The script. Times are ms from the start of the call; comments say which rule each part is for. */
export const DEMO_TURNS: readonly TurnSpec[] = [
  { channel: 'agent', atMs: 500, text: 'Thanks for calling Cadence support, my name is Sam, how can I help you today' },
  { channel: 'customer', atMs: 6000, text: 'Hi, my internet has been dropping out every evening for a week and I work from home' },
  // The customer is done; the agent says nothing for ~6 s: "Respond" at 2.5 s, "Dead air" at 5 s.
  { channel: 'agent', atMs: 19500, text: 'Sorry about that, let me pull up your account, it will only take a moment' },
  { channel: 'customer', atMs: 24500, text: 'I already tried turning the router off and on again but it did not make any difference at all' },
  // The agent comes in over the customer for well over 0.7 s: "Let them finish".
  { channel: 'agent', atMs: 27500, text: 'Right, I understand, we can send a technician out' },
  // A long fast stretch: "Slow down" after 6 s above 190 wpm, resolved once the agent stops.
  {
    channel: 'agent',
    atMs: 33000,
    wpm: 235,
    text:
      'I can see that your line dropped eleven times this week, mostly after six in the evening, which usually means the ' +
      'street cabinet is overloaded, so what I will do is book a technician for tomorrow morning, add a credit to your ' +
      'account for the days you lost, and send you a text with the time window so you can plan your work around it',
  },
  { channel: 'customer', atMs: 48000, text: 'That sounds fine, thank you for sorting it out' },
  { channel: 'agent', atMs: 51500, text: 'You are welcome, is there anything else I can help you with today' },
];

export interface DemoTranscriptSegment {
  readonly channel: 'agent' | 'customer';
  readonly text: string;
  readonly startMs: number;
  readonly endMs: number;
}

function main(): void {
  const call = buildCall({ turns: DEMO_TURNS });
  const tmp = mkdtempSync(join(tmpdir(), 'cadence-demo-'));
  try {
    const wav16 = writeCallWav(call, join(tmp, 'demo16k.wav'));
    soxConvert(wav16, join(here, 'demo-call.wav'), ['-r', '8000', '-e', 'mu-law']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const transcript: DemoTranscriptSegment[] = call.truth.map((t) => ({
    channel: t.channel,
    text: t.text,
    startMs: Math.round(t.startMs),
    endMs: Math.round(t.endMs),
  }));
  writeFileSync(join(here, 'demo-call.transcript.json'), `${JSON.stringify({ durationMs: call.durationMs, segments: transcript }, null, 1)}\n`);
  console.log(`demo call: ${(call.durationMs / 1000).toFixed(1)} s, ${transcript.length} turns`);
}

main();
