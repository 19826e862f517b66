/**
 * Two-channel call recordings as Ogg Opus (RFC 7845): libopus (opusscript, WebAssembly — no native
 * build, no download) at 16 kHz, 20 ms packets, ~24 kbit/s ≈ 11 MB an hour; telephone calls (8 kHz at
 * their source) are encoded narrowband, which costs a fraction of the CPU and loses nothing they carry.
 * Pages are written straight to the file descriptor about once a second, so after a crash of the process
 * the file is readable up to the last whole page; `repairOggFile` cuts a torn last page and marks the end
 * of the stream. The file is synced to disk every few seconds (a power cut loses at most that much).
 */
import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import OpusScript from 'opusscript';
import { FRAME_SIZE, SAMPLE_RATE } from '../../dsp/frames';

export const RECORDING_CODEC = 'opus/ogg';
export const RECORDING_BITRATE = 24_000;
/** Encoder lookahead at 48 kHz for 16 kHz VOIP mode (libopus default), written as the header's pre-skip. */
const PRE_SKIP = 312;
/** Ogg granule positions count 48 kHz samples whatever the input rate (RFC 7845 §4). */
const GRANULE_PER_FRAME = (48_000 * FRAME_SIZE) / SAMPLE_RATE;
const PACKETS_PER_PAGE = 50;
/** fdatasync at most this often while recording (and always at the end): it is a blocking call per file. */
const SYNC_EVERY_MS = 5000;
const OPUS_SET_COMPLEXITY = 4010;
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;

// ---- Ogg framing ---------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}

const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;

function buildPage(packets: readonly Uint8Array[], flags: number, granule: bigint, serial: number, seq: number): Buffer {
  const lacing: number[] = [];
  let bodyLen = 0;
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
    bodyLen += p.length;
  }
  if (lacing.length > 255) throw new Error('ogg page over 255 segments');
  const page = Buffer.alloc(27 + lacing.length + bodyLen);
  page.write('OggS', 0, 'latin1');
  page[4] = 0;
  page[5] = flags;
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(serial, 14);
  page.writeUInt32LE(seq, 18);
  page.writeUInt32LE(0, 22);
  page[26] = lacing.length;
  for (let i = 0; i < lacing.length; i++) page[27 + i] = lacing[i]!;
  let at = 27 + lacing.length;
  for (const p of packets) {
    page.set(p, at);
    at += p.length;
  }
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

function segmentsFor(len: number): number {
  return Math.floor(len / 255) + 1;
}

export interface OggPage {
  readonly offset: number;
  readonly length: number;
  readonly flags: number;
  readonly granule: bigint;
  readonly packets: Uint8Array[];
}

/** Whole, checksum-valid pages from the start of `bytes`; stops at the first torn or damaged one. */
export function readOggPages(bytes: Uint8Array): { pages: OggPage[]; validBytes: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pages: OggPage[] = [];
  let at = 0;
  let partial: Uint8Array[] = [];
  while (at + 27 <= buf.length) {
    if (buf.toString('latin1', at, at + 4) !== 'OggS' || buf[at + 4] !== 0) break;
    const nseg = buf[at + 26]!;
    if (at + 27 + nseg > buf.length) break;
    let bodyLen = 0;
    for (let i = 0; i < nseg; i++) bodyLen += buf[at + 27 + i]!;
    const len = 27 + nseg + bodyLen;
    if (at + len > buf.length) break;
    const page = Buffer.from(buf.subarray(at, at + len));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    if (oggCrc(page) !== crc) break;
    const packets: Uint8Array[] = [];
    let bodyAt = at + 27 + nseg;
    let cur: Uint8Array[] = partial;
    for (let i = 0; i < nseg; i++) {
      const l = buf[at + 27 + i]!;
      cur.push(buf.subarray(bodyAt, bodyAt + l));
      bodyAt += l;
      if (l < 255) {
        packets.push(Buffer.concat(cur));
        cur = [];
      }
    }
    partial = cur;
    pages.push({ offset: at, length: len, flags: buf[at + 5]!, granule: buf.readBigInt64LE(at + 6), packets });
    at += len;
  }
  return { pages, validBytes: at };
}

// ---- writing ---------------------------------------------------------------------------------------

export interface RecordingIO {
  write(fd: number, data: Uint8Array): void;
  sync(fd: number): void;
}

