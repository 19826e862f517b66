/**
 * The local call library: one SQLite file (better-sqlite3 under kysely), WAL, foreign keys, a busy
 * timeout, and an explicit migration list. Everything a call holds is written in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type Selectable, type Transaction } from 'kysely';
import type { CallEvent, CallReport, ChannelName, EventType, Nudge, NudgeFeedback, Severity, SpeechSegment, TimelinePoint } from '../shared/types';
import { oneLine, UserError } from '../shared/errors';
import { scoreCall } from '../insights/score';
import type { PlaybookTargets } from '../shared/playbook-targets';
import { MIGRATIONS, migrationProvider } from './migrations';
import { summaryFromParts } from './summary';
import { chunkOf, decodeChunk, encodeChunk } from './timeline-codec';
import {
  CALL_SOURCES,
  CALL_STATUSES,
  NUDGE_FEEDBACK,
  type CallListItem,
  type CallMeta,
  type CallMetaInput,
  type CallPage,
  type CallQuery,
  type CallRecord,
  type CallSummary,
  type CallUpdate,
  type CallsTable,
  type LibrarySchema,
  type RecordingInfo,
  type SaveOptions,
  type TranscriptSegment,
} from './types';

export type LibraryDb = Kysely<LibrarySchema>;
export type LibraryTx = Transaction<LibrarySchema>;

const SQLITE_MAGIC = 'SQLite format 3\0';
const BUSY_TIMEOUT_MS = 5000;
/** Rows per multi-row INSERT (well under SQLite's bound-parameter limit). */
const INSERT_BATCH = 200;
export const SNIPPET_OPEN = '«';
export const SNIPPET_CLOSE = '»';

export interface OpenOptions {
  /** Where recordings go; default `<folder of the database>/recordings`. */
  readonly recordingsDir?: string;
  readonly readonly?: boolean;
}

/** The file starts like an SQLite database (or is empty / absent, which SQLite will initialise). */
function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EISDIR') throw new UserError(`library path is a directory: ${path}`, 'bad_library');
    throw new UserError(`cannot open library ${path}: ${code ?? oneLine(err)}`, 'bad_library');
  }
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n === 0) return;
    if (n < 16 || head.toString('latin1') !== SQLITE_MAGIC) {
      throw new UserError(`not a Cadence library (not an SQLite database): ${path}`, 'bad_library');
    }
  } finally {
    closeSync(fd);
  }
}

