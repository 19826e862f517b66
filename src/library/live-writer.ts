/**
 * Writes a live call as it happens, so that a crash or power cut loses at most about a second: parts
 * (speech, events, nudges, timeline, transcript) are batched and committed once a second in one
 * transaction, and the recording goes to an Ogg Opus file page by page. `recoverInterrupted` finalises
 * what a dead process left behind.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CallEvent, CallSummary, Nudge, SpeechSegment, TimelinePoint } from '../shared/types';
import { oneLine } from '../shared/errors';
import type { Library } from './library';
import { chunkOf } from './timeline-codec';
import type { CallMetaInput, TranscriptSegment } from './types';
import { OggOpusWriter, RECORDING_CODEC, repairOggFile, type RecordingIO } from './recording/ogg-opus';

export interface LiveCallOptions {
  /** Record audio (default true). */
  readonly recording?: boolean;
  /** Longest time between database commits, ms (default 1000). */
  readonly flushIntervalMs?: number;
  /** Told once when recording stops early (disk full, unwritable folder…). */
  readonly onWarning?: (message: string) => void;
  /** File I/O for the recording (tests inject failures). */
  readonly io?: RecordingIO;
  /** The status the call ends with: `imported` for a recording read from a file (default `completed`). */
  readonly finalStatus?: 'completed' | 'imported';
}

/** Full-text reindex of a growing transcript at most this often while live. */
const REINDEX_MS = 10_000;

function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'disk full';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'folder not writable';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'folder missing';
    default:
      return oneLine(err);
  }
}

export class LiveCallWriter {
  readonly warnings: string[] = [];
  private recorder: OggOpusWriter | null = null;
  private recordingPath: string | null = null;
  private recordingError: string | null = null;
  private segments: SpeechSegment[] = [];
  private transcripts: TranscriptSegment[] = [];
  private events = new Map<string, CallEvent>();
  private nudges = new Map<string, Nudge>();
  /** Points of chunks not yet final in the database (the current minute, and any dirty ones). */
  private chunkPoints = new Map<number, TimelinePoint[]>();
  private dirtyChunks = new Set<number>();
  private lastMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private transcriptDirty = false;
  private lastReindex = 0;
  private finished = false;

  private constructor(
    readonly library: Library,
    readonly id: string,
    private readonly options: LiveCallOptions,
  ) {}

  /** Creates the call (status `live`) and its recording file, and starts the once-a-second commits. */
  static async start(library: Library, meta: Omit<CallMetaInput, 'status'>, options: LiveCallOptions = {}): Promise<LiveCallWriter> {
    const id = await library.insertCall(library.db, { ...meta, status: 'live' }, 0, null);
    // Who is recording this call, so a recovery in another process never takes over a call in progress.
    await library.setSetting(ownerKey(id), { pid: process.pid, host: hostname(), startedAt: Date.now() } satisfies LiveOwner);
    const w = new LiveCallWriter(library, id, options);
    if (options.recording !== false) await w.openRecording();
    const every = options.flushIntervalMs ?? 1000;
    w.timer = setInterval(() => void w.flush().catch((err: unknown) => w.warn(`could not save the live call: ${oneLine(err)}`)), every);
    w.timer.unref();
    return w;
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.options.onWarning?.(message);
  }

  private async openRecording(): Promise<void> {
    const path = join(this.library.recordingsDir, `${this.id}.opus`);
    try {
      mkdirSync(this.library.recordingsDir, { recursive: true });
      this.recorder = new OggOpusWriter(path, this.options.io);
      this.recordingPath = path;
      await this.library.setRecording(this.library.db, this.id, { path, codec: RECORDING_CODEC, sizeBytes: this.recorder.bytesWritten, sha256: null, durationMs: 0, error: null });
    } catch (err) {
      this.stopRecording(err, path);
    }
  }

  /** Recording stops, the call goes on: one clear warning, the file keeps its whole pages. */
  private stopRecording(err: unknown, path: string): void {
    const reason = reasonOf(err);
    this.recordingError = reason;
    this.recorder?.abandon();
    this.recorder = null;
    this.warn(`recording stopped: ${reason} (${path}); the call goes on without audio`);
    if (this.recordingPath !== null && existsSync(this.recordingPath)) {
      try {
        repairOggFile(this.recordingPath);
      } catch {
        // The next start's recovery tries again.
      }
    }
  }

  get durationMs(): number {
    return this.lastMs;
  }

