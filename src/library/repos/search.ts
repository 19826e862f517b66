/**
 * Full-text search behind an interface: the calls list asks a `SearchIndex` for a match and never
 * names FTS5, so a PostgreSQL implementation (tsvector) can take its place on a sync server.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { LibraryDb, WriteHandle } from './handle';

const SNIPPET_OPEN = '«';
const SNIPPET_CLOSE = '»';

/** What a search text matched, usable inside the calls list query (where the calls table is `c`). */
export interface SearchMatch {
  /** A condition on `c.seq`, true for the calls the text matches. */
  readonly where: RawBuilder<SqlBool>;
  /** The matching text of each of these calls (by `seq`), hits between `«` and `»`. */
  snippets(seqs: readonly number[]): Promise<Map<number, string>>;
}

export interface SearchIndex {
  /** Rebuilds a call's searchable text (title, notes, final transcript), in the caller's transaction. */
  reindex(h: WriteHandle, callId: string): Promise<void>;
  /** Forgets a call (before its row is deleted). */
  remove(h: WriteHandle, seq: number): Promise<void>;
  /** The match for what a person typed; null when it holds no word to look for. */
  query(text: string): SearchMatch | null;
}

/** The FTS5 query for what a person typed: every word must appear, the last one as a prefix. */
function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  if (!words || words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** SQLite FTS5 (`call_search`, rowid = calls.seq). */
export class Fts5SearchIndex implements SearchIndex {
  constructor(private readonly db: LibraryDb) {}

  async reindex(h: WriteHandle, callId: string): Promise<void> {
    const call = await h.selectFrom('calls').select(['seq', 'title', 'notes']).where('id', '=', callId).executeTakeFirst();
    if (!call) return;
    const parts = await h.selectFrom('transcript_segments').select('text').where('call_id', '=', callId).where('final', '=', 1).orderBy('start_ms').execute();
    await h.deleteFrom('call_search').where('rowid', '=', call.seq).execute();
    await h
      .insertInto('call_search')
      .values({ rowid: call.seq, title: call.title, notes: call.notes, transcript: parts.map((p) => p.text).join('\n') })
      .execute();
  }

  async remove(h: WriteHandle, seq: number): Promise<void> {
    await h.deleteFrom('call_search').where('rowid', '=', seq).execute();
  }

  query(text: string): SearchMatch | null {
    const match = ftsQuery(text);
    if (match === null) return null;
    return {
      where: sql<SqlBool>`c.seq IN (SELECT rowid FROM call_search WHERE call_search MATCH ${match})`,
      snippets: async (seqs) => {
        const out = new Map<number, string>();
        if (seqs.length === 0) return out;
        const found = await sql<{ rowid: number; snippet: string }>`
          SELECT rowid, snippet(call_search, -1, ${SNIPPET_OPEN}, ${SNIPPET_CLOSE}, '…', 12) AS snippet
          FROM call_search WHERE call_search MATCH ${match} AND rowid IN (${sql.join([...seqs])})`.execute(this.db);
        for (const f of found.rows) out.set(f.rowid, f.snippet);
        return out;
      },
    };
  }
}
