/**
 * A recording from disk becomes a library call (`cadence import file.wav`): one pass through the file
 * feeds the same engine `analyze` uses and the Ogg Opus encoder, so the call can be replayed later.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Playbook } from '../shared/playbook';
import { makeReportCollector } from '../engine/analyze';
import { openWavFile } from '../capture/wav-file';
import { createEngine } from '../engine/engine';
import type { Library } from './library';
import { OggOpusWriter, RECORDING_CODEC, repairOggFile } from './recording/ogg-opus';

export interface ImportAudioOptions {
  readonly playbook: Playbook;
  readonly swap?: boolean;
  readonly title?: string;
  readonly agent?: string | null;
  /** Keep a compressed copy of the audio with the call (default true). */
  readonly keepRecording?: boolean;
}

export async function importAudioFile(library: Library, path: string, options: ImportAudioOptions): Promise<string> {
  const source = openWavFile(path, { swap: options.swap ?? false });
  const collector = makeReportCollector();
  const engine = createEngine({ playbook: options.playbook, sink: collector.sink });
  let tmp: string | null = null;
  let recorder: OggOpusWriter | null = null;
  if (options.keepRecording !== false) {
    mkdirSync(library.recordingsDir, { recursive: true });
    tmp = join(library.recordingsDir, `.import-${randomBytes(6).toString('hex')}.tmp`);
    recorder = new OggOpusWriter(tmp);
  }
  try {
    source.read((agent, customer, count) => {
      engine.processFrames(agent, customer, count);
      recorder?.pushFrames(agent, customer, count);
    });
    recorder?.close();
    const report = collector.build(engine.finish());
    const finishedAt = statSync(path).mtimeMs;
    const info = tmp !== null ? repairOggFile(tmp) : undefined;
    let finalPath: string | null = null;
    const id = await library.db.transaction().execute(async (trx) => {
      const { speech, timeline, events, nudges, ...summary } = report;
      const callId = await library.insertCall(
        trx,
        { startedAt: Math.max(0, finishedAt - report.durationMs), source: 'file', status: 'completed', title: options.title ?? basename(path, extname(path)), agent: options.agent ?? null },
        report.durationMs,
        summary,
      );
      await library.insertSpeech(trx, callId, speech);
      await library.upsertEvents(trx, callId, events);
      await library.upsertNudges(trx, callId, nudges);
      await library.putTimeline(trx, callId, timeline);
      if (tmp !== null && info) {
        finalPath = join(library.recordingsDir, `${callId}.opus`);
        await library.setRecording(trx, callId, { path: finalPath, codec: RECORDING_CODEC, sizeBytes: info.sizeBytes, sha256: info.sha256, durationMs: info.durationMs, error: null });
        renameSync(tmp, finalPath);
        tmp = null;
      }
      await library.reindex(trx, callId);
      return callId;
    });
    return id;
  } finally {
    recorder?.abandon();
    if (tmp !== null) rmSync(tmp, { force: true });
  }
}