function ensureParent(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create the library folder ${dirname(path)}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`, 'bad_library');
  }
}

/**
 * Looks at an existing database without writing to it: a corrupt file, a foreign SQLite database or
 * one migrated by a newer Cadence is refused here, before any pragma or migration touches it.
 */
function inspect(sqlite: Database.Database, path: string): void {
  let tables: string[];
  try {
    tables = (sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
  } catch (err) {
    throw new UserError(`library ${path} is corrupted or not a database (${oneLine(err)})`, 'bad_library');
  }
  if (tables.length === 0) return;
  if (!tables.includes('kysely_migration')) {
    throw new UserError(`not a Cadence library (an SQLite database with other tables): ${path}`, 'bad_library');
  }
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const applied = (sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  const unknown = applied.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UserError(
      `library ${path} was written by a newer version of Cadence (unknown migration ${unknown.join(', ')}); update Cadence to open it — the file was not modified`,
      'newer_library',
    );
  }
}

/**
 * Opens (creating and migrating when needed) the library at `path` (`:memory:` for tests). Throws a
 * one-line `UserError` for a corrupt, foreign or newer database and never modifies such a file.
 */
export async function openLibrary(path: string, options: OpenOptions = {}): Promise<Library> {
  const memory = path === ':memory:';
  const absPath = memory ? path : resolve(path);
  if (!memory) {
    checkHeader(absPath);
    if (!options.readonly) ensureParent(absPath);
  }
  let sqlite: Database.Database;
  try {
    sqlite = new Database(absPath, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (err) {
    throw new UserError(`cannot open library ${absPath}: ${oneLine(err)}`, 'bad_library');
  }
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    inspect(sqlite, absPath);
    if (!options.readonly) {
      if (!memory) sqlite.pragma('journal_mode = WAL');
      // FULL syncs the WAL at each commit: a power cut loses at most the last batch (≤ ~1 s of a live call).
      sqlite.pragma('synchronous = FULL');
    }
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    if (err instanceof UserError) throw err;
    throw new UserError(`library ${absPath} is corrupted or not a database (${oneLine(err)})`, 'bad_library');
  }
  const db = new Kysely<LibrarySchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (!options.readonly) {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error) {
      await db.destroy();
      throw new UserError(`cannot migrate library ${absPath}: ${oneLine(error)}`, 'bad_library');
    }
  }
  const recordingsDir = options.recordingsDir ?? (memory ? join(tmpdir(), 'cadence-memory-recordings') : join(dirname(absPath), 'recordings'));
  return new Library(db, sqlite, absPath, resolve(recordingsDir));
}

// ---------------------------------------------------------------------------------------------------

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function metaFromRow(row: Selectable<CallsTable>): CallMeta {
  return {
    id: row.id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    source: row.source,
    status: row.status,
    title: row.title,
    customerLabel: row.customer_label,
    agent: row.agent,
    tags: parseJson<string[]>(row.tags, []),
    notes: row.notes,
    score: row.score,
    insights: parseJson<unknown>(row.insights, null),
  };
}

/** The FTS5 query for what a person typed: every word must appear, the last one as a prefix. */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  if (!words || words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

function normalizeTags(tags: readonly string[] | undefined): string {
  const clean = [...new Set((tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
  return JSON.stringify(clean);
}

async function insertBatched<T>(rows: readonly T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await write(rows.slice(i, i + INSERT_BATCH));
}

export class Library {
  constructor(
    readonly db: LibraryDb,
    /** The raw connection, for pragmas and EXPLAIN in tests and the bench. */
    readonly sqlite: Database.Database,
    readonly path: string,
    readonly recordingsDir: string,
  ) {}

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Absolute path of a stored recording path (stored relative to the recordings folder when inside it). */
  recordingPath(stored: string): string {
    return isAbsolute(stored) ? stored : join(this.recordingsDir, stored);
  }

  /** The id for an exact id or a unique prefix of at least 4 characters; undefined when none or ambiguous. */
  async resolveId(idOrPrefix: string): Promise<string | undefined> {
    const exact = await this.db.selectFrom('calls').select('id').where('id', '=', idOrPrefix).executeTakeFirst();
    if (exact) return exact.id;
    if (idOrPrefix.length < 4) return undefined;
    const escaped = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = await this.db
      .selectFrom('calls')
      .select('id')
      .where(sql<boolean>`id LIKE ${`${escaped}%`} ESCAPE '\\'`)
      .limit(2)
      .execute();
    return rows.length === 1 ? rows[0]!.id : undefined;
  }

  // ---- writing --------------------------------------------------------------------------------------

  /** Inserts the call row (no parts). Used by saveReport, live calls and import. */
  async insertCall(trx: LibraryTx | LibraryDb, meta: CallMetaInput, durationMs: number, summary: CallSummary | null): Promise<string> {
    const id = meta.id ?? randomUUID();
    if (!CALL_SOURCES.includes(meta.source)) throw new UserError(`unknown call source "${String(meta.source)}"`);
    const status = meta.status ?? 'completed';
    if (!CALL_STATUSES.includes(status)) throw new UserError(`unknown call status "${String(status)}"`);
    await trx
      .insertInto('calls')
      .values({
        id,
        started_at: Math.round(meta.startedAt),
        ended_at: meta.endedAt ?? (status === 'live' ? null : Math.round(meta.startedAt + durationMs)),
        duration_ms: Math.round(durationMs),
        source: meta.source,
        status,
        title: meta.title ?? '',
        customer_label: meta.customerLabel ?? null,
        agent: meta.agent ?? null,
        tags: normalizeTags(meta.tags),
        notes: meta.notes ?? '',
        score: meta.score ?? null,
        insights: meta.insights === undefined || meta.insights === null ? null : JSON.stringify(meta.insights),
        summary: summary === null ? null : JSON.stringify(summary),
        updated_at: Date.now(),
      })
      .execute();
    return id;
  }

  async insertSpeech(trx: LibraryTx | LibraryDb, callId: string, segments: readonly SpeechSegment[]): Promise<void> {
    await insertBatched(segments, (b) =>
      trx
        .insertInto('speech_segments')
        .values(b.map((s) => ({ call_id: callId, channel: s.channel, start_ms: Math.round(s.startMs), end_ms: Math.round(s.endMs) })))
        .execute(),
    );
  }

  async upsertEvents(trx: LibraryTx | LibraryDb, callId: string, events: readonly CallEvent[]): Promise<void> {
    await insertBatched(events, (b) =>
      trx
        .insertInto('events')
        .values(b.map((e) => ({ call_id: callId, id: e.id, type: e.type, channel: e.channel, start_ms: Math.round(e.startMs), end_ms: e.endMs === null ? null : Math.round(e.endMs) })))
        .onConflict((oc) => oc.columns(['call_id', 'id']).doUpdateSet((eb) => ({ end_ms: eb.ref('excluded.end_ms') })))
        .execute(),
    );
  }

  async upsertNudges(trx: LibraryTx | LibraryDb, callId: string, nudges: readonly Nudge[]): Promise<void> {
    await insertBatched(nudges, (b) =>
      trx
        .insertInto('nudges')
        .values(
          b.map((n) => ({
            call_id: callId,
            id: n.id,
            rule_id: n.ruleId,
            title: n.title,
            severity: n.severity,
            message: n.message,
            detail: n.detail ?? null,
            opened_ms: Math.round(n.atMs),
            closed_ms: n.endMs === null ? null : Math.round(n.endMs),
            condition_since_ms: Math.round(n.conditionSinceMs),
            feedback: n.feedback ?? null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['call_id', 'id']).doUpdateSet((eb) => ({
            closed_ms: eb.ref('excluded.closed_ms'),
            message: eb.ref('excluded.message'),
            detail: eb.ref('excluded.detail'),
            feedback: sql<NudgeFeedback | null>`coalesce(excluded.feedback, nudges.feedback)`,
          })),
        )
        .execute(),
    );
  }

  /** Replaces the timeline chunks covering `points` (whole minutes: pass every point of each chunk). */
  async putTimeline(trx: LibraryTx | LibraryDb, callId: string, points: readonly TimelinePoint[]): Promise<void> {
    const chunks = new Map<number, TimelinePoint[]>();
    for (const p of points) {
      const c = chunkOf(p.tMs);
      let list = chunks.get(c);
      if (!list) chunks.set(c, (list = []));
      list.push(p);
    }
    const rows = [...chunks].map(([chunk, list]) => ({ call_id: callId, chunk, data: encodeChunk(list) }));
    await insertBatched(rows, (b) =>
      trx
        .insertInto('timeline_chunks')
        .values(b)
        .onConflict((oc) => oc.columns(['call_id', 'chunk']).doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })))
        .execute(),
    );
  }

  async insertTranscript(trx: LibraryTx | LibraryDb, callId: string, segments: readonly TranscriptSegment[]): Promise<void> {
    await insertBatched(segments, (b) =>
      trx
        .insertInto('transcript_segments')
        .values(
          b.map((t) => ({
            call_id: callId,
            channel: t.channel,
            text: t.text,
            start_ms: Math.round(t.startMs),
            end_ms: Math.round(t.endMs),
            confidence: t.confidence,
            final: t.final ? 1 : 0,
          })),
        )
        .execute(),
    );
  }

  /** Rebuilds the call's full-text row from its title, notes and final transcript. */
  async reindex(trx: LibraryTx | LibraryDb, callId: string): Promise<void> {
    const call = await trx.selectFrom('calls').select(['seq', 'title', 'notes']).where('id', '=', callId).executeTakeFirst();
    if (!call) return;
    const parts = await trx
      .selectFrom('transcript_segments')
      .select('text')
      .where('call_id', '=', callId)
      .where('final', '=', 1)
      .orderBy('start_ms')
      .execute();
    await trx.deleteFrom('call_search').where('rowid', '=', call.seq).execute();
    await trx
      .insertInto('call_search')
      .values({ rowid: call.seq, title: call.title, notes: call.notes, transcript: parts.map((p) => p.text).join('\n') })
      .execute();
  }

  /** Stores a whole finished call (meta + engine report + transcript) in one transaction; returns its id. */
  async saveReport(meta: CallMetaInput, report: CallReport, options: SaveOptions = {}): Promise<string> {
    const { speech, timeline, events, nudges, ...summary } = report;
    // A call arrives scored unless it brings its own score (an imported archive keeps what it had).
    const scored = meta.score === undefined && meta.insights === undefined ? scoreCall(report) : null;
    const withScore = scored ? { ...meta, score: scored.score, insights: scored } : meta;
    return this.db.transaction().execute(async (trx) => {
      const id = await this.insertCall(trx, withScore, report.durationMs, summary);
      await this.insertSpeech(trx, id, speech);
      await this.upsertEvents(trx, id, events);
      await this.upsertNudges(trx, id, nudges);
      await this.putTimeline(trx, id, timeline);
      await this.insertTranscript(trx, id, options.transcript ?? []);
      await this.reindex(trx, id);
      return id;
    });
  }

  async setRecording(trx: LibraryTx | LibraryDb, callId: string, rec: Omit<RecordingInfo, 'path'> & { path: string }): Promise<void> {
    const rel = rec.path.startsWith(this.recordingsDir + '/') || rec.path.startsWith(this.recordingsDir + '\\') ? rec.path.slice(this.recordingsDir.length + 1) : rec.path;
    const row = { call_id: callId, path: rel, codec: rec.codec, size_bytes: rec.sizeBytes, sha256: rec.sha256, duration_ms: Math.round(rec.durationMs), error: rec.error };
    await trx
      .insertInto('recordings')
      .values(row)
      .onConflict((oc) => oc.column('call_id').doUpdateSet({ path: rel, codec: row.codec, size_bytes: row.size_bytes, sha256: row.sha256, duration_ms: row.duration_ms, error: row.error }))
      .execute();
  }

  async updateCall(id: string, patch: CallUpdate): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('calls')
        .set({
          ...(patch.title !== undefined && { title: patch.title }),
          ...(patch.notes !== undefined && { notes: patch.notes }),
          ...(patch.tags !== undefined && { tags: normalizeTags(patch.tags) }),
          ...(patch.customerLabel !== undefined && { customer_label: patch.customerLabel }),
          ...(patch.agent !== undefined && { agent: patch.agent }),
          ...(patch.score !== undefined && { score: patch.score }),
          ...(patch.insights !== undefined && { insights: patch.insights === null ? null : JSON.stringify(patch.insights) }),
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new UserError(`no call with id ${id}`, 'not_found');
      await this.reindex(trx, id);
    });
  }

  /** Recomputes a call's score and insights from what is stored (after a live call ends or is recovered). */
  /** Scores the call against the targets of the playbook it was coached with (the defaults if unknown). */
  async rescore(id: string, targets?: PlaybookTargets): Promise<void> {
    const call = await this.getCall(id);
    if (!call) return;
    const scored = scoreCall(call.report, targets);
    // Only the score columns change; the search index (title, notes, transcript) stays as it is.
    await this.db.updateTable('calls').set({ score: scored.score, insights: JSON.stringify(scored), updated_at: Date.now() }).where('id', '=', id).execute();
  }

  async setNudgeFeedback(callId: string, nudgeId: string, feedback: NudgeFeedback | null): Promise<void> {
    if (feedback !== null && !NUDGE_FEEDBACK.includes(feedback)) throw new UserError(`unknown feedback "${String(feedback)}"`);
    const res = await this.db.updateTable('nudges').set({ feedback }).where('call_id', '=', callId).where('id', '=', nudgeId).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new UserError(`no nudge ${nudgeId} in call ${callId}`, 'not_found');
  }

  /** Deletes the call, all its rows and its recording file. Returns false when there was no such call. */
  async deleteCall(id: string): Promise<boolean> {
    const recPath = await this.db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').select('seq').where('id', '=', id).executeTakeFirst();
      if (!call) return undefined;
      const rec = await trx.selectFrom('recordings').select('path').where('call_id', '=', id).executeTakeFirst();
      await trx.deleteFrom('call_search').where('rowid', '=', call.seq).execute();
      await trx.deleteFrom('calls').where('id', '=', id).execute();
      return rec ? this.recordingPath(rec.path) : null;
    });
    if (recPath === undefined) return false;
    if (recPath !== null) rmSync(recPath, { force: true });
    return true;
  }

  // ---- reading --------------------------------------------------------------------------------------

  async getCall(id: string): Promise<CallRecord | undefined> {
    const row = await this.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [speechRows, eventRows, nudgeRows, chunkRows, transcriptRows, recRow] = await Promise.all([
      this.db.selectFrom('speech_segments').selectAll().where('call_id', '=', id).orderBy('start_ms').execute(),
      this.db.selectFrom('events').selectAll().where('call_id', '=', id).orderBy('start_ms').execute(),
      this.db.selectFrom('nudges').selectAll().where('call_id', '=', id).orderBy('opened_ms').execute(),
      this.db.selectFrom('timeline_chunks').select(['chunk', 'data']).where('call_id', '=', id).orderBy('chunk').execute(),
      this.db.selectFrom('transcript_segments').selectAll().where('call_id', '=', id).orderBy('start_ms').orderBy('id').execute(),
      this.db.selectFrom('recordings').selectAll().where('call_id', '=', id).executeTakeFirst(),
    ]);
    const speech: SpeechSegment[] = speechRows.map((s) => ({ channel: s.channel, startMs: s.start_ms, endMs: s.end_ms }));
    const events: CallEvent[] = eventRows.map((e) => ({ id: e.id, type: e.type as EventType, channel: e.channel, startMs: e.start_ms, endMs: e.end_ms }));
    const nudges: Nudge[] = nudgeRows.map((n) => ({
      id: n.id,
      ruleId: n.rule_id,
      title: n.title,
      severity: n.severity as Severity,
      message: n.message,
      ...(n.detail !== null && { detail: n.detail }),
      atMs: n.opened_ms,
      endMs: n.closed_ms,
      conditionSinceMs: n.condition_since_ms,
      feedback: n.feedback,
    }));
    const timeline = chunkRows.flatMap((c) => decodeChunk(c.data));
    const stored = parseJson<CallSummary | null>(row.summary, null);
    const summary = stored ?? summaryFromParts(speech, events, row.duration_ms);
    return {
      meta: metaFromRow(row),
      report: { ...summary, speech, timeline, events, nudges },
      summaryComplete: stored !== null,
      transcript: transcriptRows.map((t) => ({
        channel: t.channel as ChannelName,
        text: t.text,
        startMs: t.start_ms,
        endMs: t.end_ms,
        confidence: t.confidence,
        final: t.final === 1,
      })),
      recording: recRow
        ? { path: this.recordingPath(recRow.path), codec: recRow.codec, sizeBytes: recRow.size_bytes, sha256: recRow.sha256, durationMs: recRow.duration_ms, error: recRow.error }
        : null,
    };
  }

  /** The filtered query shared by the page and its total. */
  private filtered(q: CallQuery, match: string | null) {
    let query = this.db.selectFrom('calls as c');
    if (match !== null) query = query.where('c.seq', 'in', sql<number>`(SELECT rowid FROM call_search WHERE call_search MATCH ${match})`);
    if (q.from !== undefined) query = query.where('c.started_at', '>=', q.from);
    if (q.to !== undefined) query = query.where('c.started_at', '<', q.to);
    if (q.agent !== undefined) query = query.where('c.agent', '=', q.agent);
    if (q.status !== undefined) query = query.where('c.status', '=', q.status);
    if (q.minScore !== undefined) query = query.where('c.score', '>=', q.minScore);
    if (q.maxScore !== undefined) query = query.where('c.score', '<=', q.maxScore);
    if (q.ruleId !== undefined) {
      const ruleId = q.ruleId;
      query = query.where('c.id', 'in', (eb) => eb.selectFrom('nudges').select('nudges.call_id').where('nudges.rule_id', '=', ruleId));
    }
    if (q.tag !== undefined) query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ${q.tag})`);
    return query;
  }

  /** Calls newest first, filtered, paginated; with `search`, each item carries a highlighted snippet. */
  async listCalls(q: CallQuery = {}): Promise<CallPage> {
    const search = q.search?.trim() ? q.search : undefined;
    const match = search === undefined ? null : ftsQuery(search);
    if (search !== undefined && match === null) return { items: [], total: 0 };
    const limit = Math.max(1, Math.min(q.limit ?? 50, 1000));
    const offset = Math.max(0, q.offset ?? 0);
    const [rows, count] = await Promise.all([
      this.filtered(q, match)
        .select(['c.seq', 'c.id', 'c.started_at', 'c.duration_ms', 'c.source', 'c.status', 'c.title', 'c.agent', 'c.customer_label', 'c.tags', 'c.score'])
        .orderBy('c.started_at', 'desc')
        .orderBy('c.seq', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.filtered(q, match)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    const snippets = new Map<number, string>();
    if (match !== null && rows.length > 0) {
      const found = await sql<{ rowid: number; snippet: string }>`
        SELECT rowid, snippet(call_search, -1, ${SNIPPET_OPEN}, ${SNIPPET_CLOSE}, '…', 12) AS snippet
        FROM call_search WHERE call_search MATCH ${match} AND rowid IN (${sql.join(rows.map((r) => r.seq))})`.execute(this.db);
      for (const f of found.rows) snippets.set(f.rowid, f.snippet);
    }
    return {
      total: Number(count.n),
      items: rows.map(
        (r): CallListItem => ({
          id: r.id,
          startedAt: r.started_at,
          durationMs: r.duration_ms,
          source: r.source,
          status: r.status,
          title: r.title,
          agent: r.agent,
          customerLabel: r.customer_label,
          tags: parseJson<string[]>(r.tags, []),
          score: r.score,
          snippet: match === null ? null : (snippets.get(r.seq) ?? null),
        }),
      ),
    };
  }

  // ---- settings and playbooks ----------------------------------------------------------------------

  async getSetting<T = unknown>(key: string): Promise<T | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.db.deleteFrom('settings').where('key', '=', key).execute();
      return;
    }
    const json = JSON.stringify(value);
    await this.db
      .insertInto('settings')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json }))
      .execute();
  }

  async savePlaybook(id: string, name: string, playbook: unknown): Promise<void> {
    const json = JSON.stringify(playbook);
    const now = Date.now();
    await this.db
      .insertInto('playbooks')
      .values({ id, name, json, updated_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name, json, updated_at: now }))
      .execute();
  }

  async getPlaybook(id: string): Promise<{ id: string; name: string; playbook: unknown } | undefined> {
    const row = await this.db.selectFrom('playbooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, name: row.name, playbook: JSON.parse(row.json) as unknown } : undefined;
  }

  async listPlaybooks(): Promise<{ id: string; name: string; updatedAt: number }[]> {
    const rows = await this.db.selectFrom('playbooks').select(['id', 'name', 'updated_at']).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, updatedAt: r.updated_at }));
  }
}

/** Size of a file, or 0 when it is missing. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
