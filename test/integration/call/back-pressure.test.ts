/**
 * A file source played far faster than the engine worker can follow (a sped-up demo on a loaded
 * machine): the pipeline pauses the file while the worker catches up, so the call stores every frame
 * of it — none dropped at the worker's queue.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FRAME_SIZE, HOP_MS } from '../../../src/dsp/frames';
import { runCall } from '../../../src/call/session';
import { demoCallPath } from '../../../src/call/demo';
import { FileSource } from '../../../src/capture/file-source';
import { openWavFile } from '../../../src/capture/wav-file';
import { EngineHost } from '../../../src/engine/host';
import { defaultPlaybook } from '../../fixtures/run';

let host: EngineHost | null = null;
afterAll(async () => {
  await host?.close();
});

describe('call pipeline back-pressure', () => {
  it('pauses a file source while the engine catches up: every frame of a 1000× demo reaches the engine', async () => {
    host = await EngineHost.start();
    const path = demoCallPath();
    const durationMs = openWavFile(path).durationMs;
    const frames = Math.floor(durationMs / HOP_MS);
    // Far more frames than the worker's queue (500) would be due at once without back-pressure.
    expect(frames).toBeGreaterThan(1000);
    let largest = 0;
    const result = await runCall(new FileSource(path, { speed: 1000 }), { playbook: defaultPlaybook, engine: host }, [
      { onFrames: (agent) => void (largest = Math.max(largest, agent.length / FRAME_SIZE)) },
    ]);
    expect(result.stats.engineDropped).toBe(0);
    expect(Math.abs(result.stats.frames - frames)).toBeLessThanOrEqual(1);
    expect(Math.abs(result.report.durationMs - frames * HOP_MS)).toBeLessThanOrEqual(HOP_MS);
    // Catching up goes a second at a time, not the whole file in one delivery.
    expect(largest).toBeLessThanOrEqual(50);
  });
});
