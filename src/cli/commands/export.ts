import { archiveFileName, exportCall } from '../../library/archive';
import { LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import type { Command } from '../command';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write one call (data and recording) to a .cadence archive',
  usage: 'cadence export <call-id> -o FILE.cadence [--json] [--db FILE]',
  options: { ...LIBRARY_OPTIONS, out: { type: 'string', short: 'o' } },
  minArgs: 1,
  run(args, opts, io) {
    return withLibrary(opts, async (lib) => {
      const id = await requireCallId(lib, args[0]!);
      const out = typeof opts.out === 'string' ? opts.out : archiveFileName(id);
      const res = await exportCall(lib, id, out);
      io.out(opts.json ? JSON.stringify(res) : `exported ${id} to ${res.path} (${(res.bytes / 1e6).toFixed(2)} MB)`);
      return 0;
    }, { readOnlyOk: true });
  },
};
