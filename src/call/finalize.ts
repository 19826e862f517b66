/**
 * The one finalize step every stored call goes through — live, imported, recovered after a crash: the
 * store has already written its summary, repaired its recording and indexed it for search; here the
 * call is scored and the post-call work runs (transcription, reports and the sync outbox join as steps).
 * A failing step is reported and never undoes the stored call.
 */
import { oneLine } from '../shared/errors';
import type { Library } from '../library/library';
import { recoverInterrupted, type RecoveredCall } from '../library/live-writer';

export interface PostCallStep {
  readonly name: string;
  run(library: Library, callId: string): Promise<void>;
}

export async function finalizeCall(library: Library, callId: string, steps: readonly PostCallStep[] = [], onWarning?: (message: string) => void): Promise<void> {
  await library.rescore(callId);
  for (const step of steps) {
    try {
      await step.run(library, callId);
    } catch (err) {
      onWarning?.(`${step.name} failed for call ${callId}: ${oneLine(err)}`);
    }
  }
}

/** Calls left `live` by a process that died become `interrupted`, repaired and finalized like any other. */
export async function recoverCalls(library: Library, steps: readonly PostCallStep[] = [], onWarning?: (message: string) => void): Promise<RecoveredCall[]> {
  const recovered = await recoverInterrupted(library);
  for (const call of recovered) await finalizeCall(library, call.id, steps, onWarning);
  return recovered;
}
