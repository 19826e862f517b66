/**
 * Cross-channel conversation dynamics: echo leak, turns and floor, overtalk and who interrupted whom,
 * backchannels, dead air, response latency, monologues and talk ratio. Consumes the per-channel
 * features each frame; reports events through a callback with primitive arguments (no allocation).
 */
import type { ChannelFeatures } from './channel';
import { dbfs, FRAME_SIZE, HOP_MS } from './frames';

export interface ConversationConfig {
  /** Agent burst shorter than this during the customer's speech is a backchannel ("mm-hmm"). */
  readonly backchannelMaxMs: number;
  /** Overlap needed before a non-backchannel start counts as an interruption. */
  readonly interruptionOverlapMs: number;
  /** Mutual silence on the agent's turn that counts as dead air. */
  readonly deadAirMs: number;
  /** Customer done, agent silent this long: slow to respond. */
  readonly slowResponseMs: number;
  /** A turn that holds the floor this long is a monologue. */
  readonly monologueMs: number;
  /** Mutual silence that ends a floor-holding turn. */
  readonly turnGapMs: number;
  /** Rolling window for the talk ratio. */
  readonly talkRatioWindowMs: number;
  /** Echo check: envelope correlation window and the largest acoustic delay considered. */
  readonly echoWindowFrames: number;
  readonly echoMaxLagFrames: number;
  /** Correlation above which agent-mic energy is judged to be the customer leaking back. */
  readonly echoCorrelation: number;
  /** Leaked audio is at least this much quieter than the customer's own channel. */
  readonly echoMinAttenuationDb: number;
  /**
   * On a line noisy enough for the neural VAD, agent-mic audio while the customer talks must stand this
   * far above the agent's noise floor to count as the agent's own voice: the network hears the customer's
   * leaked voice even under the noise, where the envelope correlation cannot see it.
   */
  readonly echoNeuralMinSnrDb: number;
}

export const CONVERSATION_DEFAULTS: ConversationConfig = {
  backchannelMaxMs: 1000,
  interruptionOverlapMs: 700,
  deadAirMs: 5000,
  slowResponseMs: 2500,
  monologueMs: 60000,
  turnGapMs: 3000,
  talkRatioWindowMs: 300000,
  echoWindowFrames: 25,
  echoMaxLagFrames: 15,
  echoCorrelation: 0.85,
  echoMinAttenuationDb: 6,
  echoNeuralMinSnrDb: 6,
};

export type ConversationEventType =
  | 'interruption'
  | 'backchannel'
  | 'overtalk'
  | 'dead_air'
  | 'slow_response'
  | 'monologue'
  | 'echo';

/** 'open': the event started (endMs = NaN); 'close': it ended; 'instant': opened and closed at once. */
export type EventPhase = 'open' | 'close' | 'instant';

export type ConversationListener = (
  type: ConversationEventType,
  phase: EventPhase,
  /** 0 agent, 1 customer. */
  channel: number,
  startMs: number,
  endMs: number,
) => void;

export interface ConversationState {
  /** Who holds the floor: 0 agent, 1 customer, -1 nobody yet. */
  floor: -1 | 0 | 1;
  /** The agent channel's current frame is judged to be customer echo. */
  echo: boolean;
  overtalkMs: number;
  overtalkTotalMs: number;
  /** Current mutual silence, ms (0 while anyone speaks). */
  silenceMs: number;
  /** Mutual silence on the agent's turn (the customer spoke last), ms. */
  deadAirMs: number;
  /** Customer finished and the agent has not answered yet, ms (0 otherwise). */
  responseWaitMs: number;
  /** Last customer→agent response latency, ms. */
  lastResponseMs: number;
  responseCount: number;
  responseTotalMs: number;
  /** Length of the agent's current floor-holding turn, ms (0 when not holding). */
  monologueMs: number;
  longestMonologueMs: number;
  /** Agent share of talk over the rolling window, NaN until enough talk. */
  talkRatio: number;
  /** Agent share of talk over the whole call. */
  talkRatioCall: number;
  interruptionsByAgent: number;
  interruptionsByCustomer: number;
  backchannelsByAgent: number;
  backchannelsByCustomer: number;
}

