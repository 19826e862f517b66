/**
 * 0001: the server's whole schema, written with kysely's schema builder only (no dialect SQL) so the
 * same migration runs on SQLite and PostgreSQL. Times are epoch ms in bigint columns.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0001: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema.createTable('teams').addColumn('id', 'varchar(64)', (c) => c.primaryKey()).addColumn('name', 'varchar(100)', (c) => c.notNull().unique()).addColumn('created_at', 'bigint', (c) => c.notNull()).execute();
    await db.schema
      .createTable('users')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
      .addColumn('role', 'varchar(10)', (c) => c.notNull())
      .addColumn('team_id', 'varchar(64)', (c) => c.references('teams.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('tokens')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id'))
      .addColumn('hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();
    await db.schema
      .createTable('calls')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id'))
      .addColumn('team_id', 'varchar(64)', (c) => c.references('teams.id'))
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'bigint', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('score', 'double precision')
      .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
      .execute();
    // Listing is keyset-paginated on (uploaded_at, id) within each scope a caller can have.
    await db.schema.createIndex('calls_team_uploaded').on('calls').columns(['team_id', 'uploaded_at', 'id']).execute();
    await db.schema.createIndex('calls_user_uploaded').on('calls').columns(['user_id', 'uploaded_at', 'id']).execute();
    await db.schema.createIndex('calls_uploaded').on('calls').columns(['uploaded_at', 'id']).execute();
    await db.schema
      .createTable('feedback')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('call_id', 'varchar(64)', (c) => c.notNull().references('calls.id').onDelete('cascade'))
      .addColumn('author_id', 'varchar(64)', (c) => c.notNull().references('users.id'))
      .addColumn('at_ms', 'bigint')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('rubric', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('feedback_call').on('feedback').columns(['call_id', 'created_at']).execute();
    await db.schema
      .createTable('rate_windows')
      .addColumn('token_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_windows_pk', ['token_id', 'window_start'])
      .execute();
  },
};
