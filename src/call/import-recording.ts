/**
 * A recording from disk becomes a library call (`cadence import file.wav`) through the same call
 * pipeline as a live call — read as fast as the machine allows, coached by the inline engine, stored and
 * recorded by the store stage, and finalized (scored, indexed) the same way — so an imported call and
 * the same audio coached live end up alike.
 */
import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Playbook } from '../shared/playbook';
import { WavReadSource } from '../capture/file-source';
import { makeInlineEngine } from '../engine/session';
import type { Library } from '../library/library';
import type { PostCallStep } from './finalize';
import { runCall, type CallResult } from './session';
import { storeStage } from './store-stage';

export interface ImportRecordingOptions {
  readonly playbook: Playbook;
  readonly swap?: boolean;
  readonly title?: string;
  readonly agent?: string | null;
  /** Keep a compressed copy of the audio with the call (default true). */
  readonly keepRecording?: boolean;
  readonly onProgress?: (fraction: number) => void;
  readonly onWarning?: (message: string) => void;
  readonly postCall?: readonly PostCallStep[];
}

export async function importRecording(library: Library, path: string, options: ImportRecordingOptions): Promise<{ callId: string; result: CallResult }> {
  // Progress only for files long enough to make someone wait (a minute of audio and more).
  let long = false;
  const onProgress = options.onProgress;
  const source = new WavReadSource(path, { swap: options.swap ?? false, ...(onProgress ? { onProgress: (f: number) => long && onProgress(f) } : {}) });
  long = source.durationMs >= 60_000;
  for (const w of source.warnings) options.onWarning?.(w);
  // The call happened before the file was last written.
  const startedAt = Math.max(0, Math.round(statSync(path).mtimeMs - source.durationMs));
  const stored = await storeStage(
    library,
    { startedAt, source: 'file', title: options.title ?? basename(path, extname(path)), agent: options.agent ?? null },
    {
      recording: options.keepRecording !== false,
      finalStatus: 'imported',
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      ...(options.postCall ? { postCall: options.postCall } : {}),
    },
  );
  const result = await runCall(source, { playbook: options.playbook, engine: makeInlineEngine(options.onWarning ? { onWarning: options.onWarning } : {}) }, [stored.stage]);
  return { callId: stored.callId, result };
}
