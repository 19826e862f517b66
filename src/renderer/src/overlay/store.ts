/**
 * The overlay's state: cards (newest first), live meters, device status and the last transcript
 * lines. Card lifetimes run on one timer armed for the next expiry only, so an idle overlay does no work.
 */
import { create } from 'zustand';
import type { DeviceStatus, LiveNudge, LiveState, OverlayMode, TranscriptLine } from '../../../shared/rpc';
import type { MetricsSnapshot } from '../../../shared/metrics';
import type { ChannelName, Nudge, NudgeFeedback } from '../../../shared/types';
import { mergeTranscript } from './caption';

export const RESOLVED_SHOW_MS = 3000;

export interface Card {
  readonly nudge: Nudge;
  readonly callId: string;
  readonly state: 'open' | 'resolved';
  /** Wall-clock (Date.now) when it opened / resolved here. */
  readonly shownAt: number;
  readonly resolvedAt: number | null;
  readonly emittedAt: number;
  readonly feedback: NudgeFeedback | null;
}

const IDLE: LiveState = { phase: 'idle', callId: null, source: null, startedAt: null, error: null, ruleIds: [] };

export interface OverlayState {
  readonly live: LiveState;
  readonly cards: readonly Card[];
  readonly metrics: MetricsSnapshot | null;
  readonly status: Readonly<Partial<Record<ChannelName, DeviceStatus>>>;
  readonly transcript: readonly TranscriptLine[];
  /** Rules that fired during this call and whether they are clear now. */
  readonly fired: Readonly<Record<string, 'open' | 'clear'>>;
  readonly fadeMs: number;
  readonly mode: OverlayMode;
  setLive(live: LiveState): void;
  nudge(msg: LiveNudge): void;
  setMetrics(m: MetricsSnapshot): void;
  setStatus(s: DeviceStatus): void;
  addTranscript(t: TranscriptLine): void;
  setFeedback(nudgeId: string, feedback: NudgeFeedback): void;
  remove(nudgeId: string): void;
  expire(now: number): void;
  configure(fadeMs: number, mode: OverlayMode): void;
  setMode(mode: OverlayMode): void;
}

/** When a card leaves the screen (null: it stays — an open critical card). */
export function expiryOf(card: Card, fadeMs: number): number | null {
  if (card.state === 'resolved') return (card.resolvedAt ?? card.shownAt) + RESOLVED_SHOW_MS;
  if (card.nudge.severity === 'critical') return null;
  return card.shownAt + fadeMs;
}

export const useOverlay = create<OverlayState>((set) => ({
  live: IDLE,
  cards: [],
  metrics: null,
  status: {},
  transcript: [],
  fired: {},
  fadeMs: 8000,
  mode: 'expanded',
  setLive: (live) =>
    set((s) => {
      const newCall = live.callId !== null && live.callId !== s.live.callId;
      return newCall ? { live, cards: [], metrics: null, transcript: [], fired: {} } : { live };
    }),
  nudge: (msg) =>
    set((s) => {
      const now = Date.now();
      if (msg.phase === 'open') {
        const card: Card = { nudge: msg.nudge, callId: msg.callId, state: 'open', shownAt: now, resolvedAt: null, emittedAt: msg.emittedAt, feedback: null };
        return { cards: [card, ...s.cards.filter((c) => c.nudge.id !== msg.nudge.id)].slice(0, 20), fired: { ...s.fired, [msg.nudge.ruleId]: 'open' } };
      }
      const fired = { ...s.fired, [msg.nudge.ruleId]: 'clear' as const };
      const idx = s.cards.findIndex((c) => c.nudge.id === msg.nudge.id);
      if (idx < 0) return { fired };
      const cards = s.cards.slice();
      cards[idx] = { ...cards[idx]!, nudge: msg.nudge, state: 'resolved', resolvedAt: now };
      return { cards, fired };
    }),
  setMetrics: (metrics) => set({ metrics }),
  setStatus: (st) => set((s) => ({ status: { ...s.status, [st.channel]: st } })),
  addTranscript: (t) => set((s) => ({ transcript: mergeTranscript(s.transcript, t) })),
  setFeedback: (nudgeId, feedback) => set((s) => ({ cards: s.cards.map((c) => (c.nudge.id === nudgeId ? { ...c, feedback } : c)) })),
  remove: (nudgeId) => set((s) => ({ cards: s.cards.filter((c) => c.nudge.id !== nudgeId) })),
  expire: (now) =>
    set((s) => {
      const cards = s.cards.filter((c) => {
        const at = expiryOf(c, s.fadeMs);
        return at === null || at > now;
      });
      return cards.length === s.cards.length ? s : { cards };
    }),
  configure: (fadeMs, mode) => set({ fadeMs, mode }),
  setMode: (mode) => set({ mode }),
}));
