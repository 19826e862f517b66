/**
 * Offline analysis: runs a whole recording through the same engine the live worker uses, as fast as the
 * machine allows, and collects the call report.
 */
import type { Playbook } from '../shared/playbook';
import type { CallEvent, CallReport, Nudge, SpeechSegment, TimelinePoint } from '../shared/types';
import { openWavFile } from '../capture/wav-file';
import { createEngine, type EngineOptions } from './engine';
import { createNeuralVad, processFramesNeural, type NeuralVad } from './neural-vad';

export interface AnalyzeOptions {
  readonly playbook: Playbook;
  readonly swap?: boolean;
  readonly engine?: Omit<EngineOptions, 'playbook' | 'sink'>;
}

/** Collects engine output into a report. Shared by offline analysis and live sessions. */
export function makeReportCollector(): {
  /** Live checklist ticks and counts are not part of the report: insights recompute them from the transcript. */
  sink: Required<Omit<EngineOptions['sink'], 'onLanguage'>>;
  build(summary: ReturnType<ReturnType<typeof createEngine>['finish']>): CallReport;
} {
  const speech: SpeechSegment[] = [];
  const timeline: TimelinePoint[] = [];
  const events: CallEvent[] = [];
  const nudges: Nudge[] = [];
  return {
    sink: {
      onSegment: (s) => speech.push(s),
      onTimeline: (p) => timeline.push(p),
      onEvent: (phase, e) => {
        if (phase === 'close') events.push(e);
      },
      onNudge: (phase, n) => {
        if (phase === 'close') nudges.push(n);
      },
    },
    build(summary) {
      const byStart = <T extends { startMs: number }>(a: T, b: T): number => a.startMs - b.startMs;
      return {
        ...summary,
        speech: speech.sort(byStart),
        timeline,
        events: events.sort(byStart),
        nudges: nudges.sort((a, b) => a.atMs - b.atMs),
      };
    },
  };
}

export function analyzeFile(path: string, options: AnalyzeOptions): CallReport & { readonly warnings?: readonly string[] } {
  const source = openWavFile(path, { swap: options.swap ?? false });
  const collector = makeReportCollector();
  const engine = createEngine({ ...options.engine, playbook: options.playbook, sink: collector.sink });
  source.read((agent, customer, count) => engine.processFrames(agent, customer, count));
  const report = collector.build(engine.finish());
  return source.warnings.length > 0 ? { ...report, warnings: source.warnings } : report;
}

/**
 * `analyzeFile` with the neural VAD on the channels whose line is too noisy for the energy VAD (see
 * neural-vad.ts); on a clean call the network never runs and the result equals `analyzeFile`'s. If the
 * model cannot be loaded the analysis still runs, on the energy VAD, and says so in its warnings.
 */
export async function analyzeFileAsync(path: string, options: AnalyzeOptions): Promise<CallReport & { readonly warnings?: readonly string[] }> {
  const source = openWavFile(path, { swap: options.swap ?? false });
  const warnings = [...source.warnings];
  const unavailable = (err: Error): void => void warnings.push(`neural voice activity unavailable (${err.message}); noisy lines use the energy detector alone`);
  let vad: NeuralVad | null = null;
  try {
    // The model loads only if a line turns out noisy.
    vad = await createNeuralVad(undefined, { onUnavailable: unavailable });
  } catch (err) {
    unavailable(err as Error);
  }
  const collector = makeReportCollector();
  const engine = createEngine({ ...options.engine, playbook: options.playbook, sink: collector.sink });
  await source.readAsync(async (agent, customer, count) => {
    if (vad) await processFramesNeural(engine, vad, agent, customer, count);
    else engine.processFrames(agent, customer, count);
  });
  const report = collector.build(engine.finish());
  return warnings.length > 0 ? { ...report, warnings } : report;
}
