/**
 * The call archive (`.cadence`): a zip holding `call.json`, the recording and `manifest.json` (format,
 * version, call id, app version, size and sha256 of every entry). The zip comment seals the whole file
 * with a sha256 of every byte before the digest, so a truncation or a flipped bit anywhere — zip
 * framing included — is caught before anything is read. Export streams; import is checked first,
 * then all-or-nothing and idempotent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, createReadStream, createWriteStream, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { z } from 'zod';
import pkg from '../../package.json' with { type: 'json' };
import { oneLine, UserError } from '../shared/errors';
import { safeBaseName } from '../shared/file-names';
import { CALL_ID_PATTERN } from '../shared/sync';
import type { Library } from './library';
import { callMetaSchema } from '../shared/library';
import { channelNameSchema } from '../shared/types';
import { CALL_SOURCES, CALL_STATUSES, type CallRecord, type CallSummary } from './types';

export const ARCHIVE_FORMAT = 'cadence-call';
export const ARCHIVE_VERSION = 1;
export const ARCHIVE_EXT = '.cadence';
const SEAL_PREFIX = 'CADENCE-SHA256:';
const SEAL_LEN = SEAL_PREFIX.length + 64;
const EOCD_LEN = 22;
/** The manifest is a few hundred bytes; call.json of an 8-hour call with its transcript a few MB. */
const MAX_MANIFEST_BYTES = 64 * 1024;
const MAX_CALL_JSON_BYTES = 32 * 1024 * 1024;
/** A recording holds ~3 KB per second of call (24 kbit/s); 64 KB/s leaves room for any encoder setting. */
const MAX_RECORDING_BYTES_PER_S = 64 * 1024;
const RECORDING_SLACK_BYTES = 1024 * 1024;
/** Longer than any call; a bound so that a hostile duration cannot stand for "any size". */
const MAX_CALL_MS = 48 * 3600_000;
const RECORDING_ENTRY = 'recording.opus';
const KNOWN_ENTRIES = new Set(['manifest.json', 'call.json', RECORDING_ENTRY]);

/** Call ids that can travel: they become parts of file names, so nothing but a safe base name passes. */
const callIdSchema = z.string().regex(CALL_ID_PATTERN, 'not a valid call id');

/** The archive file name for a call: a base name whatever the id holds. */
export function archiveFileName(callId: string, prefix = ''): string {
  return `${safeBaseName(prefix + callId)}${ARCHIVE_EXT}`;
}

const entrySchema = z.object({ name: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.number().int().positive(),
  callId: callIdSchema,
  appVersion: z.string(),
  createdAt: z.string(),
  entries: z.array(entrySchema),
});
export type ArchiveManifest = z.infer<typeof manifestSchema>;

/** Epoch ms from 1990 to 2200: a date every listing can print. */
const epochMs = z.number().min(Date.UTC(1990, 0, 1)).max(Date.UTC(2200, 0, 1));
/** A time within a call, ms. */
const callMs = z.number().min(0).max(MAX_CALL_MS);
const metaSchema = callMetaSchema.unwrap().extend({
  id: callIdSchema,
  startedAt: epochMs,
  endedAt: epochMs.nullable(),
  durationMs: callMs,
  source: z.enum(CALL_SOURCES),
  status: z.enum(CALL_STATUSES),
  title: z.string().max(10_000),
  tags: z.array(z.string().max(200)).max(1000),
  score: z.number().min(0).max(100).nullable(),
});
const callSchema = z.object({
  meta: metaSchema,
  summaryComplete: z.boolean(),
  report: z.looseObject({
    durationMs: callMs,
    channels: z.object({ agent: z.looseObject({}), customer: z.looseObject({}) }),
    speech: z.array(z.looseObject({ channel: channelNameSchema, startMs: callMs, endMs: callMs })),
    timeline: z.array(z.looseObject({ tMs: callMs })),
    events: z.array(z.looseObject({ id: z.string(), type: z.string(), startMs: callMs, endMs: callMs.nullable().optional() })),
    nudges: z.array(z.looseObject({ id: z.string(), ruleId: z.string(), atMs: callMs, endMs: callMs.nullable().optional() })),
  }),
  transcript: z.array(
    z.object({
      channel: channelNameSchema,
      text: z.string(),
      startMs: callMs,
      endMs: callMs,
      confidence: z.number().min(0).max(1).nullable(),
      final: z.boolean(),
      // Word timings (archives written before them have none).
      words: z.array(z.object({ word: z.string(), startMs: callMs, endMs: callMs, confidence: z.number().min(0).max(1) })).optional(),
    }),
  ),
  recording: z.object({ codec: z.string().max(100), durationMs: callMs, error: z.string().nullable() }).nullable(),
});
type ArchivedCall = z.infer<typeof callSchema>;

