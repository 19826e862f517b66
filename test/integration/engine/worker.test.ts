/** The live engine in a real worker thread: lifecycle, transfer, output, parity with offline analysis, crashes. */
import { afterEach, describe, expect, it } from 'vitest';
import { makeReportCollector } from '../../../src/engine/analyze';
import { EngineError, EngineHost, type EngineSession } from '../../../src/engine/host';
import { FRAME_SIZE } from '../../../src/dsp/frames';
import { SILERO_THREAD_STARTED } from '../../../src/engine/neural-vad';
import type { SessionOutput } from '../../../src/shared/engine-protocol';
import { withNoise } from '../../fixtures/noise';
import { buildCall, synth, vadScore, type Call } from '../../fixtures/speech';
import { analyzeCall, analyzeCallNeural, defaultPlaybook } from '../../fixtures/run';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';

let host: EngineHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

const custEnd = 12000 + (synth(CUSTOMER_LINES[1]!).samples.length / 16000) * 1000;
const call = buildCall({
  turns: [
    { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 500 },
    { channel: 'agent', text: AGENT_LINES[0]!, atMs: 2500 }, // interrupts
    { channel: 'customer', text: CUSTOMER_LINES[1]!, atMs: 12000 },
    { channel: 'agent', text: AGENT_LINES[1]!, atMs: custEnd + 6000 }, // after 6 s of silence on the agent's turn
  ],
});

/** Feeds the call in 100 ms chunks (5 frames), as a capture source would. */
async function feed(session: EngineSession, chunkFrames = 5, source: Pick<Call, 'agent' | 'customer'> = call): Promise<void> {
  const total = Math.floor(call.agent.length / FRAME_SIZE);
  for (let f = 0; f < total; f += chunkFrames) {
    const n = Math.min(chunkFrames, total - f);
    const a = source.agent.slice(f * FRAME_SIZE, (f + n) * FRAME_SIZE);
    const c = source.customer.slice(f * FRAME_SIZE, (f + n) * FRAME_SIZE);
    expect(session.pushFrames(a, c)).toBe(true);
    // Transferred, not copied: the sender's buffers are detached.
    expect(a.length).toBe(0);
    expect(c.length).toBe(0);
    if (session.queuedFrames > 200) await session.drain();
  }
  await session.drain();
}

