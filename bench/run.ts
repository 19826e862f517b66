/**
 * `npm run bench`: prints Cadence's performance and accuracy figures. Nothing here is asserted; the
 * targets (docs/architecture.md, "Quality bars") are printed beside each figure.
 */
import { existsSync } from 'node:fs';
import { loadPlaybookFile } from '../src/playbook/playbook-file';
import { benchEngine, type Figures } from './engine';

function print(title: string, figures: Figures): void {
  console.log(`\n## ${title}`);
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(width)}  ${v}`);
}

async function optional(title: string, file: string, fn: string): Promise<void> {
  const path = new URL(file, import.meta.url);
  if (!existsSync(path)) return;
  try {
    const mod = (await import(path.href)) as Record<string, () => Promise<Figures>>;
    print(title, await mod[fn]!());
  } catch (err) {
    console.log(`\n## ${title}\n  failed: ${(err as Error).message.split('\n')[0]}`);
  }
}

const only = process.argv[2];
const playbook = loadPlaybookFile();
console.log(`Cadence bench — node ${process.version}, ${new Date().toISOString()}`);
if (!only || only === 'engine') print('Coaching engine', await benchEngine(playbook));
if (!only || only === 'library') await optional('Call library', './library.ts', 'benchLibrary');
if (!only || only === 'capture') await optional('Audio capture', './capture.ts', 'benchCapture');
if (!only || only === 'ui') await optional('Desktop UI', './ui.ts', 'benchUi');
if (!only || only === 'language') await optional('Language coaching', './language.ts', 'benchLanguage');
if (!only || only === 'language' || only === 'knowledge') await optional('Knowledge base', './language.ts', 'benchKnowledge');
if (!only || only === 'telephony') await optional('Twilio media streams under load', './telephony.ts', 'benchTelephony');
if (!only || only === 'transcription') await optional('Transcription (Deepgram stand-in)', './transcription.ts', 'benchTranscription');
if (!only || only === 'sync') await optional('Team sync server (two instances, PostgreSQL)', './sync.ts', 'benchSync');
