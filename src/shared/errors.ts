/** An error meant for the user: its message is one line that names the problem. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly code = 'bad_input',
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** One line for any thrown value: user errors as they are, anything else without its stack. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.trim() || 'unknown error';
}
