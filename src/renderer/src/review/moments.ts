/**
 * One time for one moment: a card, the event behind it and the score's evidence about it all show (and
 * seek to) the moment the situation began. A dead-air card opens 5 s into the silence; its moment is
 * the silence's start, which is also where the score's evidence points. Pure, for the review window.
 */
import type { MetricName } from '../../../shared/metrics';
import type { Playbook } from '../../../shared/playbook';
import type { CallEvent, EventType, Nudge } from '../../../shared/types';

/** Metrics that measure how long a conversation event has lasted: a rule on them is about that event. */
const METRIC_EVENT: Partial<Record<MetricName, EventType>> = { deadAirMs: 'dead_air', responseWaitMs: 'slow_response', monologueMs: 'monologue', overtalkMs: 'overtalk' };

/** Which event each rule is about, if any (from the playbook's conditions). */
export function ruleEvents(playbook: Pick<Playbook, 'rules'>): Map<string, EventType> {
  const out = new Map<string, EventType>();
  for (const r of playbook.rules) {
    const c = r.condition;
    const type = c.type === 'event' ? c.event : c.type === 'metric' ? METRIC_EVENT[c.metric] : undefined;
    if (type) out.set(r.id, type);
  }
  return out;
}

/** When the situation behind a card began: its event's start, else when its condition started to hold. */
export function cardMoment(n: Nudge, events: readonly CallEvent[], causes: ReadonlyMap<string, EventType>): number {
  const type = causes.get(n.ruleId);
  if (type) {
    let best: CallEvent | null = null;
    for (const e of events) {
      if (e.type !== type || e.startMs > n.atMs + 100 || (e.endMs !== null && e.endMs < n.conditionSinceMs - 100)) continue;
      if (!best || e.startMs > best.startMs) best = e;
    }
    if (best) return best.startMs;
  }
  return Math.min(n.atMs, n.conditionSinceMs);
}

/** Evidence that points at a card (same time and title) takes the card's moment. */
export function evidenceMoment(e: { atMs: number; label: string }, nudges: readonly Nudge[], moments: ReadonlyMap<string, number>): number {
  const n = nudges.find((x) => x.atMs === e.atMs && x.title === e.label);
  return n ? (moments.get(n.id) ?? e.atMs) : e.atMs;
}

/** Tick spacing for a time axis: a round step giving at most `max` ticks. */
export function tickStep(durationMs: number, max = 10): number {
  for (const s of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]) if (durationMs / (s * 1000) <= max) return s * 1000;
  return 7200_000;
}
