/**
 * Puts a live call in the library as it happens: the engine's output and the audio go to a
 * LiveCallWriter (committed about once a second), and the call is completed when it ends.
 */
import { FRAME_SIZE } from '../dsp/frames';
import type { CallReport, CallSummary } from '../shared/types';
import { LiveCallWriter, type LiveCallOptions } from '../library/live-writer';
import type { Library } from '../library/library';
import type { CallMetaInput } from '../library/types';
import type { LiveHooks } from './run-live';

/** The summary part of a report (the rest is stored row by row). */
export function summaryOf(report: CallReport): CallSummary {
  const { durationMs, channels, talkRatio, overtalkMs, longestMonologueMs, meanResponseMs, responses } = report;
  return { durationMs, channels, talkRatio, overtalkMs, longestMonologueMs, meanResponseMs, responses };
}

export interface StoredLiveCall {
  readonly writer: LiveCallWriter;
  /** Hooks for runLive; combine with your own. */
  readonly hooks: Required<Pick<LiveHooks, 'onOutput' | 'onFrames' | 'onEnd'>>;
  /**
   * The call failed: it keeps what it recorded, and a call that never got audio (a device that could
   * not be opened) leaves nothing behind.
   */
  fail(): Promise<void>;
}

export async function startStoredLiveCall(
  library: Library,
  meta: Omit<CallMetaInput, 'status'>,
  options: LiveCallOptions = {},
): Promise<StoredLiveCall> {
  const writer = await LiveCallWriter.start(library, meta, options);
  return {
    writer,
    hooks: {
      onOutput(msg) {
        switch (msg.type) {
          case 'segment':
            return writer.segment(msg.segment);
          case 'event':
            return writer.event(msg.phase, msg.event);
          case 'nudge':
            return writer.nudge(msg.phase, msg.nudge);
          case 'timeline':
            return writer.timeline(msg.point);
          default:
            return undefined;
        }
      },
      onFrames(agent, customer) {
        // Encoded synchronously, before the arrays are transferred to the engine worker.
        writer.pushFrames(agent, customer, Math.floor(Math.min(agent.length, customer.length) / FRAME_SIZE));
      },
      async onEnd(result) {
        await writer.finish(summaryOf(result.report));
      },
    },
    async fail() {
      const empty = writer.durationMs === 0;
      await writer.finish(null).catch(() => undefined);
      if (empty) await library.deleteCall(writer.id).catch(() => undefined);
    },
  };
}
