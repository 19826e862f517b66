/**
 * Calls and everything a call holds (speech, events, nudges, timeline, transcript, tags). A whole call
 * is written in one transaction; a running call cannot be deleted by any path.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { sql, type Selectable } from 'kysely';
import type { CallEvent, CallReport, ChannelName, EventType, Nudge, NudgeFeedback, Severity, SpeechSegment, TimelinePoint, TranscriptWord } from '../../shared/types';
import { UserError } from '../../shared/errors';
import { scoreCall } from '../../insights/score';
import type { PlaybookTargets } from '../../shared/playbook-targets';
import { wordPaceOfTranscript } from '../../dsp/word-pace';
import { summaryFromParts } from '../summary';
import { decodeChunk, encodeChunk, chunkOf } from '../timeline-codec';
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
  type RecordingInfo,
  type SaveOptions,
  type TranscriptSegment,
} from '../types';
import { insertBatched, parseJson, type LibraryDb, type ReadHandle, type WriteHandle } from './handle';
import { ownerAlive, ownerOf } from './owner';
import type { RecordingsRepo } from './recordings';
import type { SearchIndex } from './search';

/** A whole call to store at once (a finished call, an imported file or archive). */
export interface NewCall {
  readonly meta: CallMetaInput;
  readonly durationMs: number;
  /** Null when the summary is not known (an interrupted call); it is rebuilt from the parts on read. */
  readonly summary: CallSummary | null;
  readonly speech: readonly SpeechSegment[];
  readonly events: readonly CallEvent[];
  readonly nudges: readonly Nudge[];
  readonly timeline: readonly TimelinePoint[];
  readonly transcript?: readonly TranscriptSegment[];
  readonly recording?: RecordingInfo | null;
}

function cleanTags(tags: readonly string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter((t) => t.length > 0))];
}

function metaFromRow(row: Selectable<CallsTable>, tags: readonly string[]): CallMeta {
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
    tags,
    notes: row.notes,
    score: row.score,
    insights: parseJson<unknown>(row.insights, null),
  };
}

/** Tags of each of these calls, in the order they were given. */
async function tagsOf(h: ReadHandle, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = await h.selectFrom('call_tags').select(['call_id', 'tag']).where('call_id', 'in', [...ids]).orderBy('call_id').orderBy('pos').execute();
  for (const r of rows) {
    let list = out.get(r.call_id);
    if (!list) out.set(r.call_id, (list = []));
    list.push(r.tag);
  }
  return out;
}

export class CallsRepo {
  constructor(
    private readonly db: LibraryDb,
    private readonly search: SearchIndex,
    private readonly recordings: RecordingsRepo,
  ) {}

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

  // ---- writing parts (inside the caller's transaction) ---------------------------------------------

