/**
 * The overlay's card lifecycle, as pure functions over a list (the store applies them; unit tests call
 * them with explicit clocks):
 * - one card per situation: rules that share a playbook `group` (e.g. "Respond" and "Dead air") are one
 *   card that shows the most severe nudge it reached, escalating in place rather than stacking, and
 *   resolves when all of them have cleared;
 * - an open card stays while its condition holds; a non-critical one shrinks to a chip after the
 *   configured time and grows again when its situation escalates;
 * - a resolved card sinks below the open ones and fades after a few seconds;
 * - a momentary event (an interruption) flashes as a card while it is open and then settles into a
 *   short "just now" line instead of a green "resolved".
 */
import type { Nudge, NudgeFeedback, Severity } from '../../../shared/types';

/** How long a resolved card stays (sunk below the open ones) before it fades. */
export const RESOLVED_SHOW_MS = 3000;
/** How long a momentary event's "just now" line stays. */
export const JUST_NOW_MS = 20_000;
/** Most cards kept (open ones are never dropped for resolved ones). */
const MAX_CARDS = 20;

export interface RuleInfo {
  readonly title: string;
  /** An event rule: the moment passes by itself, there is nothing to "resolve". */
  readonly momentary: boolean;
  /** Rules of one situation share a group; null: the rule is its own situation. */
  readonly group: string | null;
}

export interface Card {
  /** The situation: the rule's group, else its id. */
  readonly situation: string;
  /** The nudge shown: the most severe one the situation reached. */
  readonly nudge: Nudge;
  /** Open nudges of the situation. */
  readonly open: readonly Nudge[];
  readonly callId: string;
  readonly state: 'open' | 'resolved';
  readonly momentary: boolean;
  /** Wall-clock (Date.now) when the situation opened: its age. */
  readonly openedAt: number;
  /** When the card last grew (opened or escalated): compaction counts from here. */
  readonly grownAt: number;
  readonly resolvedAt: number | null;
  readonly emittedAt: number;
  readonly feedback: NudgeFeedback | null;
  /** Shrunk to a chip (a long-standing non-critical card). */
  readonly compact: boolean;
  /** The card took over a milder nudge of its situation (e.g. "Respond" became "Dead air"). */
  readonly escalatedFrom: string | null;
}

/** A momentary event that has passed. */
export interface JustNow {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly at: number;
}

export interface CardList {
  readonly cards: readonly Card[];
  readonly justNow: readonly JustNow[];
}

const RANK: Record<Severity, number> = { critical: 2, coach: 1, info: 0 };

const situationOf = (nudge: Nudge, rule: RuleInfo | undefined): string => (rule?.group ? `group:${rule.group}` : `rule:${nudge.ruleId}`);

/** Open cards first, most severe first, then the longest-standing; resolved ones below, newest first. */
export function orderCards(cards: readonly Card[]): Card[] {
  return [...cards].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'open' ? -1 : 1;
    if (a.state === 'open') return RANK[b.nudge.severity] - RANK[a.nudge.severity] || a.openedAt - b.openedAt;
    return (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0);
  });
}

export function openNudge(list: CardList, nudge: Nudge, callId: string, emittedAt: number, rule: RuleInfo | undefined, now: number): CardList {
  const situation = situationOf(nudge, rule);
  const i = list.cards.findIndex((c) => c.situation === situation && c.state === 'open');
  if (i >= 0) {
    const card = list.cards[i]!;
    const open = [...card.open.filter((n) => n.id !== nudge.id), nudge];
    const worse = RANK[nudge.severity] > RANK[card.nudge.severity];
    const next: Card = worse
      ? { ...card, open, nudge, emittedAt, grownAt: now, compact: false, escalatedFrom: card.nudge.title, feedback: null }
      : { ...card, open };
    return { ...list, cards: orderCards(list.cards.map((c, k) => (k === i ? next : c))) };
  }
  const card: Card = {
    situation,
    nudge,
    open: [nudge],
    callId,
    state: 'open',
    momentary: rule?.momentary ?? false,
    openedAt: now,
    grownAt: now,
    resolvedAt: null,
    emittedAt,
    feedback: null,
    compact: false,
    escalatedFrom: null,
  };
  // A resolved card of the same situation gives way to the new one.
  const rest = list.cards.filter((c) => c.situation !== situation);
  const kept = orderCards([card, ...rest]);
  return { ...list, cards: kept.length > MAX_CARDS ? kept.filter((c, k) => c.state === 'open' || k < MAX_CARDS) : kept };
}

