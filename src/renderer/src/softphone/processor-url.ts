/** The tap's worklet, bundled by Vite (electron-vite's renderer build) as a separate script. */
import url from './tap-processor.ts?worker&url';

export const TAP_PROCESSOR_URL: string = url;
