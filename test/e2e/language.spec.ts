/**
 * Language coaching in the UI (Chromium through the browser host, real engine worker and library):
 * the demo call's words tick the overlay's call checklist by name and raise the missed-disclosure card;
 * the review shows the call's conversation insights. Screenshots go to test-results/.
 */
import { join } from 'node:path';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

test.describe('language coaching in Chromium', () => {
  skipWithoutChromium();

  test('overlay checklist ticks by name and a language card opens; the review shows conversation insights', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    const overlay = await openPage(`${ui.host.url}#/overlay`, { width: 380, height: 720 });
    await ui.app.live.startDemo(3);
    // "Thanks for calling Cadence support, my name is Sam" ticks the greeting as soon as the line ends.
    await expect.poll(() => overlay.getByTestId('check-greeting').getAttribute('aria-checked'), { timeout: 20_000 }).toBe('true');
    await expect(overlay.getByTestId('call-checklist')).toContainText('Recording disclosure');
    // Nobody says the call is recorded: the card opens at 30 s of call time.
    const card = overlay.locator('[data-testid="card"][data-rule="recording-disclosure-missed"]');
    await card.waitFor({ timeout: 30_000 });
    await expect(card).toContainText('Disclose the recording');
    await overlay.screenshot({ path: join(RESULTS_DIR, 'overlay-language-cards.png') });
    await ui.app.live.whenIdle();

    const review = await openPage(`${ui.host.url}#/review`);
    await review.getByTestId('call-row').first().click();
    const insights = review.getByTestId('language-insights');
    await insights.waitFor({ timeout: 15_000 });
    await expect(review.getByTestId('li-checklist')).toContainText('✓ Greeting');
    await expect(review.getByTestId('li-checklist')).toContainText('○ Recording disclosure');
    await expect(review.getByTestId('li-checklist')).toContainText('✓ Closing');
    await expect(review.getByTestId('li-moments')).toContainText('Missed: Recording disclosure');
    await expect(review.getByTestId('li-questions')).toContainText('you 2, customer 0');
    await expect(review.getByTestId('insight-checklist')).toBeVisible();
    await insights.screenshot({ path: join(RESULTS_DIR, 'review-language-insights.png') });
  });
});
