import { LIBRARY_OPTIONS, requireCallId, withLibrary } from '../library-options';
import type { Command } from '../command';

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a call, everything stored with it and its recording',
  usage: 'cadence delete <call-id> [--json] [--db FILE]',
  options: LIBRARY_OPTIONS,
  minArgs: 1,
  run(args, opts, io) {
    return withLibrary(opts, async (lib) => {
      const id = await requireCallId(lib, args[0]!);
      await lib.calls.delete(id);
      io.out(opts.json ? JSON.stringify({ deleted: id }) : `deleted ${id}`);
      return 0;
    });
  },
};
