/**
 * Per-channel voice features, updated once per 20 ms frame: level, adaptive noise floor, voice activity,
 * pitch and its variability, and a syllable-nuclei speaking-rate estimate. Everything is preallocated by
 * `makeChannelAnalyzer`; `process` allocates nothing.
 */
import { makeBandpass, makeHighpass } from './biquad';
import { dbfs, FRAME_SIZE, HOP_MS, SAMPLE_RATE } from './frames';
import { makeYin, type YinResult } from './yin';

export interface ChannelConfig {
  /** High-pass corner removing DC, mains hum and handling rumble before any measurement. */
  readonly highpassHz: number;
  /** Noise floor = minimum of the smoothed frame energy over this window (Martin 2001, minimum statistics). */
  readonly noiseWindowMs: number;
  /** The minimum underestimates the mean noise energy by about this much. */
  readonly noiseBiasDb: number;
  /** Frame energy must exceed the noise floor by this much to count as voice. */
  readonly vadSnrDb: number;
  /** …and be above this absolute level, so a silent line with a very low floor does not trigger. */
  readonly vadMinDbfs: number;
  /** Consecutive voiced frames needed to open a speech segment (rejects clicks). */
  readonly vadOnsetFrames: number;
  /** Speech stays on this long after the last voiced frame (bridges gaps between words). */
  readonly vadHangoverMs: number;
  readonly pitchMinHz: number;
  readonly pitchMaxHz: number;
  /** Pitch is estimated every Nth speaking frame; statistics do not need 20 ms resolution. */
  readonly pitchEveryFrames: number;
  /** Window over which pitch variability (semitone standard deviation) is measured. */
  readonly pitchVarWindowMs: number;
  /** Band that carries vowel energy, used for syllable nuclei. */
  readonly nucleiBandHz: readonly [number, number];
  /** A syllable nucleus is a peak separated from its neighbours by dips of at least this depth (de Jong & Wempe 2009). */
  readonly nucleiDipDb: number;
  /** A nucleus must be within this many dB of the loudest recent peak. */
  readonly nucleiRangeDb: number;
  /** Nuclei closer than this are one syllable (the louder kept); real syllables last at least ~100 ms. */
  readonly nucleiMinGapMs: number;
  /**
   * A nucleus must carry at least this share of the frame's energy in the vowel band, dB (voicing proxy:
   * fricatives and bursts put their energy above it, vowels below).
   */
  readonly nucleiMinBandShareDb: number;
  /** Weight of the newest 10 ms point in the nuclei envelope (lower = smoother, fewer split vowels). */
  readonly nucleiEnvAlpha: number;
  /**
   * Rolling window of the channel's own turn time for the speaking rate: the last stretch of this side's
   * speech, however many turns it took, so a fast talker in short turns is measured like a long one.
   */
  readonly rateWindowMs: number;
  /** Turn time needed in the window before a rate is reported. */
  readonly rateMinMs: number;
  /** Pauses shorter than this inside a turn count as turn time (pace includes short pauses). */
  readonly rateMaxPauseMs: number;
  /**
   * Turn time also covers up to this much of the fricatives that open and close a turn ("seven",
   * "clubs"): their energy lies above the 4 kHz analysis band, so the voice decision misses them, but a
   * listener times them as speech. Recognised on the full-band frame level, `vadSnrDb` over its own floor.
   */
  readonly rateEdgeMs: number;
  /** Average syllables per English word in conversational speech; converts syllables/s to wpm. */
  readonly syllablesPerWord: number;
  /** Window over which the speech level (loudness while speaking) is averaged. */
  readonly levelWindowMs: number;
  /** Speech needed before the channel's own calibrated level is trusted. */
  readonly calibrationMinMs: number;
  /** A sample at or above this magnitude counts as clipped. */
  readonly clipLevel: number;
  /**
   * The energy VAD is trusted while the line's speech peaks stand at least this far above its noise floor;
   * below it (a noisy line, or noise and no speech yet) the channel asks for the neural VAD
   * (`neuralWanted`). Espeak speech at 10 dB SNR peaks ~17 dB over the floor, at 20 dB SNR ~27 dB.
   */
  readonly neuralGateSnrDb: number;
  /** Lines whose noise floor is below this are digital silence or nearly: the energy VAD needs no help. */
  readonly neuralGateMinNoiseDb: number;
  /**
   * Once a line has asked for the neural VAD it keeps it this long after it last asked: background talk
   * has moments when every voice in it pauses, the minimum-statistics floor drops into them and the line
   * looks clean for up to a noise window, while the crowd resumes at once (on the bench call at 10 dB this
   * handed 4 s of babble to the energy VAD as the agent's speech).
   */
  readonly neuralGateHoldMs: number;
  /**
   * The hold is armed only by a line that has stayed noisy this long with something this far above its
   * floor (speech in noise, or a crowd). A clean line looks noisy too for moments: before anyone speaks
   * (nothing above the floor yet), at the first syllable's rise, and where one long stretch of talk lifts
   * the floor for a second; on a clean 8 kHz μ-law line those moments, each held 10 s, kept the network
   * running for the whole call.
   */
  readonly neuralGateArmMs: number;
  readonly neuralGateArmGapDb: number;
  /**
   * Neural speech probability that starts voice, and the lower one that keeps it (hysteresis, as in
   * silero-vad's own 0.5/0.35; the onset is raised to 0.7 because babble behind a speaker scores 0.5–0.8
   * where the speaker scores > 0.97, measured on the espeak fixtures at 10 dB SNR).
   */
  readonly neuralOnProb: number;
  readonly neuralOffProb: number;
  /**
   * Background talk: a crowd behind the speaker is speech to the network too. The background level is
   * this percentile of the frame energies over this window; a neural voice frame must stand above it by
   * `neuralBackgroundGain` × (background − minimum-statistics noise floor), at most
   * `neuralBackgroundMaxDb`. Steady noise has its background at its floor (no margin); six-talker espeak
   * babble swings 5–11 dB above it. Chosen on the espeak fixtures of test/integration/engine/neural-vad.test.ts
   * (six-talker babble; twelve-talker babble checked as a variant, not tuned on).
   */
  readonly neuralBackgroundWindowMs: number;
  readonly neuralBackgroundPercentile: number;
  readonly neuralBackgroundGain: number;
  readonly neuralBackgroundMaxDb: number;
}

