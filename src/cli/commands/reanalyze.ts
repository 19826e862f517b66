import { languageStep } from '../../insights/language';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import { PlaybookService } from '../../playbook/playbook-service';
import { callInsightsSchema } from '../../shared/insights';
import { LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import type { Command } from '../command';
import { formatInsights } from '../format-insights';

export const reanalyzeCommand: Command = {
  name: 'reanalyze',
  summary: 'Recompute a stored call’s score and insights (voice and language) against the current or given playbook',
  usage: 'cadence reanalyze <call-id> [--playbook FILE] [--json] [--db FILE]',
  options: { ...LIBRARY_OPTIONS, playbook: { type: 'string' } },
  minArgs: 1,
  run(args, opts, io) {
    return withLibrary(opts, async (lib) => {
      const id = await requireCallId(lib, args[0]!);
      const playbook = typeof opts.playbook === 'string' ? loadPlaybookFile(opts.playbook) : await new PlaybookService(lib).active();
      await languageStep(playbook).run(lib, id);
      const insights = callInsightsSchema.parse((await lib.calls.get(id))!.meta.insights);
      if (opts.json) io.out(JSON.stringify({ id, insights }));
      else {
        io.out(`reanalyzed: ${id} with playbook "${playbook.name}"`);
        for (const line of formatInsights(insights)) io.out(line);
      }
      return 0;
    });
  },
};
