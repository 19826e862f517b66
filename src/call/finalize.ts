/**
 * The one finalize step every stored call goes through — live, imported, recovered after a crash: the
 * store has already written its summary, repaired its recording and indexed it for search; here the
 * call is scored and the post-call work runs (transcription, reports and the sync outbox join as steps).
 * A failing step is reported and never undoes the stored call.
 */
import { oneLine } from '../shared/errors';
import type { PlaybookTargets } from '../shared/playbook-targets';
import type { Library } from '../library/library';
import { recoverInterrupted, type RecoveredCall } from '../library/live-writer';

export interface PostCallStep {
  readonly name: string;
  run(library: Library, callId: string): Promise<void>;
}

export interface FinalizeOptions {
  /** The targets of the playbook the call was coached with: the score reads the same playbook as the cards. */
  readonly targets?: PlaybookTargets;
  readonly steps?: readonly PostCallStep[];
  readonly onWarning?: (message: string) => void;
}

export async function finalizeCall(library: Library, callId: string, options: FinalizeOptions = {}): Promise<void> {
  const { steps = [], onWarning } = options;
  await library.calls.rescore(callId, options.targets);
  for (const step of steps) {
    try {
      await step.run(library, callId);
    } catch (err) {
      onWarning?.(`${step.name} failed for call ${callId}: ${oneLine(err)}`);
    }
  }
}

/** Calls left `live` by a process that died become `interrupted`, repaired and finalized like any other. */
export async function recoverCalls(library: Library, options: FinalizeOptions = {}): Promise<RecoveredCall[]> {
  const recovered = await recoverInterrupted(library);
  for (const call of recovered) await finalizeCall(library, call.id, options);
  return recovered;
}
