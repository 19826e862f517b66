import { fmtDate, LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import type { Command } from '../command';
import { fmtMs, formatReport } from '../format';
import { formatInsights } from '../format-insights';
import { callInsightsSchema } from '../../shared/insights';

export const showCommand: Command = {
  name: 'show',
  summary: 'Everything about one call: details, measures, nudges, events, transcript and recording',
  usage: 'cadence show <call-id> [--json] [--db FILE]',
  options: LIBRARY_OPTIONS,
  minArgs: 1,
  run(args, opts, io) {
    return withLibrary(opts, async (lib) => {
      const call = (await lib.calls.get(await requireCallId(lib, args[0]!)))!;
      if (opts.json) {
        io.out(JSON.stringify(call));
        return 0;
      }
      const m = call.meta;
      io.out(`call ${m.id}`);
      io.out(`  ${fmtDate(m.startedAt)}  ${m.source}, ${m.status}${m.agent ? `  agent ${m.agent}` : ''}${m.customerLabel ? `  customer ${m.customerLabel}` : ''}`);
      if (m.tags.length > 0) io.out(`  tags: ${m.tags.join(', ')}`);
      if (m.score !== null) io.out(`  score: ${m.score}`);
      if (m.notes) io.out(`  notes: ${m.notes.replace(/\s+/g, ' ')}`);
      if (!call.summaryComplete) io.out('  (the call was interrupted: measures are rebuilt from what was saved)');
      io.out('');
      io.out(formatReport(call.report, m.title || '(untitled)'));
      const insights = callInsightsSchema.safeParse(m.insights);
      if (insights.success) {
        io.out('');
        for (const line of formatInsights(insights.data)) io.out(line);
      }
      if (call.transcript.length > 0) {
        io.out('');
        io.out(`Transcript (${call.transcript.length}):`);
        for (const t of call.transcript) io.out(`  ${fmtMs(t.startMs)}  ${t.channel.padEnd(8)}  ${t.text}`);
      }
      io.out('');
      const r = call.recording;
      io.out(r ? `Recording: ${r.path} (${r.codec}, ${fmtMs(r.durationMs)}, ${(r.sizeBytes / 1e6).toFixed(2)} MB)${r.error ? ` — stopped early: ${r.error}` : ''}` : 'Recording: none');
      return 0;
    }, { readOnlyOk: true });
  },
};
