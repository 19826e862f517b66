/**
 * RIFF/WAVE parsing and sample decoding from bytes. Pure: the caller reads the file; decoding is done
 * in caller-sized blocks into caller-owned buffers, so a long recording never exists as one float array.
 */
import { ALAW_TABLE, MULAW_TABLE } from './g711';

export type SampleCodec = 'pcm_u8' | 'pcm_s16' | 'pcm_s24' | 'pcm_s32' | 'float32' | 'float64' | 'mulaw' | 'alaw';

export interface WavInfo {
  readonly sampleRate: number;
  readonly channels: number;
  readonly codec: SampleCodec;
  readonly bytesPerSample: number;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Whole sample frames (one sample per channel) present in the file. */
  readonly frames: number;
  /** True when the data chunk claims more bytes than the file holds (a recording cut short). */
  readonly truncated: boolean;
}

/** A problem with the input file, phrased for a one-line CLI error. */
export class WavError extends Error {
  override readonly name = 'WavError';
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export const MIN_RATE = 8000;
export const MAX_RATE = 48000;

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** Reads `length` bytes at `at` (fewer at the end of the input). */
export type ByteReader = (at: number, length: number) => Uint8Array;

/** Chunks walked before `data` at most: real files have a handful; this bounds a hostile one. */
const MAX_CHUNKS = 10_000;

/**
 * Reads the header of a WAV file. `bytes` needs to hold at least the header; `fileSize` is the size of
 * the whole file, so that a data chunk that runs past the end is recognised as truncated.
 */
export function parseWavHeader(bytes: Uint8Array, fileSize = bytes.length): WavInfo {
  return readWavHeader((at, length) => bytes.subarray(at, Math.min(bytes.length, at + length)), bytes.length, fileSize);
}

/**
 * Reads the header by walking the chunks through the first `available` bytes — the whole file when
 * reading from disk, so any amount of metadata (LIST, bext, iXML…) before the audio is skipped.
 */
export function readWavHeader(read: ByteReader, available: number, fileSize = available): WavInfo {
  const head = read(0, 12);
  if (head.length < 12) throw new WavError('not a WAV file: too short for a RIFF header');
  const riff = ascii(head, 0);
  if (riff === 'RF64') throw new WavError('unsupported WAV variant RF64');
  if (riff !== 'RIFF' || ascii(head, 8) !== 'WAVE') throw new WavError('not a WAV file: missing RIFF/WAVE signature');

  let pos = 12;
  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number } | null = null;
  for (let chunks = 0; pos + 8 <= available; chunks++) {
    if (chunks >= MAX_CHUNKS) throw new WavError(`broken WAV: more than ${MAX_CHUNKS} chunks before the audio`);
    const header = read(pos, 8);
    const id = ascii(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > available) throw new WavError('broken WAV: fmt chunk is too short');
      const bytes = read(body, Math.min(size, 40));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let tag = view.getUint16(0, true);
      const channels = view.getUint16(2, true);
      const rate = view.getUint32(4, true);
      const blockAlign = view.getUint16(12, true);
      const bits = view.getUint16(14, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 40 > available) throw new WavError('broken WAV: WAVE_FORMAT_EXTENSIBLE header is too short');
        // The sub-format GUID starts with the classic format tag.
        tag = view.getUint16(24, true);
      }
      fmt = { tag, channels, rate, blockAlign, bits };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('broken WAV: data chunk before fmt chunk');
      return finish(fmt, body, size, fileSize);
    }
    // Chunks are word-aligned: an odd size is followed by one pad byte.
    pos = body + size + (size & 1);
  }
  if (!fmt) throw new WavError('broken WAV: no fmt chunk');
  throw new WavError('broken WAV: no data chunk');
}

