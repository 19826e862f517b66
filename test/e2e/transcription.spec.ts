/**
 * Transcription in the UI (Chromium through the browser host, the real SDK against the Deepgram
 * stand-in): Settings → Transcription checks a key as it is entered and keeps model and language; the
 * review offers "Transcribe" on a call without words and says in words what went wrong; once it has
 * words, search finds one and opening the call from the search seeks the player to it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/dsp/wav';
import { importRecording } from '../../src/call/import-recording';
import { loadPlaybookFile } from '../../src/playbook/playbook-file';
import { clockFrames, DeepgramStandin, type ScriptPhrase } from '../helpers/deepgram-standin';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

type Audio = { readyState: number; currentTime: number };
const KEY = 'dg-e2e-key';
const phrase = (text: string, t0: number, channel: number): ScriptPhrase => ({
  channel,
  words: text.split(' ').map((word, i) => ({ word, startMs: t0 + i * 300, endMs: t0 + i * 300 + 250, confidence: 0.9 })),
});
/** "zephyr" is said once, in the customer's line at 6.5 s. */
const SCRIPT = [phrase('Thanks for calling Acme billing.', 400, 0), phrase('Hello, I want to cancel.', 3000, 1), phrase('Actually, move me to the zephyr plan.', 6500, 1)];

test.describe('transcription in the UI', () => {
skipWithoutChromium();
let standin: DeepgramStandin;
const savedUrl = process.env.DEEPGRAM_URL;
test.beforeAll(async () => {
  standin = await DeepgramStandin.start({ apiKey: KEY, script: SCRIPT });
  process.env.DEEPGRAM_URL = standin.url;
});
test.afterAll(async () => {
  await standin?.close();
  if (savedUrl === undefined) delete process.env.DEEPGRAM_URL;
  else process.env.DEEPGRAM_URL = savedUrl;
});

test('Settings → Transcription: a refused key is not saved and says why; a good one "works"; model and language are kept', async ({ ui, openPage }) => {
  await ui.app.settings.set({ firstRunDone: true });
  const page = await openPage(`${ui.host.url}#/settings/transcription`);
  await page.getByTestId('transcription-settings').waitFor();
  await page.getByTestId('key-input-deepgram').fill('not-my-key');
  await page.getByTestId('key-save-deepgram').click();
  await expect.poll(() => page.getByTestId('key-message-deepgram').textContent()).toBe('Deepgram: Invalid credentials. (401) — not saved');
  expect(await page.getByTestId('key-status-deepgram').textContent()).toBe('not set');
  expect(await ui.app.secrets.get('deepgram')).toBeNull();

  await page.getByTestId('key-input-deepgram').fill(KEY);
  await page.getByTestId('key-save-deepgram').click();
  await expect.poll(() => page.getByTestId('key-message-deepgram').textContent()).toBe('Key works — saved');
  expect(await page.getByTestId('key-status-deepgram').textContent()).toBe('set');
  await page.getByTestId('key-check-deepgram').click();
  await expect.poll(() => page.getByTestId('key-message-deepgram').textContent()).toBe('Key works');

  expect(await page.getByTestId('setting-transcription-model').inputValue()).toBe('nova-3');
  expect(await page.getByTestId('setting-transcription-language').inputValue()).toBe('en');
  await page.getByTestId('setting-transcription-language').fill('en-GB');
  await page.getByTestId('save-transcription').click();
  await expect.poll(() => page.getByTestId('transcription-status').textContent()).toBe('Saved');
  expect(await ui.app.settings.get()).toMatchObject({ transcriptionModel: 'nova-3', transcriptionLanguage: 'en-GB' });
  await page.getByTestId('setting-transcription-language').fill('not a language');
  await page.getByTestId('save-transcription').click();
  await expect.poll(() => page.getByTestId('transcription-status').textContent()).toMatch(/a language code such as en/);
  await page.screenshot({ path: join(RESULTS_DIR, 'settings-transcription.png'), fullPage: true });
  await page.close();
});

test('review: "Transcribe" on a call without words (errors in words), then search finds a word and seeks the player to it', async ({ ui, openPage, dataDir }) => {
  await ui.app.settings.set({ firstRunDone: true });
  const wav = join(dataDir, 'Billing call.wav');
  const f = clockFrames(0, 600); // 12 s
  writeFileSync(wav, encodeWav16([f.agent, f.customer], 16000));
  const { callId } = await importRecording(ui.app.library, wav, { playbook: loadPlaybookFile() });

  const page = await openPage(`${ui.host.url}#/review/${callId}`);
  await page.getByTestId('call-detail').waitFor();
  // No key yet: the button says so in words, and nothing changes.
  await page.getByTestId('transcribe-button').click();
  await expect.poll(() => page.getByTestId('transcribe-error').textContent()).toMatch(/^no Deepgram API key/);

  await ui.app.secrets.set('deepgram', KEY);
  await page.getByTestId('transcribe-button').click();
  // The call reloads with its words; the button goes (the call has words now).
  await expect.poll(() => page.getByTestId('transcript-line').count(), { timeout: 20_000 }).toBe(3);
  await expect.poll(() => page.getByTestId('transcribe').count()).toBe(0);

  await page.goto(`${ui.host.url}#/review`);
  await page.getByTestId('search').fill('zephyr');
  await expect.poll(() => page.locator('[data-testid="snippet"] mark').first().textContent().catch(() => null)).toMatch(/zephyr/i);
  await expect.poll(() => page.getByTestId('call-row').count()).toBe(1);
  await page.getByTestId('call-row').first().click();
  const player = page.getByTestId('player');
  await player.waitFor();
  await expect.poll(() => player.evaluate((a) => (a as unknown as Audio).readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  // The line holding "zephyr" starts at 6.5 s: the player is there (±0.25 s) and that line is the current one.
  await expect.poll(() => player.evaluate((a) => (a as unknown as Audio).currentTime)).toBeGreaterThan(6.25);
  expect(await player.evaluate((a) => (a as unknown as Audio).currentTime)).toBeLessThan(6.75);
  const line = page.getByTestId('transcript-line').filter({ hasText: 'zephyr' });
  await expect.poll(() => line.evaluate((el) => el.parentElement!.className)).toContain('current');
  await page.screenshot({ path: join(RESULTS_DIR, 'review-search-seek.png'), fullPage: true });
  await page.close();
});
});