  /** 20 ms frames for the recording (planar, back to back, as the engine gets them). */
  pushFrames(agent: Float32Array, customer: Float32Array, count: number): void {
    const rec = this.recorder;
    if (rec === null) return;
    try {
      rec.pushFrames(agent, customer, count);
      this.lastMs = Math.max(this.lastMs, rec.durationMs);
    } catch (err) {
      this.stopRecording(err, rec.path);
    }
  }

  segment(s: SpeechSegment): void {
    this.segments.push(s);
    this.lastMs = Math.max(this.lastMs, s.endMs);
  }

  event(_phase: 'open' | 'close', e: CallEvent): void {
    this.events.set(e.id, e);
  }

  nudge(_phase: 'open' | 'close', n: Nudge): void {
    this.nudges.set(n.id, n);
  }

  timeline(p: TimelinePoint): void {
    const c = chunkOf(p.tMs);
    let list = this.chunkPoints.get(c);
    if (!list) this.chunkPoints.set(c, (list = []));
    list.push(p);
    this.dirtyChunks.add(c);
    this.lastMs = Math.max(this.lastMs, p.tMs);
  }

  transcript(t: TranscriptSegment): void {
    this.transcripts.push(t);
    this.transcriptDirty = true;
  }

  /** The engine sink shape, to pass straight to `createEngine`. */
  get sink(): { onSegment(s: SpeechSegment): void; onTimeline(p: TimelinePoint): void; onEvent(phase: 'open' | 'close', e: CallEvent): void; onNudge(phase: 'open' | 'close', n: Nudge): void } {
    return {
      onSegment: (s) => this.segment(s),
      onTimeline: (p) => this.timeline(p),
      onEvent: (ph, e) => this.event(ph, e),
      onNudge: (ph, n) => this.nudge(ph, n),
    };
  }

  /** Commits everything buffered in one transaction. Serialised: concurrent calls queue. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const segments = this.segments;
    const transcripts = this.transcripts;
    const events = [...this.events.values()];
    const nudges = [...this.nudges.values()];
    const dirty = [...this.dirtyChunks];
    this.segments = [];
    this.transcripts = [];
    this.events.clear();
    this.nudges.clear();
    this.dirtyChunks.clear();
    const points = dirty.flatMap((c) => this.chunkPoints.get(c) ?? []);
    const now = Date.now();
    const reindex = this.transcriptDirty && now - this.lastReindex >= REINDEX_MS;
    const rec = this.recorder;
    try {
      await this.library.db.transaction().execute(async (trx) => {
        await this.library.insertSpeech(trx, this.id, segments);
        await this.library.upsertEvents(trx, this.id, events);
        await this.library.upsertNudges(trx, this.id, nudges);
        await this.library.putTimeline(trx, this.id, points);
        await this.library.insertTranscript(trx, this.id, transcripts);
        await trx.updateTable('calls').set({ duration_ms: Math.round(this.lastMs), updated_at: now }).where('id', '=', this.id).execute();
        if (rec !== null) {
          await trx.updateTable('recordings').set({ size_bytes: rec.bytesWritten, duration_ms: Math.round(rec.durationMs) }).where('call_id', '=', this.id).execute();
        } else if (this.recordingError !== null && this.recordingPath !== null) {
          await trx.updateTable('recordings').set({ error: this.recordingError }).where('call_id', '=', this.id).execute();
        }
        if (reindex) await this.library.reindex(trx, this.id);
      });
    } catch (err) {
      // Put it all back for the next attempt (newer updates of the same event or nudge win).
      this.segments = segments.concat(this.segments);
      this.transcripts = transcripts.concat(this.transcripts);
      for (const e of events) if (!this.events.has(e.id)) this.events.set(e.id, e);
      for (const n of nudges) if (!this.nudges.has(n.id)) this.nudges.set(n.id, n);
      for (const c of dirty) this.dirtyChunks.add(c);
      throw err;
    }
    if (reindex) {
      this.lastReindex = now;
      this.transcriptDirty = false;
    }
    // Minutes before the newest one are complete: drop them from memory.
    const newest = Math.max(...this.chunkPoints.keys());
    for (const c of this.chunkPoints.keys()) if (c < newest && !this.dirtyChunks.has(c)) this.chunkPoints.delete(c);
  }

  /** Ends the call: last commit, recording closed, status `completed`, summary stored. */
  async finish(summary?: CallSummary | null): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    const rec = this.recorder;
    if (rec !== null) {
      try {
        rec.close();
      } catch (err) {
        this.stopRecording(err, rec.path);
      }
      this.recorder = null;
    }
    await this.flush();
    const durationMs = Math.round(summary?.durationMs ?? this.lastMs);
    const info = this.recordingPath !== null && existsSync(this.recordingPath) ? repairOggFile(this.recordingPath) : undefined;
    await this.library.db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').select('started_at').where('id', '=', this.id).executeTakeFirstOrThrow();
      await trx
        .updateTable('calls')
        .set({ status: this.options.finalStatus ?? 'completed', duration_ms: durationMs, ended_at: call.started_at + durationMs, summary: summary ? JSON.stringify(summary) : null, updated_at: Date.now() })
        .where('id', '=', this.id)
        .execute();
      if (info) {
        await trx
          .updateTable('recordings')
          .set({ size_bytes: info.sizeBytes, sha256: info.sha256, duration_ms: Math.round(info.durationMs), error: this.recordingError })
          .where('call_id', '=', this.id)
          .execute();
      }
      await this.library.reindex(trx, this.id);
    });
    await this.library.setSetting(ownerKey(this.id), undefined);
    await this.library.rescore(this.id);
  }
}

