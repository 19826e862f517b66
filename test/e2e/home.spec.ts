/**
 * The review window's home in Debian's Chromium through the browser host: with several stored calls
 * (the demo analysed by the real engine, stored on five days with different pace, talk share and cards,
 * each scored by the library), the first screen shows score, talk share and pace over time, the most
 * frequent cards and the best and worst calls — each opening its call.
 */
import { join } from 'node:path';
import { demoCallPath } from '../../src/call/demo';
import { analyzeFile } from '../../src/engine/analyze';
import { loadPlaybookFile } from '../../src/playbook/playbook-file';
import { expect, skipWithoutChromium, test } from './fixtures';
import { RESULTS_DIR } from './harness';

test.describe('home (trends) in Chromium', () => {
  skipWithoutChromium();

  test('an empty library says what will appear; several calls show trends, top cards, best and worst', async ({ ui, openPage }) => {
    // Past the first-run flow (an empty library otherwise opens on it).
    await ui.app.handlers['settings.set']({ firstRunDone: true });
    const page = await openPage(`${ui.host.url}#/review`);
    await expect(page.getByTestId('home')).toContainText('Your calls will show up here');

    const report = analyzeFile(demoCallPath(), { playbook: loadPlaybookFile() });
    expect(report.nudges.length).toBeGreaterThan(2);
    const day = 86_400_000;
    const start = Date.UTC(2026, 10, 1, 9);
    // Each call keeps the first k cards of the demo and has its own pace and talk share.
    const variants = [0, 1, 2, 3, 4].map((i) => ({ keep: report.nudges.length - i, wpm: 150 + 15 * i, talk: 0.45 + 0.05 * i }));
    for (const [i, v] of variants.entries()) {
      const nudges = report.nudges.slice(0, v.keep);
      await ui.app.library.calls.save(
        { startedAt: start + i * day, source: 'file', status: 'imported', title: `Call ${i + 1}` },
        { ...report, nudges, talkRatio: v.talk, channels: { ...report.channels, agent: { ...report.channels.agent, wpm: v.wpm } } },
      );
    }
    const stored = (await ui.app.handlers['calls.list']({})).items;
    expect(stored).toHaveLength(5);
    const byDate = [...stored].sort((a, b) => a.startedAt - b.startedAt);

    await page.reload();
    const home = page.getByTestId('home');
    await expect(home).toContainText('How you are doing');
    // Score over time: one point per call, oldest first, each the call's stored score (whole points).
    const scores = await page.getByTestId('trend-score').getByTestId('trend-point').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { value: string } }).dataset.value)));
    expect(scores).toEqual(byDate.map((c) => Math.round(c.score!)));
    const talk = await page.getByTestId('trend-talk').getByTestId('trend-point').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { value: string } }).dataset.value)));
    talk.forEach((t, i) => expect(t).toBeCloseTo(variants[i]!.talk, 6));
    const pace = await page.getByTestId('trend-pace').getByTestId('trend-point').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { value: string } }).dataset.value)));
    expect(pace).toEqual(variants.map((v) => v.wpm));
    // Hover says which call and its value.
    await page.getByTestId('trend-pace').getByTestId('trend-point').nth(4).hover();
    await expect(page.getByTestId('trend-pace').getByTestId('chart-value')).toHaveText(/Call 5 · .* · 210 wpm/);

    // The most frequent card: the demo's first card is on all five calls.
    const first = report.nudges[0]!;
    const counts = new Map<string, number>();
    for (const v of variants) for (const n of report.nudges.slice(0, v.keep)) counts.set(n.ruleId, (counts.get(n.ruleId) ?? 0) + 1);
    const top = [...counts.values()].sort((a, b) => b - a)[0]!;
    const topCard = page.getByTestId('top-card').first();
    await expect(topCard).toHaveAttribute('data-count', String(top));
    expect(counts.get(first.ruleId)).toBeGreaterThanOrEqual(5);

    // Best and worst calls, by stored score; a click opens the call.
    const best = [...stored].sort((a, b) => b.score! - a.score!)[0]!;
    const worst = [...stored].sort((a, b) => a.score! - b.score!)[0]!;
    expect(best.score).toBeGreaterThan(worst.score!);
    // (several calls may share a score: the one listed has the highest / lowest)
    const scoreOf = async (section: string) => {
      const id = await page.getByTestId(section).getByTestId('home-call').first().getAttribute('data-call');
      return stored.find((c) => c.id === id)?.score;
    };
    await expect.poll(() => scoreOf('best-calls')).toBe(best.score);
    await expect.poll(() => scoreOf('worst-calls')).toBe(worst.score);
    const bestId = (await page.getByTestId('best-calls').getByTestId('home-call').first().getAttribute('data-call'))!;
    await page.screenshot({ path: join(RESULTS_DIR, 'review-home.png'), fullPage: true });
    await page.getByTestId('best-calls').getByTestId('home-call').first().click();
    await expect(page.getByTestId('call-detail')).toHaveAttribute('data-call', bestId);
    await page.close();
  });
});
