/**
 * The library stage of the call pipeline: the engine's output and the audio go to a LiveCallWriter
 * (committed about once a second, so a crash loses at most a second), and when the call ends it is
 * finalized once, the same way for live, imported and recovered calls.
 */
import { FRAME_SIZE } from '../dsp/frames';
import { playbookTargets, type PlaybookTargets } from '../shared/playbook-targets';
import type { CallReport, CallSummary } from '../shared/types';
import { LiveCallWriter, type LiveCallOptions } from '../library/live-writer';
import type { Library } from '../library/library';
import type { CallMetaInput } from '../library/types';
import { languageStep } from '../insights/language';
import { finalizeCall, type PostCallStep } from './finalize';
import type { SessionOutput } from '../shared/engine-protocol';
import type { CallStage } from './session';
import { makeSilentTail } from './silent-tail';

/** The summary part of a report (the rest is stored row by row). */
export function summaryOf(report: CallReport): CallSummary {
  const { durationMs, channels, talkRatio, overtalkMs, longestMonologueMs, meanResponseMs, responses, paceSource } = report;
  return { durationMs, channels, talkRatio, overtalkMs, longestMonologueMs, meanResponseMs, responses, ...(paceSource && { paceSource }) };
}

export interface StoredCall {
  readonly writer: LiveCallWriter;
  readonly callId: string;
  readonly stage: CallStage;
}

export interface StoreStageOptions extends LiveCallOptions {
  /** Work after the call is stored and scored (e.g. transcription, reports, the sync outbox). */
  readonly postCall?: readonly PostCallStep[];
  /** Targets to score a call that failed before it ended (a finished call uses its own playbook's). */
  readonly targets?: PlaybookTargets;
  /** The call's silence level (its `silenceDb`), for trimming a silent tail. */
  readonly silenceDb?: number;
}

export async function storeStage(library: Library, meta: Omit<CallMetaInput, 'status'>, options: StoreStageOptions = {}): Promise<StoredCall> {
  const writer = await LiveCallWriter.start(library, meta, options);
  const warn = options.onWarning ? { onWarning: options.onWarning } : {};
  const tail = makeSilentTail(options.silenceDb);
  const write = (msg: Exclude<SessionOutput, { type: 'metrics' }>): void => {
    switch (msg.type) {
      case 'segment':
        return writer.segment(msg.segment);
      case 'event':
        return writer.event(msg.phase, msg.event);
      case 'nudge':
        return writer.nudge(msg.phase, msg.nudge);
      case 'timeline':
        return writer.timeline(msg.point);
    }
  };
  const stage: CallStage = {
    onOutput(msg) {
      tail.route(msg, write);
    },
    onFrames(agent, customer) {
      // Encoded synchronously, before the arrays are transferred to the engine worker.
      writer.pushFrames(agent, customer, Math.floor(Math.min(agent.length, customer.length) / FRAME_SIZE));
      tail.frames(agent, customer);
    },
    async onEnd(result) {
      // A call stopped by silence ends with its last words: the silence before the stop is not coached or scored.
      const trimmed = result.stats.stopReason === 'silence';
      tail.end(!trimmed, write);
      const summary = summaryOf(result.report);
      await writer.finish(trimmed ? { ...summary, durationMs: Math.min(summary.durationMs, tail.lastSoundMs) } : summary);
      // Language insights last: they read the transcript a post-call step may just have written.
      await finalizeCall(library, writer.id, { targets: playbookTargets(result.playbook), steps: [...(options.postCall ?? []), languageStep(result.playbook)], ...warn });
    },
    async onFail() {
      tail.end(true, write);
      // The call keeps what it recorded; one that never got audio (a device that would not open) leaves nothing.
      const empty = writer.durationMs === 0;
      await writer.finish(null).catch(() => undefined);
      if (empty) await library.calls.delete(writer.id).catch(() => undefined);
      else await finalizeCall(library, writer.id, { ...(options.targets ? { targets: options.targets } : {}), steps: options.postCall ?? [], ...warn }).catch(() => undefined);
    },
  };
  return { writer, callId: writer.id, stage };
}
