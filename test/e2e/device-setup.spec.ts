/**
 * Device setup against real devices, in Debian's Chromium through `cadence ui` on a private PulseAudio
 * (its sink monitors are the inputs cadence_agent / cadence_customer, described by .asoundrc hints):
 * friendly names in the pickers, live meters beside them, and a warning when the two inputs carry one
 * signal — here the customer sink is fed from the agent sink by a PulseAudio loopback — which goes away
 * once the customer input carries its own sound.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/dsp/wav';
import { synth } from '../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../fixtures/texts';
import { pulseUnavailable, startPulse } from '../helpers/pulse';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR, spawnUi } from './harness';

const missing = pulseUnavailable();

test.describe('device setup in Chromium', () => {
  skipWithoutChromium();

  test('friendly names, live meters, and a warning when the customer input carries the microphone’s signal', async ({ dataDir, rendererDir, openPage }) => {
    test.skip(missing !== null, missing ?? '');
    test.setTimeout(150_000);
    const pulse = startPulse();
    const agentWav = join(dataDir, 'agent.wav');
    const customerWav = join(dataDir, 'customer.wav');
    writeFileSync(agentWav, encodeWav16([synth(AGENT_LINES.slice(0, 4).join(' '), { levelDb: -24 }).samples], 16000));
    writeFileSync(customerWav, encodeWav16([synth(CUSTOMER_LINES.slice(0, 8).join(' '), { levelDb: -24 }).samples], 16000));
    // The customer sink also gets whatever the agent sink plays: one signal on both inputs.
    const loopback = pulse.pactl('load-module', 'module-loopback', 'source=agent.monitor', 'sink=customer', 'latency_msec=20').trim();
    const ui = await spawnUi(dataDir, rendererDir, pulse.env);
    const players: { kill(): void }[] = [];
    try {
      const page = await openPage(`${ui.url}#/settings/audio`);
      const agent = page.getByTestId('agent-device');
      await agent.waitFor({ timeout: 20_000 });
      // Friendly names: the device's description, with its system name after it.
      const labels = await agent.locator('option').allTextContents();
      expect(labels).toEqual(expect.arrayContaining([expect.stringContaining('Cadence test: agent sink monitor (cadence_agent)')]));
      await agent.selectOption('cadence_agent');
      await page.getByTestId('customer-device').selectOption('cadence_customer');
      await page.getByTestId('listen-devices').click();
      await expect(page.getByTestId('customer-check')).toBeVisible();

      players.push(pulse.spawnPlay('agent', agentWav));
      await expect(page.getByTestId('same-signal')).toBeVisible({ timeout: 20_000 });
      await expect.poll(async () => Number(await page.getByTestId('meter-agent').getAttribute('data-db')), { timeout: 10_000 }).toBeGreaterThan(-60);
      expect(Number(await page.getByTestId('meter-customer').getAttribute('data-db'))).toBeGreaterThan(-60);
      await page.screenshot({ path: join(RESULTS_DIR, 'device-setup-same-signal.png') });

      // Loopback gone; the customer side plays its own speech: no warning, and only that meter moves.
      for (const p of players.splice(0)) p.kill();
      pulse.pactl('unload-module', loopback);
      players.push(pulse.spawnPlay('customer', customerWav));
      await expect(page.getByTestId('same-signal')).toHaveCount(0, { timeout: 20_000 });
      await expect.poll(async () => Number(await page.getByTestId('meter-customer').getAttribute('data-db')), { timeout: 10_000 }).toBeGreaterThan(-60);
      await expect.poll(async () => Number(await page.getByTestId('meter-agent').getAttribute('data-db')), { timeout: 10_000 }).toBeLessThan(-70);
      await page.screenshot({ path: join(RESULTS_DIR, 'device-setup-meters.png') });
      await page.getByTestId('listen-devices').click();
      await page.getByTestId('rescan-devices').click();
      await expect(agent.locator('option', { hasText: 'cadence_customer' })).toHaveCount(1);

      // Hot-plug: a headset appears in ALSA (a new input in the user's ALSA configuration, as a USB
      // headset's card would) and is offered without Rescan; gone again, it leaves the pickers.
      const asoundrc = join(pulse.dir, '.asoundrc');
      const before = readFileSync(asoundrc, 'utf8');
      writeFileSync(asoundrc, `${before}pcm.cadence_headset { type pulse device "agent.monitor" hint { show on description "Cadence test: USB headset" } }\n`);
      await expect(agent.locator('option', { hasText: 'Cadence test: USB headset' })).toHaveCount(1, { timeout: 15_000 });
      writeFileSync(asoundrc, before);
      await expect(agent.locator('option', { hasText: 'Cadence test: USB headset' })).toHaveCount(0, { timeout: 15_000 });
      await page.close();
    } finally {
      for (const p of players) p.kill();
      expect(await ui.stop()).toBe(0);
      pulse.stop();
    }
  });
});