export const CHANNEL_DEFAULTS: ChannelConfig = {
  highpassHz: 100,
  noiseWindowMs: 3000,
  noiseBiasDb: 1.5,
  vadSnrDb: 9,
  vadMinDbfs: -58,
  vadOnsetFrames: 2,
  vadHangoverMs: 300,
  pitchMinHz: 60,
  pitchMaxHz: 400,
  pitchEveryFrames: 5,
  pitchVarWindowMs: 10000,
  nucleiBandHz: [300, 1800],
  // Nuclei settings calibrated on real recorded speech (pocketsphinx-testdata: a LibriVox reader and a
  // card-game speaker; clips of two further speakers held out; see test/fixtures/real-speech.ts), by a
  // grid search over dip, gap, band share, smoothing and range scored on the calibration clips alone.
  // On all 12 clips it counts 141 syllables where 135 were spoken (+4%); without the band-share and gap
  // tests it counted ~24% more.
  nucleiDipDb: 2,
  nucleiRangeDb: 20,
  nucleiMinGapMs: 60,
  nucleiMinBandShareDb: -11,
  nucleiEnvAlpha: 0.5,
  rateWindowMs: 25000,
  rateMinMs: 2000,
  rateMaxPauseMs: 1000,
  rateEdgeMs: 300,
  // Running English speech has about 1.4 syllables per word (the measurement on real clips);
  // the LibriVox transcripts used here give 1.41 and 1.43 (0870: 31/22, 0890: 20/14, counted by hand).
  // 1.3 suits the short words of casual talk but read ~8% high on real speech.
  syllablesPerWord: 1.4,
  levelWindowMs: 2000,
  calibrationMinMs: 10000,
  clipLevel: 0.99,
  neuralGateSnrDb: 24,
  neuralGateMinNoiseDb: -70,
  neuralGateHoldMs: 10000,
  neuralGateArmMs: 1000,
  neuralGateArmGapDb: 6,
  neuralOnProb: 0.7,
  neuralOffProb: 0.35,
  neuralBackgroundWindowMs: 10000,
  neuralBackgroundPercentile: 0.2,
  neuralBackgroundGain: 4,
  neuralBackgroundMaxDb: 7,
};

