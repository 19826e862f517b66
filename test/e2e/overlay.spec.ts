/**
 * The overlay an agent can trust at a glance, on the real app page (browser host, real engine worker,
 * real library): one card per situation with escalation, momentary events that settle into "just
 * now", open cards first and never faded while their condition holds, honest status (demo label, idle
 * reset, a disconnected banner within 2 s and reconnection), the post-call wrap-up, confirmations, and
 * a layout that fits 300–480 px. Screenshots at 300, 360 and 480 px go to test-results/overlay/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startBrowserHost } from '../../src/app/browser-host';
import type { Nudge, Severity } from '../../src/shared/types';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

const SHOTS = join(RESULTS_DIR, 'overlay');
const WIDTHS = [300, 360, 480] as const;

type Snapshot = { rule: string; situation: string; state: string; compact: string }[];
type Recorder = { __cards?: Snapshot[] };

async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 760 });
    // Nothing is cut off: the page never scrolls sideways at this width.
    const overflow = await page.evaluate(() => {
      const el = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return el.scrollWidth - el.clientWidth;
    });
    expect(overflow, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 360, height: 760 });
}

/** Records every distinct set of cards the page shows (a poll could miss one that lasts 100 ms). */
async function recordCards(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as Recorder & {
      document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }>; body: object };
      MutationObserver: new (cb: () => void) => { observe(n: object, o: object): void };
    };
    g.__cards = [];
    let last = '';
    const snap = (): void => {
      const cards = Array.from(g.document.querySelectorAll('[data-testid="card"]')).map((c) => ({
        rule: c.getAttribute('data-rule') ?? '',
        situation: c.getAttribute('data-situation') ?? '',
        state: c.getAttribute('data-state') ?? '',
        compact: c.getAttribute('data-compact') ?? '',
      }));
      const key = JSON.stringify(cards);
      if (key !== last) g.__cards!.push(cards);
      last = key;
    };
    new g.MutationObserver(snap).observe(g.document.body, { subtree: true, childList: true, attributes: true });
  });
}

