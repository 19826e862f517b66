/**
 * `cadence` — the command-line face of the Electron-free core. Every command takes --json; every error
 * is one line on stderr and a non-zero exit code, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { oneLine, UserError } from '../shared/errors';
import type { CliIO } from './command';
import { COMMANDS } from './commands';

const defaultIO: CliIO = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function help(): string {
  const lines = ['usage: cadence <command> [options]   (every command takes --json)', ''];
  for (const c of COMMANDS.values()) lines.push(`  ${c.usage}\n      ${c.summary}`);
  return lines.join('\n');
}

/**
 * A reader that stops early (`cadence show … | head -1`) closes the pipe: EPIPE on stdout is a normal
 * end of output, not an error, so the process ends quietly.
 */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export async function run(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  if (io === defaultIO) endQuietlyOnClosedStdout();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    io.err(`cadence: unknown command "${name}" (try: ${[...COMMANDS.keys()].join(', ')})`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`cadence ${name}: ${oneLine(err)} (usage: ${command.usage})`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(`${command.usage}\n${command.summary}`);
    return 0;
  }
  if (parsed.positionals.length < (command.minArgs ?? 0)) {
    io.err(`cadence ${name}: missing argument (usage: ${command.usage})`);
    return 2;
  }
  try {
    return await command.run(parsed.positionals, parsed.values as Record<string, string | boolean | string[] | undefined>, io);
  } catch (err) {
    if (process.env.CADENCE_DEBUG && err instanceof Error && !(err instanceof UserError)) io.err(err.stack ?? '');
    const prefix = `cadence ${name}: `;
    io.err(prefix + oneLine(err));
    return err instanceof UserError ? err.exitCode : 1;
  }
}
