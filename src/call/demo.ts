/** The demo call shipped in resources/demo (made by resources/demo/make-demo.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { TranscriptLine } from '../shared/rpc';
import { resourcesDir } from '../app/resources';

const transcriptSchema = z.object({
  durationMs: z.number(),
  segments: z.array(z.object({ channel: z.enum(['agent', 'customer']), text: z.string(), startMs: z.number(), endMs: z.number() })),
});

export function demoCallPath(): string {
  return join(resourcesDir(), 'demo', 'demo-call.wav');
}

export function loadDemoTranscript(): { durationMs: number; segments: TranscriptLine[] } {
  const raw = JSON.parse(readFileSync(join(resourcesDir(), 'demo', 'demo-call.transcript.json'), 'utf8')) as unknown;
  return transcriptSchema.parse(raw);
}
