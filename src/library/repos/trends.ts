/**
 * Trends across calls for the review window's home: the latest finished calls with their score, talk
 * share and pace (from the stored summary, no timelines read) and the cards raised most often.
 */
import type { CallTrends } from '../../shared/rpc';
import type { CallSummary } from '../../shared/types';
import type { LibraryDb } from './handle';

export class TrendsRepo {
  constructor(private readonly db: LibraryDb) {}

  /** Over the latest `limit` calls that are not running; oldest first. */
  async trends(limit: number): Promise<CallTrends> {
    const rows = await this.db
      .selectFrom('calls')
      .select(['id', 'title', 'started_at', 'duration_ms', 'score', 'summary'])
      .where('status', '!=', 'live')
      .orderBy('started_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    const calls = rows.reverse().map((r) => {
      let summary: Partial<CallSummary> | null = null;
      try {
        summary = r.summary ? (JSON.parse(r.summary) as Partial<CallSummary>) : null;
      } catch {
        summary = null;
      }
      return {
        id: r.id,
        title: r.title,
        startedAt: r.started_at,
        durationMs: r.duration_ms,
        score: r.score === null ? null : Math.round(r.score),
        talkRatio: typeof summary?.talkRatio === 'number' ? summary.talkRatio : null,
        wpm: typeof summary?.channels?.agent?.wpm === 'number' ? summary.channels.agent.wpm : null,
      };
    });
    const ids = calls.map((c) => c.id);
    const cards =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('nudges')
            .select((eb) => ['rule_id', eb.fn.max('title').as('title'), eb.fn.countAll<number>().as('count'), eb.fn.count<number>('call_id').distinct().as('calls')])
            .where('call_id', 'in', ids)
            .groupBy('rule_id')
            .orderBy('count', 'desc')
            .limit(8)
            .execute();
    return { calls, topCards: cards.map((c) => ({ ruleId: c.rule_id, title: c.title, count: Number(c.count), calls: Number(c.calls) })) };
  }
}
