import react from '@vitejs/plugin-react';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { resolve } from 'node:path';

// Main bundles the Electron glue and, as a second entry, the engine worker (started with
// `new Worker(new URL('./engine-worker.js', import.meta.url))` from the bundled host).
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'engine-worker': resolve(__dirname, 'src/engine/worker.ts'),
          // The neural VAD's inference thread, started by the engine worker as ./silero-thread.js.
          'silero-thread': resolve(__dirname, 'src/engine/silero-thread.ts'),
        },
      },
    },
  },
  // The preload runs sandboxed, where only CommonJS preloads are allowed: build it as index.cjs.
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
  },
});
