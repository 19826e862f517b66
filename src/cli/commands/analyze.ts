import { basename } from 'node:path';
import { analyzeFileAsync } from '../../engine/analyze';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import type { Command } from '../command';
import { formatReport } from '../format';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Analyze a WAV recording (mono = agent only; stereo = agent left, customer right) and report features, events and nudges',
  usage: 'cadence analyze <file.wav> [--json] [--playbook FILE] [--swap]',
  options: { json: { type: 'boolean' }, playbook: { type: 'string' }, swap: { type: 'boolean' } },
  minArgs: 1,
  async run(args, opts, io) {
    const playbook = loadPlaybookFile(typeof opts.playbook === 'string' ? opts.playbook : undefined);
    // Noisy lines get the neural VAD; on a clean call it never runs and this is the energy analysis.
    const report = await analyzeFileAsync(args[0]!, { playbook, swap: opts.swap === true });
    for (const w of report.warnings ?? []) io.err(`cadence analyze: warning: ${w}`);
    io.out(opts.json ? JSON.stringify(report) : formatReport(report, basename(args[0]!)));
    return 0;
  },
};
