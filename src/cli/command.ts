/** What every CLI command looks like. Commands register themselves in `commands.ts`. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments the command needs at least. */
  readonly minArgs?: number;
  run(args: readonly string[], opts: Readonly<Record<string, string | boolean | string[] | undefined>>, io: CliIO): Promise<number> | number;
}
