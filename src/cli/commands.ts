import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';
import { callsCommand } from './commands/calls';
import { deleteCommand } from './commands/delete';
import { devicesCommand } from './commands/devices';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { kbCommand } from './commands/kb';
import { liveCommand } from './commands/live';
import { mediaStreamServerCommand } from './commands/media-stream-server';
import { reanalyzeCommand } from './commands/reanalyze';
import { reportCommand } from './commands/report';
import { showCommand } from './commands/show';
import { syncCommand } from './commands/sync';
import { syncAdminCommand } from './commands/sync-admin';
import { syncServerCommand } from './commands/sync-server';
import { transcribeCommand } from './commands/transcribe';
import { uiCommand } from './commands/ui';

/** Every CLI command, by name. A duplicate name is a programming error caught at start-up. */
export const COMMANDS: ReadonlyMap<string, Command> = (() => {
  const map = new Map<string, Command>();
  for (const c of [analyzeCommand, devicesCommand, liveCommand, mediaStreamServerCommand, importCommand, callsCommand, showCommand, reanalyzeCommand, reportCommand, transcribeCommand, exportCommand, deleteCommand, kbCommand, uiCommand, syncServerCommand, syncAdminCommand, syncCommand]) {
    if (map.has(c.name)) throw new Error(`duplicate CLI command ${c.name}`);
    map.set(c.name, c);
  }
  return map;
})();
