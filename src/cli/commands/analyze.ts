import { basename } from 'node:path';
import { analyzeFileAsync } from '../../engine/analyze';
import { openWavFile } from '../../capture/wav-file';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import { playbookKeyterms } from '../../transcription/config';
import { transcribeFrames } from '../../transcription/prerecorded';
import type { Command } from '../command';
import { fmtMs, formatReport } from '../format';
import { cliDeepgramConfig, progressPrinter } from '../transcription';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Analyze a WAV recording (mono = agent only; stereo = agent left, customer right) and report features, events and nudges; --transcribe adds the words (Deepgram)',
  usage: 'cadence analyze <file.wav> [--json] [--playbook FILE] [--swap] [--transcribe]',
  options: { json: { type: 'boolean' }, playbook: { type: 'string' }, swap: { type: 'boolean' }, transcribe: { type: 'boolean' } },
  minArgs: 1,
  async run(args, opts, io) {
    const path = args[0]!;
    const playbook = loadPlaybookFile(typeof opts.playbook === 'string' ? opts.playbook : undefined);
    const swap = opts.swap === true;
    // The key is checked before the analysis, so a missing one fails fast.
    const config = opts.transcribe === true ? await cliDeepgramConfig(null) : null;
    // Noisy lines get the neural VAD; on a clean call it never runs and this is the energy analysis.
    const report = await analyzeFileAsync(path, { playbook, swap });
    for (const w of report.warnings ?? []) io.err(`cadence analyze: warning: ${w}`);
    if (!config) {
      io.out(opts.json ? JSON.stringify(report) : formatReport(report, basename(path)));
      return 0;
    }
    const source = openWavFile(path, { swap });
    const segments = await transcribeFrames((onFrames) => source.read(onFrames), config, {
      keyterms: playbookKeyterms(playbook),
      ...(source.durationMs >= 60_000 && { onProgress: progressPrinter(io.err, 'transcribing') }),
    });
    const transcript = segments.map((s) => ({ channel: s.channel, startMs: s.startMs, endMs: s.endMs, text: s.text, words: s.words ?? [] }));
    if (opts.json) io.out(JSON.stringify({ ...report, transcript }));
    else {
      io.out(formatReport(report, basename(path)));
      io.out('');
      io.out(`Transcript (${transcript.length}):`);
      for (const t of transcript) io.out(`  ${fmtMs(t.startMs)}  ${t.channel.padEnd(8)}  ${t.text}`);
    }
    return 0;
  },
};