const fsIO: RecordingIO = {
  write(fd, data) {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  },
  sync: (fd) => fdatasyncSync(fd),
};

export interface OggOpusWriterOptions {
  /**
   * The audio is telephone band (8 kHz at its source, e.g. a Twilio stream): every other sample of the
   * 16 kHz frames is encoded, narrowband, at a lower complexity — about a tenth of the wideband CPU.
   */
  readonly narrowband?: boolean;
}

/** Incremental Ogg Opus writer for 16 kHz two-channel frames. Throws on I/O errors; the caller decides. */
export class OggOpusWriter {
  private readonly encoder: OpusScript;
  private readonly fd: number;
  /** Input samples per encoded sample (2 when narrowband). */
  private readonly step: number;
  private readonly pcm: Buffer;
  /** Interleaved view of `pcm` (no per-sample Buffer calls). */
  private readonly pcm16: Int16Array;
  private syncedMs = 0;
  private readonly serial = (Math.random() * 0xffffffff) >>> 0;
  private pageSeq = 0;
  private packets: Uint8Array[] = [];
  private segments = 0;
  private frames = 0;
  private closed = false;
  bytesWritten = 0;

  constructor(
    readonly path: string,
    private readonly io: RecordingIO = fsIO,
    options: OggOpusWriterOptions = {},
  ) {
    this.step = options.narrowband ? 2 : 1;
    const rate = SAMPLE_RATE / this.step;
    this.pcm = Buffer.alloc((FRAME_SIZE / this.step) * 2 * 2);
    this.pcm16 = new Int16Array(this.pcm.buffer, this.pcm.byteOffset, this.pcm.length / 2);
    this.fd = openSync(path, 'w', 0o600);
    // A recording is a conversation: owner-only whatever the umask (openSync's mode is masked by it).
    fchmodSync(this.fd, 0o600);
    this.encoder = new OpusScript(rate as 8000 | 16000, 2, OpusScript.Application.VOIP);
    try {
      this.encoder.setBitrate(RECORDING_BITRATE);
      // Complexity 3 at 8 kHz still sounds like the phone line it came from (the pre-skip, in 48 kHz
      // samples, is the same at both rates).
      this.encoder.encoderCTL(OPUS_SET_COMPLEXITY, options.narrowband ? 3 : 5);
      this.encoder.encoderCTL(OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE);
      const head = Buffer.alloc(19);
      head.write('OpusHead', 0, 'latin1');
      head[8] = 1;
      head[9] = 2;
      head.writeUInt16LE(PRE_SKIP, 10);
      head.writeUInt32LE(rate, 12);
      head.writeInt16LE(0, 16);
      head[18] = 0;
      const vendor = Buffer.from('Cadence (libopus via opusscript)', 'utf8');
      const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
      tags.write('OpusTags', 0, 'latin1');
      tags.writeUInt32LE(vendor.length, 8);
      vendor.copy(tags, 12);
      tags.writeUInt32LE(0, 12 + vendor.length);
      this.emit(buildPage([head], FLAG_BOS, 0n, this.serial, this.pageSeq++));
      this.emit(buildPage([tags], 0, 0n, this.serial, this.pageSeq++));
      this.io.sync(this.fd);
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  get durationMs(): number {
    return (this.frames * FRAME_SIZE * 1000) / SAMPLE_RATE;
  }

  private emit(page: Uint8Array): void {
    this.io.write(this.fd, page);
    this.bytesWritten += page.length;
  }

  /** Encodes `count` 20 ms frames (planar float, back to back). Pages go out about once a second. */
  pushFrames(agent: Float32Array, customer: Float32Array, count: number): void {
    if (this.closed) return;
    const pcm16 = this.pcm16;
    const step = this.step;
    for (let f = 0; f < count; f++) {
      const base = f * FRAME_SIZE;
      // Narrowband keeps every other sample: the 16 kHz frames were upsampled from 8 kHz, so nothing
      // above 4 kHz is there to alias.
      for (let i = 0, j = 0; i < FRAME_SIZE; i += step, j += 2) {
        const a = Math.max(-1, Math.min(1, agent[base + i] ?? 0));
        const c = Math.max(-1, Math.min(1, customer[base + i] ?? 0));
        pcm16[j] = Math.round(a * 32767);
        pcm16[j + 1] = Math.round(c * 32767);
      }
      const packet = this.encoder.encode(this.pcm, FRAME_SIZE / step);
      const seg = segmentsFor(packet.length);
      if (this.segments + seg > 255) this.flushPage(false);
      this.packets.push(packet);
      this.segments += seg;
      this.frames++;
      if (this.packets.length >= PACKETS_PER_PAGE) this.flushPage(false);
    }
  }

  /**
   * Writes buffered packets as a page: in the file at once (a crash of the process keeps it), synced to
   * disk every SYNC_EVERY_MS and at the end of the stream.
   */
  flushPage(eos: boolean): void {
    if (this.packets.length === 0 && !eos) return;
    const page = buildPage(this.packets, eos ? FLAG_EOS : 0, BigInt(this.frames * GRANULE_PER_FRAME), this.serial, this.pageSeq++);
    this.packets = [];
    this.segments = 0;
    this.emit(page);
    if (eos || this.durationMs - this.syncedMs >= SYNC_EVERY_MS) {
      this.io.sync(this.fd);
      this.syncedMs = this.durationMs;
    }
  }

  /** Ends the stream (EOS page) and closes the file. */
  close(): void {
    if (this.closed) return;
    try {
      this.flushPage(true);
    } finally {
      this.abandon();
    }
  }

  /** Closes the file and frees the encoder without writing anything more. */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // already unusable
    }
    this.encoder.delete();
  }
}

