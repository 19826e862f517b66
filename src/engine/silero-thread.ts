/**
 * Silero VAD inference in its own thread, for the live engine worker: onnxruntime-node runs a model
 * synchronously on the calling thread (~0.5–2 ms per window), so in the engine worker every frame that
 * completed a window would wait that long. Here the engine thread hands over a window and stays free.
 * One such thread serves every session of its engine worker (one model, one onnxruntime session); each
 * stream's recurrent state lives here under the stream's key, created on its first window and freed
 * when the stream closes. Started by neural-vad.ts the first time a stream of the worker needs it.
 *
 * Protocol: in, `{ key, input, reset }` (input: both channels' 64 + 512 samples, reset: zero the key's
 * state first) or `{ key, free: true }`; out, `{ probs }` (two speech probabilities) or `{ error }`, one
 * reply per input, in order. The first message out is `{ ready: true, tid }` once the model is loaded
 * (tid: the thread's Linux id, for measuring its CPU apart).
 */
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openSilero, type SileroRun } from './neural-vad';

const port = parentPort;
if (!port) throw new Error('silero-thread must run in a worker thread');

const modelPath = (workerData as { modelPath: string }).modelPath;
const streams = new Map<number, SileroRun>();
// Loads the model before saying ready, so a broken model fails the start, not a call's first window.
streams.set(0, await openSilero(modelPath));
streams.clear();
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: { key: number; input?: Float32Array; reset?: boolean; free?: true }) => {
  chain = chain.then(async () => {
    if (msg.free) return void streams.delete(msg.key);
    try {
      let run = streams.get(msg.key);
      if (!run) streams.set(msg.key, (run = await openSilero(modelPath)));
      port.postMessage({ probs: await run(msg.input!, msg.reset === true) });
    } catch (err) {
      port.postMessage({ error: (err as Error).message });
    }
  });
});
/** This thread's id on Linux (/proc/thread-self → <pid>/task/<tid>), so its CPU time can be read apart. */
function threadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}
port.postMessage({ ready: true, tid: threadId() });