test.describe('the overlay at a glance', () => {
  skipWithoutChromium();

  test('a demo call: one card per situation escalating, momentary events settle, demo labelled, idle reset and wrap-up after', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    const page = await openPage(`${ui.host.url}#/overlay`, { width: 360, height: 760 });
    await page.getByTestId('overlay').waitFor();
    await recordCards(page);
    // Four times real time: the whole demo (~57 s) in ~15 s, through the real engine worker.
    await ui.app.live.startDemo(4);
    const overlay = page.getByTestId('overlay');
    await expect(overlay).toHaveAttribute('data-phase', 'live');
    await expect(page.getByTestId('demo-badge')).toBeVisible();
    await expect(page.getByTestId('device-status')).toContainText('Demo');

    // The silence: "Respond" first, then the same card becomes "Dead air".
    const dead = page.locator('[data-testid="card"][data-rule="dead-air"]');
    await dead.waitFor({ timeout: 20_000 });
    await expect(dead.getByTestId('escalated')).toContainText('Respond');
    await screenshots(page, 'during-call');

    // A moment marked gets a visible confirmation.
    await page.keyboard.press('m');
    await expect(page.getByTestId('toast')).toContainText(/Moment marked at \d+:\d\d/);

    // The interruption flashes as a card, then settles into a "just now" line (not a green "resolved").
    await expect(page.getByTestId('just-now-item').filter({ hasText: 'Let them finish' })).toBeVisible({ timeout: 20_000 });

    await expect(overlay).toHaveAttribute('data-phase', 'idle', { timeout: 40_000 });
    const history = await page.evaluate(() => (globalThis as unknown as Recorder).__cards ?? []);
    // Respond was shown, and then Dead air in its place, never both.
    expect(history.some((s) => s.some((c) => c.rule === 'slow-to-respond' && c.state === 'open'))).toBe(true);
    expect(history.some((s) => s.some((c) => c.rule === 'dead-air'))).toBe(true);
    for (const s of history) expect(s.filter((c) => c.situation === 'group:silence').length).toBeLessThanOrEqual(1);
    // The interruption was never shown as "resolved".
    expect(history.some((s) => s.some((c) => c.rule === 'interrupting' && c.state === 'resolved'))).toBe(false);
    // Open cards always sat above resolved ones.
    for (const s of history) {
      const firstResolved = s.findIndex((c) => c.state === 'resolved');
      if (firstResolved >= 0) expect(s.slice(firstResolved).every((c) => c.state === 'resolved')).toBe(true);
    }

    // Idle: nothing of the call stays as if live.
    await expect(page.getByTestId('call-timer')).toHaveText('No call');
    await expect(page.getByTestId('meter-pace-value')).toHaveText('—');
    await expect(page.getByTestId('device-status')).toHaveText('Idle');
    await expect(page.getByTestId('card')).toHaveCount(0);
    await expect(page.getByTestId('demo-badge')).toHaveCount(0);

    // The wrap-up: score, the top things with an example moment, and the way to the review.
    const wrap = page.getByTestId('wrapup');
    await expect(wrap).toBeVisible({ timeout: 15_000 });
    const stored = (await ui.app.library.calls.list({ limit: 1 })).items[0]!;
    await expect(page.getByTestId('wrapup-score')).toHaveText(String(Math.round(stored.score!)));
    const items = page.getByTestId('wrapup-item');
    expect(await items.count()).toBeGreaterThanOrEqual(1);
    expect(await items.count()).toBeLessThanOrEqual(2);
    await expect(items.first()).toContainText(/e\.g\. at \d+:\d\d/);
    await expect(page.getByTestId('open-review')).toHaveAttribute('href', `#/review/${encodeURIComponent(stored.id)}`);
    await screenshots(page, 'after-call');

    // The next call clears it.
    await ui.app.live.startDemo(20);
    await expect(wrap).toHaveCount(0);
    await ui.app.live.whenIdle();
  });

  test('open cards first by severity then age; a condition held for 60 s keeps its card (as a chip); thumbs confirm', async ({ ui, context }) => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 760 });
    await page.clock.install();
    await page.goto(`${ui.host.url}#/overlay`);
    await page.getByTestId('overlay').waitFor();
    await expect.poll(() => ui.host.clients).toBeGreaterThan(0);
    // The engine's output at the app's boundary, as the windows stage sends it.
    const emit = (phase: 'open' | 'close', ruleId: string, title: string, severity: Severity, n: number): void => {
      const nudge: Nudge = { id: `${ruleId}#${n}`, ruleId, title, severity, message: `${title} now.`, atMs: 1000, endMs: phase === 'close' ? 2000 : null, conditionSinceMs: 0 };
      ui.app.events.emit('live.nudge', { phase, nudge, callId: 'c1', emittedAt: performance.timeOrigin + performance.now() });
    };
    const cards = page.getByTestId('card');
    const order = async (): Promise<string[]> => cards.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-rule')}:${e.getAttribute('data-state')}`));

    emit('open', 'speaking-too-fast', 'Slow down', 'coach', 1);
    await expect(cards).toHaveCount(1);
    emit('open', 'speaking-too-loud', 'Lower your voice', 'coach', 1);
    emit('close', 'speaking-too-loud', 'Lower your voice', 'coach', 1);
    emit('open', 'low-energy', 'Bring some energy', 'info', 1);
    emit('open', 'dead-air', 'Dead air', 'critical', 1);
    await expect.poll(order).toEqual(['dead-air:open', 'speaking-too-fast:open', 'low-energy:open', 'speaking-too-loud:resolved']);

    // Thumbs up is confirmed on the card.
    const fast = page.locator('[data-testid="card"][data-rule="speaking-too-fast"]');
    await fast.getByTestId('thumbs-up').click();
    await expect(fast.getByTestId('feedback-confirm')).toContainText('helpful');

    // A minute on, with the condition still holding: the card is there, shrunk to a chip; the critical one stays full.
    await page.clock.runFor(60_000);
    await expect(fast).toHaveAttribute('data-compact', 'true');
    await expect(page.locator('[data-testid="card"][data-rule="dead-air"]')).toHaveAttribute('data-compact', 'false');
    await expect.poll(order).toEqual(['dead-air:open', 'speaking-too-fast:open', 'low-energy:open']);
    await screenshots(page, 'held-60s');

    // It clears: resolved, sunk below the open ones, then gone.
    emit('close', 'speaking-too-fast', 'Slow down', 'coach', 1);
    await expect.poll(order).toEqual(['dead-air:open', 'low-energy:open', 'speaking-too-fast:resolved']);
    await page.clock.runFor(4000);
    await expect.poll(order).toEqual(['dead-air:open', 'low-energy:open']);
    await page.close();
  });

  test('the engine going away mid-call says so within 2 s instead of freezing on "capturing"', async ({ ui, openPage }) => {
    const page = await openPage(`${ui.host.url}#/overlay`, { width: 360, height: 760 });
    await page.getByTestId('overlay').waitFor();
    await ui.app.live.startDemo(1);
    await expect(page.getByTestId('call-timer')).not.toHaveText('0:00', { timeout: 10_000 });
    const t0 = Date.now();
    ui.app.engine.crashForTest();
    await expect(page.getByTestId('stalled')).toBeVisible({ timeout: 2500 });
    const shownMs = Date.now() - t0;
    expect(shownMs).toBeLessThan(2500);
    console.log(`engine-stalled banner shown ${shownMs} ms after the worker crashed`);
    await ui.app.live.stop();
    await expect(page.getByTestId('overlay')).toHaveAttribute('data-phase', 'idle', { timeout: 20_000 });
    await expect(page.getByTestId('stalled')).toHaveCount(0);
  });

  test('the host going away shows a disconnected banner within 2 s, and the overlay reconnects while the call keeps recording', async ({ ui, rendererDir, openPage }) => {
    test.setTimeout(90_000);
    const page = await openPage(`${ui.host.url}#/overlay`, { width: 360, height: 760 });
    await page.getByTestId('overlay').waitFor();
    await ui.app.live.startDemo(1);
    await expect(page.getByTestId('overlay')).toHaveAttribute('data-phase', 'live');
    await expect(page.getByTestId('call-timer')).not.toHaveText('0:00', { timeout: 10_000 });

    const port = ui.host.port;
    const t0 = Date.now();
    await ui.host.close();
    await expect(page.getByTestId('disconnected')).toBeVisible({ timeout: 2000 });
    const shownMs = Date.now() - t0;
    expect(shownMs).toBeLessThan(2000);
    await expect(page.getByTestId('overlay')).toHaveAttribute('data-connected', 'false');
    await screenshots(page, 'disconnected');

    // The call goes on in the app meanwhile; the overlay comes back to it by itself.
    const again = await startBrowserHost({ app: ui.app, rendererDir, port });
    try {
      await expect(page.getByTestId('disconnected')).toHaveCount(0, { timeout: 10_000 });
      await expect(page.getByTestId('overlay')).toHaveAttribute('data-phase', 'live');
      const before = await page.getByTestId('call-timer').textContent();
      await expect.poll(() => page.getByTestId('call-timer').textContent(), { timeout: 5000 }).not.toBe(before);
      expect(ui.app.live.state.phase).toBe('live');
      await ui.app.live.stop();
      const stored = (await ui.app.library.calls.list({ limit: 1 })).items[0]!;
      expect(stored.status).toBe('completed');
      console.log(`disconnected banner shown ${shownMs} ms after the host closed`);
    } finally {
      await again.close();
    }
  });
});
