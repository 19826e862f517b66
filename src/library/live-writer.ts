/**
 * Writes a live call as it happens, so that a crash or power cut loses at most about a second: parts
 * (speech, events, nudges, timeline, transcript) are batched and committed once a second — the batches
 * of every live call of the process in one transaction (one WAL sync, however many calls) — and the
 * recording goes to an Ogg Opus file page by page. `recoverInterrupted` finalises what a dead process
 * left behind.
 */
import { existsSync } from 'node:fs';
import type { CallEvent, CallSummary, Nudge, SpeechSegment, TimelinePoint } from '../shared/types';
import { oneLine } from '../shared/errors';
import type { Library } from './library';
import { chunkOf } from './timeline-codec';
import type { LiveBatch } from './repos/live';
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
  /** The audio is telephone band (8 kHz at its source): recorded narrowband, at a fraction of the CPU. */
  readonly narrowbandRecording?: boolean;
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

/** What one writer took out of its buffers for a commit (put back if the commit fails). */
interface Taken {
  readonly segments: SpeechSegment[];
  readonly transcripts: TranscriptSegment[];
  readonly events: CallEvent[];
  readonly nudges: Nudge[];
  readonly dirty: number[];
  readonly now: number;
  readonly batch: LiveBatch;
}

/**
 * The commits of every live call of one library at one interval: one timer and one transaction for all
 * of them, and one queue so a call's own flush and the shared commit never interleave.
 */
class LiveCommitter {
  private readonly writers = new Set<LiveCallWriter>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly library: Library,
    private readonly everyMs: number,
    private readonly onIdle: () => void,
  ) {}

  add(w: LiveCallWriter): void {
    this.writers.add(w);
    if (this.timer) return;
    this.timer = setInterval(() => void this.commitAll(), this.everyMs);
    this.timer.unref();
  }

  remove(w: LiveCallWriter): void {
    this.writers.delete(w);
    if (this.writers.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.onIdle();
  }

  /** Runs `fn` after every commit queued before it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Commits one writer alone (its own flush, or after a shared commit failed). */
  commitOne(w: LiveCallWriter): Promise<void> {
    return this.run(() => this.commit([w]));
  }

  private async commit(writers: readonly LiveCallWriter[]): Promise<void> {
    const taken = writers.map((w) => w.take());
    try {
      await this.library.live.appendMany(writers.map((w, i) => ({ id: w.id, batch: taken[i]!.batch })));
    } catch (err) {
      writers.forEach((w, i) => w.restore(taken[i]!));
      throw err;
    }
    writers.forEach((w, i) => w.committed(taken[i]!));
  }

  private commitAll(): Promise<void> {
    return this.run(async () => {
      const writers = [...this.writers];
      if (writers.length === 0) return;
      try {
        await this.commit(writers);
      } catch {
        // One call's bad batch must not hold the others back: each alone, each told of its own failure.
        for (const w of writers) await this.commit([w]).catch((err: unknown) => w.commitFailed(err));
      }
    });
  }
}

const committers = new WeakMap<Library, Map<number, LiveCommitter>>();

