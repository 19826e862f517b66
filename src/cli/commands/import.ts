import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { importArchive } from '../../library/archive';
import { UserError } from '../../shared/errors';
import { loadPlaybookFile } from '../../playbook/playbook-file';
import { importRecording } from '../../call/import-recording';
import { fmtDate, LIBRARY_OPTIONS, withLibrary } from '../library-options';
import type { Command } from '../command';
import { fmtMs } from '../format';
import { playbookKeyterms } from '../../transcription/config';
import { transcribeStep } from '../../transcription/prerecorded';
import { muteStep } from '../../transcription/mute';
import { SettingsService } from '../../app/settings';
import { cliDeepgramConfig, progressPrinter } from '../transcription';

/** A zip (a `.cadence` archive) starts with a local file header. */
function looksLikeZip(path: string): boolean {
  // Checked before opening: opening a FIFO waits for a writer forever; a directory is no call.
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code ?? 'error'}`);
  }
  if (st.isDirectory()) throw new UserError(`is a directory, not a file to import: ${path}`);
  if (!st.isFile()) throw new UserError(`not a regular file: ${path}`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code ?? 'error'}`);
  }
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32LE(0) === 0x04034b50;
  } finally {
    closeSync(fd);
  }
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Add a call to the library: a recording (WAV) is analyzed and stored; a .cadence archive is verified and imported',
  usage: 'cadence import <file.wav|file.cadence> [--json] [--db FILE] [--playbook FILE] [--swap] [--title TEXT] [--agent NAME] [--transcribe]',
  options: { ...LIBRARY_OPTIONS, playbook: { type: 'string' }, swap: { type: 'boolean' }, title: { type: 'string' }, agent: { type: 'string' }, transcribe: { type: 'boolean' } },
  minArgs: 1,
  run(args, opts, io) {
    const path = args[0]!;
    const archive = looksLikeZip(path) || path.endsWith('.cadence');
    return withLibrary(opts, async (lib) => {
      let id: string;
      let outcome: 'imported' | 'unchanged' = 'imported';
      if (archive) {
        ({ callId: id, outcome } = await importArchive(lib, path));
      } else {
        const playbook = loadPlaybookFile(typeof opts.playbook === 'string' ? opts.playbook : undefined);
        // Transcription is a post-call step: the call is stored (and kept) whatever it says.
        const config = opts.transcribe === true ? await cliDeepgramConfig(lib) : null;
        const settings = await new SettingsService(lib).get();
        const postCall = config
          ? [
              transcribeStep(config, { keyterms: playbookKeyterms(playbook), ...(!opts.json && { onProgress: progressPrinter(io.err, 'transcribing') }) }),
              // As in the app: with "silence masked numbers" on, the recording goes quiet where the words were masked.
              ...(settings.redactNumbers && settings.muteRedactedAudio ? [muteStep()] : []),
            ]
          : [];
        // Long files say how far they are (on stderr, in whole tens of percent).
        let shown = 0;
        ({ callId: id } = await importRecording(lib, path, {
          playbook,
          swap: opts.swap === true,
          ...(typeof opts.title === 'string' && { title: opts.title }),
          ...(typeof opts.agent === 'string' && { agent: opts.agent }),
          onWarning: (m) => io.err(`cadence import: warning: ${m}`),
          postCall,
          onProgress: (f) => {
            const tens = Math.floor(f * 10);
            if (tens > shown && tens < 10 && !opts.json) io.err(`importing… ${tens * 10} %`);
            shown = Math.max(shown, tens);
          },
        }));
      }
      const call = (await lib.calls.get(id))!;
      if (archive && opts.transcribe === true && call.transcript.length === 0) {
        await transcribeStep(await cliDeepgramConfig(lib)).run(lib, id);
      }
      if (opts.json) {
        io.out(JSON.stringify({ id, outcome, title: call.meta.title, startedAt: call.meta.startedAt, durationMs: call.meta.durationMs, nudges: call.report.nudges.length }));
      } else {
        const what = outcome === 'unchanged' ? 'already in the library' : 'imported';
        io.out(`${what}: ${id}  ${fmtDate(call.meta.startedAt)}  ${fmtMs(call.meta.durationMs)}  ${call.meta.title || '(untitled)'}  ${call.report.nudges.length} nudges`);
      }
      return 0;
    });
  },
};
