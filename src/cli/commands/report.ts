import { dirname } from 'node:path';
import { fileCipher, SecretStore } from '../../app/secrets';
import { reportConfig, writeReport } from '../../insights/report';
import { UserError } from '../../shared/errors';
import { LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import type { Command } from '../command';
import { fmtMs } from '../format';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Write an AI report of a stored call (OpenAI or a compatible server; redacted text only) and store it',
  usage: 'cadence report <call-id> [--json] [--db FILE]   (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL)',
  options: LIBRARY_OPTIONS,
  minArgs: 1,
  run(args, opts, io) {
    return withLibrary(opts, async (lib) => {
      const id = await requireCallId(lib, args[0]!);
      // A key the desktop app stored under the OS keychain cannot be read here; the environment still can.
      const stored = !lib.path.startsWith(':') ? await new SecretStore(lib, fileCipher(dirname(lib.path))).get('openai').catch(() => null) : null;
      const config = reportConfig(stored);
      if (!config) throw new UserError("reports need an OpenAI API key: set OPENAI_API_KEY (or enter the key in the app's settings)", 'no_key');
      const report = await writeReport((await lib.calls.get(id))!, config);
      const saved = await lib.reports.save(id, config.model, report);
      if (opts.json) {
        io.out(JSON.stringify({ id, ...saved }));
        return 0;
      }
      io.out(`Report of ${id} (${saved.model})`);
      io.out(`  Summary: ${report.summary}`);
      io.out(`  Customer's issue: ${report.customerIssue}`);
      io.out(`  Outcome: ${report.outcome}`);
      if (report.actionItems.length > 0) io.out(`  Action items:\n${report.actionItems.map((a) => `    - ${a}`).join('\n')}`);
      for (const b of report.betterResponses) io.out(`  ${fmtMs(b.atMs)}  ${b.moment}\n      better: ${b.better}`);
      return 0;
    });
  },
};
