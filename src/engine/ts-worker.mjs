// Loads a TypeScript worker entry through tsx. Used when the engine runs from sources (CLI, tests);
// bundled builds start the compiled worker directly.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
