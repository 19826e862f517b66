/**
 * The call list in Debian's Chromium through the browser host: filters by card title, status, date
 * range and minimum score (validated in words), sorting, one-line rows, a live call's running timer,
 * arrow-key navigation, delete with undo, and no state carried from one call to the next. The calls are
 * the demo analysed by the real engine, stored with different dates, lengths and cards.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { demoCallPath } from '../../src/call/demo';
import { analyzeFile } from '../../src/engine/analyze';
import { loadPlaybookFile } from '../../src/playbook/playbook-file';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

const rowIds = (page: Page) => page.getByTestId('call-row').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { call: string } }).dataset.call));

test.describe('call list in Chromium', () => {
  skipWithoutChromium();

  test('filters by card title, status, dates and score in words; sorts; rows stay one line; arrows move; delete can be undone; nothing leaks between calls', async ({ ui, openPage }) => {
    test.setTimeout(120_000);
    await ui.app.handlers['settings.set']({ firstRunDone: true });
    const report = analyzeFile(demoCallPath(), { playbook: loadPlaybookFile() });
    const deadAir = report.nudges.filter((n) => n.ruleId === 'dead-air');
    expect(deadAir.length).toBeGreaterThan(0);
    const day = 86_400_000;
    const start = new Date(2026, 10, 2, 10).getTime();
    const long = 'A very long title for a call about a router that would not connect after the firmware update last night';
    const specs = [
      { title: 'Monday call', nudges: report.nudges, durationMs: report.durationMs, status: 'imported' as const },
      { title: 'Tuesday call', nudges: report.nudges.filter((n) => n.ruleId !== 'dead-air'), durationMs: report.durationMs + 60_000, status: 'completed' as const },
      { title: long, nudges: report.nudges.filter((n) => n.ruleId === 'dead-air'), durationMs: report.durationMs + 120_000, status: 'completed' as const },
    ];
    const ids: string[] = [];
    for (const [i, s] of specs.entries()) {
      ids.push(await ui.app.library.calls.save({ startedAt: start + i * day, source: 'file', status: s.status, title: s.title, tags: [`t${i}`] }, { ...report, nudges: s.nudges, durationMs: s.durationMs }));
    }
    const stored = (await ui.app.handlers['calls.list']({})).items;
    const score = new Map(stored.map((c) => [c.id, c.score!]));

    const page = await openPage(`${ui.host.url}#/review`, { width: 1280, height: 800 });
    await expect(page.getByTestId('call-row')).toHaveCount(3);

    // Rows never wrap, however long the title: one fixed height, nothing overflowing.
    const heights = await page.getByTestId('call-row').evaluateAll((els) => els.map((e) => {
      const el = e as unknown as { clientHeight: number; scrollHeight: number };
      return [el.clientHeight, el.scrollHeight];
    }));
    for (const [client, scroll] of heights) expect(scroll).toBeLessThanOrEqual(client! + 1);
    expect(new Set(heights.map(([c]) => c)).size).toBe(1);

    // The card filter offers titles, not ids.
    await page.getByTestId('filter-rule').selectOption({ label: 'Dead air' });
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual([ids[0]!, ids[2]!].sort());
    await page.getByTestId('filter-status').selectOption({ label: 'Imported' });
    await expect.poll(() => rowIds(page)).toEqual([ids[0]!]);
    await page.getByTestId('clear-filters').click();
    await expect(page.getByTestId('call-row')).toHaveCount(3);

    // Minimum score: text is refused in words; a number filters.
    await page.getByTestId('filter-min-score').fill('abc');
    await expect(page.getByTestId('filter-error-minScore')).toHaveText('Enter a score from 0 to 100.');
    await expect(page.getByTestId('call-count')).toContainText('Fix the filter');
    const cut = Math.max(...score.values());
    await page.getByTestId('filter-min-score').fill(String(cut));
    await expect(page.getByTestId('filter-error-minScore')).toHaveCount(0);
    await expect.poll(async () => (await rowIds(page)).every((id) => score.get(id)! >= cut)).toBe(true);
    await page.getByTestId('filter-min-score').fill('');

    // Dates: From alone works; To before From is refused in words; a range filters whole days.
    const iso = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
    await page.getByTestId('filter-from').fill(iso(start + day));
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual([ids[1]!, ids[2]!].sort());
    await page.getByTestId('filter-to').fill(iso(start));
    await expect(page.getByTestId('filter-error-to')).toContainText('before');
    await page.getByTestId('filter-to').fill(iso(start + day));
    await expect.poll(() => rowIds(page)).toEqual([ids[1]!]);
    await page.screenshot({ path: join(RESULTS_DIR, 'call-list-filters.png') });
    await page.getByTestId('clear-filters').click();

    // Sort by score, then by duration.
    await page.getByTestId('sort').selectOption('score');
    await expect.poll(async () => (await rowIds(page)).map((id) => score.get(id)!)).toEqual([...score.values()].sort((a, b) => b - a));
    await page.getByTestId('sort').selectOption('duration');
    await expect.poll(() => rowIds(page)).toEqual([ids[2]!, ids[1]!, ids[0]!]);
    await page.getByTestId('sort').selectOption('date');
    await expect.poll(() => rowIds(page)).toEqual([ids[2]!, ids[1]!, ids[0]!]);

    // Arrow keys move the selection (and open the call).
    await page.getByTestId('call-row').first().click();
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', ids[2]!);
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', ids[1]!);
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', ids[0]!);
    await page.keyboard.press('ArrowUp');
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', ids[1]!);

    // Nothing leaks from one call to the next: an unsaved tag box and the export message.
    const tagsBox = page.getByLabel('Tags (comma separated)');
    await expect(tagsBox).toHaveValue('t1');
    await tagsBox.fill('unsaved edit');
    await page.getByTestId('export-call').click();
    await expect(page.getByText('Export downloading')).toBeVisible();
    await page.locator(`[data-testid="call-row"][data-call="${ids[0]!}"]`).click();
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', ids[0]!);
    await expect(tagsBox).toHaveValue('t0');
    await expect(page.getByText('Export downloading')).toHaveCount(0);

    // Delete, undo, delete for good.
    await page.getByTestId('delete-call').click();
    await expect(page.getByTestId('delete-toast')).toContainText('Deleted “Monday call”');
    await expect(page.getByTestId('call-row')).toHaveCount(2);
    await page.getByTestId('undo-delete').click();
    await expect(page.getByTestId('call-row')).toHaveCount(3);
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', ids[0]!);
    await page.waitForTimeout(9000);
    expect(await ui.app.library.calls.get(ids[0]!)).toBeDefined();
    await page.getByTestId('delete-call').click();
    await expect.poll(async () => (await ui.app.library.calls.get(ids[0]!)) === undefined, { timeout: 20_000 }).toBe(true);
    await expect(page.getByTestId('call-row')).toHaveCount(2);

    // A live call shows a running timer.
    await ui.app.live.startDemo(1);
    try {
      const timer = page.getByTestId('live-timer');
      await timer.waitFor({ timeout: 15_000 });
      const first = await timer.textContent();
      await expect.poll(() => timer.textContent(), { timeout: 5000 }).not.toBe(first);
      expect(first).toMatch(/live \d+:\d\d/);
      await page.screenshot({ path: join(RESULTS_DIR, 'call-list-live.png') });
    } finally {
      await ui.app.live.stop();
    }
    await page.close();
  });
});