/** The call as it travels: everything but machine-local details (paths, library status). */
function archivedCall(call: CallRecord): ArchivedCall {
  return {
    meta: { ...call.meta, tags: [...call.meta.tags] },
    summaryComplete: call.summaryComplete,
    report: call.report as unknown as ArchivedCall['report'],
    transcript: call.transcript.map(({ words, ...t }) => (words ? { ...t, words: [...words] } : t)),
    recording: call.recording ? { codec: call.recording.codec, durationMs: call.recording.durationMs, error: call.recording.error } : null,
  };
}

/** JSON with object keys sorted and undefined dropped, so equal values give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** What makes two copies "the same call": the archived form without the library-local status. */
function identity(c: ArchivedCall, recordingSha: string | null): string {
  const { status: _status, ...meta } = c.meta;
  return canonical({ ...c, meta, recordingSha });
}

function sha256Stream(): { hash: ReturnType<typeof createHash>; counter: { bytes: number }; tap: Transform } {
  const hash = createHash('sha256');
  const counter = { bytes: 0 };
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      cb(null, chunk);
    },
  });
  return { hash, counter, tap };
}

async function hashFile(path: string, end?: number): Promise<{ sha256: string; size: number }> {
  const { hash, counter, tap } = sha256Stream();
  const src = createReadStream(path, end === undefined ? {} : { start: 0, end: end - 1 });
  tap.resume();
  await pipeline(src, tap);
  return { sha256: hash.digest('hex'), size: counter.bytes };
}

export interface ExportResult {
  readonly path: string;
  readonly callId: string;
  readonly bytes: number;
}

/** Writes the call to `outPath` (streaming; written to a temporary name, sealed, then renamed). */
export async function exportCall(library: Library, callId: string, outPath: string): Promise<ExportResult> {
  const call = await library.calls.get(callId);
  if (!call) throw new UserError(`no call with id ${callId}`, 'not_found');
  const callJson = Buffer.from(JSON.stringify(archivedCall(call)), 'utf8');
  const entries: ArchiveManifest['entries'] = [{ name: 'call.json', size: callJson.length, sha256: createHash('sha256').update(callJson).digest('hex') }];
  const recPath = call.recording?.path;
  const hasRecording = recPath !== undefined && existsSync(recPath);
  if (hasRecording) entries.push({ name: RECORDING_ENTRY, ...(await hashFile(recPath)) });
  const manifest: ArchiveManifest = { format: ARCHIVE_FORMAT, formatVersion: ARCHIVE_VERSION, callId, appVersion: pkg.version, createdAt: new Date().toISOString(), entries };

  const tmp = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    const zip = new yazl.ZipFile();
    const mtime = new Date(call.meta.startedAt);
    zip.addBuffer(callJson, 'call.json', { mtime });
    if (hasRecording) zip.addReadStream(createReadStream(recPath), RECORDING_ENTRY, { mtime, compress: false });
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'), 'manifest.json', { mtime });
    zip.end({ comment: SEAL_PREFIX + '0'.repeat(64), forceZip64Format: false });
    await pipeline(zip.outputStream as Readable, createWriteStream(tmp));
    const size = statSync(tmp).size;
    const body = await hashFile(tmp, size - 64);
    const fd = openSync(tmp, 'r+');
    try {
      writeSync(fd, Buffer.from(body.sha256, 'latin1'), 0, 64, size - 64);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, outPath);
    return { path: outPath, callId, bytes: size };
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot write ${outPath}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`, 'io');
  }
}

// ---- import ----------------------------------------------------------------------------------------

const refuse = (path: string, reason: string): UserError => new UserError(`cannot import ${basename(path)}: ${reason}`, 'bad_archive');

/** Checks the zip trailer and the whole-file seal before any entry is trusted. */
async function checkSeal(path: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw refuse(path, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? oneLine(err)})`);
  }
  let size: number;
  const tail = Buffer.alloc(EOCD_LEN + SEAL_LEN);
  const head = Buffer.alloc(4);
  try {
    size = fstatSync(fd).size;
    if (size < 4 || readSync(fd, head, 0, 4, 0) < 4 || head.readUInt32LE(0) !== 0x04034b50) throw refuse(path, 'not a Cadence archive (not a zip file)');
    if (size < tail.length) throw refuse(path, 'archive is truncated');
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  const ok = tail.readUInt32LE(0) === 0x06054b50 && tail.readUInt16LE(20) === SEAL_LEN && tail.toString('latin1', EOCD_LEN, EOCD_LEN + SEAL_PREFIX.length) === SEAL_PREFIX;
  if (!ok) throw refuse(path, 'archive is truncated or not a Cadence archive (no seal at the end)');
  const want = tail.toString('latin1', EOCD_LEN + SEAL_PREFIX.length);
  const { sha256 } = await hashFile(path, size - 64);
  if (sha256 !== want) throw refuse(path, 'archive is damaged or was modified (checksum mismatch)');
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    const seen = new Set<string>();
    zip.on('entry', (e: yauzl.Entry) => {
      // With two entries of one name, which one a reader takes differs between zip tools: refuse both.
      if (seen.has(e.fileName)) {
        reject(new Error(`duplicate entry ${e.fileName}`));
        return;
      }
      seen.add(e.fileName);
      out.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(out));
    zip.once('error', reject);
    zip.readEntry();
  });
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
}

