import type { CallReport } from '../shared/types';

export function fmtMs(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

const n = (v: number | null, unit = '', digits = 0): string => (v === null ? '—' : `${v.toFixed(digits)}${unit}`);

/** The readable form of a call report (`cadence analyze` without --json). */
export function formatReport(r: CallReport, title: string): string {
  const lines: string[] = [];
  lines.push(`${title} — ${fmtMs(r.durationMs)}`);
  lines.push('');
  lines.push('             talk     pace      level      pitch    variation');
  for (const ch of ['agent', 'customer'] as const) {
    const c = r.channels[ch];
    lines.push(
      `  ${ch.padEnd(9)} ${fmtMs(c.talkMs).padStart(6)}  ${n(c.wpm, ' wpm').padStart(8)}  ${n(c.meanDbfs, ' dBFS', 1).padStart(10)}  ${n(c.pitchHz, ' Hz').padStart(7)}  ${n(c.pitchVarSt, ' st', 1).padStart(8)}`,
    );
  }
  lines.push('');
  lines.push(`  pace from            ${r.paceSource === 'words' ? 'the transcript\'s words' : 'the audio (estimate)'}`);
  lines.push(`  talk ratio (agent)   ${r.talkRatio === null ? '—' : `${Math.round(r.talkRatio * 100)}%`}`);
  lines.push(`  longest monologue    ${fmtMs(r.longestMonologueMs)}`);
  lines.push(`  mean response        ${r.meanResponseMs === null ? '—' : `${(r.meanResponseMs / 1000).toFixed(1)} s`}`);
  lines.push(`  interruptions        agent ${r.channels.agent.interruptions}, customer ${r.channels.customer.interruptions}`);
  lines.push(`  backchannels         agent ${r.channels.agent.backchannels}, customer ${r.channels.customer.backchannels}`);
  lines.push('');
  if (r.nudges.length === 0) {
    lines.push('No nudges: nothing in the playbook fired.');
  } else {
    lines.push(`Nudges (${r.nudges.length}):`);
    for (const nd of r.nudges) {
      const end = nd.endMs === null ? '' : `–${fmtMs(nd.endMs)}`;
      lines.push(`  ${fmtMs(nd.atMs)}${end}  [${nd.severity}] ${nd.ruleId}: ${nd.message}`);
    }
  }
  const notable = r.events.filter((e) => e.type !== 'backchannel' && e.type !== 'overtalk');
  if (notable.length > 0) {
    lines.push('');
    lines.push(`Events (${notable.length}):`);
    for (const e of notable) {
      lines.push(`  ${fmtMs(e.startMs)}${e.endMs === null ? '' : `–${fmtMs(e.endMs)}`}  ${e.type} (${e.channel})`);
    }
  }
  return lines.join('\n');
}
