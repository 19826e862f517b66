/**
 * The overlay's state: cards (in the order cards.ts gives them), live meters, device status and the
 * last transcript lines. Card lifetimes run on one timer armed for the next due change only, so an idle
 * overlay does no work.
 */
import { create } from 'zustand';
import type { DeviceStatus, LiveNudge, LiveState, OverlayMode, TranscriptLine } from '../../../shared/rpc';
import type { MetricsSnapshot } from '../../../shared/metrics';
import type { ChannelName, NudgeFeedback } from '../../../shared/types';
import { mergeTranscript } from './caption';
import { closeNudge, openNudge, tick, type Card, type JustNow, type RuleInfo } from './cards';

const IDLE: LiveState = { phase: 'idle', callId: null, source: null, startedAt: null, error: null, ruleIds: [] };

export interface OverlayState {
  readonly live: LiveState;
  readonly cards: readonly Card[];
  /** Momentary events that have passed ("Let them finish · just now"). */
  readonly justNow: readonly JustNow[];
  /** The active playbook's rules by id (what kind of card each makes, its situation). */
  readonly rules: ReadonlyMap<string, RuleInfo>;
  readonly metrics: MetricsSnapshot | null;
  readonly status: Readonly<Partial<Record<ChannelName, DeviceStatus>>>;
  readonly transcript: readonly TranscriptLine[];
  /** Rules that fired during this call and whether they are clear now. */
  readonly fired: Readonly<Record<string, 'open' | 'clear'>>;
  readonly fadeMs: number;
  readonly mode: OverlayMode;
  /** Date.now() of the last metrics: they come four times a second while the engine runs. */
  readonly metricsAt: number | null;
  /** The call that just ended, for the wrap-up (until the next call starts). */
  readonly ended: string | null;
  setLive(live: LiveState): void;
  nudge(msg: LiveNudge): void;
  setMetrics(m: MetricsSnapshot): void;
  setStatus(s: DeviceStatus): void;
  addTranscript(t: TranscriptLine): void;
  setFeedback(nudgeId: string, feedback: NudgeFeedback): void;
  remove(nudgeId: string): void;
  tick(now: number): void;
  setRules(rules: ReadonlyMap<string, RuleInfo>): void;
  configure(fadeMs: number, mode: OverlayMode): void;
  setMode(mode: OverlayMode): void;
  closeWrapUp(): void;
}

export const useOverlay = create<OverlayState>((set) => ({
  live: IDLE,
  cards: [],
  justNow: [],
  rules: new Map(),
  metrics: null,
  status: {},
  transcript: [],
  fired: {},
  fadeMs: 8000,
  mode: 'expanded',
  metricsAt: null,
  ended: null,
  setLive: (live) =>
    set((s) => {
      const newCall = live.callId !== null && live.callId !== s.live.callId;
      // The wrap-up stays while the next automatic call is only waiting for speech.
      if (newCall) return { live, cards: [], justNow: [], metrics: null, metricsAt: null, status: {}, transcript: [], fired: {}, ended: live.waiting ? s.ended : null };
      if (s.live.waiting && !live.waiting && live.phase === 'live') return { live, ended: null };
      // After a call nothing of it stays on screen as if it were live: meters, devices, cards, checklist.
      const over = live.phase === 'idle' && s.live.phase !== 'idle';
      if (over) return { live, cards: [], justNow: [], metrics: null, metricsAt: null, status: {}, transcript: [], fired: {}, ended: s.live.callId };
      return { live };
    }),
  nudge: (msg) =>
    set((s) => {
      const now = Date.now();
      const list = { cards: s.cards, justNow: s.justNow };
      const open = msg.phase === 'open';
      const next = open ? openNudge(list, msg.nudge, msg.callId, msg.emittedAt, s.rules.get(msg.nudge.ruleId), now) : closeNudge(list, msg.nudge, now);
      return { ...next, fired: { ...s.fired, [msg.nudge.ruleId]: open ? 'open' : 'clear' } };
    }),
  setMetrics: (metrics) => set((s) => (s.live.phase === 'idle' ? s : { metrics, metricsAt: Date.now() })),
  setStatus: (st) => set((s) => ({ status: { ...s.status, [st.channel]: st } })),
  addTranscript: (t) => set((s) => ({ transcript: mergeTranscript(s.transcript, t) })),
  setFeedback: (nudgeId, feedback) => set((s) => ({ cards: s.cards.map((c) => (c.nudge.id === nudgeId ? { ...c, feedback } : c)) })),
  remove: (nudgeId) => set((s) => ({ cards: s.cards.filter((c) => c.nudge.id !== nudgeId) })),
  tick: (now) =>
    set((s) => {
      const next = tick({ cards: s.cards, justNow: s.justNow }, s.fadeMs, now);
      return next.cards === s.cards && next.justNow === s.justNow ? s : next;
    }),
  setRules: (rules) => set({ rules }),
  configure: (fadeMs, mode) => set({ fadeMs, mode }),
  setMode: (mode) => set({ mode }),
  closeWrapUp: () => set({ ended: null }),
}));
