import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';
import { callsCommand } from './commands/calls';
import { deleteCommand } from './commands/delete';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { showCommand } from './commands/show';

/** Every CLI command, by name. A duplicate name is a programming error caught at start-up. */
export const COMMANDS: ReadonlyMap<string, Command> = (() => {
  const map = new Map<string, Command>();
  for (const c of [analyzeCommand, importCommand, callsCommand, showCommand, exportCommand, deleteCommand]) {
    if (map.has(c.name)) throw new Error(`duplicate CLI command ${c.name}`);
    map.set(c.name, c);
  }
  return map;
})();
