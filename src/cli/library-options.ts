/** What the library's CLI commands share: opening the library from `--db`, dates, and durations. */
import { statSync } from 'node:fs';
import { recoverCalls, type FinalizeOptions } from '../call/finalize';
import { PlaybookService } from '../playbook/playbook-service';
import { UserError } from '../shared/errors';
import { openLibrary, type Library } from '../library/library';
import { defaultDbPath } from '../library/paths';

type Opts = Readonly<Record<string, string | boolean | string[] | undefined>>;

export const LIBRARY_OPTIONS = { json: { type: 'boolean' }, db: { type: 'string' } } as const;

/**
 * The library file from `--db` (else `CADENCE_DB`, else the default). An empty `--db` is refused rather
 * than read as "not given", and an existing path must be a regular file (a FIFO would hang the open).
 */
export function dbPathFor(opts: Opts): string {
  if (opts.db === '') throw new UserError('--db: the library path is empty');
  const path = defaultDbPath(typeof opts.db === 'string' ? opts.db : undefined);
  let st;
  try {
    st = statSync(path);
  } catch {
    return path; // a new library (or an error the library reports with its own words)
  }
  if (st.isDirectory()) throw new UserError(`--db: the library is a directory, not a file: ${path}`);
  if (!st.isFile()) throw new UserError(`--db: the library is not a regular file: ${path}`);
  return path;
}

export function openLibraryFor(opts: Opts, access: LibraryAccess = {}): Promise<Library> {
  return openForCommand(dbPathFor(opts), access);
}

export interface LibraryAccess {
  /** The command only reads: a read-only library is opened read-only instead of refused. */
  readonly readOnlyOk?: boolean;
  /**
   * How calls a dead process left `live` are finalized (the command's playbook targets, where its
   * warnings go); the library's own playbook targets otherwise. Recovery runs here, once.
   */
  readonly recovery?: FinalizeOptions;
}

/**
 * Every command that opens the library for writing first finalizes the calls a dead process left
 * `live`, so no command lists a crashed call as still running.
 */
async function openForCommand(path: string, access: LibraryAccess): Promise<Library> {
  let lib: Library;
  try {
    lib = await openLibrary(path);
  } catch (err) {
    if (access.readOnlyOk === true && err instanceof UserError && err.code === 'readonly_library') return openLibrary(path, { readonly: true });
    throw err;
  }
  try {
    await recoverCalls(lib, access.recovery ?? { targets: await new PlaybookService(lib).targets() });
  } catch (err) {
    await lib.close();
    throw err;
  }
  return lib;
}

/** Runs `fn` with the library open, closing it afterwards whatever happens. */
export async function withLibrary<T>(opts: Opts, fn: (lib: Library) => Promise<T>, access: LibraryAccess = {}): Promise<T> {
  const lib = await openLibraryFor(opts, access);
  try {
    return await fn(lib);
  } finally {
    await lib.close();
  }
}

/**
 * `YYYY-MM-DD` (local midnight; as an upper bound, the end of that day) or any ISO date-time.
 * Returns epoch ms.
 */
export function parseDateOption(name: string, text: string, endOfDay = false): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const [y, m, dd] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
    const d = new Date(y, m, dd);
    if (d.getFullYear() === y && d.getMonth() === m && d.getDate() === dd) return new Date(y, m, dd + (endOfDay ? 1 : 0)).getTime();
    throw new UserError(`--${name}: not a date: ${text} (use YYYY-MM-DD)`);
  }
  const t = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(t)) return t;
  throw new UserError(`--${name}: not a date: ${text} (use YYYY-MM-DD or an ISO date-time)`);
}

export function parseIntOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name}: expected a whole number from ${min} to ${max}, got ${text}`);
  return n;
}

export function fmtDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The call id for an exact id or a unique prefix; a one-line error otherwise. */
export async function requireCallId(lib: Library, idOrPrefix: string): Promise<string> {
  const id = await lib.calls.resolveId(idOrPrefix);
  if (!id) throw new UserError(`no call with id ${idOrPrefix}`, 'not_found');
  return id;
}
