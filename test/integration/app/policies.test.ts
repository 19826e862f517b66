/** Privacy and first-run policies: number redaction, retention, level verdicts. */
import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../../src/library/retention';
import { judgeLevel, makeLevelMeter } from '../../../src/capture/level-check';
import { LiveCallWriter } from '../../../src/library/live-writer';
import type { Library } from '../../../src/library/library';
import { redactNumbers } from '../../../src/shared/redact';
import { synth } from '../../fixtures/speech';
import { AGENT_LINES } from '../../fixtures/texts';
import { fakeReport, useFreshLibrary } from '../library/helpers';

describe('redactNumbers', () => {
  it('masks card, account, social security and phone numbers, keeping the last two digits', () => {
    expect(redactNumbers('my card is 4111 1111 1111 1234 thanks')).toBe('my card is ••••••••••••••34 thanks');
    expect(redactNumbers('SSN 123-45-6789')).toBe('SSN •••••••89');
    expect(redactNumbers('call me on 555.867.5309')).toBe('call me on ••••••••09');
  });
  it('leaves short numbers, times and amounts alone', () => {
    const text = 'within 5 days, at 10:30, for $49.99, order 12345';
    expect(redactNumbers(text)).toBe(text);
  });
});

describe('retention', () => {
  let lib: Library;
  useFreshLibrary((_tmp, l) => {
    lib = l;
  });

  it('deletes calls older than the period with their recordings, keeps newer ones and any live call', async () => {
    const now = Date.UTC(2026, 10, 21);
    const day = 86_400_000;
    const old = await lib.calls.save({ startedAt: now - 40 * day, source: 'file', title: 'old' }, fakeReport());
    const recent = await lib.calls.save({ startedAt: now - 5 * day, source: 'file', title: 'recent' }, fakeReport());
    const live = await LiveCallWriter.start(lib, { startedAt: now - 90 * day, source: 'device' }, { flushIntervalMs: 60_000 });
    const rec = (await lib.calls.get(live.id))!.recording!.path;
    expect(await applyRetention(lib, 0, now)).toEqual([]);
    expect(await applyRetention(lib, 30, now)).toEqual([old]);
    expect(await lib.calls.get(old)).toBeUndefined();
    expect(await lib.calls.get(recent)).toBeDefined();
    expect(await lib.calls.get(live.id)).toBeDefined();
    await live.finish(null);
    expect(await applyRetention(lib, 30, now)).toEqual([live.id]);
    expect(existsSync(rec)).toBe(false);
  });
});

describe('level check verdicts', () => {
  it('measures synthesised speech and judges it', () => {
    const meter = makeLevelMeter();
    const speech = synth(`${AGENT_LINES[0]!} ${AGENT_LINES[1]!}`, { levelDb: -26 }).samples;
    meter.push(speech);
    const m = meter.result();
    expect(m.speechDbfs!).toBeGreaterThan(-28);
    expect(m.speechDbfs!).toBeLessThan(-18);
    expect(m.speechMs).toBeGreaterThan(4000);
    expect(judgeLevel(m).verdict).toBe('ok');
  });
  it('says what is wrong, in one line', () => {
    const base = { noiseDbfs: -70, peakDbfs: -10, speechMs: 5000, clippedSamples: 0 };
    expect(judgeLevel({ ...base, peakDbfs: -100, speechDbfs: null, speechMs: 0 }).verdict).toBe('no_signal');
    expect(judgeLevel({ ...base, speechDbfs: null, speechMs: 0 }).verdict).toBe('no_speech');
    expect(judgeLevel({ ...base, speechDbfs: -52 })).toMatchObject({ verdict: 'too_quiet', message: expect.stringContaining('raise the mic gain') });
    expect(judgeLevel({ ...base, speechDbfs: -20, clippedSamples: 40 }).verdict).toBe('too_loud');
    expect(judgeLevel({ ...base, speechDbfs: -30, noiseDbfs: -38 }).verdict).toBe('noisy');
  });
});
