/**
 * The coaching engine: two channels of 16 kHz frames in; features, conversation events, nudges and a
 * 1 Hz timeline out. Pure TypeScript (no Node, DOM or Electron): the worker, the offline analyzer and
 * the tests all run exactly this code.
 */
import { CHANNEL_DEFAULTS, makeChannelAnalyzer, type ChannelConfig, type ChannelFeatures } from '../dsp/channel';
import {
  makeConversationTracker,
  type ConversationConfig,
  type ConversationEventType,
  type EventPhase,
} from '../dsp/conversation';
import { dbfs, FRAME_SIZE, HOP_MS } from '../dsp/frames';
import { makeWordPace, type TimedWord } from '../dsp/word-pace';
import { CHANNEL_METRICS, METRIC_INDEX, METRIC_NAMES, snapshotFromVector, type MetricsSnapshot } from '../shared/metrics';
import type { Playbook } from '../shared/playbook';
import type {
  CallEvent,
  CallSummary,
  ChannelName,
  ChannelPoint,
  ChannelSummary,
  EventType,
  Nudge,
  SpeechSegment,
  TimelinePoint,
} from '../shared/types';
import type { LanguageSnapshot, PhraseWords } from '../shared/phrase';
import { makeLanguage } from './language';
import { makeRuleEngine } from './rules';

export interface EngineSink {
  onNudge?(phase: 'open' | 'close', nudge: Nudge): void;
  onEvent?(phase: 'open' | 'close', event: CallEvent): void;
  onSegment?(segment: SpeechSegment): void;
  onTimeline?(point: TimelinePoint): void;
  /** After each final utterance or checklist tick: ticks and per-side filler and question counts. */
  onLanguage?(snapshot: LanguageSnapshot): void;
}

export interface EngineOptions {
  readonly playbook: Playbook;
  readonly sink: EngineSink;
  readonly channel?: Partial<ChannelConfig>;
  readonly conversation?: Partial<ConversationConfig>;
  /** Agent's calibrated speech level from a level check, dBFS. */
  readonly agentCalibrationDb?: number;
  /** Interval of timeline points, ms. */
  readonly timelineMs?: number;
}

export interface Engine {
  /** Time at the end of the last processed frame, ms since call start. */
  readonly tMs: number;
  /** Processes one 20 ms frame per channel (FRAME_SIZE samples each). */
  processFrame(agent: Float32Array, customer: Float32Array): void;
  /**
   * Processes `frames` consecutive frames laid out back to back in each array, from frame `fromFrame`.
   * `speechProb`, when given, holds a neural VAD's speech probability per processed frame and channel
   * (agent at 2k, customer at 2k + 1 for the k-th frame of this batch, k from 0; NaN = none: the energy VAD decides).
   */
  processFrames(agent: Float32Array, customer: Float32Array, frames: number, fromFrame?: number, speechProb?: Float32Array): void;
  /** Live features of the agent (0) and customer (1) channels; read-only to callers (e.g. the neural VAD gate). */
  readonly channels: readonly [Readonly<ChannelFeatures>, Readonly<ChannelFeatures>];
  /** The current metric vector (indexed by METRIC_INDEX); shared, do not keep. */
  readonly metrics: Float64Array;
  snapshot(): MetricsSnapshot;
  /**
   * Final words of a channel (0 agent, 1 customer) from a transcriber, in call time. From the first word
   * on, pace comes from the words (live rolling pace, and the whole call's in the summary) instead of the
   * acoustic estimate. The live word feed for anything in the engine that reads words (phrase rules).
   */
  addWords(channel: 0 | 1, words: readonly TimedWord[]): void;
  /** Records a moment the agent marked. */
  mark(note?: string): CallEvent;
  dismiss(nudgeId: string): boolean;
  /** Transcript words (interim or final) of one side, heard now: phrase rules and the checklist see them at once. */
  words(w: PhraseWords): void;
  /** Ends the call: closes open segments, events and nudges. Further frames are ignored. */
  finish(): CallSummary;
  readonly finished: boolean;
}

const CLIP_SLOTS = 1000 / HOP_MS;
// Module constants copied to locals for hot loops (transpiled imports can become property reads).
const FS = FRAME_SIZE;
const CH_NAMES: readonly ChannelName[] = ['agent', 'customer'];