/** Reads a small entry whole; its declared size is checked before a byte is inflated. */
async function readEntry(path: string, zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<Buffer> {
  if (entry.uncompressedSize > max) throw refuse(path, `${entry.fileName} is too large (${entry.uncompressedSize} bytes, at most ${max})`);
  const chunks: Buffer[] = [];
  for await (const c of await entryStream(zip, entry)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The first JSON path holding a number no call can have (1e300, -1e20…), or null. */
function outOfRange(value: unknown, at = 'call'): string | null {
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= 1e13 ? null : at;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const hit = outOfRange(v, `${at}.${k}`);
    if (hit !== null) return hit;
  }
  return null;
}

/** An Ogg stream whose first page starts an Opus stream (RFC 7845: `OggS`, then the `OpusHead` packet). */
const OGG_HEAD_BYTES = 27 + 255 + 8;

function isOggOpus(file: string): boolean {
  const head = Buffer.alloc(OGG_HEAD_BYTES);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return isOggOpusHead(head.subarray(0, n));
}

function isOggOpusHead(head: Buffer): boolean {
  const n = head.length;
  if (n < 28 || head.toString('latin1', 0, 4) !== 'OggS') return false;
  const body = 27 + head[26]!;
  return n >= body + 8 && head.toString('latin1', body, body + 8) === 'OpusHead';
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'));
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface ImportResult {
  readonly callId: string;
  /** `unchanged`: the same call was already in the library (a no-op). */
  readonly outcome: 'imported' | 'unchanged';
}

interface CheckedArchive {
  readonly zip: yauzl.ZipFile;
  readonly byName: ReadonlyMap<string, yauzl.Entry>;
  readonly manifest: ArchiveManifest;
  readonly call: ArchivedCall;
  readonly recEntry: ArchiveManifest['entries'][number] | null;
}

/**
 * The seal, the manifest, call.json and the recording's declared size, checked in that order; the
 * zip is left open for the recording (the caller closes it). Refusals are one line.
 */
async function openChecked(path: string): Promise<CheckedArchive> {
  await checkSeal(path);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw refuse(path, `damaged zip (${oneLine(err)})`);
  }
  try {
    const entries = await listEntries(zip).catch((err: unknown) => {
      throw refuse(path, `damaged zip (${oneLine(err)})`);
    });
    const byName = new Map(entries.map((e) => [e.fileName, e]));
    const manifestEntry = byName.get('manifest.json');
    if (!manifestEntry) throw refuse(path, 'not a Cadence archive (no manifest.json)');
    let manifest: ArchiveManifest;
    try {
      const raw = JSON.parse((await readEntry(path, zip, manifestEntry, MAX_MANIFEST_BYTES)).toString('utf8')) as unknown;
      const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
      if (typeof version === 'number' && version > ARCHIVE_VERSION) throw refuse(path, `archive format version ${version} is newer than this Cadence supports (${ARCHIVE_VERSION})`);
      manifest = manifestSchema.parse(raw);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw refuse(path, `invalid manifest (${err instanceof z.ZodError ? (err.issues[0]?.path.join('.') ?? '') + ' ' + (err.issues[0]?.message ?? '') : oneLine(err)})`);
    }
    const listed = new Set(manifest.entries.map((e) => e.name));
    for (const name of byName.keys()) if (name !== 'manifest.json' && !listed.has(name)) throw refuse(path, `entry ${name} is not in the manifest`);
    for (const e of manifest.entries) {
      if (!KNOWN_ENTRIES.has(e.name) || e.name === 'manifest.json') throw refuse(path, `unexpected entry ${e.name}`);
      const entry = byName.get(e.name);
      if (!entry) throw refuse(path, `entry ${e.name} is missing`);
      if (entry.uncompressedSize !== e.size) throw refuse(path, `entry ${e.name} is ${entry.uncompressedSize} bytes, the manifest says ${e.size}`);
    }
    if (new Set(manifest.entries.map((e) => e.name)).size !== manifest.entries.length) throw refuse(path, 'duplicate entry in the manifest');
    const callMeta = manifest.entries.find((e) => e.name === 'call.json');
    if (!callMeta) throw refuse(path, 'no call.json');

    const callBytes = await readEntry(path, zip, byName.get('call.json')!, MAX_CALL_JSON_BYTES);
    if (callBytes.length !== callMeta.size || sha(callBytes) !== callMeta.sha256) throw refuse(path, 'call.json checksum mismatch');
    let call: ArchivedCall;
    try {
      const json = JSON.parse(callBytes.toString('utf8')) as unknown;
      const wild = outOfRange(json);
      if (wild !== null) throw refuse(path, `invalid call.json (${wild} is out of range)`);
      call = callSchema.parse(json);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw refuse(path, `invalid call.json (${err instanceof z.ZodError ? (err.issues[0]?.path.join('.') ?? '') + ' ' + (err.issues[0]?.message ?? '') : oneLine(err)})`);
    }
    if (call.meta.id !== manifest.callId) throw refuse(path, 'call id in call.json does not match the manifest');
    const recEntry = manifest.entries.find((e) => e.name === RECORDING_ENTRY) ?? null;
    // A recording with no recording facts would be a file no call points to.
    if (recEntry && !call.recording) throw refuse(path, 'recording entry without a recording in call.json');
    if (recEntry) {
      const seconds = Math.max(call.meta.durationMs, call.recording?.durationMs ?? 0) / 1000;
      const max = Math.ceil(seconds * MAX_RECORDING_BYTES_PER_S) + RECORDING_SLACK_BYTES;
      if (recEntry.size > max) throw refuse(path, `recording is too large for a ${seconds.toFixed(0)} s call (${recEntry.size} bytes, at most ${max})`);
    }
    return { zip, byName, manifest, call, recEntry };
  } catch (err) {
    zip.close();
    throw err;
  }
}

/** What a checked archive holds, for a receiver that stores the archive as it is (the sync server). */
export interface ArchiveFacts {
  readonly callId: string;
  readonly meta: ArchivedCall['meta'];
  readonly recordingBytes: number;
}

/**
 * Checks an archive completely — seal, manifest, call.json and the recording's checksum and codec —
 * without storing anything. The same checks as import: a file that passes here imports.
 */
export async function inspectArchive(path: string): Promise<ArchiveFacts> {
  const { zip, byName, call, recEntry } = await openChecked(path);
  try {
    if (recEntry) {
      const { hash, counter, tap } = sha256Stream();
      let head: Buffer = Buffer.alloc(0);
      tap.on('data', (chunk: Buffer) => {
        if (head.length < OGG_HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, OGG_HEAD_BYTES - head.length)]);
      });
      await pipeline(await entryStream(zip, byName.get(RECORDING_ENTRY)!), tap);
      if (counter.bytes !== recEntry.size || hash.digest('hex') !== recEntry.sha256) throw refuse(path, 'recording checksum mismatch');
      if (!isOggOpusHead(head)) throw refuse(path, 'recording is not Ogg Opus');
    }
    return { callId: call.meta.id, meta: call.meta, recordingBytes: recEntry?.size ?? 0 };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw refuse(path, `damaged zip (${oneLine(err)})`);
  } finally {
    zip.close();
  }
}

