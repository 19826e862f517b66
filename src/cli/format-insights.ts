/** A call's score and insights as text lines for `cadence show` and `cadence reanalyze`. */
import type { CallInsights } from '../shared/insights';
import { fmtMs } from './format';

export function formatInsights(insights: CallInsights): string[] {
  const out = [`Score ${insights.score}/100`];
  for (const i of insights.items) {
    out.push(`  ${i.title.padEnd(20)} ${`${i.points}/${i.maxPoints}`.padStart(7)}  ${i.summary}${i.advice ? ` — ${i.advice}` : ''}`);
    for (const e of i.evidence.slice(0, 5)) out.push(`      ${fmtMs(e.atMs)}  ${e.label}`);
  }
  const l = insights.language;
  if (!l) return out;
  const sent = (v: number | null): string => (v === null ? '—' : v.toFixed(2));
  out.push('', 'Conversation:');
  out.push(`  questions        agent ${l.questions.agent}, customer ${l.questions.customer}`);
  out.push(`  fillers / min    agent ${l.fillersPerMin.agent}, customer ${l.fillersPerMin.customer} (${l.fillers.agent} and ${l.fillers.customer})`);
  out.push(`  interactivity    ${l.interactivity} speaker switches / min`);
  out.push(`  patience         ${l.patienceMs === null ? '—' : `${(l.patienceMs / 1000).toFixed(2)} s before the agent answers`}`);
  out.push(`  customer mood    start ${sent(l.sentiment.start)} → end ${sent(l.sentiment.end)}`);
  if (l.checklist.length > 0) out.push(`  checklist        ${l.checklist.map((c) => `${c.tickedAtMs === null ? '✗' : '✓'} ${c.title}`).join('  ')}`);
  if (l.keyMoments.length > 0) {
    out.push('', 'Key moments:');
    for (const m of l.keyMoments) out.push(`  ${fmtMs(m.atMs)}  ${m.label}${m.excerpt ? `  “${m.excerpt}”` : ''}`);
  }
  if (l.coaching.length > 0) {
    out.push('', 'Coaching moments:');
    for (const c of l.coaching) {
      out.push(`  ${fmtMs(c.atMs)}  ${c.what}`);
      if (c.excerpt) out.push(`      ${c.excerpt}`);
      out.push(`      instead: ${c.instead}`);
    }
  }
  return out;
}