function committerFor(library: Library, everyMs: number): LiveCommitter {
  let byInterval = committers.get(library);
  if (!byInterval) committers.set(library, (byInterval = new Map()));
  let c = byInterval.get(everyMs);
  if (!c) byInterval.set(everyMs, (c = new LiveCommitter(library, everyMs, () => byInterval.delete(everyMs))));
  return c;
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
  private readonly committer: LiveCommitter;
  private transcriptDirty = false;
  private lastReindex = 0;
  private finished = false;

  private constructor(
    readonly library: Library,
    readonly id: string,
    private readonly options: LiveCallOptions,
  ) {
    this.committer = committerFor(library, options.flushIntervalMs ?? 1000);
  }

  /** Creates the call (status `live`) and its recording file, and joins the once-a-second commits. */
  static async start(library: Library, meta: Omit<CallMetaInput, 'status'>, options: LiveCallOptions = {}): Promise<LiveCallWriter> {
    const id = await library.live.start(meta);
    const w = new LiveCallWriter(library, id, options);
    if (options.recording !== false) await w.openRecording();
    w.committer.add(w);
    return w;
  }

  /** @internal A shared commit including this call failed, and so did this call's commit alone. */
  commitFailed(err: unknown): void {
    this.warn(`could not save the live call: ${oneLine(err)}`);
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.options.onWarning?.(message);
  }

  private async openRecording(): Promise<void> {
    const path = this.library.recordings.pathFor(this.id);
    try {
      this.library.recordings.ensureDir();
      this.recorder = new OggOpusWriter(path, this.options.io, { narrowband: this.options.narrowbandRecording === true });
      this.recordingPath = path;
      await this.library.recordings.attach(this.id, { path, codec: RECORDING_CODEC, sizeBytes: this.recorder.bytesWritten, sha256: null, durationMs: 0, error: null });
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

  /** Commits everything buffered in one transaction. Serialised with the shared commits: they queue. */
  flush(): Promise<void> {
    return this.committer.commitOne(this);
  }

  /** @internal Takes everything buffered out for a commit. */
  take(): Taken {
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
    const recording =
      rec !== null
        ? { sizeBytes: rec.bytesWritten, durationMs: rec.durationMs }
        : this.recordingError !== null && this.recordingPath !== null
          ? { error: this.recordingError }
          : undefined;
    const batch: LiveBatch = {
      speech: segments,
      events,
      nudges,
      timeline: points,
      transcript: transcripts,
      durationMs: this.lastMs,
      ...(recording && { recording }),
      reindex,
    };
    return { segments, transcripts, events, nudges, dirty, now, batch };
  }

  /** @internal The commit failed: put it all back for the next attempt (newer updates of the same event or nudge win). */
  restore(t: Taken): void {
    this.segments = t.segments.concat(this.segments);
    this.transcripts = t.transcripts.concat(this.transcripts);
    for (const e of t.events) if (!this.events.has(e.id)) this.events.set(e.id, e);
    for (const n of t.nudges) if (!this.nudges.has(n.id)) this.nudges.set(n.id, n);
    for (const c of t.dirty) this.dirtyChunks.add(c);
  }

  /** @internal The commit is on disk. */
  committed(t: Taken): void {
    if (t.batch.reindex) {
      this.lastReindex = t.now;
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
    this.committer.remove(this);
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
    const recording = info ? { file: { sizeBytes: info.sizeBytes, sha256: info.sha256, durationMs: info.durationMs }, error: this.recordingError } : undefined;
    await this.library.live.complete(this.id, this.options.finalStatus ?? 'completed', durationMs, summary ?? null, recording);
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
 * temporary files of imports whose process died are removed. A call killed before any audio or data
 * reached the disk is deleted; one with data but no audio keeps its recording marked lost.
 */
export async function recoverInterrupted(library: Library): Promise<RecoveredCall[]> {
  const out: RecoveredCall[] = [];
  for (const call of await library.live.orphans()) {
    const rec = call.recording;
    let info: ReturnType<typeof repairOggFile>;
    let recError: string | null = rec?.error ?? null;
    if (rec) {
      const path = rec.path;
      try {
        info = existsSync(path) ? repairOggFile(path) : undefined;
        if (!info) recError = recError ?? 'recording lost';
      } catch (err) {
        recError = `recording unreadable: ${oneLine(err)}`;
      }
    }
    // Killed in its first second: the file holds the Ogg headers and no audio, unplayable.
    const noAudio = info !== undefined && info.durationMs === 0;
    const durationMs = Math.round(Math.max(call.durationMs, info?.durationMs ?? 0, call.lastPointMs ?? 0));
    if ((info === undefined || noAudio) && durationMs === 0 && !call.hasParts) {
      // Nothing was recorded or measured: an empty call would only clutter the list.
      await library.calls.delete(call.id);
      continue;
    }
    if (noAudio) {
      recError = recError ?? 'recording lost: no audio was written before the crash';
      info = undefined;
    }
    const recording = rec ? { ...(info && { file: { sizeBytes: info.sizeBytes, sha256: info.sha256, durationMs: info.durationMs } }), error: recError } : undefined;
    await library.live.interrupt(call.id, durationMs, recording);
    out.push({ id: call.id, durationMs, recordingMs: info ? info.durationMs : null, truncatedBytes: info?.truncatedBytes ?? 0 });
  }
  library.recordings.removeDeadTemps();
  return out;
}
