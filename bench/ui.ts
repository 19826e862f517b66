/**
 * UI figures, in Debian's Chromium through the browser host with the real engine and library:
 * - time from a nudge leaving the engine to its card painted in the overlay (target: p95 < 50 ms);
 * - overlay renderer memory after a loop of demo calls, played faster than real time to scale an hour
 *   of calls down (CADENCE_BENCH_UI_LOOPS demo calls of ~57 s each; 63 ≈ 1 hour).
 *
 *   npx tsx bench/ui.ts      (or from bench/run.ts: benchUi())
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../test/e2e/chromium';
import { buildRendererInto, percentile, startUi, tempDir } from '../test/e2e/harness';

type PaintWindow = { __cadencePaint?: { ms: number }[] };

export async function benchUi(): Promise<Record<string, string | number>> {
  const missing = chromiumMissing();
  if (missing) return { skipped: missing };
  const loops = Number(process.env.CADENCE_BENCH_UI_LOOPS ?? 12);
  const loopSpeed = Number(process.env.CADENCE_BENCH_UI_SPEED ?? 20);
  const tmp = tempDir('cadence-bench-ui-');
  const renderer = await buildRendererInto(join(tmp.dir, 'renderer'));
  const ui = await startUi(join(tmp.dir, 'data'), renderer);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 380, height: 720 } });
    await page.goto(`${ui.host.url}#/overlay`);
    await page.getByTestId('overlay').waitFor();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async (): Promise<{ heapMb: number; nodes: number }> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
      return { heapMb: get('JSHeapUsedSize') / 2 ** 20, nodes: get('Nodes') };
    };
    const before = await heap();

    // Latency: one demo call in real time (what a user sees).
    const t0 = performance.now();
    await ui.app.live.startDemo(1);
    await ui.app.live.whenIdle();
    const realTimeWallS = (performance.now() - t0) / 1000;
    await page.waitForTimeout(200);
    const paints = await page.evaluate(() => ((globalThis as unknown as PaintWindow).__cadencePaint ?? []).map((p) => p.ms));

    // Memory: demo calls back to back, faster than real time.
    const t1 = performance.now();
    for (let i = 0; i < loops; i++) {
      await ui.app.live.startDemo(loopSpeed);
      await ui.app.live.whenIdle();
    }
    const loopWallS = (performance.now() - t1) / 1000;
    await page.waitForTimeout(500);
    const after = await heap();
    // Every card of every call (the faster-than-real-time loop opens them closer together: no easier).
    const allPaints = await page.evaluate(() => ((globalThis as unknown as PaintWindow).__cadencePaint ?? []).map((p) => p.ms));
    const callMinutes = ((loops + 1) * 57) / 60;
    return {
      'nudge → card painted, p50': `${percentile(paints, 0.5).toFixed(1)} ms`,
      'nudge → card painted, p95 (target < 50 ms)': `${percentile(paints, 0.95).toFixed(1)} ms`,
      'nudge → card painted, max': `${Math.max(...paints).toFixed(1)} ms`,
      'cards measured': paints.length,
      'nudge → card painted, p95 over every call (target < 50 ms)': `${percentile(allPaints, 0.95).toFixed(1)} ms (${allPaints.length} cards)`,
      'demo call in real time, wall': `${realTimeWallS.toFixed(1)} s`,
      'demo loop': `${loops} calls at ${loopSpeed}× in ${loopWallS.toFixed(1)} s (${callMinutes.toFixed(0)} min of calls, scaled down from 1 h)`,
      'overlay JS heap before → after': `${before.heapMb.toFixed(1)} → ${after.heapMb.toFixed(1)} MB`,
      'overlay DOM nodes before → after': `${before.nodes} → ${after.nodes}`,
      'calls stored': (await ui.app.library.calls.list({ limit: 1 })).total,
    };
  } finally {
    await browser.close();
    await ui.close();
    tmp.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchUi();
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(48)}  ${v}`);
}
