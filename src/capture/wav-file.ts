/**
 * Reads a WAV file from disk and yields engine frames (16 kHz, 20 ms, agent + customer), converting
 * rate, codec and channel layout on the way. The file is read in blocks; it is never held as floats.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { FRAME_SIZE, SAMPLE_RATE } from '../dsp/frames';
import { makeResampler } from '../dsp/resample';
import { decodeWavFrames, readWavHeader, WavError, type WavInfo } from '../dsp/wav';

export { WavError };

/** Source frames decoded per block. */
const BLOCK = 4096;

export interface WavFrameSource {
  readonly info: WavInfo;
  readonly durationMs: number;
  /** Things the user should know about this file (e.g. a mono recording saved as identical stereo). */
  readonly warnings: readonly string[];
  /**
   * Calls `onFrames(agent, customer, count)` with `count` whole 20 ms frames back to back; the arrays
   * are reused between calls. A mono file has a silent customer channel.
   */
  read(onFrames: (agent: Float32Array, customer: Float32Array, count: number) => void): void;
  /** As `read`, awaiting each call (for a consumer that awaits, e.g. the neural VAD). */
  readAsync(onFrames: (agent: Float32Array, customer: Float32Array, count: number) => Promise<void>): Promise<void>;
}

function openFile(path: string): { fd: number; size: number } {
  // Checked before opening: opening a FIFO for reading waits for a writer forever.
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new WavError(`is a directory, not a WAV file: ${path}`);
    if (!st.isFile()) throw new WavError(`not a regular file: ${path}`);
  } catch (err) {
    if (err instanceof WavError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WavError(`no such file: ${path}`);
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WavError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new WavError(`is a directory, not a WAV file: ${path}`);
    if (code === 'EACCES') throw new WavError(`permission denied: ${path}`);
    throw new WavError(`cannot open ${path}: ${(err as Error).message}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new WavError(`not a regular file: ${path}`);
  }
  return { fd, size: st.size };
}

export function openWavFile(path: string, opts: { swap?: boolean } = {}): WavFrameSource {
  const { fd, size } = openFile(path);
  let info: WavInfo;
  try {
    // The chunks are walked through the whole file: metadata before the audio can be any size.
    info = readWavHeader(
      (at, length) => {
        const b = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
        return b.subarray(0, readSync(fd, b, 0, b.length, at));
      },
      size,
    );
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const swap = opts.swap === true;
  const warnings: string[] = [];
  // A mono recording saved as two identical channels would read as both sides talking over each other
  // all call long; analyse it as the agent alone instead.
  const duplicated = info.channels === 2 && channelsIdentical(fd, info);
  if (duplicated) warnings.push('both channels are identical (a mono recording saved as stereo): analysed as the agent alone');
  const stereo = info.channels === 2 && !duplicated;
  const durationMs = Math.floor((info.frames / info.sampleRate) * 1000);

  return {
    info,
    durationMs,
    warnings,
    read(onFrames) {
      for (const [a, c, n] of blocks()) onFrames(a, c, n);
    },
    async readAsync(onFrames) {
      for (const [a, c, n] of blocks()) await onFrames(a, c, n);
    },
  };

  /** Whole frames block by block; the yielded arrays are reused once the consumer asks for the next. */
  function* blocks(): Generator<[Float32Array, Float32Array, number]> {
    try {
      const stride = info.channels * info.bytesPerSample;
      const raw = Buffer.alloc(BLOCK * stride);
      const decoded = [new Float32Array(BLOCK), new Float32Array(BLOCK)];
      const resamplers = [makeResampler(info.sampleRate, SAMPLE_RATE), makeResampler(info.sampleRate, SAMPLE_RATE)];
      const maxOut = resamplers[0]!.maxOutput(BLOCK);
      const converted = [new Float32Array(maxOut), new Float32Array(maxOut)];
      // Pending 16 kHz samples waiting to make whole frames.
      const cap = maxOut + FRAME_SIZE * 2;
      const pending = [new Float32Array(cap), new Float32Array(cap)];
      let pendingLen = 0;
      const silent = new Float32Array(cap);
      // decodeWavFrames addresses samples from dataOffset; blocks are read to offset 0 of `raw`.
      const blockInfo: WavInfo = { ...info, dataOffset: 0 };
      let done = 0;
      function* flushFrames(final: boolean): Generator<[Float32Array, Float32Array, number]> {
        let frames = Math.floor(pendingLen / FRAME_SIZE);
        if (final && pendingLen % FRAME_SIZE !== 0) {
          // Pad the last partial frame with silence so the tail is analysed too.
          pending[0]!.fill(0, pendingLen, (frames + 1) * FRAME_SIZE);
          pending[1]!.fill(0, pendingLen, (frames + 1) * FRAME_SIZE);
          frames++;
          pendingLen = frames * FRAME_SIZE;
        }
        if (frames === 0) return;
        const a = swap && stereo ? pending[1]! : pending[0]!;
        const c = stereo ? (swap ? pending[0]! : pending[1]!) : silent;
        yield [a, c, frames];
        const used = frames * FRAME_SIZE;
        pending[0]!.copyWithin(0, used, pendingLen);
        pending[1]!.copyWithin(0, used, pendingLen);
        pendingLen -= used;
      }
      while (done < info.frames) {
        const count = Math.min(BLOCK, info.frames - done);
        const want = count * stride;
        const got = readSync(fd, raw, 0, want, info.dataOffset + done * stride);
        if (got < want) throw new WavError('truncated WAV: file ended while reading audio');
        decodeWavFrames(raw, blockInfo, 0, count, decoded);
        let produced = 0;
        for (let ch = 0; ch < info.channels; ch++) {
          produced = resamplers[ch]!.process(decoded[ch]!, count, converted[ch]!);
          pending[ch]!.set(converted[ch]!.subarray(0, produced), pendingLen);
        }
        pendingLen += produced;
        done += count;
        yield* flushFrames(false);
      }
      yield* flushFrames(true);
    } finally {
      closeSync(fd);
    }
  }
}

/** Whether the two channels hold exactly the same samples over the first minute (and are not silent). */
function channelsIdentical(fd: number, info: WavInfo): boolean {
  const frames = Math.min(info.frames, info.sampleRate * 60);
  const stride = info.channels * info.bytesPerSample;
  const bytes = Buffer.alloc(frames * stride);
  const got = readSync(fd, bytes, 0, bytes.length, info.dataOffset);
  const n = Math.floor(got / stride);
  const w = info.bytesPerSample;
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    const p = i * stride;
    for (let b = 0; b < w; b++) {
      const x = bytes[p + b]!;
      if (x !== bytes[p + w + b]) return false;
      if (x !== 0) nonZero = true;
    }
  }
  return nonZero;
}
