/**
 * 0003: transcript segments keep their words with timings (a JSON list per segment: the words are read
 * with their segment and never queried on their own, so a column beats a table of one row per word).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration0003: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE transcript_segments ADD COLUMN words TEXT`.execute(db);
  },
};
