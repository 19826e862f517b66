/**
 * Scores a call from what the engine measured — no transcript or cloud needed — and explains the score
 * with evidence. Each part is worth a share of 100 and loses points with distance from the targets of
 * the playbook the cards used (`playbookTargets`), so the rubric and the cards never disagree.
 */
import type { CallInsight, CallInsights, InsightEvidence, InsightStatus } from '../shared/insights';
import { DEFAULT_TARGETS, type PlaybookTargets } from '../shared/playbook-targets';
import type { CallReport } from '../shared/types';

// How far past a target a part loses all its points. These shape the rubric; the targets themselves
// come from the playbook.
/** Pace: nothing left 30 % past either edge of the band. */
const PACE_SPAN = 0.3;
/** Talk ratio: 20 points of share past the band. */
const TALK_RATIO_SPAN = 0.2;
/** Monologue: Gong's data say pitches past twice the check-in mark lose the customer; none at 2.5×. */
const MONOLOGUE_SPAN = 2.5;
/**
 * Responsiveness: a typical answer comes well before the wait the card allows: full marks at 40 % of
 * it, none at 160 % (for the default's 2.5 s: 1 s and 4 s, where the rubric has always been).
 */
const RESPONSE_GOOD = 0.4;
const RESPONSE_SPAN = 1.6;

/** Linear from full marks at `good` to none at `bad` (either direction). */
function ramp(value: number, good: number, bad: number): number {
  if (good === bad) return value === good ? 1 : 0;
  const t = (value - good) / (bad - good);
  return Math.max(0, Math.min(1, 1 - t));
}

function status(fraction: number): InsightStatus {
  return fraction >= 0.85 ? 'good' : fraction >= 0.5 ? 'improve' : 'problem';
}

export function item(
  id: CallInsight['id'],
  title: string,
  maxPoints: number,
  fraction: number,
  summary: string,
  advice: string,
  evidence: readonly InsightEvidence[],
): CallInsight {
  const s = status(fraction);
  return { id, title, status: s, summary, advice: s === 'good' ? '' : advice, points: Math.round(maxPoints * fraction * 10) / 10, maxPoints, evidence: evidence.slice(0, 10) };
}

const mmss = (ms: number): string => `${Math.floor(ms / 60000)}:${String(Math.floor((ms % 60000) / 1000)).padStart(2, '0')}`;

const percent = (r: number): string => `${Math.round(r * 100)}%`;
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * `targets` are the playbook's (see `playbookTargets`); the default stands for the shipped playbook,
 * for callers that have not been handed the one the call ran with.
 */
export function scoreCall(report: CallReport, targets: PlaybookTargets = DEFAULT_TARGETS): CallInsights {
  const items: CallInsight[] = [];
  const nudges = (...ids: string[]): InsightEvidence[] =>
    report.nudges.filter((n) => ids.includes(n.ruleId)).map((n) => ({ atMs: n.atMs, endMs: n.endMs, label: n.title }));
  const events = (type: string, channel = 'agent'): InsightEvidence[] =>
    report.events.filter((e) => e.type === type && e.channel === channel).map((e) => ({ atMs: e.startMs, endMs: e.endMs, label: type.replace('_', ' ') }));

  // Talk ratio: full marks inside the playbook's band.
  const ratio = report.talkRatio;
  const tr = targets.talkRatio;
  const rFrac = ratio === null ? 1 : ratio > tr.max ? ramp(ratio, tr.max, tr.max + TALK_RATIO_SPAN) : ramp(ratio, tr.min, tr.min - TALK_RATIO_SPAN);
  items.push(
    item('talk-ratio', 'Talk ratio', 20, rFrac, ratio === null ? 'Nobody spoke.' : `You talked ${percent(ratio)} of the time (aim for ${Math.round(tr.min * 100)}–${percent(tr.max)}).`, ratio !== null && ratio > tr.max ? 'Ask open questions and let the customer talk.' : 'Guide the call a little more: summarise and propose next steps.', nudges('talk-ratio-high')),
  );

  // Pace: full marks inside the band the pace cards leave alone.
  const wpm = report.channels.agent.wpm;
  const pw = targets.paceWpm;
  const pFrac = wpm === null ? 1 : wpm > pw.max ? ramp(wpm, pw.max, pw.max * (1 + PACE_SPAN)) : ramp(wpm, pw.min, pw.min * (1 - PACE_SPAN));
  items.push(item('pace', 'Pace', 15, pFrac, wpm === null ? 'Too little speech to judge your pace.' : `Your pace was ${Math.round(wpm)} words per minute (aim for ${Math.round(pw.min)}–${Math.round(pw.max)}).`, wpm !== null && wpm > pw.max ? 'Slow down and pause after key points.' : 'Pick up the pace a little.', nudges('speaking-too-fast', 'speaking-too-slow')));

  // Interruptions by the agent (backchannels do not count).
  const ints = events('interruption');
  items.push(item('interruptions', 'Letting them finish', 15, ramp(ints.length, 0, 3), ints.length === 0 ? 'You never talked over the customer.' : `You talked over the customer ${ints.length} time${ints.length === 1 ? '' : 's'}.`, 'Wait for the customer to finish before you answer.', ints));

  // Silence on the agent's turn.
  const dead = events('dead_air');
  const slow = events('slow_response');
  const sFrac = Math.max(0, 1 - dead.length * 0.34 - slow.length * 0.15);
  items.push(item('silence', 'Dead air', 15, sFrac, dead.length + slow.length === 0 ? 'No awkward silences on your turn.' : `${dead.length} stretch${dead.length === 1 ? '' : 'es'} of dead air and ${slow.length} slow response${slow.length === 1 ? '' : 's'}.`, 'Narrate what you are doing while you look things up.', [...dead, ...slow].sort((a, b) => a.atMs - b.atMs)));

  // Monologues: the playbook's check-in mark.
  const mono = report.longestMonologueMs;
  items.push(item('monologue', 'Monologues', 15, ramp(mono, targets.monologueMs, targets.monologueMs * MONOLOGUE_SPAN), `Your longest stretch without the customer was ${mmss(mono)} (keep it under ${mmss(targets.monologueMs)}).`, 'Check in with a question every minute or so.', events('monologue')));

  // Responsiveness: mean gap from the customer stopping to the agent starting.
  const resp = report.meanResponseMs;
  const goodResp = targets.responseMs * RESPONSE_GOOD;
  items.push(item('responsiveness', 'Responsiveness', 10, resp === null ? 1 : ramp(resp, goodResp, targets.responseMs * RESPONSE_SPAN), resp === null ? 'No turn changes to measure.' : `You answered after ${(resp / 1000).toFixed(1)} s on average (aim for under ${seconds(goodResp)}).`, 'Acknowledge the customer right away, even before you have the answer.', nudges('slow-to-respond')));

  // Volume: loud or soft stretches relative to the agent's own level.
  const vol = nudges('speaking-too-loud', 'speaking-too-soft');
  items.push(item('volume', 'Volume', 10, ramp(vol.length, 0, 3), vol.length === 0 ? 'Your volume stayed steady.' : `Your volume strayed ${vol.length} time${vol.length === 1 ? '' : 's'}.`, 'Keep a steady distance from the mic and an even voice.', vol));

  const score = Math.round(items.reduce((sum, i) => sum + i.points, 0));
  return { version: 1, score, items, targets };
}
