/**
 * Live calls as the database sees them: a call created `live` with its owner process, its parts
 * committed batch by batch, then completed by its owner or, when the owner died, interrupted by a
 * recovery in another process. The files (the growing recording) are the live writer's business.
 */
import { hostname } from 'node:os';
import type { CallEvent, CallSummary, Nudge, SpeechSegment, TimelinePoint } from '../../shared/types';
import type { CallMetaInput, RecordingInfo, TranscriptSegment } from '../types';
import type { CallsRepo } from './calls';
import type { LibraryDb } from './handle';
import { ownerAlive, ownerOf, setOwner, type LiveOwner } from './owner';
import type { RecordingsRepo } from './recordings';
import type { SearchIndex } from './search';

/** What a live call adds between two commits. */
export interface LiveBatch {
  readonly speech: readonly SpeechSegment[];
  readonly events: readonly CallEvent[];
  readonly nudges: readonly Nudge[];
  /** Every point of each minute that changed (chunks are replaced whole). */
  readonly timeline: readonly TimelinePoint[];
  readonly transcript: readonly TranscriptSegment[];
  readonly durationMs: number;
  /** The recording as it grows, or why it stopped. */
  readonly recording?: { readonly sizeBytes: number; readonly durationMs: number } | { readonly error: string };
  /** Rebuild the search entry too (a growing transcript is reindexed only now and then). */
  readonly reindex: boolean;
}

/** A repaired recording file (size, checksum, length) or why it could not be. */
export interface RecordingOutcome {
  readonly file?: { readonly sizeBytes: number; readonly sha256: string; readonly durationMs: number };
  readonly error: string | null;
}

/** A live call whose owner process is gone. */
export interface OrphanCall {
  readonly id: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly recording: RecordingInfo | undefined;
  /** Time of the last stored timeline point, ms into the call. */
  readonly lastPointMs: number | undefined;
  /** Any speech, event, nudge, timeline point or transcript stored. */
  readonly hasParts: boolean;
}

export class LiveCallsRepo {
  constructor(
    private readonly db: LibraryDb,
    private readonly calls: CallsRepo,
    private readonly recordings: RecordingsRepo,
    private readonly search: SearchIndex,
  ) {}

  /** Creates the call (status `live`) owned by this process; returns its id. */
  async start(meta: Omit<CallMetaInput, 'status'>): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const id = await this.calls.insert(trx, { ...meta, status: 'live' }, 0, null);
      // Who is recording this call, so no other process takes it over or deletes it while it runs.
      await setOwner(trx, id, { pid: process.pid, host: hostname(), startedAt: Date.now() });
      return id;
    });
  }

  /** Records who owns a live call (tests stand in for another process with it). */
  async setOwner(id: string, owner: LiveOwner | undefined): Promise<void> {
    await setOwner(this.db, id, owner);
  }

  /** True while the call is live and its owner process runs. */
  async isRunning(id: string): Promise<boolean> {
    const call = await this.db.selectFrom('calls').select('status').where('id', '=', id).executeTakeFirst();
    return call?.status === 'live' && ownerAlive(await ownerOf(this.db, id));
  }

  /**
   * Commits the batches of several live calls in one transaction: one WAL sync for all the calls a
   * process is running, instead of one per call.
   */
  async appendMany(batches: readonly { readonly id: string; readonly batch: LiveBatch }[]): Promise<void> {
    if (batches.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const { id, batch } of batches) {
        await this.calls.insertSpeech(trx, id, batch.speech);
        await this.calls.upsertEvents(trx, id, batch.events);
        await this.calls.upsertNudges(trx, id, batch.nudges);
        await this.calls.putTimeline(trx, id, batch.timeline);
        await this.calls.insertTranscript(trx, id, batch.transcript);
        await trx.updateTable('calls').set({ duration_ms: Math.round(batch.durationMs), updated_at: Date.now() }).where('id', '=', id).execute();
        if (batch.recording) await this.recordings.update(trx, id, batch.recording);
        if (batch.reindex) await this.search.reindex(trx, id);
      }
    });
  }

  /**
   * The owner ends its call: `completed` (or `imported` for a recording read from a file), summary
   * stored, recording facts final, owner released, scored.
   */
  async complete(id: string, status: 'completed' | 'imported', durationMs: number, summary: CallSummary | null, recording: RecordingOutcome | undefined): Promise<void> {
    await this.finalize(id, status, durationMs, summary, recording);
  }

  /** A dead owner's call: `interrupted` (its summary is rebuilt from the parts on read). */
  async interrupt(id: string, durationMs: number, recording: RecordingOutcome | undefined): Promise<void> {
    await this.finalize(id, 'interrupted', durationMs, null, recording);
  }

  private async finalize(id: string, status: 'completed' | 'imported' | 'interrupted', durationMs: number, summary: CallSummary | null, recording: RecordingOutcome | undefined): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').select('started_at').where('id', '=', id).executeTakeFirstOrThrow();
      await trx
        .updateTable('calls')
        .set({
          status,
          duration_ms: Math.round(durationMs),
          ended_at: call.started_at + Math.round(durationMs),
          ...(status !== 'interrupted' && { summary: summary ? JSON.stringify(summary) : null }),
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .execute();
      if (recording) await this.recordings.update(trx, id, { ...recording.file, error: recording.error });
      await this.search.reindex(trx, id);
      await setOwner(trx, id, undefined);
    });
    await this.calls.rescore(id);
  }

  private async hasParts(id: string): Promise<boolean> {
    for (const table of ['speech_segments', 'events', 'nudges', 'timeline_chunks', 'transcript_segments'] as const) {
      if (await this.db.selectFrom(table).select('call_id').where('call_id', '=', id).limit(1).executeTakeFirst()) return true;
    }
    return false;
  }

  /** Live calls whose owner process is gone (it died): the ones recovery finalises. */
  async orphans(): Promise<OrphanCall[]> {
    const live = await this.db.selectFrom('calls').select(['id', 'started_at', 'duration_ms']).where('status', '=', 'live').execute();
    const out: OrphanCall[] = [];
    for (const call of live) {
      if (ownerAlive(await ownerOf(this.db, call.id))) continue;
      const lastChunk = await this.db.selectFrom('timeline_chunks').select('data').where('call_id', '=', call.id).orderBy('chunk', 'desc').limit(1).executeTakeFirst();
      const lastPointMs = lastChunk ? (JSON.parse(lastChunk.data) as number[][]).at(-1)?.[0] : undefined;
      out.push({ id: call.id, startedAt: call.started_at, durationMs: call.duration_ms, recording: await this.recordings.get(call.id), lastPointMs, hasParts: await this.hasParts(call.id) });
    }
    return out;
  }
}
