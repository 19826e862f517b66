/**
 * Conversation events and every default rule against synthesised calls with known truth.
 * Timing tolerances: events within 400 ms of the truth (VAD onset/hangover is 40/300 ms); nudges within
 * 400 ms of the moment their condition is met by the truth.
 */
import { describe, expect, it } from 'vitest';
import { buildCall, synth, type TurnSpec } from '../../fixtures/speech';
import { analyzeCall, eventsOf, nudgesOf } from '../../fixtures/run';
import { AGENT_LINES, BACKCHANNELS, CUSTOMER_LINES, RATE_PASSAGE } from '../../fixtures/texts';

const lenMs = (text: string, opts: Parameters<typeof synth>[1] = {}): number => (synth(text, opts).samples.length / 16000) * 1000;
const CUST = { voice: 'en-gb', pitch: 70 } as const;
const TOL = 400;

/** Agent turns back to back (300 ms gaps) for at least `ms`. */
function agentRun(startMs: number, ms: number, extra: Partial<TurnSpec> = {}): TurnSpec[] {
  const turns: TurnSpec[] = [];
  let t = startMs;
  let i = 0;
  while (t - startMs < ms) {
    const text = AGENT_LINES[i++ % AGENT_LINES.length]!;
    turns.push({ channel: 'agent', text, atMs: t, ...extra });
    t += lenMs(text, extra.wpm !== undefined ? { wpm: extra.wpm } : {}) + 300;
  }
  return turns;
}

describe('interruptions and backchannels', () => {
  it('flags the agent starting over the customer, and nudges "interrupting"', () => {
    const cust = CUSTOMER_LINES[0]!;
    const call = buildCall({
      turns: [
        { channel: 'customer', text: cust, atMs: 500 },
        { channel: 'agent', text: AGENT_LINES[2]!, atMs: 2500 },
      ],
    });
    const r = analyzeCall(call);
    const ev = eventsOf(r, 'interruption', 'agent');
    expect(ev).toHaveLength(1);
    expect(Math.abs(ev[0]!.startMs - 2500)).toBeLessThan(TOL);
    const n = nudgesOf(r, 'interrupting');
    expect(n).toHaveLength(1);
    // Condition: the agent's burst reaches 1 s with ≥ 0.7 s of overlap → 3.5 s.
    expect(Math.abs(n[0]!.atMs - 3500)).toBeLessThan(TOL);
    expect(n[0]!.endMs).not.toBeNull();
    expect(eventsOf(r, 'interruption', 'customer')).toHaveLength(0);
  });

  it('counts "mm-hmm" during the customer\'s turn as a backchannel, not an interruption', () => {
    const cust = `${CUSTOMER_LINES[5]!} ${CUSTOMER_LINES[1]!}`;
    const turns: TurnSpec[] = [{ channel: 'customer', text: cust, atMs: 300, ...CUST }];
    for (let i = 0; i < 3; i++) turns.push({ channel: 'agent', text: BACKCHANNELS[i]!, atMs: 1800 + i * 2200 });
    const r = analyzeCall(buildCall({ turns }));
    expect(eventsOf(r, 'interruption')).toHaveLength(0);
    expect(nudgesOf(r, 'interrupting')).toHaveLength(0);
    expect(eventsOf(r, 'backchannel', 'agent').length).toBe(3);
    expect(r.channels.agent.backchannels).toBe(3);
  });

  it('does not count customer audio leaking into the agent mic (echo) as agent speech', () => {
    const turns: TurnSpec[] = [];
    let t = 300;
    for (const text of CUSTOMER_LINES.slice(0, 4)) {
      turns.push({ channel: 'customer', text, atMs: t, ...CUST });
      t += lenMs(text, CUST) + 800;
    }
    const r = analyzeCall(buildCall({ turns, echo: { attenuationDb: 18, delayMs: 60 } }));
    expect(r.channels.agent.talkMs).toBeLessThan(500);
    expect(eventsOf(r, 'interruption')).toHaveLength(0);
    expect(r.nudges).toHaveLength(0);
    expect(eventsOf(r, 'echo').length).toBeGreaterThan(0);
  });
});

