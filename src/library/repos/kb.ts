/**
 * The knowledge base: documents split into passages, indexed with FTS5 and searched with what the
 * customer just said. The search uses the utterance's rarest few words (by the index's own vocabulary,
 * as prefixes so inflections match): common words would make bm25 score most of the base for nothing.
 * Ranking is FTS5's bm25; a hit is "strong" when the passage holds most of the utterance's content
 * words, so small talk does not raise cards.
 */
import { sql } from 'kysely';
import { UserError } from '../../shared/errors';
import { insertBatched, type LibraryDb, type WriteHandle } from './handle';

export interface KbPassageInput {
  readonly heading: string;
  readonly text: string;
}

export interface KbDocument {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly passages: number;
  readonly addedAt: number;
}

export interface KbHit {
  readonly source: string;
  readonly heading: string;
  readonly text: string;
  /** bm25 (lower is better, negative). */
  readonly rank: number;
  /** Share of the query's content words found in the passage, 0–1. */
  readonly coverage: number;
}

/** Words too common to look for (speech is full of them; FTS5 would rank every passage). */
const STOP = new Set(
  'a an the and or but if so to of in on at for with from by is are was were be been am i you he she it we they me my your our their this that these those do does did have has had can could would should will just not no yes um uh like really very what how why when where which who there here about get got want need know think okay ok well please thanks thank hi hello'.split(' '),
);

/** The content words of an utterance, folded, for the FTS query and the coverage test. */
function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length > 1 && !STOP.has(w)))].slice(0, 16);
}

/** Crude suffix folding so "routers" covers "router" (searched as a prefix). */
const root = (w: string): string => (w.length > 4 ? w.replace(/(ing|ed|es|s)$/, '') : w);
/** Words searched per utterance, the rarest first. */
const MAX_TERMS = 4;
/** A word in more than this share of passages is left out of the search (unless all are). */
const COMMON_SHARE = 0.15;

export class KbRepo {
  constructor(private readonly db: LibraryDb) {}

  /** Adds (or replaces, by name) a document and its passages, in one transaction. */
  async add(name: string, kind: string, passages: readonly KbPassageInput[]): Promise<KbDocument> {
    if (passages.length === 0) throw new UserError(`${name}: no text to add`, 'bad_input');
    return this.db.transaction().execute(async (trx) => {
      const old = await trx.selectFrom('kb_documents').select('id').where('name', '=', name).executeTakeFirst();
      if (old) await this.removeIn(trx, old.id);
      const addedAt = Date.now();
      const doc = await trx.insertInto('kb_documents').values({ name, kind, added_at: addedAt }).returning('id').executeTakeFirstOrThrow();
      await insertBatched(
        passages.map((p, ord) => ({ doc_id: doc.id, ord, heading: p.heading, text: p.text })),
        (batch) => trx.insertInto('kb_passages').values(batch).execute(),
      );
      await sql`INSERT INTO kb_search (rowid, heading, text) SELECT id, heading, text FROM kb_passages WHERE doc_id = ${doc.id}`.execute(trx);
      return { id: doc.id, name, kind, passages: passages.length, addedAt };
    });
  }

  async list(): Promise<KbDocument[]> {
    const rows = await this.db
      .selectFrom('kb_documents as d')
      .leftJoin('kb_passages as p', 'p.doc_id', 'd.id')
      .select(['d.id', 'd.name', 'd.kind', 'd.added_at', (eb) => eb.fn.count<number>('p.id').as('passages')])
      .groupBy('d.id')
      .orderBy('d.name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, passages: Number(r.passages), addedAt: r.added_at }));
  }

  /** Removes a document by name or id; throws a one-line error when there is none. */
  async remove(nameOrId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const id = /^\d+$/.test(nameOrId) ? Number(nameOrId) : -1;
      const doc = await trx.selectFrom('kb_documents').select('id').where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', id)])).executeTakeFirst();
      if (!doc) throw new UserError(`no knowledge base document "${nameOrId}"`, 'not_found');
      await this.removeIn(trx, doc.id);
    });
  }

  private async removeIn(trx: WriteHandle, docId: number): Promise<void> {
    await sql`DELETE FROM kb_search WHERE rowid IN (SELECT id FROM kb_passages WHERE doc_id = ${docId})`.execute(trx);
    await trx.deleteFrom('kb_passages').where('doc_id', '=', docId).execute();
    await trx.deleteFrom('kb_documents').where('id', '=', docId).execute();
  }

  /** The best passages for `text`, best first (any content word may match; bm25 ranks). */
  async search(text: string, limit = 5): Promise<KbHit[]> {
    const words = contentWords(text);
    if (words.length === 0) return [];
    const roots = [...new Set(words.map(root))];
    const counts = new Map((await this.db.selectFrom('kb_vocab').select(['term', 'doc']).where('term', 'in', roots).execute()).map((r) => [r.term, r.doc]));
    const total = Number((await this.db.selectFrom('kb_passages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const byRarity = roots.slice().sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0));
    const rare = byRarity.filter((r) => (counts.get(r) ?? 0) <= total * COMMON_SHARE);
    const terms = (rare.length > 0 ? rare : byRarity).slice(0, MAX_TERMS);
    const match = terms.map((w) => `"${w}"*`).join(' OR ');
    // FTS5's own `rank` ordering with a LIMIT keeps only the best rows while scanning; the join runs on those.
    const rows = await sql<{ source: string; heading: string; text: string; rank: number }>`
      SELECT d.name AS source, p.heading AS heading, p.text AS text, best.rank AS rank
      FROM (SELECT rowid, rank FROM kb_search WHERE kb_search MATCH ${match} ORDER BY rank LIMIT ${limit}) best
      JOIN kb_passages p ON p.id = best.rowid JOIN kb_documents d ON d.id = p.doc_id
      ORDER BY best.rank`.execute(this.db);
    return rows.rows.map((r) => {
      const have = new Set(((`${r.heading} ${r.text}`).toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).map(root));
      return { ...r, coverage: roots.filter((w) => have.has(w)).length / roots.length };
    });
  }

  /**
   * The best passage when it is a strong match for an utterance: at least two of its content words
   * (or its only one) and at least half of them. Null otherwise.
   */
  async lookup(text: string): Promise<KbHit | null> {
    const words = contentWords(text);
    const best = (await this.search(text, 1))[0];
    if (!best) return null;
    const found = Math.round(best.coverage * words.length);
    return best.coverage >= 0.5 && found >= Math.min(2, words.length) ? best : null;
  }
}
