/**
 * Language coaching in the UI (Chromium through the browser host, real engine worker and library):
 * the demo call's words tick the overlay's call checklist by name and raise the missed-disclosure card;
 * the review shows the call's conversation insights. Screenshots go to test-results/.
 */
import { join } from 'node:path';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';
import { OpenAiStandin } from '../helpers/openai-standin';

test.describe('language coaching in Chromium', () => {
  skipWithoutChromium();

  test('overlay checklist ticks by name and a language card opens; the review shows conversation insights', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    const overlay = await openPage(`${ui.host.url}#/overlay`, { width: 380, height: 720 });
    await ui.app.live.startDemo(3);
    // "Thanks for calling Cadence support, my name is Sam" ticks the greeting as soon as the line ends.
    await expect.poll(() => overlay.getByTestId('check-greeting').getAttribute('aria-checked'), { timeout: 20_000 }).toBe('true');
    await expect(overlay.getByTestId('call-checklist')).toContainText('Recording disclosure');
    // Fillers and questions are counted per side as the words arrive; the agent asks two questions in the demo.
    await expect(overlay.getByTestId('talk-agent')).toHaveText(/^you: \d+ fillers?, \d+ questions?$/);
    await expect.poll(async () => Number(/(\d+) question/.exec((await overlay.getByTestId('talk-agent').textContent()) ?? '')?.[1] ?? -1), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
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

  test('the OpenAI key is checked before it is saved, and "Write report" writes and shows the AI report', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    const standin = await OpenAiStandin.start('sk-right');
    const before = process.env.OPENAI_BASE_URL;
    // The browser host runs in this process: the app reads OPENAI_BASE_URL like the CLI does.
    process.env.OPENAI_BASE_URL = standin.url;
    try {
      standin.reply({
        content: JSON.stringify({
          summary: 'Evening dropouts; technician booked and a credit added.',
          customerIssue: 'Internet drops every evening.',
          outcome: 'Technician tomorrow morning.',
          actionItems: ['Confirm the technician slot by text'],
          betterResponses: [{ atMs: 30000, moment: 'Missed: Recording disclosure', better: 'Mention the call is recorded in your greeting.' }],
        }),
      });
      await ui.app.live.startDemo(10);
      await ui.app.live.whenIdle();

      const settings = await openPage(`${ui.host.url}#/settings/keys`);
      await settings.getByTestId('key-input-openai').fill('sk-wrong');
      await settings.getByTestId('key-save-openai').click();
      await expect(settings.getByTestId('reports-key-message')).toHaveText('OpenAI refused the key (401)');
      await expect(settings.getByTestId('key-status-openai')).toHaveText('not set');
      await settings.getByTestId('key-input-openai').fill('sk-right');
      await settings.getByTestId('key-save-openai').click();
      await expect(settings.getByTestId('reports-key-message')).toHaveText('Checked and saved');
      await expect(settings.getByTestId('key-status-openai')).toHaveText('set');

      const review = await openPage(`${ui.host.url}#/review`);
      await review.getByTestId('call-row').first().click();
      await review.getByTestId('write-report').click();
      await expect(review.getByTestId('ai-report-body')).toContainText('technician booked', { timeout: 20_000 });
      await expect(review.getByTestId('ai-report-body')).toContainText('Mention the call is recorded');
      await review.getByTestId('ai-report').screenshot({ path: join(RESULTS_DIR, 'review-ai-report.png') });
      expect(JSON.stringify(standin.requests.at(-1)!.messages)).toContain('street cabinet');
    } finally {
      if (before === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = before;
      await standin.close();
    }
  });
});