export function closeNudge(list: CardList, nudge: Nudge, now: number): CardList {
  const i = list.cards.findIndex((c) => c.open.some((n) => n.id === nudge.id));
  if (i < 0) return list;
  const card = list.cards[i]!;
  const open = card.open.filter((n) => n.id !== nudge.id);
  if (open.length > 0) {
    // The situation goes on: the card keeps the level it reached (the rules of a group clear together,
    // frames apart, and stepping back to "Respond" for a frame would only flicker).
    const next: Card = { ...card, open };
    return { ...list, cards: list.cards.map((c, k) => (k === i ? next : c)) };
  }
  const rest = list.cards.filter((_, k) => k !== i);
  if (card.momentary) {
    const line: JustNow = { id: nudge.id, title: card.nudge.title, severity: card.nudge.severity, at: now };
    return { cards: rest, justNow: [line, ...list.justNow.filter((j) => j.id !== nudge.id)].slice(0, 5) };
  }
  const done: Card = { ...card, open, nudge: card.nudge.id === nudge.id ? nudge : card.nudge, state: 'resolved', resolvedAt: now, compact: false };
  return { ...list, cards: orderCards([...rest, done]) };
}

/** Applies what is due at `now`: compaction of long-standing cards, fading of resolved ones and old lines. */
export function tick(list: CardList, compactAfterMs: number, now: number): CardList {
  let changed = false;
  const cards: Card[] = [];
  for (const c of list.cards) {
    if (c.state === 'resolved' && (c.resolvedAt ?? 0) + RESOLVED_SHOW_MS <= now) {
      changed = true;
      continue;
    }
    if (shouldCompact(c, compactAfterMs, now)) {
      changed = true;
      cards.push({ ...c, compact: true });
    } else cards.push(c);
  }
  const justNow = list.justNow.filter((j) => j.at + JUST_NOW_MS > now);
  if (justNow.length !== list.justNow.length) changed = true;
  return changed ? { cards, justNow } : list;
}

function shouldCompact(c: Card, compactAfterMs: number, now: number): boolean {
  return c.state === 'open' && !c.compact && !c.momentary && c.nudge.severity !== 'critical' && c.grownAt + compactAfterMs <= now;
}

/** When `tick` next has something to do (null: nothing is due). */
export function nextDue(list: CardList, compactAfterMs: number): number | null {
  let due = Infinity;
  for (const c of list.cards) {
    if (c.state === 'resolved') due = Math.min(due, (c.resolvedAt ?? 0) + RESOLVED_SHOW_MS);
    else if (!c.compact && !c.momentary && c.nudge.severity !== 'critical') due = Math.min(due, c.grownAt + compactAfterMs);
  }
  for (const j of list.justNow) due = Math.min(due, j.at + JUST_NOW_MS);
  return Number.isFinite(due) ? due : null;
}

/**
 * A rule text that fits the call: a window longer than the call so far ("over the last 5 minutes" in
 * a 50-second call) reads as what it is, the call so far.
 */
export function fitToCall(text: string, callMs: number): string {
  return text.replace(/over the last (\d+(?:\.\d+)?) (minutes?|seconds?)/g, (whole, n: string, unit: string) => {
    const ms = Number(n) * (unit.startsWith('minute') ? 60_000 : 1000);
    return callMs < ms ? 'so far in this call' : whole;
  });
}