/** Live feature values for one channel; fields are overwritten every frame. */
export interface ChannelFeatures {
  /** Time at the end of the last processed frame, ms since call start. */
  tMs: number;
  /** Frame RMS level. */
  dbfs: number;
  /** Frame mean power (mean square), the linear form of dbfs, for callers that average levels. */
  meanSquare: number;
  /** Frame peak magnitude, 0..1. */
  peak: number;
  /** Clipped samples in this frame. */
  clipped: number;
  /** Clipped samples over the call. */
  clippedTotal: number;
  noiseDb: number;
  /** Decaying peak of the frame energy (high-passed), dB: with noiseDb, the line's SNR estimate. */
  peakDb: number;
  /** The line is too noisy for the energy VAD alone: the caller should supply neural speech probabilities. */
  neuralWanted: boolean;
  /** The last frame's voice decision came from a neural speech probability. */
  neural: boolean;
  /** Raw per-frame voice decision (before onset/hangover smoothing). */
  voiced: boolean;
  /** Smoothed voice activity: the channel is talking. */
  speaking: boolean;
  /** Start of the current (or last) speech segment, ms. */
  segmentStartMs: number;
  /** End of the last voiced frame, ms. */
  lastVoiceMs: number;
  /** Set on the frame where a segment closes; the segment is [closedStartMs, closedEndMs]. */
  segmentClosed: boolean;
  closedStartMs: number;
  closedEndMs: number;
  /** Total speaking time (closed segments plus the open one). */
  talkMs: number;
  /** Last pitch estimate while speaking, Hz, NaN when unvoiced. */
  pitchHz: number;
  /** Median pitch over the call, Hz. */
  pitchMedianHz: number;
  /** Standard deviation of pitch in semitones over the recent window (intonation; low = monotone). */
  pitchVarSt: number;
  /** Syllable nuclei detected over the call. */
  syllables: number;
  /**
   * Turn time over the call: voiced frames plus the pauses shorter than rateMaxPauseMs that speech
   * resumed after: the speaking time a listener would time with a stopwatch.
   */
  turnMs: number;
  /** Syllable nuclei found in turn time (the pace numerator; excludes nuclei in long silences). */
  turnSyllables: number;
  /** Rolling speaking rate in words per minute; NaN when the channel has not spoken enough recently. */
  wpm: number;
  /** Mean level of recent speaking frames, dBFS; NaN before any speech. */
  levelDb: number;
  /** The channel's own typical speech level (median over the call), NaN until calibrated. */
  calibratedDb: number;
  /** levelDb − calibratedDb. */
  relLevelDb: number;
}

export interface ChannelAnalyzer {
  readonly features: ChannelFeatures;
  /**
   * Processes one FRAME_SIZE frame at 16 kHz ending at `tMs`. `suppressVoice` marks a frame known not to
   * be this speaker (e.g. the other side leaking back): it is measured but never counted as speech.
   * `speechProb` (0..1, NaN for none) is a neural VAD's speech probability for this frame: when given,
   * it decides voice instead of the energy threshold (the echo gate and the absolute floor still apply).
   */
  /** `frame` is read from `offset` (the engine passes the whole buffer: no copy or view per frame). */
  process(frame: Float32Array, tMs: number, suppressVoice?: boolean, speechProb?: number, offset?: number): void;
  /** Closes any open segment (end of call). */
  flush(): void;
  /** Seeds the calibrated speech level from a level check, dBFS. */
  setCalibration(db: number): void;
}

const LEVEL_HIST_MIN = -100;
const LEVEL_HIST_BINS = 200; // 0.5 dB bins
const PITCH_HIST_BINS = 80; // 0.5 semitone bins from 50 Hz

function histMedian(hist: Uint32Array, total: number): number {
  let acc = 0;
  const half = total / 2;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= half) return i;
  }
  return hist.length - 1;
}

/**
 * Noise floor by minimum statistics (Martin 2001): the minimum of lightly smoothed frame energies over
 * `blocks` sub-blocks of `framesPerBlock` frames, the oldest block dropped as a new one starts.
 */
