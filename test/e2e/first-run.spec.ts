/**
 * First run, Settings (Audio, Privacy, API keys) and the overlay's "Start call" in Debian's Chromium
 * through the browser host, each test on a data directory and browser host of its own (fixtures.ts). The device test runs `cadence ui`
 * against a private PulseAudio (its monitors are the inputs cadence_agent / cadence_customer) and plays
 * synthesised speech into the agent sink during the level check. Screenshots go to test-results/.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/dsp/wav';
import { synth } from '../fixtures/speech';
import { AGENT_LINES } from '../fixtures/texts';
import { DeepgramStandin } from '../helpers/deepgram-standin';
import { pulseUnavailable, startPulse } from '../helpers/pulse';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR, spawnUi } from './harness';

const noPulse = pulseUnavailable();

const DEEPGRAM_KEY = 'dg-test-4f1c9a7e2b8d4c6f9e0a1b2c3d4e5f60';

function settingRows(dbPath: string): { key: string; value: string }[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  } finally {
    db.close();
  }
}

test.describe('first run and settings in Chromium', () => {
  skipWithoutChromium();
  test.use({ viewport: { width: 1100, height: 820 } });

  test('a fresh data dir opens on the device step; skipping marks first run done and shows the calls', async ({ ui, openPage }) => {
    const page = await openPage(ui.host.url);
    await page.getByTestId('step-devices').waitFor();
    expect(await page.getByTestId('first-run').getAttribute('data-step')).toBe('devices');
    // Either pickers or, where capture is unavailable, the reason and a way on to the demo.
    await page.locator('[data-testid="agent-device"], [data-testid="devices-unavailable"]').first().waitFor();
    await page.getByTestId('skip-first-run').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('call-count').waitFor();
    expect((await ui.app.settings.get()).firstRunDone).toBe(true);
    await page.reload();
    await page.getByTestId('call-count').waitFor();
    expect(await page.getByTestId('first-run').count()).toBe(0);
    await page.close();
  });

  test('overlay: "Start call" with no devices says so and links to Settings → Audio; a failed call shows its error in one line', async ({ ui, openPage }) => {
    const page = await openPage(`${ui.host.url}#/overlay`, { width: 380, height: 520 });
    await page.getByTestId('start-call').click();
    const notice = page.getByTestId('start-error');
    await notice.waitFor();
    expect(await notice.getAttribute('data-code')).toBe('no_devices');
    expect(await notice.textContent()).toMatch(/No audio devices chosen/);
    const link = page.getByTestId('open-settings');
    expect(await link.getAttribute('href')).toBe('#/settings/audio');
    const [settings] = await Promise.all([page.waitForEvent('popup'), link.click()]);
    await settings.getByTestId('audio-settings').waitFor();
    await settings.close();
    await page.screenshot({ path: join(RESULTS_DIR, 'overlay-no-devices.png') });

    // A call that cannot open its device ends with an error: one line in the overlay.
    await ui.app.library.settings.set('capture.devices', { agent: 'no_such_input', customer: 'no_such_input_either' });
    await page.getByTestId('start-call').click();
    await expect
      .poll(async () => (await page.getByTestId('live-error').count()) + (await page.getByTestId('start-error').count()), { timeout: 20_000 })
      .toBeGreaterThan(0);
    if ((await page.getByTestId('live-error').count()) > 0) {
      const box = await page.getByTestId('live-error').boundingBox();
      expect(box!.height).toBeLessThan(40);
    }
    await page.close();
  });

  test('API keys are write-only (Deepgram\'s under Transcription, checked as entered): set shows "set", the library holds no plaintext, clear shows "not set"; Privacy shows its switches', async ({ ui, openPage }) => {
    await ui.app.settings.set({ firstRunDone: true });
    const page = await openPage(`${ui.host.url}#/settings/keys`);
    await page.getByTestId('api-keys').waitFor();
    expect(await page.getByTestId('key-protection').getAttribute('data-protection')).toBe('file');
    expect(await page.getByTestId('key-protection').textContent()).toMatch(/key file/);
    expect(await page.getByTestId('key-status-openai').textContent()).toBe('not set');
    // The Deepgram key lives with the other transcription settings, checked against the service as it is entered.
    const standin = await DeepgramStandin.start({ apiKey: DEEPGRAM_KEY, script: [] });
    const savedUrl = process.env.DEEPGRAM_URL;
    process.env.DEEPGRAM_URL = standin.url;
    await page.getByTestId('tab-transcription').click();
    await page.getByTestId('transcription-settings').waitFor();
    expect(await page.getByTestId('key-status-deepgram').textContent()).toBe('not set');
    await page.getByTestId('key-input-deepgram').fill(DEEPGRAM_KEY);
    await page.getByTestId('key-input-deepgram').press('Enter');
    await expect.poll(() => page.getByTestId('key-status-deepgram').textContent()).toBe('set');
    expect(await page.getByTestId('key-message-deepgram').textContent()).toBe('Key works — saved');
    expect(await page.getByTestId('key-input-deepgram').inputValue()).toBe('');
    await page.screenshot({ path: join(RESULTS_DIR, 'settings-api-keys.png'), fullPage: true });

    // Stored as ciphertext only: not in the row, not anywhere in the SQLite file; the core can still read it.
    const rows = settingRows(ui.dbPath);
    const row = rows.find((r) => r.key === 'secret.deepgram');
    expect(row).toBeDefined();
    expect(JSON.parse(row!.value)).toMatchObject({ kind: 'file' });
    for (const r of rows) expect(r.value).not.toContain(DEEPGRAM_KEY);
    expect(readFileSync(ui.dbPath).toString('latin1')).not.toContain(DEEPGRAM_KEY);
    expect(await ui.app.secrets.get('deepgram')).toBe(DEEPGRAM_KEY);
    // Nothing the window can ask returns it.
    expect(JSON.stringify(await ui.app.handlers['secrets.status']())).not.toContain(DEEPGRAM_KEY);
    expect(JSON.stringify(await ui.app.handlers['settings.get']())).not.toContain(DEEPGRAM_KEY);
    await page.reload();
    await expect.poll(() => page.getByTestId('key-status-deepgram').textContent()).toBe('set');
    expect(await page.getByTestId('key-input-deepgram').inputValue()).toBe('');

    await page.getByTestId('key-clear-deepgram').click();
    await expect.poll(() => page.getByTestId('key-status-deepgram').textContent()).toBe('not set');
    expect(await ui.app.secrets.get('deepgram')).toBeNull();
    process.env.DEEPGRAM_URL = savedUrl;
    if (savedUrl === undefined) delete process.env.DEEPGRAM_URL;
    await standin.close();

    await page.getByTestId('tab-privacy').click();
    await page.getByTestId('privacy-settings').waitFor();
    expect(await page.getByTestId('setting-record').isChecked()).toBe(true);
    expect(await page.getByTestId('setting-redact').isChecked()).toBe(true);
    await page.getByTestId('setting-redact').uncheck();
    await page.getByTestId('setting-retention').fill('30');
    await page.getByTestId('save-privacy').click();
    await expect.poll(() => page.getByTestId('privacy-status').textContent()).toBe('Saved');
    expect(await ui.app.settings.get()).toMatchObject({ redactNumbers: false, retentionDays: 30, record: true });
    await page.screenshot({ path: join(RESULTS_DIR, 'settings-privacy.png'), fullPage: true });
    await page.close();
  });

  test('with real devices: pick them, a 10-second level check hears the speech, the demo call opens the overlay, Settings → Audio shows the choice', async ({ dataDir, rendererDir, openPage }) => {
    test.skip(noPulse !== null, noPulse ?? '');
    test.setTimeout(120_000);
    const pulse = startPulse();
    const wav = join(dataDir, 'level-speech.wav');
    writeFileSync(wav, encodeWav16([synth(`${AGENT_LINES[0]!} ${AGENT_LINES[1]!}`, { levelDb: -26 }).samples], 16000));
    const ui = await spawnUi(dataDir, rendererDir, pulse.env);
    try {
      const page = await openPage(ui.url);
      await page.getByTestId('step-devices').waitFor();
      const agent = page.getByTestId('agent-device');
      await agent.waitFor();
      const names = await agent.locator('option').evaluateAll((opts) => opts.map((o) => (o as unknown as { value: string }).value));
      expect(names).toEqual(expect.arrayContaining(['cadence_agent', 'cadence_customer']));
      await agent.selectOption('cadence_agent');
      await page.getByTestId('customer-device').selectOption('cadence_customer');
      await page.screenshot({ path: join(RESULTS_DIR, 'first-run-devices.png') });
      await page.getByTestId('save-devices').click();

      // Level check: keyboard-started, with a countdown, while speech plays into the agent sink.
      await page.getByTestId('step-level').waitFor();
      await page.getByTestId('level-check').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('level-countdown').waitFor();
      const playing = pulse.play('agent', wav);
      await page.waitForTimeout(1500);
      expect(await page.getByTestId('level-countdown').textContent()).toMatch(/\d+ s left/);
      expect(Number(await page.getByTestId('level-progress').getAttribute('value'))).toBeGreaterThan(0);
      await page.screenshot({ path: join(RESULTS_DIR, 'first-run-level-check.png') });
      await playing;
      const verdict = page.getByTestId('level-verdict');
      await verdict.waitFor({ timeout: 20_000 });
      expect(await verdict.getAttribute('data-verdict')).toBe('ok');
      expect(await verdict.textContent()).toMatch(/Sounds good/);
      await page.screenshot({ path: join(RESULTS_DIR, 'first-run-level-ok.png') });
      expect(await page.getByTestId('level-check').textContent()).toBe('Check again');
      await page.getByTestId('level-continue').click();

      // The demo call opens the overlay, which goes live; first run is done and the window shows the calls.
      await page.getByTestId('step-demo').waitFor();
      await page.screenshot({ path: join(RESULTS_DIR, 'first-run-demo.png') });
      const [overlay] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('start-demo-first-run').click()]);
      await expect.poll(() => overlay.getByTestId('overlay').getAttribute('data-phase'), { timeout: 15_000 }).toBe('live');
      await page.getByTestId('call-count').waitFor();
      expect(await page.getByTestId('first-run').count()).toBe(0);

      // Settings → Audio shows the devices chosen and the calibration from the level check.
      await page.goto(`${ui.url}#/settings/audio`);
      await expect.poll(() => page.getByTestId('current-agent').textContent().catch(() => null), { timeout: 10_000 }).toBe('cadence_agent');
      expect(await page.getByTestId('current-customer').textContent()).toBe('cadence_customer');
      expect(Number(await page.getByTestId('calibration').getAttribute('data-db'))).toBeLessThan(-15);
      expect(await page.getByTestId('agent-device').inputValue()).toBe('cadence_agent');
      await page.screenshot({ path: join(RESULTS_DIR, 'settings-audio.png'), fullPage: true });

      await overlay.getByTestId('stop-call').click();
      await expect.poll(() => overlay.getByTestId('overlay').getAttribute('data-phase'), { timeout: 20_000 }).toBe('idle');
      await overlay.close();
      await page.close();
    } finally {
      expect(await ui.stop()).toBe(0);
      pulse.stop();
    }
  });
});
