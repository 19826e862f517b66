import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';

/** Every CLI command, by name. A duplicate name is a programming error caught at start-up. */
export const COMMANDS: ReadonlyMap<string, Command> = (() => {
  const map = new Map<string, Command>();
  for (const c of [analyzeCommand]) {
    if (map.has(c.name)) throw new Error(`duplicate CLI command ${c.name}`);
    map.set(c.name, c);
  }
  return map;
})();
