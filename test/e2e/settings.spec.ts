/**
 * Settings in Debian's Chromium through the browser host: shortcuts recorded by pressing them (odd
 * combinations and ones already in use refused in words), URLs and numbers checked in words with Save
 * off until they are right, nothing shown for a feature that does not exist; the app refuses the same
 * things when asked directly.
 */
import { join } from 'node:path';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

test.describe('settings in Chromium', () => {
  skipWithoutChromium();

  test('shortcuts are recorded by pressing them and conflicts are refused; URLs and numbers are checked in words', async ({ ui, openPage }) => {
    const page = await openPage(`${ui.host.url}#/settings/general`);
    const mark = page.getByTestId('shortcut-markMoment');
    await mark.waitFor();
    await expect(page.getByText('Sync server URL')).toHaveCount(0);

    await mark.getByTestId('shortcut-record').click();
    await page.keyboard.press('Control+Alt+K');
    await expect(mark.getByTestId('shortcut-value')).toHaveText('Ctrl + Alt + K');

    // The same keys for another action: refused, the old shortcut kept.
    const overlay = page.getByTestId('shortcut-toggleOverlay');
    const before = await overlay.getByTestId('shortcut-value').textContent();
    await overlay.getByTestId('shortcut-record').click();
    await page.keyboard.press('Control+Alt+K');
    await expect(overlay.getByTestId('field-error')).toHaveText('Ctrl + Alt + K is already used for “Mark a moment”.');
    await expect(overlay.getByTestId('shortcut-value')).toHaveText(before!);
    // A bare letter would catch typing everywhere: refused.
    await overlay.getByTestId('shortcut-record').click();
    await page.keyboard.press('b');
    await expect(overlay.getByTestId('field-error')).toContainText('Use Ctrl, Alt or ⌘');
    await page.screenshot({ path: join(RESULTS_DIR, 'settings-shortcuts.png') });

    // URLs and numbers: problems in words at the field, Save off until fixed.
    const token = page.getByTestId('softphone-token-url');
    await token.fill('ftp://x');
    await expect(page.locator('label', { has: token }).getByTestId('field-error')).toHaveText('Use an address starting with https:// (not ftp://).');
    await expect(page.getByTestId('save-general')).toBeDisabled();
    await token.fill('not a url');
    await expect(page.locator('label', { has: token }).getByTestId('field-error')).toContainText('full web address');
    await token.fill('http://127.0.0.1:9/token');
    const fade = page.getByTestId('setting-fade');
    await fade.fill('abc');
    await expect(page.locator('label', { has: fade }).getByTestId('field-error')).toHaveText('“abc” is not a whole number of seconds.');
    await fade.fill('12');
    await expect(page.getByTestId('save-general')).toBeEnabled();
    await page.getByTestId('save-general').click();
    await expect(page.getByTestId('general-status')).toHaveText('Saved');
    const saved = await ui.app.settings.get();
    expect(saved.shortcuts.markMoment).toBe('CommandOrControl+Alt+K');
    expect(saved.softphoneTokenUrl).toBe('http://127.0.0.1:9/token');
    expect(saved.cardFadeSeconds).toBe(12);

    // Privacy: an empty retention box is a problem, not "keep forever".
    await page.getByTestId('tab-privacy').click();
    const retention = page.getByTestId('setting-retention');
    await retention.fill('');
    await expect(page.locator('label', { has: retention }).getByTestId('field-error')).toHaveText('Enter a number of days from 0 to 36500.');
    await expect(page.getByTestId('save-privacy')).toBeDisabled();
    await page.screenshot({ path: join(RESULTS_DIR, 'settings-privacy-errors.png') });

    // The app refuses the same things from any window.
    await expect(ui.app.handlers['settings.set']({ shortcuts: { markMoment: 'banana' } })).rejects.toThrow(/not a key combination/);
    await expect(ui.app.handlers['settings.set']({ shortcuts: { toggleOverlay: 'CommandOrControl+Alt+K' } })).rejects.toThrow(/same keys/);
    await expect(ui.app.handlers['settings.set']({ softphoneTokenUrl: 'ftp://x' })).rejects.toThrow(/http/);
    expect((await ui.app.settings.get()).shortcuts.markMoment).toBe('CommandOrControl+Alt+K');
    await page.close();
  });
});
