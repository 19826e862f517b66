/**
 * Sync inside the app: uploads the outbox in the background (shortly after each finished call, and
 * every few minutes for retries and offline periods), pulls the team's calls and feedback on request,
 * and answers the review's questions (a call's sync state and feedback, the team view). Every network
 * failure stays inside: the app works the same without a server.
 */
import type { SecretCipher } from '../../app/secrets';
import type { Library } from '../../library/library';
import { oneLine, UserError } from '../../shared/errors';
import type { CallSyncInfo, SyncStatus, TeamView } from '../../shared/sync';
import { account, clientFor, login, logout } from './config';
import { push, pull } from './sync';

const PERIOD_MS = 5 * 60_000;
/** After a call ends: soon, but after its post-call steps have had their turn. */
const AFTER_CALL_MS = 10_000;

export class SyncService {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #lastRunAt: number | null = null;
  #lastError: string | null = null;
  #closed = false;

  constructor(
    private readonly library: Library,
    private readonly cipher: SecretCipher,
    private readonly onChanged: (callId: string) => void = () => undefined,
    private readonly onLog: (line: string) => void = () => undefined,
  ) {}

  /** Starts the background rounds. */
  start(): void {
    this.#schedule(AFTER_CALL_MS);
  }

  /** A call finished (or changed): send it soon. */
  kick(): void {
    this.#schedule(AFTER_CALL_MS);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.runOnce().finally(() => this.#schedule(PERIOD_MS)), ms);
    this.#timer.unref();
  }

  /** One round of pushing; a round already under way is joined, not doubled. */
  runOnce(): Promise<void> {
    this.#running ??= (async () => {
      try {
        const c = await clientFor(this.library, this.cipher);
        if (!c) return;
        const res = await push(this.library, c.client);
        this.#lastError = res.failed[0]?.error ?? null;
        for (const id of [...res.sent, ...res.unchanged, ...res.failed.map((f) => f.callId)]) this.onChanged(id);
      } catch (err) {
        this.#lastError = oneLine(err);
        this.onLog(`sync: ${this.#lastError}`);
      } finally {
        this.#lastRunAt = Date.now();
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async status(): Promise<SyncStatus> {
    await this.library.sync.enqueueFinished();
    return { account: await account(this.library), outbox: await this.library.sync.counts(), lastRunAt: this.#lastRunAt, lastError: this.#lastError };
  }

  async login(url: string, token: string): Promise<SyncStatus> {
    await login(this.library, this.cipher, url, token);
    this.kick();
    return this.status();
  }

  async logout(): Promise<SyncStatus> {
    await logout(this.library);
    return this.status();
  }

  /** Push now, then pull the team's calls and feedback. */
  async syncNow(): Promise<SyncStatus & { imported: number }> {
    const c = await clientFor(this.library, this.cipher);
    if (!c) throw new UserError('sync is not set up: enter a server and token in Settings → Sync', 'not_configured');
    await this.runOnce();
    const res = await pull(this.library, c.client);
    for (const id of res.imported) this.onChanged(id);
    return { ...(await this.status()), imported: res.imported.length };
  }

  async callInfo(callId: string): Promise<CallSyncInfo> {
    const item = await this.library.sync.get(callId);
    const call = await this.library.calls.get(callId);
    if (!call) throw new UserError(`no call with id ${callId}`, 'not_found');
    const state = item?.state ?? (call.meta.status === 'imported' ? 'pulled' : call.meta.status === 'live' ? 'live' : 'waiting');
    return { callId, state, lastError: item?.lastError ?? null, feedback: await this.library.sync.feedback(callId), canReview: (await account(this.library))?.role === 'lead' && call.meta.status === 'imported' };
  }

  async hold(callId: string, held: boolean): Promise<CallSyncInfo> {
    if (!(await this.library.calls.get(callId))) throw new UserError(`no call with id ${callId}`, 'not_found');
    await this.library.sync.setHeld(callId, held);
    this.onChanged(callId);
    return this.callInfo(callId);
  }

  /** A lead's feedback: sent to the server, then the call's feedback pulled back (the server is the record). */
  async addFeedback(callId: string, f: { atMs?: number | null; text?: string; rubric?: Record<string, number> }): Promise<CallSyncInfo> {
    const c = await clientFor(this.library, this.cipher);
    if (!c) throw new UserError('sync is not set up: enter a server and token in Settings → Sync', 'not_configured');
    if (c.account.role !== 'lead') throw new UserError('only a team lead gives feedback', 'forbidden');
    await c.client.addFeedback(callId, f);
    await this.library.sync.putFeedback(await c.client.feedback(Date.now() - 60_000));
    this.onChanged(callId);
    return this.callInfo(callId);
  }

  /** Per-agent trends over the pulled calls, and the calls that most need review (lowest scores, most critical cards). */
  async team(): Promise<TeamView> {
    const page = await this.library.calls.list({ limit: 1000 });
    const byAgent = new Map<string, { calls: number; scores: number[]; wpm: number[]; talk: number[]; cards: Map<string, number> }>();
    const candidates: { id: string; title: string; agent: string; score: number | null; startedAt: number; critical: number }[] = [];
    for (const item of page.items) {
      if (item.agent === null || item.status !== 'imported') continue;
      const call = await this.library.calls.get(item.id);
      if (!call) continue;
      const a = byAgent.get(item.agent) ?? { calls: 0, scores: [], wpm: [], talk: [], cards: new Map<string, number>() };
      a.calls++;
      if (item.score !== null) a.scores.push(item.score);
      const wpm = call.report.channels.agent.wpm;
      if (typeof wpm === 'number' && wpm > 0) a.wpm.push(wpm);
      if (typeof call.report.talkRatio === 'number') a.talk.push(call.report.talkRatio);
      let critical = 0;
      for (const n of call.report.nudges) {
        a.cards.set(n.title, (a.cards.get(n.title) ?? 0) + 1);
        if (n.severity === 'critical') critical++;
      }
      byAgent.set(item.agent, a);
      candidates.push({ id: item.id, title: item.title, agent: item.agent, score: item.score, startedAt: item.startedAt, critical });
    }
    const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
    const reviewed = new Set<string>();
    for (const c of candidates) if ((await this.library.sync.feedback(c.id)).length > 0) reviewed.add(c.id);
    return {
      agents: [...byAgent.entries()]
        .map(([agent, a]) => ({ agent, calls: a.calls, meanScore: mean(a.scores), meanWpm: mean(a.wpm), meanTalkRatio: mean(a.talk), topCards: [...a.cards.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([title, count]) => ({ title, count })) }))
        .sort((x, y) => x.agent.localeCompare(y.agent)),
      needsReview: candidates
        .filter((c) => !reviewed.has(c.id))
        .sort((x, y) => (x.score ?? 101) - (y.score ?? 101) || y.critical - x.critical || y.startedAt - x.startedAt)
        .slice(0, 10)
        .map(({ id, title, agent, score }) => ({ id, title, agent, score })),
    };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
