/**
 * The UI end to end, in Debian's Chromium through the browser host: real library (SQLite), real engine
 * worker, the shipped demo call. Each test has its own data directory and browser host (fixtures.ts).
 * Screenshots go to test-results/.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR, percentile, spawnUi } from './harness';

/** The bits of the page's DOM these tests read (the node tsconfig has no DOM types). */
type Audio = { readyState: number; duration: number; currentTime: number };
type PaintWindow = { __cadencePaint?: { ms: number }[] };

function feedbackOf(dbPath: string, nudgeId: string): string | null | undefined {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare('SELECT feedback FROM nudges WHERE id = ?').get(nudgeId) as { feedback: string | null } | undefined;
    return row?.feedback;
  } finally {
    db.close();
  }
}

test.describe('Cadence UI in Chromium', () => {
  skipWithoutChromium();

  test('plays the demo call through the engine in real time; cards open and resolve in the overlay; feedback is stored', async ({ dataDir, rendererDir, openPage }) => {
    test.setTimeout(150_000);
    const ui = await spawnUi(dataDir, rendererDir);
    try {
      const page = await openPage(`${ui.url}#/overlay`, { width: 380, height: 720 });
      await page.getByTestId('start-demo').click();
      await expect.poll(() => page.getByTestId('overlay').getAttribute('data-phase')).toBe('live');

      // The customer finishes at ~12 s and the agent stays silent: "Respond", which escalates in the
      // same card into "Dead air" (critical) rather than stacking a second card.
      const respond = page.locator('[data-testid="card"][data-rule="slow-to-respond"]');
      await respond.waitFor({ timeout: 25_000 });
      const deadAir = page.locator('[data-testid="card"][data-rule="dead-air"]');
      await deadAir.waitFor({ timeout: 10_000 });
      await expect(respond).toHaveCount(0);
      await page.screenshot({ path: join(RESULTS_DIR, 'overlay-open-cards.png') });

      // The agent speaks again at 19.5 s: it resolves and says so; thumbs up on it is stored on the call.
      await expect.poll(() => deadAir.getAttribute('data-state'), { timeout: 10_000 }).toBe('resolved');
      await expect(deadAir.textContent()).resolves.toContain('resolved');
      await page.screenshot({ path: join(RESULTS_DIR, 'overlay-resolved.png') });
      const nudgeId = (await deadAir.getAttribute('data-nudge'))!;
      await deadAir.getByTestId('thumbs-up').click();
      await expect(deadAir.getByTestId('feedback-confirm')).toContainText('helpful');
      const dbPath = join(dataDir, 'library.sqlite');
      await expect.poll(() => feedbackOf(dbPath, nudgeId), { timeout: 5000 }).toBe('helpful');

      // The interruption at 27.5 s flashes "Let them finish", then settles into a "just now" line.
      await expect(page.getByTestId('just-now-item').filter({ hasText: 'Let them finish' })).toBeVisible({ timeout: 20_000 });

      // The fast stretch: "Slow down" opens within the minute.
      await page.locator('[data-testid="card"][data-rule="speaking-too-fast"]').waitFor({ timeout: 25_000 });
      await page.screenshot({ path: join(RESULTS_DIR, 'overlay-fast.png') });
      const meters = await page.getByTestId('meter-pace').textContent();
      expect(meters).toMatch(/\d+ wpm/);

      // Keyboard: Escape dismisses the top card (stored as "dismissed").
      const top = page.locator('[data-testid="card"]').first();
      const topId = await top.getAttribute('data-nudge');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator(`[data-nudge="${topId}"]`).count()).toBe(0);
      await expect.poll(() => feedbackOf(dbPath, topId!), { timeout: 5000 }).toBe('dismissed');

      await expect.poll(() => page.getByTestId('overlay').getAttribute('data-phase'), { timeout: 30_000 }).toBe('idle');
      const paints = await page.evaluate(() => ((globalThis as unknown as PaintWindow).__cadencePaint ?? []).map((p) => p.ms));
      expect(paints.length).toBeGreaterThanOrEqual(3);
      console.log(`nudge → card painted: n=${paints.length} p50=${percentile(paints, 0.5).toFixed(1)} ms max=${Math.max(...paints).toFixed(1)} ms`);

      // The call is in the library, finished, with the feedback.
      const review = await openPage(`${ui.url}#/review`);
      await expect.poll(() => review.getByTestId('call-row').count()).toBe(1);
      await review.close();
      await page.close();
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });

  test('review window: lists the call, search highlights a phrase, a transcript line seeks the player, card feedback is stored', async ({ ui, openPage }) => {
    await ui.app.live.startDemo(10);
    await ui.app.live.whenIdle();
    const page = await openPage(`${ui.host.url}#/review`);
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(1);

    await page.getByTestId('search').fill('router');
    await expect.poll(() => page.locator('[data-testid="snippet"] mark').first().textContent().catch(() => null)).toMatch(/router/i);
    await page.getByTestId('search').fill('no such phrase anywhere');
    await expect.poll(() => page.getByTestId('call-count').textContent()).toBe('0 calls');
    await page.getByTestId('search').fill('technician');
    await expect.poll(() => page.getByTestId('call-row').count()).toBe(1);
    await page.getByTestId('call-row').first().click();
    await page.getByTestId('call-detail').waitFor();

    const player = page.getByTestId('player');
    await player.waitFor();
    await expect.poll(() => player.evaluate((a) => (a as unknown as Audio).readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const duration = await player.evaluate((a) => (a as unknown as Audio).duration);
    expect(duration).toBeGreaterThan(50);
    const line = page.getByTestId('transcript-line').nth(3);
    const startMs = Number(await line.getAttribute('data-start'));
    expect(startMs).toBeGreaterThan(20_000);
    await line.click();
    await expect.poll(() => player.evaluate((a) => (a as unknown as Audio).currentTime)).toBeCloseTo(startMs / 1000, 0);
    await expect.poll(() => line.evaluate((el) => el.parentElement!.className)).toContain('current');

    // The score's breakdown, with evidence that plays the moment it points at.
    const score = Number(await page.getByTestId('score').textContent());
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThan(100); // the demo interrupts, goes silent and talks fast on purpose
    const evidence = page.getByTestId('insight-interruptions').locator('.evidence button').first();
    await evidence.click();
    const at = await evidence.textContent();
    const [m, sec] = at!.trim().split(' ')[0]!.split(':').map(Number);
    await expect.poll(() => player.evaluate((a) => (a as unknown as Audio).currentTime)).toBeCloseTo(m! * 60 + sec!, -0.5);

    const row = page.getByTestId('nudge-row').first();
    const nudgeId = (await row.getAttribute('data-nudge'))!;
    await row.getByTestId('review-thumbs-down').click();
    await expect.poll(() => feedbackOf(ui.dbPath, nudgeId)).toBe('not_helpful');
    await page.screenshot({ path: join(RESULTS_DIR, 'review-window.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-call').click()]);
    expect(download.suggestedFilename()).toMatch(/\.cadence$/);
    await page.close();
  });
});
