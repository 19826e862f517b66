/**
 * Scores a call from what the engine measured — no transcript or cloud needed — and explains the score
 * with evidence. Each part is worth a share of 100 and loses points with distance from the same anchors
 * the default playbook uses (DESIGN.md "Defaults and where they come from").
 */
import type { CallInsight, CallInsights, InsightEvidence, InsightStatus } from '../shared/insights';
import type { CallReport } from '../shared/types';

/** Linear from full marks at `good` to none at `bad` (either direction). */
function ramp(value: number, good: number, bad: number): number {
  if (good === bad) return value === good ? 1 : 0;
  const t = (value - good) / (bad - good);
  return Math.max(0, Math.min(1, 1 - t));
}

function status(fraction: number): InsightStatus {
  return fraction >= 0.85 ? 'good' : fraction >= 0.5 ? 'improve' : 'problem';
}

function item(
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

export function scoreCall(report: CallReport): CallInsights {
  const items: CallInsight[] = [];
  const nudges = (...ids: string[]): InsightEvidence[] =>
    report.nudges.filter((n) => ids.includes(n.ruleId)).map((n) => ({ atMs: n.atMs, endMs: n.endMs, label: n.title }));
  const events = (type: string, channel = 'agent'): InsightEvidence[] =>
    report.events.filter((e) => e.type === type && e.channel === channel).map((e) => ({ atMs: e.startMs, endMs: e.endMs, label: type.replace('_', ' ') }));

  // Talk ratio: top reps talk ~43% (Gong); over 65% loses.
  const ratio = report.talkRatio;
  const rFrac = ratio === null ? 1 : ratio > 0.6 ? ramp(ratio, 0.6, 0.85) : ramp(ratio, 0.4, 0.15);
  items.push(
    item('talk-ratio', 'Talk ratio', 20, rFrac, ratio === null ? 'Nobody spoke.' : `You talked ${Math.round(ratio * 100)}% of the time (aim for 40–60%).`, ratio !== null && ratio > 0.6 ? 'Ask open questions and let the customer talk.' : 'Guide the call a little more: summarise and propose next steps.', nudges('talk-ratio-high')),
  );

  // Pace: 140–180 wpm reads as conversational.
  const wpm = report.channels.agent.wpm;
  const pFrac = wpm === null ? 1 : wpm > 180 ? ramp(wpm, 180, 240) : ramp(wpm, 140, 90);
  items.push(item('pace', 'Pace', 15, pFrac, wpm === null ? 'Too little speech to judge your pace.' : `Your pace was ${Math.round(wpm)} words per minute (aim for 140–180).`, wpm !== null && wpm > 180 ? 'Slow down and pause after key points.' : 'Pick up the pace a little.', nudges('speaking-too-fast', 'speaking-too-slow')));

  // Interruptions by the agent (backchannels do not count).
  const ints = events('interruption');
  items.push(item('interruptions', 'Letting them finish', 15, ramp(ints.length, 0, 3), ints.length === 0 ? 'You never talked over the customer.' : `You talked over the customer ${ints.length} time${ints.length === 1 ? '' : 's'}.`, 'Wait for the customer to finish before you answer.', ints));

  // Silence on the agent's turn.
  const dead = events('dead_air');
  const slow = events('slow_response');
  const sFrac = Math.max(0, 1 - dead.length * 0.34 - slow.length * 0.15);
  items.push(item('silence', 'Dead air', 15, sFrac, dead.length + slow.length === 0 ? 'No awkward silences on your turn.' : `${dead.length} stretch${dead.length === 1 ? '' : 'es'} of dead air and ${slow.length} slow response${slow.length === 1 ? '' : 's'}.`, 'Narrate what you are doing while you look things up.', [...dead, ...slow].sort((a, b) => a.atMs - b.atMs)));

  // Monologues: Gong's data say keep it well under 2 minutes.
  const mono = report.longestMonologueMs;
  items.push(item('monologue', 'Monologues', 15, ramp(mono, 60000, 150000), `Your longest stretch without the customer was ${mmss(mono)} (keep it under 1:00).`, 'Check in with a question every minute or so.', events('monologue')));

  // Responsiveness: mean gap from the customer stopping to the agent starting.
  const resp = report.meanResponseMs;
  items.push(item('responsiveness', 'Responsiveness', 10, resp === null ? 1 : ramp(resp, 1000, 4000), resp === null ? 'No turn changes to measure.' : `You answered after ${(resp / 1000).toFixed(1)} s on average (aim for about 1 s).`, 'Acknowledge the customer right away, even before you have the answer.', nudges('slow-to-respond')));

  // Volume: loud or soft stretches relative to the agent's own level.
  const vol = nudges('speaking-too-loud', 'speaking-too-soft');
  items.push(item('volume', 'Volume', 10, ramp(vol.length, 0, 3), vol.length === 0 ? 'Your volume stayed steady.' : `Your volume strayed ${vol.length} time${vol.length === 1 ? '' : 's'}.`, 'Keep a steady distance from the mic and an even voice.', vol));

  const score = Math.round(items.reduce((sum, i) => sum + i.points, 0));
  return { version: 1, score, items };
}