// ---- reading and repair ----------------------------------------------------------------------------

export interface OggOpusInfo {
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Bytes cut from a torn tail (0 for a clean file). */
  readonly truncatedBytes: number;
}

function audioDurationMs(pages: readonly OggPage[]): number {
  const last = pages.at(-1);
  if (!last || pages.length < 3) return 0;
  return Number(last.granule) / 48;
}

/**
 * Makes a recording that stopped mid-write playable: cuts everything after the last whole page and
 * marks that page as the end of stream. Returns undefined when not even the headers survived.
 */
export function repairOggFile(path: string): OggOpusInfo | undefined {
  const bytes = readFileSync(path);
  const { pages, validBytes } = readOggPages(bytes);
  if (pages.length < 2) return undefined;
  const fd = openSync(path, 'r+');
  let fixed: Buffer = bytes.subarray(0, validBytes);
  try {
    if (validBytes < bytes.length) ftruncateSync(fd, validBytes);
    const last = pages.at(-1)!;
    if ((last.flags & FLAG_EOS) === 0) {
      const page = Buffer.from(bytes.subarray(last.offset, last.offset + last.length));
      page[5] = page[5]! | FLAG_EOS;
      page.writeUInt32LE(0, 22);
      page.writeUInt32LE(oggCrc(page), 22);
      writeSync(fd, page, 0, page.length, last.offset);
      fixed = Buffer.concat([bytes.subarray(0, last.offset), page]);
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return {
    durationMs: audioDurationMs(pages),
    sizeBytes: fixed.length,
    sha256: createHash('sha256').update(fixed).digest('hex'),
    truncatedBytes: bytes.length - validBytes,
  };
}

/** Decodes a whole recording to planar 16 kHz floats (for replay, tests and checks). */
export function decodeOggOpus(bytes: Uint8Array): { agent: Float32Array; customer: Float32Array; durationMs: number } {
  const { pages } = readOggPages(bytes);
  const head = pages[0]?.packets[0];
  if (!head || Buffer.from(head).toString('latin1', 0, 8) !== 'OpusHead') throw new Error('not an Ogg Opus recording');
  const packets = pages.slice(2).flatMap((p) => p.packets);
  const decoder = new OpusScript(16000, 2, OpusScript.Application.VOIP);
  const agent = new Float32Array(packets.length * FRAME_SIZE);
  const customer = new Float32Array(packets.length * FRAME_SIZE);
  let at = 0;
  try {
    for (const p of packets) {
      const out = decoder.decode(Buffer.from(p));
      const n = out.length / 4;
      for (let i = 0; i < n && at + i < agent.length; i++) {
        agent[at + i] = out.readInt16LE(i * 4) / 32768;
        customer[at + i] = out.readInt16LE(i * 4 + 2) / 32768;
      }
      at += n;
    }
  } finally {
    decoder.delete();
  }
  return { agent: agent.subarray(0, at), customer: customer.subarray(0, at), durationMs: (at * 1000) / SAMPLE_RATE };
}