interface LiveOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: number;
}

const ownerKey = (id: string): string => `live-owner:${id}`;

/** A live call whose recording process is still running on this machine (possibly this process). */
function ownerAlive(owner: LiveOwner | undefined): boolean {
  if (!owner || owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RecoveredCall {
  readonly id: string;
  readonly durationMs: number;
  readonly recordingMs: number | null;
  readonly truncatedBytes: number;
}

/**
 * At start-up: every call still `live` whose recording process is gone (it died) is finalised; calls
 * another running process is still recording (the app and `cadence live` at once) are left alone. Its recording is repaired (torn
 * page cut, end of stream marked, size and checksum stored) and the call becomes `interrupted`. Leftover
 * temporary files of interrupted imports are removed.
 */
export async function recoverInterrupted(library: Library): Promise<RecoveredCall[]> {
  const live = await library.db.selectFrom('calls').select(['id', 'started_at', 'duration_ms']).where('status', '=', 'live').execute();
  const out: RecoveredCall[] = [];
  for (const call of live) {
    if (ownerAlive(await library.getSetting<LiveOwner>(ownerKey(call.id)))) continue;
    const rec = await library.db.selectFrom('recordings').selectAll().where('call_id', '=', call.id).executeTakeFirst();
    const lastChunk = await library.db.selectFrom('timeline_chunks').select('data').where('call_id', '=', call.id).orderBy('chunk', 'desc').limit(1).executeTakeFirst();
    const lastPoint = lastChunk ? (JSON.parse(lastChunk.data) as number[][]).at(-1)?.[0] : undefined;
    let info: ReturnType<typeof repairOggFile>;
    let recError: string | null = rec?.error ?? null;
    if (rec) {
      const path = library.recordingPath(rec.path);
      try {
        info = existsSync(path) ? repairOggFile(path) : undefined;
        if (!info) recError = recError ?? 'recording lost';
      } catch (err) {
        recError = `recording unreadable: ${oneLine(err)}`;
      }
    }
    const durationMs = Math.round(Math.max(call.duration_ms, info?.durationMs ?? 0, lastPoint ?? 0));
    await library.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('calls')
        .set({ status: 'interrupted', duration_ms: durationMs, ended_at: call.started_at + durationMs, updated_at: Date.now() })
        .where('id', '=', call.id)
        .execute();
      if (rec) {
        await trx
          .updateTable('recordings')
          .set(info ? { size_bytes: info.sizeBytes, sha256: info.sha256, duration_ms: Math.round(info.durationMs), error: recError } : { error: recError })
          .where('call_id', '=', call.id)
          .execute();
      }
      await library.reindex(trx, call.id);
    });
    await library.setSetting(ownerKey(call.id), undefined);
    await library.rescore(call.id);
    out.push({ id: call.id, durationMs, recordingMs: info ? info.durationMs : null, truncatedBytes: info?.truncatedBytes ?? 0 });
  }
  if (existsSync(library.recordingsDir)) {
    for (const name of readdirSync(library.recordingsDir)) {
      if (name.startsWith('.import-') && name.endsWith('.tmp')) rmSync(join(library.recordingsDir, name), { force: true });
    }
  }
  return out;
}