export interface ConversationTracker {
  readonly state: ConversationState;
  /**
   * Must be called before the agent channel processes this frame: is the agent frame customer echo?
   * `agent` holds the agent's features as of the previous frame.
   */
  checkEcho(agentFrame: Float32Array, agent: ChannelFeatures, customer: ChannelFeatures, offset?: number): boolean;
  /** Called after both channels processed the frame ending at `tMs`. */
  update(agent: ChannelFeatures, customer: ChannelFeatures, tMs: number): void;
  /** End of call: closes open events. */
  finish(tMs: number): void;
}

interface Overlap {
  /** Who started second (the potential interrupter), -1 when no overlap candidate. */
  who: -1 | 0 | 1;
  startMs: number;
  segmentStartMs: number;
  open: boolean;
}

export function makeConversationTracker(
  listener: ConversationListener,
  config: Partial<ConversationConfig> = {},
): ConversationTracker {
  const cfg: ConversationConfig = { ...CONVERSATION_DEFAULTS, ...config };
  const hop = HOP_MS;

  // Echo envelopes (dB per frame).
  const envLen = cfg.echoWindowFrames + cfg.echoMaxLagFrames;
  const agentEnv = new Float32Array(envLen).fill(-120);
  const custEnv = new Float32Array(envLen).fill(-120);
  let envHead = 0;

  // Talk ratio: per-second buckets of talk ms.
  const buckets = Math.ceil(cfg.talkRatioWindowMs / 1000);
  const agentBuckets = new Float32Array(buckets);
  const custBuckets = new Float32Array(buckets);
  let bucketIndex = 0;
  let bucketSecond = 0;
  let windowAgent = 0;
  let windowCust = 0;

  const s: ConversationState = {
    floor: -1,
    echo: false,
    overtalkMs: 0,
    overtalkTotalMs: 0,
    silenceMs: 0,
    deadAirMs: 0,
    responseWaitMs: 0,
    lastResponseMs: NaN,
    responseCount: 0,
    responseTotalMs: 0,
    monologueMs: 0,
    longestMonologueMs: 0,
    talkRatio: NaN,
    talkRatioCall: NaN,
    interruptionsByAgent: 0,
    interruptionsByCustomer: 0,
    backchannelsByAgent: 0,
    backchannelsByCustomer: 0,
  };

  const ov: Overlap = { who: -1, startMs: 0, segmentStartMs: 0, open: false };
  let overtalkOpen = false;
  let overtalkStart = 0;
  let everSpoke = false;
  let lastSpeaker: -1 | 0 | 1 = -1;
  let deadAirOpen = false;
  let slowOpen = false;
  let waitingSince = NaN; // customer's last voice end while the agent owes an answer
  let floorStart = 0;
  let monologueOpen = false;
  let echoOpen = false;
  let echoStart = 0;
  let prevAgentSpeaking = false;
  let prevCustSpeaking = false;

  function closeOverlap(tMs: number): void {
    if (ov.who < 0) return;
    if (ov.open) listener('interruption', 'close', ov.who, ov.startMs, tMs);
    ov.who = -1;
    ov.open = false;
  }

  return {
    state: s,
    checkEcho(agentFrame, agent, customer, offset = 0) {
      let sq = 0;
      const n = FRAME_SIZE;
      for (let i = offset, end = offset + n; i < end; i++) sq += agentFrame[i]! * agentFrame[i]!;
      const aDb = dbfs(sq / n);
      agentEnv[envHead] = aDb;
      custEnv[envHead] = customer.dbfs;
      envHead = (envHead + 1) % envLen;
      s.echo = false;
      // Only energy that would pass as agent voice matters; leaked audio is quieter than its source
      // as it was a few frames ago (acoustic and device delay).
      if (!customer.speaking) return false;
      if (agent.neuralWanted && aDb < agent.noiseDb + cfg.echoNeuralMinSnrDb) return true;
      if (aDb < agent.noiseDb + 6) return false;
      let recentCustomerMax = -120;
      for (let lag = 0; lag <= cfg.echoMaxLagFrames; lag++) {
        const v = custEnv[(envHead - 1 - lag + envLen * 2) % envLen]!;
        if (v > recentCustomerMax) recentCustomerMax = v;
      }
      if (aDb > recentCustomerMax - cfg.echoMinAttenuationDb) return false;
      // Pearson correlation of the agent envelope with the customer envelope delayed by `lag` frames.
      const w = cfg.echoWindowFrames;
      let best = -1;
      for (let lag = 0; lag <= cfg.echoMaxLagFrames; lag++) {
        let sa = 0;
        let sc = 0;
        let saa = 0;
        let scc = 0;
        let sac = 0;
        for (let k = 0; k < w; k++) {
          const ia = (envHead - 1 - k + envLen * 2) % envLen;
          const ic = (envHead - 1 - k - lag + envLen * 2) % envLen;
          const a = agentEnv[ia]!;
          const c = custEnv[ic]!;
          sa += a;
          sc += c;
          saa += a * a;
          scc += c * c;
          sac += a * c;
        }
        const cov = sac - (sa * sc) / w;
        const va = saa - (sa * sa) / w;
        const vc = scc - (sc * sc) / w;
        if (va > 1 && vc > 1) {
          const r = cov / Math.sqrt(va * vc);
          if (r > best) best = r;
        }
      }
      s.echo = best >= cfg.echoCorrelation;
      return s.echo;
    },
    update(agent, customer, tMs) {
      const a = agent.speaking;
      const c = customer.speaking;
      const frameStart = tMs - hop;

      // Echo episodes (reported so a reviewer can see why agent-mic energy was not counted as speech).
      if (s.echo && !echoOpen) {
        echoOpen = true;
        echoStart = frameStart;
      } else if (!s.echo && echoOpen && !customer.speaking) {
        echoOpen = false;
        listener('echo', 'instant', 0, echoStart, frameStart);
      }

      if (a || c) {
        everSpoke = true;
        s.silenceMs = 0;
      } else if (everSpoke) {
        s.silenceMs = frameStart - Math.max(agent.lastVoiceMs, customer.lastVoiceMs) + hop;
      }

      // Overlap: who started second, and whether it became an interruption or stayed a backchannel.
      if (a && c) {
        if (!overtalkOpen) {
          overtalkOpen = true;
          overtalkStart = frameStart;
        }
        s.overtalkMs = tMs - overtalkStart;
        s.overtalkTotalMs += hop;
        if (ov.who < 0) {
          // The one whose segment began later is the one who came in over the other.
          const who: 0 | 1 = agent.segmentStartMs >= customer.segmentStartMs ? 0 : 1;
          ov.who = who;
          ov.startMs = who === 0 ? agent.segmentStartMs : customer.segmentStartMs;
          ov.segmentStartMs = ov.startMs;
          ov.open = false;
        }
        const intruder = ov.who === 0 ? agent : customer;
        // Measured to the last voiced frame, so VAD hangover cannot stretch a short "mm-hmm" past 1 s.
        const burstMs = intruder.lastVoiceMs - intruder.segmentStartMs;
        if (!ov.open && s.overtalkMs >= cfg.interruptionOverlapMs && burstMs >= cfg.backchannelMaxMs) {
          ov.open = true;
          if (ov.who === 0) s.interruptionsByAgent++;
          else s.interruptionsByCustomer++;
          listener('interruption', 'open', ov.who, ov.startMs, NaN);
        }
      } else {
        if (overtalkOpen) {
          overtalkOpen = false;
          if (s.overtalkMs >= cfg.interruptionOverlapMs) listener('overtalk', 'instant', ov.who < 0 ? 0 : ov.who, overtalkStart, frameStart);
          s.overtalkMs = 0;
        }
        if (ov.who >= 0) {
          const intruder = ov.who === 0 ? agent : customer;
          if (!ov.open && intruder.segmentClosed && intruder.closedEndMs - intruder.closedStartMs < cfg.backchannelMaxMs) {
            // A short burst over the other speaker who kept going: listening, not interrupting.
            if (ov.who === 0) s.backchannelsByAgent++;
            else s.backchannelsByCustomer++;
            listener('backchannel', 'instant', ov.who, intruder.closedStartMs, intruder.closedEndMs);
            ov.who = -1;
          } else if (ov.open || !intruder.speaking) {
            closeOverlap(frameStart);
          } else if (!(ov.who === 0 ? c : a)) {
            // The other side stopped first: a hand-over, not an interruption.
            ov.who = -1;
          }
        }
      }

      // Floor: who holds the turn. A backchannel-length burst does not take the floor.
      for (let ch: 0 | 1 = 0; ch <= 1; ch = (ch + 1) as 0 | 1) {
        const f = ch === 0 ? agent : customer;
        if (f.speaking && s.floor !== ch && tMs - f.segmentStartMs >= cfg.backchannelMaxMs) {
          if (monologueOpen && s.floor >= 0) {
            monologueOpen = false;
            const prev = s.floor === 0 ? agent : customer;
            listener('monologue', 'close', s.floor, floorStart, prev.lastVoiceMs);
          }
          s.floor = ch;
          floorStart = f.segmentStartMs;
        }
      }
      if (s.floor >= 0) {
        const holder = s.floor === 0 ? agent : customer;
        if (!holder.speaking && frameStart - holder.lastVoiceMs >= cfg.turnGapMs) {
          if (monologueOpen) {
            monologueOpen = false;
            listener('monologue', 'close', s.floor, floorStart, holder.lastVoiceMs);
          }
          s.floor = -1;
        }
      }
      const holding = s.floor >= 0 ? tMs - floorStart : 0;
      s.monologueMs = s.floor === 0 ? holding : 0;
      if (s.floor >= 0 && holding >= cfg.monologueMs && !monologueOpen) {
        monologueOpen = true;
        listener('monologue', 'open', s.floor, floorStart, NaN);
      }
      if (s.monologueMs > s.longestMonologueMs) s.longestMonologueMs = s.monologueMs;

      // Response latency: from the customer's last voice to the agent's first.
      if (c) {
        lastSpeaker = 1;
      } else if (prevCustSpeaking && !c && !a) {
        waitingSince = customer.lastVoiceMs;
      }
      if (a) {
        if (!prevAgentSpeaking && !Number.isNaN(waitingSince)) {
          const latency = Math.max(0, agent.segmentStartMs - waitingSince);
          s.lastResponseMs = latency;
          s.responseCount++;
          s.responseTotalMs += latency;
        }
        waitingSince = NaN;
        lastSpeaker = 0;
      }
      if (c) waitingSince = NaN;
      s.responseWaitMs = Number.isNaN(waitingSince) ? 0 : tMs - waitingSince;
      if (!slowOpen && s.responseWaitMs >= cfg.slowResponseMs) {
        slowOpen = true;
        listener('slow_response', 'open', 0, waitingSince, NaN);
      } else if (slowOpen && s.responseWaitMs === 0) {
        slowOpen = false;
        listener('slow_response', 'close', 0, NaN, a ? agent.segmentStartMs : customer.segmentStartMs);
      }

      // Dead air: mutual silence on the agent's turn (the customer spoke last).
      s.deadAirMs = lastSpeaker === 1 ? s.silenceMs : 0;
      if (!deadAirOpen && s.deadAirMs >= cfg.deadAirMs) {
        deadAirOpen = true;
        listener('dead_air', 'open', 0, customer.lastVoiceMs, NaN);
      } else if (deadAirOpen && s.silenceMs === 0) {
        deadAirOpen = false;
        listener('dead_air', 'close', 0, NaN, a ? agent.segmentStartMs : customer.segmentStartMs);
      }

      // Talk ratio over rolling one-second buckets.
      const second = Math.floor(frameStart / 1000);
      while (bucketSecond < second) {
        bucketSecond++;
        bucketIndex = (bucketIndex + 1) % buckets;
        windowAgent -= agentBuckets[bucketIndex]!;
        windowCust -= custBuckets[bucketIndex]!;
        agentBuckets[bucketIndex] = 0;
        custBuckets[bucketIndex] = 0;
      }
      if (a) {
        agentBuckets[bucketIndex]! += hop;
        windowAgent += hop;
      }
      if (c) {
        custBuckets[bucketIndex]! += hop;
        windowCust += hop;
      }
      const windowTotal = windowAgent + windowCust;
      s.talkRatio = windowTotal >= 30000 ? windowAgent / windowTotal : NaN;
      const callTotal = agent.talkMs + customer.talkMs;
      s.talkRatioCall = callTotal > 0 ? agent.talkMs / callTotal : NaN;

      prevAgentSpeaking = a;
      prevCustSpeaking = c;
    },
    finish(tMs) {
      closeOverlap(tMs);
      if (monologueOpen) {
        monologueOpen = false;
        listener('monologue', 'close', s.floor === 1 ? 1 : 0, floorStart, tMs);
      }
      if (slowOpen) {
        slowOpen = false;
        listener('slow_response', 'close', 0, NaN, tMs);
      }
      if (deadAirOpen) {
        deadAirOpen = false;
        listener('dead_air', 'close', 0, NaN, tMs);
      }
      if (echoOpen) {
        echoOpen = false;
        listener('echo', 'instant', 0, echoStart, tMs);
      }
    },
  };
}