describe('silence', () => {
  it('nudges slow-to-respond at 2.5 s and dead-air at 5 s after the customer stops, closing when the agent answers', () => {
    const cust = CUSTOMER_LINES[3]!;
    const custEnd = 500 + lenMs(cust, CUST);
    const answerAt = custEnd + 7000;
    const r = analyzeCall(
      buildCall({
        turns: [
          { channel: 'customer', text: cust, atMs: 500, ...CUST },
          { channel: 'agent', text: AGENT_LINES[5]!, atMs: answerAt },
        ],
      }),
    );
    const slow = nudgesOf(r, 'slow-to-respond');
    const dead = nudgesOf(r, 'dead-air');
    expect(slow).toHaveLength(1);
    expect(dead).toHaveLength(1);
    expect(Math.abs(slow[0]!.atMs - (custEnd + 2500))).toBeLessThan(TOL);
    expect(Math.abs(dead[0]!.atMs - (custEnd + 5000))).toBeLessThan(TOL);
    expect(Math.abs(dead[0]!.endMs! - answerAt)).toBeLessThan(TOL);
    expect(Math.abs(slow[0]!.endMs! - answerAt)).toBeLessThan(TOL);
    expect(dead[0]!.severity).toBe('critical');
    const ev = eventsOf(r, 'dead_air');
    expect(ev).toHaveLength(1);
    expect(Math.abs(ev[0]!.startMs - custEnd)).toBeLessThan(TOL);
    expect(r.meanResponseMs).not.toBeNull();
    expect(Math.abs(r.meanResponseMs! - 7000)).toBeLessThan(TOL);
  });

  it('stays quiet on quick, polite turn-taking', () => {
    const turns: TurnSpec[] = [];
    let t = 300;
    for (let i = 0; i < 4; i++) {
      turns.push({ channel: 'customer', text: CUSTOMER_LINES[i]!, atMs: t, ...CUST });
      t += lenMs(CUSTOMER_LINES[i]!, CUST) + 500;
      turns.push({ channel: 'agent', text: AGENT_LINES[i]!, atMs: t });
      t += lenMs(AGENT_LINES[i]!) + 500;
    }
    const r = analyzeCall(buildCall({ turns }));
    expect(r.nudges.map((n) => n.ruleId)).toEqual([]);
    expect(r.meanResponseMs!).toBeGreaterThan(300);
    expect(r.meanResponseMs!).toBeLessThan(1000);
    expect(r.talkRatio!).toBeGreaterThan(0.35);
    expect(r.talkRatio!).toBeLessThan(0.65);
  });
});

describe('monologue and talk ratio', () => {
  it('nudges monologue 60 s into an agent turn that customer backchannels do not break, and talk-ratio-high', () => {
    const turns = agentRun(1000, 75000);
    for (let t = 5000; t < 70000; t += 9000) turns.push({ channel: 'customer', text: BACKCHANNELS[(t / 9000) % 5 | 0]!, atMs: t + 150, ...CUST });
    const r = analyzeCall(buildCall({ turns }));
    const mono = nudgesOf(r, 'monologue');
    expect(mono).toHaveLength(1);
    expect(Math.abs(mono[0]!.atMs - 61000)).toBeLessThan(TOL);
    expect(r.longestMonologueMs).toBeGreaterThan(70000);
    expect(eventsOf(r, 'monologue', 'agent')).toHaveLength(1);
    const ratio = nudgesOf(r, 'talk-ratio-high');
    expect(ratio).toHaveLength(1);
    // Valid after 30 s of talk in the window (both sides), then held for 10 s.
    expect(ratio[0]!.atMs).toBeGreaterThan(36000);
    expect(ratio[0]!.atMs).toBeLessThan(44000);
    expect(r.talkRatio!).toBeGreaterThan(0.9);
  });
});