function makeFloorTracker(blocks: number, framesPerBlock: number): (db: number) => number {
  const blockMin = new Float32Array(blocks).fill(Infinity);
  let blockIndex = 0;
  let blockFrames = 0;
  let smoothed = NaN;
  return (db) => {
    smoothed = Number.isNaN(smoothed) ? db : 0.7 * smoothed + 0.3 * db;
    if (smoothed < blockMin[blockIndex]!) blockMin[blockIndex] = smoothed;
    if (++blockFrames >= framesPerBlock) {
      blockFrames = 0;
      blockIndex = (blockIndex + 1) % blocks;
      blockMin[blockIndex] = Infinity;
    }
    let floor = Infinity;
    for (let b = 0; b < blocks; b++) if (blockMin[b]! < floor) floor = blockMin[b]!;
    return floor;
  };
}

export function makeChannelAnalyzer(config: Partial<ChannelConfig> = {}): ChannelAnalyzer {
  const cfg: ChannelConfig = { ...CHANNEL_DEFAULTS, ...config };
  const hopMs = HOP_MS;
  const n = FRAME_SIZE;
  // Everything but level and clipping runs at 8 kHz: voice energy, pitch and syllable nuclei all live
  // below 4 kHz, and half the samples is half the work on every frame.
  const hp = makeHighpass(SAMPLE_RATE / 2, cfg.highpassHz);
  const bandPass = makeBandpass(SAMPLE_RATE / 2, cfg.nucleiBandHz[0], cfg.nucleiBandHz[1]);
  const decimated = new Float32Array(n / 2);
  const filtered = new Float32Array(n / 2);
  const band = new Float32Array(n / 2);

  // Noise floors: minimum statistics over sub-blocks, of the analysis band and of the full band.
  const noiseBlocks = 6;
  const framesPerNoiseBlock = Math.max(1, Math.round(cfg.noiseWindowMs / noiseBlocks / hopMs));
  const bandFloor = makeFloorTracker(noiseBlocks, framesPerNoiseBlock);
  const fullFloor = makeFloorTracker(noiseBlocks, framesPerNoiseBlock);

  // VAD state.
  // Background level for the neural VAD: a low percentile of recent frame energies (a crowd behind the
  // speaker sounds like speech to the network, but it sits at this level and the speaker above it).
  const bgSlots = Math.round(cfg.neuralBackgroundWindowMs / hopMs);
  const bgRing = new Uint8Array(bgSlots);
  const bgHist = new Uint32Array(LEVEL_HIST_BINS);
  let bgHead = 0;
  let bgFilled = 0;
  let bgDb = -120;
  const gateHoldFrames = Math.round(cfg.neuralGateHoldMs / hopMs);
  const gateArmFrames = Math.round(cfg.neuralGateArmMs / hopMs);
  let gateHold = 0;
  let gateArmRun = 0;
  let onsetRun = 0;
  let hangoverLeft = 0;
  const hangoverFrames = Math.round(cfg.vadHangoverMs / hopMs);

  // Pitch: YIN at 8 kHz on a 40 ms window of the high-passed signal, decimated by two.
  const pitchRate = SAMPLE_RATE / 2;
  const pitchWindow = new Float32Array(Math.round(pitchRate * 0.04));
  const yin = makeYin({ sampleRate: pitchRate, minHz: cfg.pitchMinHz, maxHz: cfg.pitchMaxHz, windowSize: pitchWindow.length, stride: 2 });
  const yinResult: YinResult = { hz: NaN, aperiodicity: 1 };
  let pitchCountdown = 0;
  const pitchRingSize = Math.ceil(cfg.pitchVarWindowMs / (hopMs * cfg.pitchEveryFrames)) + 1;
  const pitchRingSt = new Float32Array(pitchRingSize);
  const pitchRingT = new Float64Array(pitchRingSize).fill(-Infinity);
  let pitchRingHead = 0;
  const pitchHist = new Uint32Array(PITCH_HIST_BINS);
  let pitchHistTotal = 0;

  // Syllable nuclei: hysteresis peak picker over a 10 ms band-energy envelope.
  const subBlocks = 2;
  const subLen = n / 2 / subBlocks;
  let envSmoothed = -120;
  let searchingPeak = true;
  let peakDb = -Infinity;
  let peakSpeaking = false;
  let valleyDb = Infinity;
  let recentMaxDb = -120;
  let envIndex = 0;
  let peakIndex = 0;
  let peakShareOk = false;
  let lastNucleusIndex = -1e9;
  let lastNucleusDb = -Infinity;
  const minGapSamples = cfg.nucleiMinGapMs / (hopMs / subBlocks);
  const subFull = new Float64Array(subBlocks);
  const clipLevel = cfg.clipLevel;
  const shareMin = 10 ** (cfg.nucleiMinBandShareDb / 10);

  // Rate: ring of per-frame syllable counts over turn time only.
  const rateSlots = Math.round(cfg.rateWindowMs / hopMs);
  const rateRing = new Uint8Array(rateSlots);
  let rateHead = 0;
  let rateFilled = 0;
  let rateSyllables = 0;
  const maxPauseFrames = Math.round(cfg.rateMaxPauseMs / hopMs);
  // A pause is only inside a turn once the speaker has spoken: the quiet before the first word is not
  // turn time (counting it read short clips up to 25% slow).
  let pendingPauseFrames = maxPauseFrames + 1;
  let pendingSyllables = 0;
  const edgeFrames = Math.round(cfg.rateEdgeMs / hopMs);
  // Frames just before the current one that were voiced or fricative while not speaking (a turn's opening).
  let leadRun = 0;
  // Frames of fricative tail counted since the last voiced frame, and whether the last frame was turn time.
  let tailRun = 0;
  let inTurn = false;

  // Speech level.
  const levelSlots = Math.round(cfg.levelWindowMs / hopMs);
  const levelRing = new Float32Array(levelSlots);
  let levelHead = 0;
  let levelFilled = 0;
  let levelSumPow = 0;
  const levelHist = new Uint32Array(LEVEL_HIST_BINS);
  let levelHistTotal = 0;
  let seededCalibration = NaN;

  const f: ChannelFeatures = {
    tMs: 0,
    dbfs: -120,
    meanSquare: 0,
    peak: 0,
    clipped: 0,
    clippedTotal: 0,
    noiseDb: -120,
    peakDb: -120,
    neuralWanted: false,
    neural: false,
    voiced: false,
    speaking: false,
    segmentStartMs: 0,
    lastVoiceMs: -Infinity,
    segmentClosed: false,
    closedStartMs: 0,
    closedEndMs: 0,
    talkMs: 0,
    pitchHz: NaN,
    pitchMedianHz: NaN,
    pitchVarSt: NaN,
    syllables: 0,
    turnMs: 0,
    turnSyllables: 0,
    wpm: NaN,
    levelDb: NaN,
    calibratedDb: NaN,
    relLevelDb: NaN,
  };

  function pushRate(count: number): void {
    f.turnMs += hopMs;
    f.turnSyllables += count;
    rateSyllables += count - rateRing[rateHead]!;
    rateRing[rateHead] = count;
    rateHead = (rateHead + 1) % rateSlots;
    if (rateFilled < rateSlots) rateFilled++;
  }

  function nucleus(envDb: number, speaking: boolean, shareOk: boolean): number {
    // Returns 1 when a peak is confirmed on this envelope sample.
    envIndex++;
    if (envDb > recentMaxDb) recentMaxDb = envDb;
    if (searchingPeak) {
      if (envDb > peakDb) {
        peakDb = envDb;
        peakSpeaking = speaking;
        peakShareOk = shareOk;
        peakIndex = envIndex;
        valleyDb = envDb;
      } else if (envDb < valleyDb) {
        valleyDb = envDb;
      }
      if (peakDb - valleyDb >= cfg.nucleiDipDb) {
        searchingPeak = false;
        if (!(peakSpeaking && peakShareOk && peakDb > f.noiseDb + cfg.vadSnrDb && peakDb > recentMaxDb - cfg.nucleiRangeDb)) return 0;
        if (peakIndex - lastNucleusIndex < minGapSamples) {
          // Too close to the previous nucleus to be another syllable: one syllable, the louder peak.
          if (peakDb > lastNucleusDb) {
            lastNucleusIndex = peakIndex;
            lastNucleusDb = peakDb;
          }
          return 0;
        }
        lastNucleusIndex = peakIndex;
        lastNucleusDb = peakDb;
        return 1;
      }
      return 0;
    }
    if (envDb < valleyDb) valleyDb = envDb;
    else if (envDb - valleyDb >= cfg.nucleiDipDb) {
      searchingPeak = true;
      peakDb = envDb;
      peakSpeaking = speaking;
      peakShareOk = shareOk;
      peakIndex = envIndex;
      valleyDb = envDb;
    }
    return 0;
  }

  function closeSegment(): void {
    f.speaking = false;
    f.segmentClosed = true;
    f.closedStartMs = f.segmentStartMs;
    f.closedEndMs = f.lastVoiceMs;
  }

  return {
    features: f,
    setCalibration(db) {
      seededCalibration = db;
      f.calibratedDb = db;
    },
    flush() {
      if (pitchHistTotal > 0) f.pitchMedianHz = 50 * 2 ** (histMedian(pitchHist, pitchHistTotal) / 24);
      if (f.speaking) {
        closeSegment();
        f.talkMs -= f.tMs - f.lastVoiceMs; // hangover frames were provisionally counted
      }
    },
    process(frame, tMs, suppressVoice = false, speechProb = NaN, offset = 0) {
      f.tMs = tMs;
      f.segmentClosed = false;
      const frameStart = tMs - hopMs;

      // Level on the raw signal (what the listener hears, and where clipping happens).
      // One pass over the frame also decimates by two (pair average: a gentle low-pass ahead of the 8 kHz
      // analysis).
      let sumSq = 0;
      let peak = 0;
      let clipped = 0;
      for (let i = offset, k = 0, end = offset + n; i < end; i += 2, k++) {
        const x0 = frame[i]!;
        const x1 = frame[i + 1]!;
        sumSq += x0 * x0;
        sumSq += x1 * x1;
        const a0 = x0 < 0 ? -x0 : x0;
        const a1 = x1 < 0 ? -x1 : x1;
        if (a0 > peak) peak = a0;
        if (a1 > peak) peak = a1;
        if (a0 >= clipLevel) clipped++;
        if (a1 >= clipLevel) clipped++;
        decimated[k] = 0.5 * (x0 + x1);
      }
      f.meanSquare = sumSq / n;
      f.dbfs = dbfs(f.meanSquare);
      f.peak = peak;
      f.clipped = clipped;
      f.clippedTotal += clipped;

      const half = n / 2;
      // A frame of digital silence into settled filters comes out as zeros: write them, skip the work
      // (half of a typical call's frames per channel; the results are bit-identical).
      const quiet = sumSq === 0 && hp.settled();
      let eSq = 0;
      if (quiet) {
        filtered.fill(0);
        subFull.fill(0);
      } else {
        hp.run(decimated, filtered, half);
        // Energy of each nuclei sub-block, summed here once for the frame energy and the band share below.
        for (let s = 0, i = 0; s < subBlocks; s++) {
          let e = 0;
          for (const end = i + subLen; i < end; i++) e += filtered[i]! * filtered[i]!;
          subFull[s] = e;
          eSq += e;
        }
      }
      const energyDb = dbfs(eSq / half);

      f.noiseDb = bandFloor(energyDb) + cfg.noiseBiasDb;
      const fullNoiseDb = fullFloor(f.dbfs) + cfg.noiseBiasDb;

      // Line SNR for the neural gate. The speech peak decays 1 dB/s: a pause in talk does not make a clean
      // line look noisy, while a line whose noise rises is caught as soon as the floor follows it.
      f.peakDb = energyDb > f.peakDb ? energyDb : f.peakDb - 0.02;
      const gap = f.peakDb - f.noiseDb;
      if (f.noiseDb > cfg.neuralGateMinNoiseDb && gap < cfg.neuralGateSnrDb) {
        gateArmRun = gap >= cfg.neuralGateArmGapDb ? gateArmRun + 1 : 0;
        if (gateArmRun >= gateArmFrames) gateHold = gateHoldFrames;
        else if (gateHold === 0) gateHold = 1;
      } else {
        gateArmRun = 0;
        if (gateHold > 0) gateHold--;
      }
      f.neuralWanted = gateHold > 0;

      // Voice activity with onset confirmation and hangover; a neural probability, when given, replaces
      // the energy-over-floor test (which fails once noise is within a few dB of speech).
      // Only a line that asks for the neural VAD needs its background level; a clean call skips the work.
      if (f.neuralWanted) {
        const bin = Math.min(LEVEL_HIST_BINS - 1, Math.max(0, Math.round((energyDb - LEVEL_HIST_MIN) * 2)));
        if (bgFilled === bgSlots) bgHist[bgRing[bgHead]!]!--;
        else bgFilled++;
        bgRing[bgHead] = bin;
        bgHist[bin]!++;
        bgHead = (bgHead + 1) % bgSlots;
        if (bgHead % 25 === 0) {
          let acc = 0;
          for (let i = 0; i < LEVEL_HIST_BINS; i++) {
            acc += bgHist[i]!;
            if (acc >= bgFilled * cfg.neuralBackgroundPercentile) {
              bgDb = i / 2 + LEVEL_HIST_MIN;
              break;
            }
          }
        }
      }
      f.neural = speechProb === speechProb;
      // Steady noise (hiss, hum, a modem) has its background at the floor: no margin, the network alone
      // decides. Babble swings well above its floor: the louder it swings, the further the speaker must
      // stand above it.
      const bgMarginDb = Math.min(cfg.neuralBackgroundMaxDb, Math.max(0, cfg.neuralBackgroundGain * (bgDb - f.noiseDb + cfg.noiseBiasDb)));
      const loudEnough = f.neural
        ? speechProb >= (f.voiced ? cfg.neuralOffProb : cfg.neuralOnProb) &&
          energyDb > bgDb + bgMarginDb
        : energyDb > f.noiseDb + cfg.vadSnrDb;
      const voiced = !suppressVoice && loudEnough && energyDb > cfg.vadMinDbfs;
      f.voiced = voiced;
      if (voiced) {
        onsetRun++;
        if (!f.speaking && onsetRun >= cfg.vadOnsetFrames) {
          f.speaking = true;
          f.segmentStartMs = frameStart - (onsetRun - 1) * hopMs;
          f.talkMs += (onsetRun - 1) * hopMs;
        }
        if (f.speaking) {
          hangoverLeft = hangoverFrames;
          f.lastVoiceMs = tMs;
        }
      } else {
        onsetRun = 0;
        if (f.speaking && --hangoverLeft < 0) {
          closeSegment();
          // Hangover frames were counted as talk while they ran; take them back.
          f.talkMs -= hangoverFrames * hopMs;
        }
      }
      if (f.speaking) f.talkMs += hopMs;

      // Speech level: mean power of recent voiced frames, and the call-long median for calibration.
      if (f.speaking && voiced) {
        const p = f.meanSquare;
        levelSumPow += p - (levelFilled === levelSlots ? levelRing[levelHead]! : 0);
        levelRing[levelHead] = p;
        levelHead = (levelHead + 1) % levelSlots;
        if (levelFilled < levelSlots) levelFilled++;
        f.levelDb = dbfs(Math.max(levelSumPow, 0) / levelFilled);
        // The calibration is the median of the same windowed speech level it is compared with, so that
        // relLevelDb is ~0 for the speaker's usual voice (a median of raw frame levels sits dB lower).
        const bin = Math.min(LEVEL_HIST_BINS - 1, Math.max(0, Math.round((f.levelDb - LEVEL_HIST_MIN) * 2)));
        levelHist[bin]!++;
        levelHistTotal++;
        // The median moves slowly; refreshing it twice a second is plenty and keeps the frame cheap.
        if (Number.isNaN(seededCalibration) && levelHistTotal * hopMs >= cfg.calibrationMinMs && levelHistTotal % 25 === 0) {
          f.calibratedDb = histMedian(levelHist, levelHistTotal) / 2 + LEVEL_HIST_MIN;
        }
        f.relLevelDb = f.levelDb - f.calibratedDb;
      } else if (!f.speaking) {
        levelFilled = 0;
        levelSumPow = 0;
        levelHead = 0;
        f.levelDb = NaN;
        f.relLevelDb = NaN;
      }

      // Pitch window: shift in 160 new samples at 8 kHz.
      pitchWindow.copyWithin(0, half);
      pitchWindow.set(filtered, pitchWindow.length - half);
      if (f.speaking && voiced) {
        if (--pitchCountdown <= 0) {
          pitchCountdown = cfg.pitchEveryFrames;
          yin(pitchWindow, yinResult);
          f.pitchHz = yinResult.hz;
          if (!Number.isNaN(yinResult.hz)) {
            const st = 12 * Math.log2(yinResult.hz / 50);
            pitchRingSt[pitchRingHead] = st;
            pitchRingT[pitchRingHead] = tMs;
            pitchRingHead = (pitchRingHead + 1) % pitchRingSize;
            const bin = Math.min(PITCH_HIST_BINS - 1, Math.max(0, Math.round(st * 2)));
            pitchHist[bin]!++;
            pitchHistTotal++;
            if (pitchHistTotal % 10 === 1) f.pitchMedianHz = 50 * 2 ** (histMedian(pitchHist, pitchHistTotal) / 24);
            let count = 0;
            let sum = 0;
            let sumSqSt = 0;
            const since = tMs - cfg.pitchVarWindowMs;
            for (let k = 0; k < pitchRingSize; k++) {
              if (pitchRingT[k]! >= since) {
                const v = pitchRingSt[k]!;
                count++;
                sum += v;
                sumSqSt += v * v;
              }
            }
            if (count >= 8) {
              const mean = sum / count;
              f.pitchVarSt = Math.sqrt(Math.max(0, sumSqSt / count - mean * mean));
            }
          }
        }
      } else {
        f.pitchHz = NaN;
      }

      // Syllable nuclei on the vowel band, two envelope points per frame.
      const bandQuiet = quiet && bandPass.settled();
      if (!bandQuiet) bandPass.run(filtered, band, half);
      let syll = 0;
      for (let s = 0; s < subBlocks; s++) {
        let e = 0;
        if (!bandQuiet) for (let i = s * subLen; i < (s + 1) * subLen; i++) e += band[i]! * band[i]!;
        const eDb = dbfs(e / subLen);
        envSmoothed = cfg.nucleiEnvAlpha * eDb + (1 - cfg.nucleiEnvAlpha) * envSmoothed;
        syll += nucleus(envSmoothed, f.speaking, e >= subFull[s]! * shareMin);
      }
      // The loudest-peak reference decays slowly so a quiet stretch is judged against itself.
      recentMaxDb -= 0.02;
      f.syllables += syll;

      // Rate over turn time: speaking frames plus short pauses that speech resumed after, plus the
      // fricatives at a turn's edges.
      const fricative = !voiced && !suppressVoice && f.dbfs > fullNoiseDb + cfg.vadSnrDb && f.dbfs > cfg.vadMinDbfs;
      if (f.speaking && voiced) {
        if (pendingPauseFrames > 0 && pendingPauseFrames <= maxPauseFrames) {
          for (let k = 0; k < pendingPauseFrames - 1; k++) pushRate(0);
          pushRate(pendingSyllables);
        } else {
          // A new turn: its opening frames (onset confirmation, a leading fricative) are turn time.
          for (let k = Math.min(leadRun, edgeFrames); k > 0; k--) pushRate(0);
          pendingSyllables = 0;
        }
        pendingPauseFrames = 0;
        pushRate(syll + pendingSyllables);
        pendingSyllables = 0;
        inTurn = true;
        tailRun = 0;
      } else if (inTurn && fricative && tailRun < edgeFrames) {
        tailRun++;
        pushRate(syll);
      } else {
        inTurn = false;
        pendingPauseFrames++;
        pendingSyllables += syll;
      }
      leadRun = !f.speaking && (voiced || fricative) ? leadRun + 1 : 0;
      // The rate holds through the other side's turns: it describes this speaker's recent speech, and
      // rules that read it wait on this speaker's speaking time (the playbook's `clock`).
      if (rateFilled * hopMs >= cfg.rateMinMs) {
        f.wpm = ((rateSyllables / (rateFilled * hopMs)) * 60000) / cfg.syllablesPerWord;
      }
    },
  };
}