function finish(
  fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number },
  dataOffset: number,
  declaredSize: number,
  fileSize: number,
): WavInfo {
  const { tag, channels, rate, bits } = fmt;
  let codec: SampleCodec;
  if (tag === WAVE_FORMAT_PCM) {
    if (bits === 8) codec = 'pcm_u8';
    else if (bits === 16) codec = 'pcm_s16';
    else if (bits === 24) codec = 'pcm_s24';
    else if (bits === 32) codec = 'pcm_s32';
    else throw new WavError(`unsupported WAV codec: ${bits}-bit PCM`);
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) codec = 'float32';
    else if (bits === 64) codec = 'float64';
    else throw new WavError(`unsupported WAV codec: ${bits}-bit float`);
  } else if (tag === WAVE_FORMAT_MULAW) {
    codec = 'mulaw';
  } else if (tag === WAVE_FORMAT_ALAW) {
    codec = 'alaw';
  } else {
    throw new WavError(`unsupported WAV codec: format tag 0x${tag.toString(16).padStart(4, '0')}`);
  }
  if (channels < 1) throw new WavError('broken WAV: zero channels');
  if (channels > 2) throw new WavError(`unsupported WAV: ${channels} channels (Cadence takes mono or stereo)`);
  if (rate < MIN_RATE || rate > MAX_RATE) {
    throw new WavError(`unsupported WAV sample rate ${rate} Hz (Cadence takes ${MIN_RATE}-${MAX_RATE} Hz)`);
  }
  const bytesPerSample = codec === 'mulaw' || codec === 'alaw' || codec === 'pcm_u8' ? 1 : bits / 8;
  const frameBytes = bytesPerSample * channels;
  const available = Math.max(0, fileSize - dataOffset);
  // 0 and 0xFFFFFFFF are what streaming writers leave when they never came back to fix the header.
  const streaming = declaredSize === 0 || declaredSize === 0xffffffff;
  const usable = streaming ? available : Math.min(declaredSize, available);
  const frames = Math.floor(usable / frameBytes);
  if (frames === 0) throw new WavError(declaredSize > 0 && available === 0 ? 'truncated WAV: no audio data present' : 'empty WAV: no audio samples');
  return {
    sampleRate: rate,
    channels,
    codec,
    bytesPerSample,
    dataOffset,
    frames,
    truncated: !streaming && declaredSize > available,
  };
}

/**
 * Decodes `count` sample frames starting at frame `start` into `out[ch]` (from index 0). `bytes` must be
 * the whole file or a view whose offset 0 is file offset 0.
 */
export function decodeWavFrames(
  bytes: Uint8Array,
  info: WavInfo,
  start: number,
  count: number,
  out: readonly Float32Array[],
): void {
  const { channels, codec, bytesPerSample } = info;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stride = channels * bytesPerSample;
  for (let ch = 0; ch < channels; ch++) {
    const dst = out[ch]!;
    let p = info.dataOffset + start * stride + ch * bytesPerSample;
    switch (codec) {
      case 'pcm_u8':
        for (let i = 0; i < count; i++, p += stride) dst[i] = (bytes[p]! - 128) / 128;
        break;
      case 'pcm_s16':
        for (let i = 0; i < count; i++, p += stride) dst[i] = view.getInt16(p, true) / 32768;
        break;
      case 'pcm_s24':
        for (let i = 0; i < count; i++, p += stride) {
          const v = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16);
          dst[i] = ((v << 8) >> 8) / 8388608;
        }
        break;
      case 'pcm_s32':
        for (let i = 0; i < count; i++, p += stride) dst[i] = view.getInt32(p, true) / 2147483648;
        break;
      case 'float32':
        for (let i = 0; i < count; i++, p += stride) dst[i] = view.getFloat32(p, true);
        break;
      case 'float64':
        for (let i = 0; i < count; i++, p += stride) dst[i] = view.getFloat64(p, true);
        break;
      case 'mulaw':
        for (let i = 0; i < count; i++, p += stride) dst[i] = MULAW_TABLE[bytes[p]!]!;
        break;
      case 'alaw':
        for (let i = 0; i < count; i++, p += stride) dst[i] = ALAW_TABLE[bytes[p]!]!;
        break;
    }
  }
}

/** A 16-bit PCM WAV file from planar float channels (used for fixtures, exports and the demo call). */
export function encodeWav16(channels: readonly Float32Array[], sampleRate: number): Uint8Array {
  const n = channels[0]?.length ?? 0;
  const ch = channels.length;
  const dataBytes = n * ch * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const w = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i);
  };
  w(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  w(8, 'WAVE');
  w(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, ch, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * ch * 2, true);
  view.setUint16(32, ch * 2, true);
  view.setUint16(34, 16, true);
  w(36, 'data');
  view.setUint32(40, dataBytes, true);
  let p = 44;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ch; c++) {
      const s = Math.max(-1, Math.min(1, channels[c]![i]!));
      view.setInt16(p, Math.round(s * 32767), true);
      p += 2;
    }
  }
  return bytes;
}