/** Time after a channel's last voice for which its pace and pitch still describe it. */
const RECENT_MS = 2000;

export function createEngine(options: EngineOptions): Engine {
  const sink = options.sink;
  const timelineMs = options.timelineMs ?? 1000;
  const agent = makeChannelAnalyzer(options.channel);
  const customer = makeChannelAnalyzer(options.channel);
  if (options.agentCalibrationDb !== undefined) agent.setCalibration(options.agentCalibrationDb);
  const feats: readonly ChannelFeatures[] = [agent.features, customer.features];

  const values = new Float64Array(METRIC_NAMES.length).fill(NaN);
  const base = [0, CHANNEL_METRICS.length];
  const mi = (name: string): number => CHANNEL_METRICS.indexOf(name as (typeof CHANNEL_METRICS)[number]);
  const M = {
    wpm: mi('wpm'),
    levelDb: mi('levelDb'),
    relLevelDb: mi('relLevelDb'),
    dbfs: mi('dbfs'),
    pitchHz: mi('pitchHz'),
    pitchVarSt: mi('pitchVarSt'),
    speaking: mi('speaking'),
    clipping: mi('clipping'),
    talkMs: mi('talkMs'),
  };
  const C = {
    talkRatio: METRIC_INDEX.talkRatio,
    talkRatioCall: METRIC_INDEX.talkRatioCall,
    monologueMs: METRIC_INDEX.monologueMs,
    silenceMs: METRIC_INDEX.silenceMs,
    deadAirMs: METRIC_INDEX.deadAirMs,
    responseWaitMs: METRIC_INDEX.responseWaitMs,
    overtalkMs: METRIC_INDEX.overtalkMs,
    elapsedMs: METRIC_INDEX.elapsedMs,
  };

  // Clipped samples over the last second, per channel.
  const clipRing = new Float64Array(2 * CLIP_SLOTS);
  let clipHead = 0;
  let tMs = 0;
  let finished = false;
  let eventSeq = 0;
  const openEvents = new Map<string, CallEvent>();
  const openEventKey = (type: EventType, ch: ChannelName): string => `${type}:${ch}`;

  const wordPace = makeWordPace();
  /** The channel's pace: from words once the call has any, else the acoustic estimate. */
  const paceOf = (ch: number): number => (wordPace.hasWords ? wordPace.rolling(ch) : feats[ch]!.wpm);

  const language = makeLanguage(options.playbook);
  const rules = makeRuleEngine(options.playbook, (phase, nudge) => sink.onNudge?.(phase, nudge), language);

  const emitEvent = (type: ConversationEventType, phase: EventPhase, channel: number, startMs: number, endMs: number): void => {
    const ch: ChannelName = channel === 1 ? 'customer' : 'agent';
    const key = openEventKey(type, ch);
    if (phase === 'open') {
      const ev: CallEvent = { id: `ev${++eventSeq}`, type, channel: ch, startMs: Math.max(0, startMs), endMs: null };
      openEvents.set(key, ev);
      sink.onEvent?.('open', ev);
      rules.onEvent(type, ch, 'open', tMs);
    } else if (phase === 'close') {
      const ev = openEvents.get(key);
      if (!ev) return;
      openEvents.delete(key);
      const closed: CallEvent = { ...ev, endMs: Math.max(ev.startMs, endMs) };
      sink.onEvent?.('close', closed);
      rules.onEvent(type, ch, 'close', tMs);
    } else {
      const ev: CallEvent = { id: `ev${++eventSeq}`, type, channel: ch, startMs: Math.max(0, startMs), endMs: Math.max(startMs, endMs) };
      sink.onEvent?.('close', ev);
      rules.onEvent(type, ch, 'instant', tMs);
    }
  };
  const convo = makeConversationTracker(emitEvent, options.conversation);

  // 1 Hz timeline accumulators.
  const tlPow = new Float64Array(2);
  const tlSpeakFrames = new Float64Array(2);
  let tlFrames = 0;
  let nextTimelineMs = timelineMs;

  // Whole-call accumulators.
  const speechPow = new Float64Array(2);
  const speechFrames = new Float64Array(2);
  const peak = new Float64Array(2);
  const segmentsCount = new Float64Array(2);

  function updateMetrics(): void {
    for (let ch = 0; ch < 2; ch++) {
      const f = feats[ch]!;
      const b = base[ch]!;
      const recent = tMs - f.lastVoiceMs <= RECENT_MS;
      values[b + M.wpm] = paceOf(ch);
      values[b + M.levelDb] = f.levelDb;
      values[b + M.relLevelDb] = f.relLevelDb;
      values[b + M.dbfs] = f.dbfs;
      values[b + M.pitchHz] = recent ? f.pitchHz : NaN;
      values[b + M.pitchVarSt] = recent ? f.pitchVarSt : NaN;
      values[b + M.speaking] = f.speaking ? 1 : 0;
      clipRing[ch * CLIP_SLOTS + clipHead] = f.clipped;
      let clip = 0;
      for (let k = ch * CLIP_SLOTS; k < (ch + 1) * CLIP_SLOTS; k++) clip += clipRing[k]!;
      values[b + M.clipping] = clip;
      values[b + M.talkMs] = f.talkMs;
    }
    clipHead = (clipHead + 1) % CLIP_SLOTS;
    const s = convo.state;
    values[C.talkRatio] = s.talkRatio;
    values[C.talkRatioCall] = s.talkRatioCall;
    values[C.monologueMs] = s.monologueMs;
    values[C.silenceMs] = s.silenceMs;
    values[C.deadAirMs] = s.deadAirMs;
    values[C.responseWaitMs] = s.responseWaitMs;
    values[C.overtalkMs] = s.overtalkMs;
    values[C.elapsedMs] = tMs;
  }

  function channelPoint(ch: number): ChannelPoint {
    const f = feats[ch]!;
    const meanPow = tlFrames > 0 ? tlPow[ch]! / tlFrames : 0;
    const speaking = tlSpeakFrames[ch]! * 2 >= tlFrames && tlSpeakFrames[ch]! > 0;
    const fin = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
    return {
      dbfs: Math.round(dbfs(meanPow) * 10) / 10,
      speaking,
      wpm: speaking || f.speaking ? fin(paceOf(ch)) : null,
      pitchHz: speaking ? fin(f.pitchHz) : null,
    };
  }

  /** One frame: `a` and `c` are read from `off` on (a frame each). */
  function processOne(a: Float32Array, c: Float32Array, off: number, probA: number, probC: number): void {
    tMs += HOP_MS;
    customer.process(c, tMs, false, probC, off);
    const echo = convo.checkEcho(a, agent.features, customer.features, off);
    // Customer audio leaking into the agent's mic is measured for level but never counted as agent speech,
    // whichever VAD (energy or neural) would call it voice: the echo gate stands in front of both.
    agent.process(a, tMs, echo, probA, off);
    convo.update(agent.features, customer.features, tMs);

    for (let ch = 0; ch < 2; ch++) {
      const f = feats[ch]!;
      const p = f.meanSquare;
      tlPow[ch]! += p;
      if (f.speaking) tlSpeakFrames[ch]!++;
      if (f.speaking && f.voiced) {
        speechPow[ch]! += p;
        speechFrames[ch]!++;
      }
      if (f.peak > peak[ch]!) peak[ch] = f.peak;
      if (f.segmentClosed) {
        segmentsCount[ch]!++;
        sink.onSegment?.({ channel: CH_NAMES[ch]!, startMs: f.closedStartMs, endMs: f.closedEndMs });
      }
    }
    tlFrames++;
    updateMetrics();
    rules.evaluate(values, tMs, HOP_MS);

    if (tMs >= nextTimelineMs) {
      if (sink.onTimeline) {
        sink.onTimeline({
          tMs: nextTimelineMs,
          agent: channelPoint(0),
          customer: channelPoint(1),
          talkRatio: Number.isFinite(convo.state.talkRatioCall) ? Math.round(convo.state.talkRatioCall * 1000) / 1000 : null,
        });
      }
      nextTimelineMs += timelineMs;
      tlPow.fill(0);
      tlSpeakFrames.fill(0);
      tlFrames = 0;
    }
  }

  function summary(ch: number): ChannelSummary {
    const f = feats[ch]!;
    const s = convo.state;
    const fin = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);
    // Pace over the whole call: nuclei over turn time (short pauses counted), as the rolling meter does.
    const acoustic = f.turnMs >= 3000 ? (f.turnSyllables / (f.turnMs / 60000)) / (options.channel?.syllablesPerWord ?? CHANNEL_DEFAULTS.syllablesPerWord) : NaN;
    const wpm = wordPace.hasWords ? wordPace.call(ch) : acoustic;
    return {
      talkMs: Math.round(f.talkMs),
      wpm: fin(wpm),
      syllables: f.syllables,
      meanDbfs: speechFrames[ch]! > 0 ? fin(dbfs(speechPow[ch]! / speechFrames[ch]!)) : null,
      peakDbfs: Math.round(20 * Math.log10(Math.max(peak[ch]!, 1e-6)) * 10) / 10,
      clippedSamples: f.clippedTotal,
      pitchHz: fin(f.pitchMedianHz),
      pitchVarSt: fin(f.pitchVarSt),
      segments: segmentsCount[ch]!,
      interruptions: ch === 0 ? s.interruptionsByAgent : s.interruptionsByCustomer,
      backchannels: ch === 0 ? s.backchannelsByAgent : s.backchannelsByCustomer,
    };
  }

  const engine: Engine = {
    get tMs() {
      return tMs;
    },
    get finished() {
      return finished;
    },
    metrics: values,
    channels: [agent.features, customer.features],
    processFrame(a, c) {
      if (finished) return;
      processOne(a, c, 0, NaN, NaN);
    },
    processFrames(a, c, frames, fromFrame = 0, speechProb) {
      if (finished) return;
      for (let k = fromFrame; k < fromFrame + frames; k++) {
        // The analyzers read the frame where it lies: no copy, and no view (an allocation) per frame.
        const j = 2 * (k - fromFrame);
        processOne(a, c, k * FS, speechProb ? speechProb[j]! : NaN, speechProb ? speechProb[j + 1]! : NaN);
      }
    },
    snapshot: () => snapshotFromVector(tMs, values),
    addWords(channel, words) {
      if (!finished) wordPace.add(channel, words);
    },
    mark() {
      const ev: CallEvent = { id: `ev${++eventSeq}`, type: 'mark', channel: 'agent', startMs: tMs, endMs: tMs };
      sink.onEvent?.('close', ev);
      return ev;
    },
    dismiss: (id) => rules.dismiss(id, tMs),
    words(w) {
      if (finished) return;
      const ticked = language.words(w, tMs);
      // Evaluate now rather than at the next frame: a phrase card should not wait for audio to arrive.
      values[C.elapsedMs] = tMs;
      rules.evaluate(values, tMs, 0);
      if (ticked || w.final) sink.onLanguage?.(language.snapshot());
    },
    finish() {
      if (!finished) {
        finished = true;
        agent.flush();
        customer.flush();
        for (let ch = 0; ch < 2; ch++) {
          const f = feats[ch]!;
          if (f.segmentClosed) {
            segmentsCount[ch]!++;
            sink.onSegment?.({ channel: CH_NAMES[ch]!, startMs: f.closedStartMs, endMs: f.closedEndMs });
          }
        }
        convo.finish(tMs);
        rules.closeAll(tMs);
        if (tlFrames > 0 && sink.onTimeline) {
          sink.onTimeline({
            tMs,
            agent: channelPoint(0),
            customer: channelPoint(1),
            talkRatio: Number.isFinite(convo.state.talkRatioCall) ? Math.round(convo.state.talkRatioCall * 1000) / 1000 : null,
          });
        }
      }
      const s = convo.state;
      return {
        durationMs: tMs,
        channels: { agent: summary(0), customer: summary(1) },
        talkRatio: Number.isFinite(s.talkRatioCall) ? Math.round(s.talkRatioCall * 1000) / 1000 : null,
        overtalkMs: s.overtalkTotalMs,
        longestMonologueMs: s.longestMonologueMs,
        meanResponseMs: s.responseCount > 0 ? Math.round(s.responseTotalMs / s.responseCount) : null,
        responses: s.responseCount,
        paceSource: wordPace.hasWords ? 'words' : 'acoustic',
      };
    },
  };
  return engine;
}