describe('engine worker', () => {
  it('produces the same nudges, events and segments as offline analysis, plus ≥ 4 Hz metrics', async () => {
    host = await EngineHost.start();
    const collector = makeReportCollector();
    const outputs: SessionOutput[] = [];
    const session = await host.startSession({ playbook: defaultPlaybook }, (msg) => {
      outputs.push(msg);
      if (msg.type === 'nudge') collector.sink.onNudge(msg.phase, msg.nudge);
      if (msg.type === 'event') collector.sink.onEvent(msg.phase, msg.event);
      if (msg.type === 'segment') collector.sink.onSegment(msg.segment);
      if (msg.type === 'timeline') collector.sink.onTimeline(msg.point);
    });
    await feed(session);
    const live = collector.build(await session.stop());
    const offline = analyzeCall(call);
    expect(live.nudges).toEqual(offline.nudges);
    expect(live.events).toEqual(offline.events);
    expect(live.speech).toEqual(offline.speech);
    expect(live.durationMs).toBe(offline.durationMs);
    expect(live.nudges.map((n) => n.ruleId)).toEqual(expect.arrayContaining(['interrupting', 'dead-air']));
    const metrics = outputs.filter((o) => o.type === 'metrics');
    expect(metrics.length).toBeGreaterThanOrEqual(Math.floor(live.durationMs / 250) - 1);
    const opened = outputs.filter((o) => o.type === 'nudge' && o.phase === 'open');
    expect(opened.length).toBe(live.nudges.length);
    expect(session.dropped).toBe(0);
  });

  it('runs the neural VAD in its own thread on a noisy line and finds the speech offline analysis finds (F1 within 0.03)', async () => {
    const noisy = withNoise(call, 'white', 5);
    host = await EngineHost.start();
    const collector = makeReportCollector();
    const session = await host.startSession({ playbook: defaultPlaybook }, (msg) => {
      if (msg.type === 'segment') collector.sink.onSegment(msg.segment);
    });
    await feed(session, 5, noisy);
    const live = collector.build(await session.stop());
    const offline = await analyzeCallNeural(noisy);
    expect(offline.vad.runs).toBeGreaterThan(0);
    for (const ch of ['agent', 'customer']) {
      const a = vadScore(live.speech, noisy.truth, ch, noisy.durationMs).f1;
      const b = vadScore(offline.speech, noisy.truth, ch, noisy.durationMs).f1;
      // The energy VAD alone scores 0.67 / 0.86 on this line: passing means the network's answers arrived.
      // The worker reads the gate at its own batch edges (metrics every 250 ms), offline every 160 ms.
      expect(a, `${ch}: worker ${a.toFixed(3)}, offline ${b.toFixed(3)}`).toBeGreaterThanOrEqual(0.9);
      expect(Math.abs(a - b), `${ch}: worker ${a.toFixed(3)}, offline ${b.toFixed(3)}`).toBeLessThanOrEqual(0.03);
    }
    expect(session.dropped).toBe(0);
  }, 60_000);

  it('shares one Silero thread between sessions without mixing their state, and a clean line starts none', async () => {
    const logs: string[] = [];
    const onLog = (_level: string, message: string): void => void logs.push(message);
    const started = (): number => logs.filter((m) => m.startsWith(SILERO_THREAD_STARTED)).length;
    const noisyA = withNoise(call, 'white', 5);
    const noisyB = withNoise(call, 'pink', 5);
    const speechOf = async (h: EngineHost) => {
      const collector = makeReportCollector();
      const session = await h.startSession({ playbook: defaultPlaybook }, (msg) => msg.type === 'segment' && collector.sink.onSegment(msg.segment));
      return { session, done: async () => collector.build(await session.stop()).speech };
    };
    // Alone, each in its own worker (so its own Silero thread).
    const alone = [];
    for (const source of [noisyA, noisyB]) {
      host = await EngineHost.start({ onLog });
      const s = await speechOf(host);
      await feed(s.session, 5, source);
      alone.push(await s.done());
      await host.close();
      host = null;
    }
    expect(started()).toBe(2);
    // Together on one worker, fed interleaved: one thread, and each session's decisions as when alone.
    logs.length = 0;
    host = await EngineHost.start({ onLog });
    const clean = await speechOf(host);
    await feed(clean.session);
    const cleanSpeech = await clean.done();
    expect(started(), 'a clean line starts no Silero thread').toBe(0);
    expect(cleanSpeech).toEqual(analyzeCall(call).speech);
    const a = await speechOf(host);
    const b = await speechOf(host);
    const total = Math.floor(call.agent.length / FRAME_SIZE);
    for (let f = 0; f < total; f += 5) {
      const n = Math.min(5, total - f);
      for (const [s, src] of [[a.session, noisyA], [b.session, noisyB]] as const) {
        s.pushFrames(src.agent.slice(f * FRAME_SIZE, (f + n) * FRAME_SIZE), src.customer.slice(f * FRAME_SIZE, (f + n) * FRAME_SIZE));
      }
      if (a.session.queuedFrames > 200) await Promise.all([a.session.drain(), b.session.drain()]);
    }
    await Promise.all([a.session.drain(), b.session.drain()]);
    expect(await a.done()).toEqual(alone[0]);
    expect(await b.done()).toEqual(alone[1]);
    expect(started(), 'one Silero thread per worker').toBe(1);
  }, 120_000);

  it('emits nothing after a session stops, and drops frames sent afterwards', async () => {
    host = await EngineHost.start();
    const outputs: SessionOutput[] = [];
    const session = await host.startSession({ playbook: defaultPlaybook }, (m) => outputs.push(m));
    const a = call.agent.slice(0, 50 * FRAME_SIZE);
    const c = call.customer.slice(0, 50 * FRAME_SIZE);
    session.pushFrames(a, c);
    await session.stop();
    const count = outputs.length;
    expect(session.pushFrames(call.agent.slice(0, FRAME_SIZE * 10), call.customer.slice(0, FRAME_SIZE * 10))).toBe(false);
    await host.ping();
    await new Promise((r) => setTimeout(r, 50));
    expect(outputs.length).toBe(count);
    await expect(session.stop()).rejects.toThrow(/already stopped/);
  });

  it('runs concurrent sessions independently and supports mark and dismiss', async () => {
    host = await EngineHost.start();
    const nudges: string[] = [];
    const s1 = await host.startSession({ playbook: defaultPlaybook }, (m) => m.type === 'nudge' && m.phase === 'open' && nudges.push(m.nudge.id));
    const s2 = await host.startSession({ playbook: defaultPlaybook }, () => undefined);
    await feed(s1);
    const mark = await s2.mark();
    expect(mark.type).toBe('mark');
    expect(await s1.dismiss('no-such#1')).toBe(false);
    await s1.stop();
    const sum2 = await s2.stop();
    expect(sum2.durationMs).toBe(0);
    expect(nudges.length).toBeGreaterThan(0);
  });

  it('batching (batchMs): concurrent sessions fed 20 ms at a time give offline analysis\'s results, in order with stop and mark', async () => {
    host = await EngineHost.start({ batchMs: 40 });
    const sessions = await Promise.all(
      [0, 1, 2].map(async () => {
        const collector = makeReportCollector();
        const session = await host!.startSession({ playbook: defaultPlaybook }, (msg) => {
          if (msg.type === 'nudge') collector.sink.onNudge(msg.phase, msg.nudge);
          if (msg.type === 'event') collector.sink.onEvent(msg.phase, msg.event);
          if (msg.type === 'segment') collector.sink.onSegment(msg.segment);
        });
        return { session, collector };
      }),
    );
    const total = Math.floor(call.agent.length / FRAME_SIZE);
    let marked: Promise<{ startMs: number }> | null = null;
    for (let f = 0; f < total; f++) {
      for (const { session } of sessions) {
        const a = call.agent.subarray(f * FRAME_SIZE, (f + 1) * FRAME_SIZE);
        expect(session.pushFrames(a, call.customer.subarray(f * FRAME_SIZE, (f + 1) * FRAME_SIZE))).toBe(true);
        // Copied into the batch: the caller's arrays stay whole.
        expect(a.length).toBe(FRAME_SIZE);
      }
      // A mark sent while frames wait in the batch lands after them.
      if (f === 250) marked = sessions[1]!.session.mark();
      if (sessions[0]!.session.queuedFrames > 200) await Promise.all(sessions.map((s) => s.session.drain()));
    }
    expect((await marked!).startMs).toBe(251 * 20);
    const offline = analyzeCall(call);
    // Stopped with the last frames still in the batch: they are processed first.
    for (const { session, collector } of sessions) {
      const live = collector.build(await session.stop());
      expect(live.nudges).toEqual(offline.nudges);
      expect(live.speech).toEqual(offline.speech);
      expect(live.durationMs).toBe(offline.durationMs);
      expect(session.dropped).toBe(0);
    }
  });

  it('bounds the queue: frames beyond maxQueueFrames are dropped and counted', async () => {
    host = await EngineHost.start({ maxQueueFrames: 20 });
    const session = await host.startSession({ playbook: defaultPlaybook }, () => undefined);
    expect(session.pushFrames(new Float32Array(FRAME_SIZE * 20), new Float32Array(FRAME_SIZE * 20))).toBe(true);
    expect(session.pushFrames(new Float32Array(FRAME_SIZE * 5), new Float32Array(FRAME_SIZE * 5))).toBe(false);
    expect(session.dropped).toBe(5);
    await session.drain();
    expect(session.pushFrames(new Float32Array(FRAME_SIZE * 5), new Float32Array(FRAME_SIZE * 5))).toBe(true);
    await session.stop();
  });

  it('reports worker errors and logs to the host, fails running sessions, and can restart', async () => {
    const logs: string[] = [];
    const crashes: Error[] = [];
    host = await EngineHost.start({ onLog: (level, m) => logs.push(`${level}:${m}`), onCrash: (e) => crashes.push(e) });
    const session = await host.startSession({ playbook: defaultPlaybook }, () => undefined);
    host.crashForTest();
    for (let i = 0; i < 100 && crashes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(crashes.length).toBe(1);
    expect(host.running).toBe(false);
    await expect(session.mark()).rejects.toBeInstanceOf(EngineError);
    expect(logs.some((l) => l.startsWith('error:') && l.includes('crash requested'))).toBe(true);
    expect(session.ended).toBe(true);
    await host.restart();
    expect(host.restarts).toBe(1);
    const again = await host.startSession({ playbook: defaultPlaybook }, () => undefined);
    expect((await again.stop()).durationMs).toBe(0);
  });

  it('refuses a duplicate session id', async () => {
    host = await EngineHost.start();
    await host.startSession({ playbook: defaultPlaybook }, () => undefined, 'same');
    await expect(host.startSession({ playbook: defaultPlaybook }, () => undefined, 'same')).rejects.toThrow(/already running/);
  });
});