describe('delivery rules', () => {
  it('nudges speaking-too-loud on a turn 12 dB above the agent\'s own level, and speaking-too-soft 14 dB below', () => {
    const normal = agentRun(500, 24000, { levelDb: -26 });
    const lastEnd = 500 + 24000 + 6000;
    const loudText = `${AGENT_LINES[3]!} ${AGENT_LINES[4]!}`;
    const loudAt = lastEnd + 1000;
    const softAt = loudAt + lenMs(loudText) + 3000;
    const r = analyzeCall(
      buildCall({
        turns: [
          ...normal,
          { channel: 'agent', text: loudText, atMs: loudAt, levelDb: -14 },
          { channel: 'agent', text: loudText, atMs: softAt, levelDb: -40 },
        ],
      }),
    );
    const loud = nudgesOf(r, 'speaking-too-loud');
    expect(loud).toHaveLength(1);
    expect(loud[0]!.atMs).toBeGreaterThan(loudAt);
    expect(loud[0]!.atMs).toBeLessThan(loudAt + 4000);
    const soft = nudgesOf(r, 'speaking-too-soft');
    expect(soft).toHaveLength(1);
    expect(soft[0]!.atMs).toBeGreaterThan(softAt);
    expect(soft[0]!.atMs).toBeLessThan(softAt + 5000);
    // Neither fired during the agent's normal turns.
    expect(r.nudges.filter((n) => n.atMs < loudAt && n.ruleId.startsWith('speaking-too-l'))).toHaveLength(0);
  });

  it('nudges speaking-too-fast on a turn near 250 wpm and speaking-too-slow near 100 wpm, not at a normal pace', () => {
    const fastLen = lenMs(RATE_PASSAGE, { wpm: 195 });
    const slowAt = 500 + fastLen + 4000;
    const slowLen = lenMs(RATE_PASSAGE, { wpm: 78 });
    const normalAt = slowAt + slowLen + 4000;
    const r = analyzeCall(
      buildCall({
        turns: [
          { channel: 'agent', text: RATE_PASSAGE, atMs: 500, wpm: 195 },
          { channel: 'agent', text: RATE_PASSAGE, atMs: slowAt, wpm: 78 },
          { channel: 'agent', text: RATE_PASSAGE, atMs: normalAt, wpm: 125 },
        ],
      }),
    );
    const fast = nudgesOf(r, 'speaking-too-fast');
    const slow = nudgesOf(r, 'speaking-too-slow');
    expect(fast).toHaveLength(1);
    expect(fast[0]!.atMs).toBeLessThan(500 + fastLen);
    expect(slow).toHaveLength(1);
    expect(slow[0]!.atMs).toBeGreaterThan(slowAt);
    expect(slow[0]!.atMs).toBeLessThan(slowAt + slowLen);
    expect(r.nudges.filter((n) => n.atMs > normalAt + 10000 && n.ruleId.startsWith('speaking-too'))).toHaveLength(0);
  });

  /** Agent and customer alternating for `ms`, the agent's turn `fastTurn` (or every turn, -1) spoken fast. */
  function alternating(ms: number, agentWpm: number, fastTurn: number): TurnSpec[] {
    const turns: TurnSpec[] = [];
    let t = 500;
    for (let i = 0; t < ms; i++) {
      const wpm = fastTurn === -1 || fastTurn === i ? 240 : agentWpm;
      const a = AGENT_LINES[i % AGENT_LINES.length]!;
      turns.push({ channel: 'agent', text: a, atMs: t, wpm });
      t += lenMs(a, { wpm }) + 500;
      const c = CUSTOMER_LINES[i % CUSTOMER_LINES.length]!;
      turns.push({ channel: 'customer', text: c, atMs: t, ...CUST });
      t += lenMs(c, CUST) + 500;
    }
    return turns;
  }

  it('tells a fast talker in short turns to slow down (espeak 240 ≈ 330 wpm in 3 s turns for 60 s)', () => {
    const r = analyzeCall(buildCall({ turns: alternating(60000, 240, -1) }));
    const fast = nudgesOf(r, 'speaking-too-fast');
    expect(fast.length).toBeGreaterThanOrEqual(1);
    // 2 s of speech before a rate is reported plus 6 s held: about the third 3 s turn, well inside a minute.
    expect(fast[0]!.atMs).toBeLessThan(40000);
  });

  it('does not tell a normal speaker to slow down for one fast sentence (espeak 110 ≈ 155 wpm, one turn at 330)', () => {
    const r = analyzeCall(buildCall({ turns: alternating(90000, 110, 3) }));
    expect(nudgesOf(r, 'speaking-too-fast')).toHaveLength(0);
    expect(r.channels.agent.wpm!).toBeGreaterThan(110);
    expect(r.channels.agent.wpm!).toBeLessThan(190);
  });

  it('nudges low-energy on monotone delivery but not on normal intonation', () => {
    const flat = analyzeCall(buildCall({ turns: [{ channel: 'agent', text: RATE_PASSAGE, atMs: 500, range: 10, wpm: 125 }] }));
    expect(nudgesOf(flat, 'low-energy')).toHaveLength(1);
    const lively = analyzeCall(buildCall({ turns: [{ channel: 'agent', text: RATE_PASSAGE, atMs: 500, wpm: 125 }] }));
    expect(nudgesOf(lively, 'low-energy')).toHaveLength(0);
  });
});

describe('who interrupted whom', () => {
  it('attributes an interruption to the customer when they start over the agent, without nudging the agent', () => {
    const agentText = `${AGENT_LINES[1]!} ${AGENT_LINES[2]!}`;
    const r = analyzeCall(
      buildCall({
        turns: [
          { channel: 'agent', text: agentText, atMs: 500 },
          { channel: 'customer', text: CUSTOMER_LINES[2]!, atMs: 3000, ...CUST },
        ],
      }),
    );
    const ev = eventsOf(r, 'interruption', 'customer');
    expect(ev).toHaveLength(1);
    expect(Math.abs(ev[0]!.startMs - 3000)).toBeLessThan(TOL);
    expect(eventsOf(r, 'interruption', 'agent')).toHaveLength(0);
    expect(nudgesOf(r, 'interrupting')).toHaveLength(0);
    expect(r.channels.customer.interruptions).toBe(1);
  });
});
