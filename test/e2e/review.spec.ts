/**
 * The review window at a glance, in Debian's Chromium through the browser host: the demo call coached
 * live by the real engine (ten times real time) with two marks pressed during it — marks listed and
 * seeking — and the demo imported (the inline engine: the same cards on every run, however loaded the
 * machine) — legend, time axis and lanes; charts with values on hover, the shared playhead and click to
 * seek; a sticky player with speeds and keys; whole points; one time for one moment.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { demoCallPath } from '../../src/call/demo';
import { importRecording } from '../../src/call/import-recording';
import { loadPlaybookFile } from '../../src/playbook/playbook-file';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

type Audio = { readyState: number; duration: number; currentTime: number; playbackRate: number; paused: boolean };
const audioState = (page: Page) =>
  page
    .getByTestId('player')
    .evaluate((el) => {
      const a = el as unknown as Audio;
      return { readyState: a.readyState, duration: a.duration, currentTime: a.currentTime, playbackRate: a.playbackRate, paused: a.paused };
    })
    .catch(() => null);
const currentTime = (page: Page) => page.getByTestId('player').evaluate((a) => (a as unknown as Audio).currentTime);

test.describe('review window in Chromium', () => {
  skipWithoutChromium();

  test('timeline with legend, axis and lanes; marks listed and seeking; charts that hover and seek; sticky player with speeds and keys', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    await ui.app.live.startDemo(10);
    await new Promise((r) => setTimeout(r, 1500));
    const m1 = await ui.app.live.mark();
    await new Promise((r) => setTimeout(r, 1500));
    const m2 = await ui.app.live.mark();
    await ui.app.live.whenIdle();
    const [live] = (await ui.app.handlers['calls.list']({})).items;
    const page = await openPage(`${ui.host.url}#/review/${live!.id}`, { width: 1280, height: 800 });
    await page.getByTestId('call-detail').waitFor();
    await expect.poll(async () => (await audioState(page))?.readyState ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

    // Marks: listed with their times and on the timeline; each seeks the player.
    const marks = page.getByTestId('bookmark');
    await expect(marks).toHaveCount(2);
    expect(Math.abs(Number(await marks.nth(0).getAttribute('data-at')) - m1.atMs)).toBeLessThanOrEqual(100);
    expect(Math.abs(Number(await marks.nth(1).getAttribute('data-at')) - m2.atMs)).toBeLessThanOrEqual(100);
    await expect(page.getByTestId('timeline-mark')).toHaveCount(2);
    await marks.nth(1).click();
    await expect.poll(() => currentTime(page)).toBeCloseTo(m2.atMs / 1000, 0);
    await page.getByTestId('timeline-mark').first().click();
    await expect.poll(() => currentTime(page)).toBeCloseTo(m1.atMs / 1000, 0);
    await page.screenshot({ path: join(RESULTS_DIR, 'review-marks.png') });

    // The rest on the imported demo, whose cards do not depend on the machine's load.
    const { callId } = await importRecording(ui.app.library, demoCallPath(), { playbook: loadPlaybookFile(), title: 'Router support call' });
    const detail = await ui.app.handlers['calls.get']({ id: callId });
    const durationMs = detail.report.durationMs;
    await page.goto(`${ui.host.url}#/review/${callId}`);
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', callId);
    await expect.poll(async () => (await audioState(page))?.readyState ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

    // Legend, axis and lanes.
    const legend = page.getByTestId('legend');
    for (const label of ['You speaking', 'Customer speaking', 'Coach card', 'Critical card', 'Your mark']) await expect(legend).toContainText(label);
    const ticks = page.getByTestId('timeline').getByTestId('time-axis').locator('.tick');
    expect(await ticks.count()).toBeGreaterThanOrEqual(4);
    await expect(ticks.first()).toHaveText('0:00');
    for (const side of ['agent', 'customer'] as const) {
      const segments = detail.report.speech.filter((s) => s.channel === side).length;
      expect(segments).toBeGreaterThan(0);
      await expect(page.getByTestId(`lane-${side}`).locator('.seg')).toHaveCount(segments);
    }
    await expect(page.getByTestId('timeline-card')).toHaveCount(detail.report.nudges.length);

    await expect(page.getByTestId('bookmark')).toHaveCount(0);
    await expect(page.getByTestId('bookmarks')).toContainText('None on this call');

    // Charts: a value under the pointer, click to seek, the playhead follows.
    const pace = page.getByTestId('chart-pace');
    const plot = pace.getByTestId('chart-plot');
    const box = (await plot.boundingBox())!;
    await plot.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
    await expect(pace.getByTestId('chart-value')).toHaveText(/^\d+:\d\d · (\d+ wpm|no speech)$/);
    await plot.click({ position: { x: box.width * 0.5, y: box.height / 2 } });
    // ±2 s: the click lands on a pixel, not a millisecond.
    await expect.poll(async () => Math.abs((await currentTime(page)) - durationMs / 2000)).toBeLessThanOrEqual(2);
    const head = await pace.getByTestId('chart-playhead').evaluate((el) => parseFloat((el as unknown as { style: { left: string } }).style.left));
    expect(Math.abs(head - 50)).toBeLessThanOrEqual(4);
    await page.screenshot({ path: join(RESULTS_DIR, 'review-timeline.png'), fullPage: false });

    // Score points are whole, and a card and the evidence about the same moment show the same time.
    for (const t of await page.locator('.insight-head .muted').allTextContents()) expect(t).toMatch(/^\d+\/\d+$/);
    const deadAir = detail.report.nudges.find((n) => n.ruleId === 'dead-air')!;
    expect(deadAir).toBeDefined();
    const deadAirCard = page.locator(`[data-testid="nudge-row"][data-nudge="${deadAir.id}"]`).getByTestId('nudge-time');
    const cardAt = Number(await deadAirCard.getAttribute('data-at'));
    const evidenceAts = (await page.getByTestId('insight-silence').getByTestId('evidence').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { at: string } }).dataset.at)))) as number[];
    expect(evidenceAts).toContain(cardAt);
    // …which is when the silence began, before the card opened (it waits for 5 s of it).
    expect(cardAt).toBeLessThan(deadAir.atMs);

    // Sticky player: evidence far down the page seeks it, and it is still in view.
    await page.getByTestId('insight-interruptions').getByTestId('evidence').first().scrollIntoViewIfNeeded();
    await page.getByTestId('insight-interruptions').getByTestId('evidence').first().click();
    const bar = (await page.getByTestId('player-bar').boundingBox())!;
    expect(bar.y).toBeGreaterThanOrEqual(0);
    expect(bar.y + bar.height).toBeLessThanOrEqual(800);

    // Speeds and keys.
    await page.getByTestId('speed-2').click();
    await expect.poll(async () => (await audioState(page))?.playbackRate).toBe(2);
    await page.getByTestId('speed-1').click();
    // Keys act when no control has the focus.
    await page.locator('.call-detail h2').click();
    const cardTimes = (await page.getByTestId('nudge-time').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { at: string } }).dataset.at)))) as number[];
    const sorted = [...cardTimes].sort((a, b) => a - b);
    const before = (await currentTime(page)) * 1000;
    await page.keyboard.press('n');
    const next = sorted.find((t) => t > before + 500)!;
    await expect.poll(async () => Math.round((await currentTime(page)) * 1000)).toBeGreaterThanOrEqual(Math.floor(next) - 50);
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await currentTime(page)) * 1000).toBeGreaterThanOrEqual(next + 4900);
    await page.keyboard.press('p');
    const previous = sorted.findLast((t) => t < next + 5000 - 500)!;
    await expect.poll(async () => Math.abs((await currentTime(page)) * 1000 - previous)).toBeLessThanOrEqual(60);
    await page.keyboard.press(' ');
    await expect.poll(async () => (await audioState(page))?.paused).toBe(false);
    await page.keyboard.press(' ');
    await expect.poll(async () => (await audioState(page))?.paused).toBe(true);
    await page.screenshot({ path: join(RESULTS_DIR, 'review-detail.png'), fullPage: true });
    await page.close();
  });
});
