/**
 * 0005: the knowledge base for knowledge cards: documents, their passages, and an FTS5 index of the
 * passages (rowid = passage id, with its vocabulary) searched with each final customer utterance; and
 * the optional AI report of a call.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration0005: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('kb_documents')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('added_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('kb_passages')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('doc_id', 'integer', (c) => c.notNull().references('kb_documents.id').onDelete('cascade'))
      .addColumn('ord', 'integer', (c) => c.notNull())
      .addColumn('heading', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('kb_passages_doc').on('kb_passages').columns(['doc_id', 'ord']).execute();
    await sql`CREATE VIRTUAL TABLE kb_search USING fts5 (heading, text, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    // Passages per term: lookups search with an utterance's rarest words, not every common one.
    // The optional AI report of a call (the latest one written).
    await db.schema
      .createTable('call_reports')
      .addColumn('call_id', 'text', (c) => c.primaryKey().references('calls.id').onDelete('cascade'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('json', 'text', (c) => c.notNull())
      .execute();
    await sql`CREATE VIRTUAL TABLE kb_vocab USING fts5vocab (kb_search, 'row')`.execute(db);
  },
};