  /** Inserts the call row and its tags (no parts). */
  async insert(h: WriteHandle, meta: CallMetaInput, durationMs: number, summary: CallSummary | null): Promise<string> {
    const id = meta.id ?? randomUUID();
    if (!CALL_SOURCES.includes(meta.source)) throw new UserError(`unknown call source "${String(meta.source)}"`);
    const status = meta.status ?? 'completed';
    if (!CALL_STATUSES.includes(status)) throw new UserError(`unknown call status "${String(status)}"`);
    await h
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
        notes: meta.notes ?? '',
        score: meta.score ?? null,
        insights: meta.insights === undefined || meta.insights === null ? null : JSON.stringify(meta.insights),
        summary: summary === null ? null : JSON.stringify(summary),
        updated_at: Date.now(),
      })
      .execute();
    await this.setTags(h, id, meta.tags);
    return id;
  }

  /** Replaces the call's tags (trimmed, empty and repeated ones dropped, order kept). */
  async setTags(h: WriteHandle, callId: string, tags: readonly string[] | undefined): Promise<void> {
    await h.deleteFrom('call_tags').where('call_id', '=', callId).execute();
    const clean = cleanTags(tags);
    if (clean.length > 0) await h.insertInto('call_tags').values(clean.map((tag, pos) => ({ call_id: callId, tag, pos }))).execute();
  }

  async insertSpeech(h: WriteHandle, callId: string, segments: readonly SpeechSegment[]): Promise<void> {
    await insertBatched(segments, (b) =>
      h
        .insertInto('speech_segments')
        .values(b.map((s) => ({ call_id: callId, channel: s.channel, start_ms: Math.round(s.startMs), end_ms: Math.round(s.endMs) })))
        .execute(),
    );
  }

  async upsertEvents(h: WriteHandle, callId: string, events: readonly CallEvent[]): Promise<void> {
    await insertBatched(events, (b) =>
      h
        .insertInto('events')
        .values(b.map((e) => ({ call_id: callId, id: e.id, type: e.type, channel: e.channel, start_ms: Math.round(e.startMs), end_ms: e.endMs === null ? null : Math.round(e.endMs) })))
        .onConflict((oc) => oc.columns(['call_id', 'id']).doUpdateSet((eb) => ({ end_ms: eb.ref('excluded.end_ms') })))
        .execute(),
    );
  }

  async upsertNudges(h: WriteHandle, callId: string, nudges: readonly Nudge[]): Promise<void> {
    await insertBatched(nudges, (b) =>
      h
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
  async putTimeline(h: WriteHandle, callId: string, points: readonly TimelinePoint[]): Promise<void> {
    const chunks = new Map<number, TimelinePoint[]>();
    for (const p of points) {
      const c = chunkOf(p.tMs);
      let list = chunks.get(c);
      if (!list) chunks.set(c, (list = []));
      list.push(p);
    }
    const rows = [...chunks].map(([chunk, list]) => ({ call_id: callId, chunk, data: encodeChunk(list) }));
    await insertBatched(rows, (b) =>
      h
        .insertInto('timeline_chunks')
        .values(b)
        .onConflict((oc) => oc.columns(['call_id', 'chunk']).doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })))
        .execute(),
    );
  }

  async insertTranscript(h: WriteHandle, callId: string, segments: readonly TranscriptSegment[]): Promise<void> {
    await insertBatched(segments, (b) =>
      h
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
            words: t.words && t.words.length > 0 ? JSON.stringify(t.words) : null,
          })),
        )
        .execute(),
    );
  }

  // ---- whole calls -------------------------------------------------------------------------------------

  /**
   * Stores a whole call, its recording row and its search entry in one transaction; returns its id.
   * `beforeCommit` runs last inside the transaction (e.g. moving the recording file into place), so a
   * failure there rolls the rows back.
   */
  async store(call: NewCall, beforeCommit?: (id: string) => void): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const id = await this.insert(trx, call.meta, call.durationMs, call.summary);
      await this.insertSpeech(trx, id, call.speech);
      await this.upsertEvents(trx, id, call.events);
      await this.upsertNudges(trx, id, call.nudges);
      await this.putTimeline(trx, id, call.timeline);
      await this.insertTranscript(trx, id, call.transcript ?? []);
      if (call.recording) await this.recordings.set(trx, id, call.recording);
      await this.search.reindex(trx, id);
      beforeCommit?.(id);
      return id;
    });
  }

  /** Stores a finished call (meta + engine report + transcript), scored unless it brings its own score. */
  async save(meta: CallMetaInput, report: CallReport, options: SaveOptions = {}): Promise<string> {
    const { speech, timeline, events, nudges, ...summary } = report;
    const scored = meta.score === undefined && meta.insights === undefined ? scoreCall(report) : null;
    const withScore = scored ? { ...meta, score: scored.score, insights: scored } : meta;
    return this.store({ meta: withScore, durationMs: report.durationMs, summary, speech, events, nudges, timeline, transcript: options.transcript ?? [] });
  }

  async update(id: string, patch: CallUpdate): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('calls')
        .set({
          ...(patch.title !== undefined && { title: patch.title }),
          ...(patch.notes !== undefined && { notes: patch.notes }),
          ...(patch.customerLabel !== undefined && { customer_label: patch.customerLabel }),
          ...(patch.agent !== undefined && { agent: patch.agent }),
          ...(patch.score !== undefined && { score: patch.score }),
          ...(patch.insights !== undefined && { insights: patch.insights === null ? null : JSON.stringify(patch.insights) }),
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new UserError(`no call with id ${id}`, 'not_found');
      if (patch.tags !== undefined) await this.setTags(trx, id, patch.tags);
      await this.search.reindex(trx, id);
    });
  }

  /** Replaces a call's transcript (a call transcribed after the fact) and reindexes it for search. */
  async replaceTranscript(id: string, segments: readonly TranscriptSegment[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').select(['id', 'summary']).where('id', '=', id).executeTakeFirst();
      if (!call) throw new UserError(`no call with id ${id}`, 'not_found');
      await trx.deleteFrom('transcript_segments').where('call_id', '=', id).execute();
      await this.insertTranscript(trx, id, segments);
      // With words, the call's pace is counted from them (the acoustic estimate stays without).
      const summary = parseJson<CallSummary | null>(call.summary, null);
      const pace = wordPaceOfTranscript(segments);
      const paced: CallSummary | null =
        summary && pace
          ? {
              ...summary,
              channels: { agent: { ...summary.channels.agent, wpm: pace.agent }, customer: { ...summary.channels.customer, wpm: pace.customer } },
              paceSource: 'words',
            }
          : summary;
      await trx
        .updateTable('calls')
        .set({ updated_at: Date.now(), ...(paced !== summary && { summary: JSON.stringify(paced) }) })
        .where('id', '=', id)
        .execute();
      await this.search.reindex(trx, id);
    });
  }

  /** Recomputes a call's score and insights from what is stored (after a live call ends or is recovered). */
  /** Scores the call against the targets of the playbook it was coached with (the defaults if unknown). */
  async rescore(id: string, targets?: PlaybookTargets): Promise<void> {
    const call = await this.get(id);
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

  /**
   * Deletes the call, all its rows and its recording file. Returns false when there was no such call.
   * A call still being recorded (status `live`, its owner process alive) is refused: every path that
   * deletes (the app, `cadence delete`, retention) goes through here.
   */
  async delete(id: string): Promise<boolean> {
    const recPath = await this.db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').select(['seq', 'status']).where('id', '=', id).executeTakeFirst();
      if (!call) return undefined;
      if (call.status === 'live' && ownerAlive(await ownerOf(trx, id))) throw new UserError(`call ${id} is still running; end it before deleting it`, 'call_running');
      const rec = await trx.selectFrom('recordings').select('path').where('call_id', '=', id).executeTakeFirst();
      await this.search.remove(trx, call.seq);
      await trx.deleteFrom('calls').where('id', '=', id).execute();
      return rec ? this.recordings.pathOf(rec.path) : null;
    });
    if (recPath === undefined) return false;
    if (recPath !== null) rmSync(recPath, { force: true });
    return true;
  }

  /** Ids of calls started before `cutoff` (epoch ms) that are not live (for retention). */
  async finishedBefore(cutoff: number): Promise<string[]> {
    const rows = await this.db.selectFrom('calls').select('id').where('started_at', '<', cutoff).where('status', '!=', 'live').execute();
    return rows.map((r) => r.id);
  }

  // ---- reading -------------------------------------------------------------------------------------

  async get(id: string, h: ReadHandle = this.db): Promise<CallRecord | undefined> {
    const row = await h.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [speechRows, eventRows, nudgeRows, chunkRows, transcriptRows, recording, tags] = await Promise.all([
      h.selectFrom('speech_segments').selectAll().where('call_id', '=', id).orderBy('start_ms').execute(),
      h.selectFrom('events').selectAll().where('call_id', '=', id).orderBy('start_ms').execute(),
      h.selectFrom('nudges').selectAll().where('call_id', '=', id).orderBy('opened_ms').execute(),
      h.selectFrom('timeline_chunks').select(['chunk', 'data']).where('call_id', '=', id).orderBy('chunk').execute(),
      h.selectFrom('transcript_segments').selectAll().where('call_id', '=', id).orderBy('start_ms').orderBy('id').execute(),
      this.recordings.get(id, h),
      tagsOf(h, [id]),
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
      meta: metaFromRow(row, tags.get(id) ?? []),
      report: { ...summary, speech, timeline, events, nudges },
      summaryComplete: stored !== null,
      transcript: transcriptRows.map((t) => ({
        channel: t.channel as ChannelName,
        text: t.text,
        startMs: t.start_ms,
        endMs: t.end_ms,
        confidence: t.confidence,
        final: t.final === 1,
        ...(t.words !== null && { words: parseJson<TranscriptWord[]>(t.words, []) }),
      })),
      recording: recording ?? null,
    };
  }

  /** The filtered query shared by the page and its total. */
  private filtered(h: ReadHandle, q: CallQuery, match: ReturnType<SearchIndex['query']>) {
    const calls = h.selectFrom('calls as c');
    // A join (one row per call: a tag appears once per call) lets SQLite pick, per tag, between walking
    // calls newest first until the page is full (a common tag) and starting from the tag's rows (a rare one).
    const tag = q.tag;
    let query = tag === undefined ? calls : (calls.innerJoin('call_tags as t', (j) => j.onRef('t.call_id', '=', 'c.id').on('t.tag', '=', tag)) as unknown as typeof calls);
    if (match !== null) query = query.where(match.where);
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
    return query;
  }

  /** Calls newest first, filtered, paginated; with `search`, each item carries a highlighted snippet. */
  async list(q: CallQuery = {}, h: ReadHandle = this.db): Promise<CallPage> {
    const search = q.search?.trim() ? q.search : undefined;
    const match = search === undefined ? null : this.search.query(search);
    if (search !== undefined && match === null) return { items: [], total: 0 };
    const limit = Math.max(1, Math.min(q.limit ?? 50, 1000));
    const offset = Math.max(0, q.offset ?? 0);
    const [rows, count] = await Promise.all([
      this.filtered(h, q, match)
        .select(['c.seq', 'c.id', 'c.started_at', 'c.duration_ms', 'c.source', 'c.status', 'c.title', 'c.agent', 'c.customer_label', 'c.score'])
        .$if(q.sort === 'score', (qb) => qb.orderBy(sql`c.score IS NULL`).orderBy('c.score', 'desc'))
        .$if(q.sort === 'duration', (qb) => qb.orderBy('c.duration_ms', 'desc'))
        .orderBy('c.started_at', 'desc')
        .orderBy('c.seq', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.filtered(h, q, match)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    const [snippets, tags] = await Promise.all([
      match === null ? Promise.resolve(new Map<number, string>()) : match.snippets(rows.map((r) => r.seq)),
      tagsOf(h, rows.map((r) => r.id)),
    ]);
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
          tags: tags.get(r.id) ?? [],
          score: r.score,
          snippet: match === null ? null : (snippets.get(r.seq) ?? null),
        }),
      ),
    };
  }
}