/** Imports a `.cadence` archive: verified, then all-or-nothing and idempotent. Refusals are one line. */
export async function importArchive(library: Library, path: string): Promise<ImportResult> {
  const { zip, byName, call, recEntry } = await openChecked(path);
  let tmp: string | null = null;
  try {
    // Idempotent: the same call again is a no-op; a different call under the same id is refused.
    const existing = await library.calls.get(call.meta.id);
    if (existing) {
      const theirs = identity(call, recEntry?.sha256 ?? null);
      const ours = identity(archivedCall(existing), existing.recording?.sha256 ?? null);
      if (theirs === ours) return { callId: call.meta.id, outcome: 'unchanged' };
      throw refuse(path, `a different call with id ${call.meta.id} is already in the library`);
    }

    let finalPath: string | null = null;
    /** The same recording is already in place (an earlier import, or a library sharing the folder). */
    let alreadyThere = false;
    if (recEntry) {
      library.recordings.ensureDir();
      tmp = library.recordings.tempPath();
      const { hash, counter, tap } = sha256Stream();
      // Owner-only from the first byte (the mode is masked by the umask, hence the chmod after).
      await pipeline(await entryStream(zip, byName.get(RECORDING_ENTRY)!), tap, createWriteStream(tmp, { mode: 0o600 }));
      chmodSync(tmp, 0o600);
      if (counter.bytes !== recEntry.size || hash.digest('hex') !== recEntry.sha256) throw refuse(path, 'recording checksum mismatch');
      if (!isOggOpus(tmp)) throw refuse(path, 'recording is not Ogg Opus');
      finalPath = library.recordings.pathFor(call.meta.id);
      if (existsSync(finalPath)) {
        const there = await hashFile(finalPath);
        if (there.size !== recEntry.size || there.sha256 !== recEntry.sha256) {
          throw refuse(path, `a different recording named ${basename(finalPath)} is already in ${dirname(finalPath)}`);
        }
        alreadyThere = true;
      }
    }

    const report = call.report as unknown as CallRecord['report'];
    const { speech, timeline, events, nudges, ...summary } = report;
    let renamed = false;
    const m = call.meta;
    try {
      await library.calls.store(
        {
          meta: { id: m.id, startedAt: m.startedAt, endedAt: m.endedAt, source: m.source, status: 'imported', title: m.title, customerLabel: m.customerLabel, agent: m.agent, tags: m.tags, notes: m.notes, score: m.score, insights: m.insights },
          durationMs: m.durationMs,
          summary: call.summaryComplete ? (summary as CallSummary) : null,
          speech,
          events,
          nudges,
          timeline,
          transcript: call.transcript,
          recording:
            finalPath !== null && recEntry && call.recording
              ? { path: finalPath, codec: call.recording.codec, sizeBytes: recEntry.size, sha256: recEntry.sha256, durationMs: call.recording.durationMs, error: call.recording.error }
              : null,
        },
        () => {
          if (finalPath === null || tmp === null || alreadyThere) return;
          renameSync(tmp, finalPath);
          renamed = true;
          tmp = null;
        },
      );
    } catch (err) {
      if (renamed && finalPath !== null) rmSync(finalPath, { force: true });
      if (err instanceof UserError) throw err;
      if (isBusy(err)) throw new UserError(`cannot import ${basename(path)}: library ${library.path} is busy (another process is writing to it); try again`, 'busy_library');
      throw refuse(path, `invalid call data (${oneLine(err)})`);
    }
    return { callId: call.meta.id, outcome: 'imported' };
  } finally {
    zip.close();
    if (tmp !== null) rmSync(tmp, { force: true });
  }
}
