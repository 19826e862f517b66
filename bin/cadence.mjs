#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so `npx cadence` works right after
// `npm install` with no build step, on exactly the code the app bundles.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
