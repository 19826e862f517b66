import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openLibrary, type Library } from '../../../src/library/library';
import type { CallReport, ChannelSummary, Nudge, TimelinePoint } from '../../../src/shared/types';

export function tempDir(prefix = 'cadence-store-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const channel = (talkMs: number): ChannelSummary => ({
  talkMs,
  wpm: 150,
  syllables: 100,
  meanDbfs: -24.5,
  peakDbfs: -3,
  clippedSamples: 0,
  pitchHz: 180,
  pitchVarSt: 2.5,
  segments: 3,
  interruptions: 1,
  backchannels: 2,
});

export function point(tMs: number): TimelinePoint {
  return {
    tMs,
    agent: { dbfs: -30.5, speaking: tMs % 2000 === 0, wpm: 150.2, pitchHz: 180.4 },
    customer: { dbfs: -42.1, speaking: false, wpm: null, pitchHz: null },
    talkRatio: 0.5,
  };
}

export function nudge(ruleId: string, n: number, atMs: number): Nudge {
  return { id: `${ruleId}#${n}`, ruleId, title: `Title ${ruleId}`, severity: 'coach', message: `Message for ${ruleId}`, atMs, endMs: atMs + 3000, conditionSinceMs: atMs - 5000, feedback: null };
}

/** A plausible engine report of `seconds` length. */
export function fakeReport(seconds = 90, rules: readonly string[] = ['pace-fast']): CallReport {
  return {
    durationMs: seconds * 1000,
    channels: { agent: channel(seconds * 400), customer: channel(seconds * 300) },
    talkRatio: 0.57,
    overtalkMs: 1200,
    longestMonologueMs: 20_000,
    meanResponseMs: 700,
    responses: 12,
    speech: [
      { channel: 'agent', startMs: 0, endMs: 4000 },
      { channel: 'customer', startMs: 4500, endMs: 9000 },
    ],
    timeline: Array.from({ length: seconds }, (_, i) => point(i * 1000)),
    events: [{ id: 'ev1', type: 'interruption', channel: 'agent', startMs: 3000, endMs: 3900 }],
    nudges: rules.map((r, i) => nudge(r, 1, 10_000 + i * 1000)),
  };
}

/**
 * A new library in its own temporary folder for every test of the calling file (closed and removed
 * after each). `use` receives the folder and the library before each test.
 */
export function useFreshLibrary(use: (tmp: { dir: string; cleanup(): void }, lib: Library) => void): void {
  let tmp: { dir: string; cleanup(): void } | null = null;
  let lib: Library | null = null;
  beforeEach(async () => {
    tmp = tempDir();
    lib = await openLibrary(join(tmp.dir, 'library.sqlite'));
    use(tmp, lib);
  });
  afterEach(async () => {
    await lib?.close();
    tmp?.cleanup();
  });
}
