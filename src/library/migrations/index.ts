/**
 * Every migration, in order, by static import. Names only ever get appended; a database that has run a
 * migration whose name is not in this list was written by a newer Cadence and is refused untouched.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-tag-rows';
import { migration0003 } from './0003-transcript-words';
import { migration0005 } from './0005-language';
import { migration0006 } from './0006-sync';

export const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['0001-initial', migration0001],
  ['0002-tag-rows', migration0002],
  ['0003-transcript-words', migration0003],
  ['0005-language', migration0005],
  ['0006-sync', migration0006],
];

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(Object.fromEntries(MIGRATIONS)),
};
