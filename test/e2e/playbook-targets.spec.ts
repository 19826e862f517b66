/**
 * A custom playbook's targets travel: saved from the playbook editor with another pace band
 * (120–160 wpm) and talk-ratio ceiling (50 %), they move the overlay's meter bands, the review charts'
 * target bands and the score's rubric together. Debian's Chromium through the browser host, the real
 * engine worker and the shipped demo call, on a data directory of its own.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { withLanguage } from '../../src/insights/language';
import { scoreCall } from '../../src/insights/score';
import { DEFAULT_TARGETS } from '../../src/shared/playbook-targets';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

const PACE = { min: 120, max: 160 };
const TALK_MAX = 0.5;

/** A band's edges as the page draws them (data attributes on the meter or chart). */
async function band(page: Page, testId: string): Promise<{ low: number; high: number } | null> {
  const el = page.getByTestId(testId);
  const [low, high] = await Promise.all([el.getAttribute('data-band-low'), el.getAttribute('data-band-high')]);
  return low === null || high === null ? null : { low: Number(low), high: Number(high) };
}

test.describe('playbook targets in Chromium', () => {
  skipWithoutChromium();

  test('a custom playbook moves the overlay bands, the chart bands and the score together', async ({ ui, openPage }) => {
    test.setTimeout(150_000);
    {
      // The overlay first shows the shipped playbook's bands.
      const overlay = await openPage(`${ui.host.url}#/overlay`, { width: 380, height: 720 });
      await expect.poll(() => band(overlay, 'meter-pace')).toEqual({ low: DEFAULT_TARGETS.paceWpm.min, high: DEFAULT_TARGETS.paceWpm.max });
      await expect.poll(() => band(overlay, 'meter-talk')).toEqual({ low: 0, high: DEFAULT_TARGETS.talkRatio.max });

      // Save a playbook with other pace and talk-ratio thresholds from the editor.
      const settings = await openPage(`${ui.host.url}#/settings`, { width: 1280, height: 860 });
      const rules = (JSON.parse((await ui.app.playbooks.state()).text) as { rules: { id: string }[] }).rules;
      const field = (ruleId: string) => settings.locator(`input[data-path="rules[${rules.findIndex((r) => r.id === ruleId)}].condition.value"]`);
      await field('speaking-too-fast').fill(String(PACE.max));
      await field('speaking-too-slow').fill(String(PACE.min));
      // The editor shows a share of the talking in per cent.
      await field('talk-ratio-high').fill(String(TALK_MAX * 100));
      await expect.poll(() => settings.locator('[data-testid="field-error"]').count()).toBe(0);
      await settings.getByTestId('save-playbook').click();
      await expect.poll(() => settings.getByTestId('playbook-status').textContent()).toMatch(/Saved/);
      await settings.close();

      // The open overlay takes the new bands at once, and draws them where 120, 160 and 50 % sit on its scales.
      await expect.poll(() => band(overlay, 'meter-pace')).toEqual({ low: PACE.min, high: PACE.max });
      await expect.poll(() => band(overlay, 'meter-talk')).toEqual({ low: 0, high: TALK_MAX });
      const drawn = await overlay.getByTestId('meter-talk').locator('.meter-band').evaluate((el: unknown) => (el as unknown as { style: { width: string } }).style.width);
      expect(parseFloat(drawn)).toBeCloseTo(TALK_MAX * 100, 1);
      const paceMeter = overlay.getByTestId('meter-pace');
      const [axisMin, axisMax] = await Promise.all([paceMeter.getByRole('meter').getAttribute('aria-valuemin'), paceMeter.getByRole('meter').getAttribute('aria-valuemax')]);
      const paceLeft = await paceMeter.locator('.meter-band').evaluate((el: unknown) => (el as unknown as { style: { left: string } }).style.left);
      expect(parseFloat(paceLeft)).toBeCloseTo(((PACE.min - Number(axisMin)) / (Number(axisMax) - Number(axisMin))) * 100, 1);
      await overlay.screenshot({ path: join(RESULTS_DIR, 'playbook-targets-overlay.png') });

      // A call coached with it (the demo, ten times real time), then reviewed.
      await ui.app.live.startDemo(10);
      await ui.app.live.whenIdle();
      const [row] = (await ui.app.handlers['calls.list']({})).items;
      expect(row).toBeDefined();
      // The stored score is the custom playbook's (it is rescored once the call is stored).
      await expect.poll(async () => (await ui.app.handlers['calls.get']({ id: row!.id })).insights?.targets?.paceWpm, { timeout: 10_000 }).toEqual(PACE);
      const detail = await ui.app.handlers['calls.get']({ id: row!.id });
      const custom = detail.insights!;
      expect(custom.targets!.talkRatio.max).toBe(TALK_MAX);
      // The voice items against the custom targets, plus the language items of the demo's words.
      const voice = scoreCall(detail.report, custom.targets);
      const stored = (await ui.app.library.calls.get(row!.id))!;
      expect(custom.score).toBe(withLanguage(voice, stored.transcript, await ui.app.playbooks.active(), detail.report.durationMs).score);
      expect(detail.meta.score).toBe(custom.score);
      // The demo talks faster than 160 wpm on the whole and more than half the time: the custom rubric is stricter.
      const byDefault = scoreCall(detail.report);
      expect(detail.report.channels.agent.wpm!).toBeGreaterThan(PACE.max);
      expect(detail.report.talkRatio!).toBeGreaterThan(TALK_MAX);
      expect(voice.score).toBeLessThan(byDefault.score);

      const review = await openPage(`${ui.host.url}#/review/${row!.id}`, { width: 1280, height: 860 });
      await review.getByTestId('call-detail').waitFor();
      await expect.poll(() => band(review, 'chart-pace')).toEqual({ low: PACE.min, high: PACE.max });
      await expect.poll(() => band(review, 'chart-talk')).toEqual({ low: DEFAULT_TARGETS.talkRatio.min, high: TALK_MAX });
      const lines = await review.getByTestId('chart-pace').locator('.target-line').evaluateAll((els: { getAttribute(name: string): string | null }[]) => els.map((e) => Number(e.getAttribute('data-value'))));
      expect(lines).toEqual([PACE.min, PACE.max]);
      await expect.poll(() => review.getByTestId('score').textContent()).toBe(String(custom.score));
      await expect.poll(() => review.getByTestId('insight-pace').textContent()).toContain(`aim for ${PACE.min}–${PACE.max}`);
      await expect.poll(() => review.getByTestId('insight-talk-ratio').textContent()).toContain(`–${TALK_MAX * 100}%`);
      await review.screenshot({ path: join(RESULTS_DIR, 'playbook-targets-review.png'), fullPage: true });
      await review.close();
      await overlay.close();
    }
  });
});
