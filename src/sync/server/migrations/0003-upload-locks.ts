/**
 * 0003: locks on resumable uploads live in the database, not in one instance's memory, so two instances
 * behind a load balancer never write the same upload at once. A row is a held lock; its expiry lets a
 * crashed holder's lock be taken over. On PostgreSQL the table is UNLOGGED: a database crash ends every
 * holder's connection anyway, and each write then commits without waiting on the log.
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

export const migration0003: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('upload_locks')
      .addColumn('upload_id', 'varchar(200)', (c) => c.primaryKey())
      .addColumn('owner', 'varchar(64)', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('release_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`ALTER TABLE upload_locks SET UNLOGGED`.execute(db);
  },
};
