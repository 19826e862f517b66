/**
 * A call that stops on silence ends with its last words: the real engine worker coaches the silence
 * after the customer's goodbye live ("Respond", "Dead air"), but the stored call — its nudges, events,
 * timeline, length and score — ends where the talking did. The same audio ending on its own (no silence
 * stop) keeps everything, so the difference is the trim, not the audio.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCall, type CallResult } from '../../../src/call/session';
import { storeStage } from '../../../src/call/store-stage';
import { FileSource } from '../../../src/capture/file-source';
import { EngineHost } from '../../../src/engine/host';
import { openLibrary, type Library } from '../../../src/library/library';
import type { Nudge } from '../../../src/shared/types';
import { buildCall, synth, writeCallWav } from '../../fixtures/speech';
import { defaultPlaybook } from '../../fixtures/run';
import { tempDir } from '../../e2e/harness';

describe('the silent tail before a silence stop', () => {
  let tmp: ReturnType<typeof tempDir>;
  let lib: Library;
  let engine: EngineHost;
  let wav: string;
  let lastWordMs: number;

  beforeAll(async () => {
    tmp = tempDir('cadence-tail-');
    lib = await openLibrary(join(tmp.dir, 'library.sqlite'));
    engine = await EngineHost.start();
    // Turns one after another with short gaps (so nothing fires during the conversation), then 16 s of silence.
    const lines: ['agent' | 'customer', string][] = [
      ['agent', 'Thanks for calling, this is Sam, how can I help you today'],
      ['customer', 'Hi, my order never arrived and I would like a refund please'],
      ['agent', 'I am sorry about that, I have issued the refund to your card just now'],
      ['customer', 'Great, thank you very much, goodbye'],
    ];
    let at = 300;
    const turns = lines.map(([channel, text]) => {
      const turn = { channel, text, atMs: at, ...(channel === 'customer' && { pitch: 70, voice: 'en-gb' }) };
      at += (synth(text, channel === 'customer' ? { pitch: 70, voice: 'en-gb' } : { voice: 'en-us' }).samples.length / 16) + 600;
      return turn;
    });
    const call = buildCall({ turns, durationMs: Math.ceil(at + 16_000) });
    lastWordMs = Math.max(...call.truth.map((t) => t.endMs));
    wav = writeCallWav(call, join(tmp.dir, 'call.wav'));
  }, 60_000);
  afterAll(async () => {
    await engine?.close();
    await lib?.close();
    tmp?.cleanup();
  });

  /** Plays the call at 8× through the worker into the library; the live nudges are what the overlay saw. */
  async function play(silenceStopMs: number | undefined): Promise<{ result: CallResult; id: string; live: Nudge[] }> {
    const stored = await storeStage(lib, { startedAt: Date.now(), source: 'device', title: 'tail' });
    const live: Nudge[] = [];
    const result = await runCall(
      new FileSource(wav, { speed: 8, framesPerChunk: 5 }),
      { playbook: defaultPlaybook, engine, ...(silenceStopMs !== undefined && { silenceStopMs }) },
      [{ onNudge: (phase, n) => phase === 'open' && live.push(n) }, stored.stage],
    );
    return { result, id: stored.callId, live };
  }

  it('drops what the engine said about the silence before the stop, and scores the call without it', async () => {
    const trimmed = await play(9000);
    expect(trimmed.result.stats.stopReason).toBe('silence');
    // Live, the silence after the goodbye was coached (nothing is hidden while it happens)...
    expect(trimmed.live.map((n) => n.ruleId)).toContain('dead-air');
    const call = (await lib.calls.get(trimmed.id))!;
    // ...but the stored call ends with the last words (within the VAD's hangover and a frame).
    expect(call.meta.durationMs).toBeGreaterThanOrEqual(lastWordMs - 300);
    expect(call.meta.durationMs).toBeLessThanOrEqual(lastWordMs + 1000);
    expect(call.report.nudges.filter((n) => n.atMs > lastWordMs + 1000)).toEqual([]);
    expect(call.report.events.filter((e) => e.type === 'dead_air' && e.startMs >= lastWordMs - 1000)).toEqual([]);
    expect(call.report.timeline.every((p) => p.tMs <= lastWordMs + 1000)).toBe(true);
    // Every nudge that is stored is closed: none was cut in half.
    expect(call.report.nudges.every((n) => n.endMs !== null)).toBe(true);

    // The same audio without a silence stop keeps the dead air, and scores lower for it.
    const whole = await play(undefined);
    expect(whole.result.stats.stopReason).toBe('source');
    const full = (await lib.calls.get(whole.id))!;
    expect(full.report.nudges.map((n) => n.ruleId)).toContain('dead-air');
    expect(full.meta.durationMs).toBeGreaterThan(lastWordMs + 15_000);
    expect(call.meta.score!).toBeGreaterThan(full.meta.score!);
  }, 60_000);
});
