/**
 * The database handle as the repositories see it. Only code under src/library holds one; everything
 * else goes through the repositories on the `Library` facade.
 */
import type { Kysely, Transaction } from 'kysely';
import type { LibrarySchema } from '../types';

export type LibraryDb = Kysely<LibrarySchema>;
export type LibraryTx = Transaction<LibrarySchema>;
/** Somewhere rows can be written: the database or an open transaction. */
export type WriteHandle = LibraryDb | LibraryTx;
/**
 * A read path only needs to select; taking this type instead of a `WriteHandle` keeps writes out of it
 * (a read-only connection can be passed where this is asked for).
 */
export type ReadHandle = Pick<LibraryDb, 'selectFrom'>;

/** Rows per multi-row INSERT (well under SQLite's bound-parameter limit). */
const INSERT_BATCH = 200;

export async function insertBatched<T>(rows: readonly T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await write(rows.slice(i, i + INSERT_BATCH));
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
