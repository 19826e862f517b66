/**
 * Silero VAD inference in its own thread, for the live engine worker: onnxruntime-node runs a model
 * synchronously on the calling thread (~0.5–2 ms per window), so in the engine worker every frame that
 * completed a window would wait that long. Here the engine thread hands over a window and stays free;
 * the network state lives in this thread. Started by `createNeuralVad({ thread: true })`.
 *
 * Protocol: in, `{ input, reset }` (input: both channels' 64 + 512 samples, reset: zero the state first);
 * out, `{ probs }` (two speech probabilities) or `{ error }`. One reply per request, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSilero } from './neural-vad';

const port = parentPort;
if (!port) throw new Error('silero-thread must run in a worker thread');

const run = await openSilero((workerData as { modelPath: string }).modelPath);
let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: { input: Float32Array; reset: boolean }) => {
  chain = chain.then(async () => {
    try {
      const probs = await run(msg.input, msg.reset);
      port.postMessage({ probs });
    } catch (err) {
      port.postMessage({ error: (err as Error).message });
    }
  });
});
port.postMessage({ ready: true });
