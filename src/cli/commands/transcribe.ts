import { languageStep } from '../../insights/language';
import { transcribeStoredCall } from '../../transcription/prerecorded';
import { muteRedactedSpans } from '../../transcription/mute';
import { SettingsService } from '../../app/settings';
import { playbookKeyterms } from '../../transcription/config';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import { LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import type { Command } from '../command';
import { cliDeepgramConfig, progressPrinter } from '../transcription';

export const transcribeCommand: Command = {
  name: 'transcribe',
  summary: 'Transcribe a stored call from its recording (Deepgram) and store the words, redacted, for search',
  usage: 'cadence transcribe <call-id> [--json] [--db FILE] [--playbook FILE]',
  options: { ...LIBRARY_OPTIONS, playbook: { type: 'string' } },
  minArgs: 1,
  run(args, opts, io) {
    return withLibrary(opts, async (lib) => {
      const id = await requireCallId(lib, args[0]!);
      const config = await cliDeepgramConfig(lib);
      const playbook = loadPlaybookFile(typeof opts.playbook === 'string' ? opts.playbook : undefined);
      const call = (await lib.calls.get(id))!;
      const segments = await transcribeStoredCall(lib, id, config, {
        keyterms: playbookKeyterms(playbook),
        ...(!opts.json && (call.recording?.durationMs ?? 0) >= 60_000 && { onProgress: progressPrinter(io.err, 'transcribing') }),
      });
      // As in the app: with "silence masked numbers" on, the recording goes quiet where the words were masked.
      const settings = await new SettingsService(lib).get();
      if (settings.redactNumbers && settings.muteRedactedAudio) await muteRedactedSpans(lib, id);
      // The words are new: the language insights (and the score) follow them.
      await languageStep(playbook).run(lib, id);
      const words = segments.reduce((n, s) => n + (s.words?.length ?? 0), 0);
      io.out(opts.json ? JSON.stringify({ id, segments: segments.length, words }) : `transcribed: ${id}  ${segments.length} segments, ${words} words`);
      return 0;
    });
  },
};
