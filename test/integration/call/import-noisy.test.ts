/**
 * `cadence import` of a noisy recording uses the neural VAD where the line asks for it (the live gate),
 * so its talk time matches the clean recording's. Tolerance: within 10 % per channel of the clean import;
 * the energy VAD alone on the same noisy audio is off by more than 25 % on some channel (so the check
 * cannot pass without the network).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importRecording } from '../../../src/call/import-recording';
import { openLibrary } from '../../../src/library/library';
import { alternatingCall } from '../../fixtures/calls';
import { withNoise } from '../../fixtures/noise';
import { analyzeCall, defaultPlaybook } from '../../fixtures/run';
import { writeCallWav } from '../../fixtures/speech';

const dir = mkdtempSync(join(tmpdir(), 'cadence-import-noisy-'));
const library = await openLibrary(join(dir, 'library.sqlite'));
afterAll(() => library.close());

describe('importing a noisy recording', () => {
  it('gives the clean recording\'s talk time (±10 %) with modem-like noise at 5 dB SNR, where the energy VAD is far off', async () => {
    const clean = alternatingCall();
    const noisy = withNoise(clean, 'modem', 5);
    const talk = async (name: string, call: typeof clean) => {
      const warnings: string[] = [];
      const { result } = await importRecording(library, writeCallWav(call, join(dir, `${name}.wav`)), { playbook: defaultPlaybook, keepRecording: false, onWarning: (w) => warnings.push(w) });
      expect(warnings).toEqual([]);
      return result.report.channels;
    };
    const want = await talk('clean', clean);
    const got = await talk('noisy', noisy);
    const energyOnly = analyzeCall(noisy).channels;
    let worstEnergy = 0;
    for (const ch of ['agent', 'customer'] as const) {
      const rel = Math.abs(got[ch].talkMs - want[ch].talkMs) / want[ch].talkMs;
      expect(rel, `${ch}: noisy import ${got[ch].talkMs} ms, clean ${want[ch].talkMs} ms`).toBeLessThanOrEqual(0.1);
      worstEnergy = Math.max(worstEnergy, Math.abs(energyOnly[ch].talkMs - want[ch].talkMs) / want[ch].talkMs);
    }
    expect(worstEnergy, 'the energy VAD alone on the noisy audio').toBeGreaterThan(0.25);
  }, 120_000);
});
