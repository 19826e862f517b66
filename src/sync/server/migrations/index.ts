/** The sync server's migrations, in order, by static import; names are only ever appended. */
import type { Migration, MigrationProvider } from 'kysely';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-unlogged-rate';
import { migration0003 } from './0003-upload-locks';

export const SERVER_MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['0001-initial', migration0001],
  ['0002-unlogged-rate', migration0002],
  ['0003-upload-locks', migration0003],
];

export const serverMigrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(Object.fromEntries(SERVER_MIGRATIONS)),
};
