/** `cadence analyze` as a user runs it: a child process on real files. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallReport } from '../../../src/shared/types';
import { buildCall, writeCallWav } from '../../fixtures/speech';
import { AGENT_LINES, CUSTOMER_LINES } from '../../fixtures/texts';

const BIN = join(__dirname, '../../../bin/cadence.mjs');
const dir = mkdtempSync(join(tmpdir(), 'cadence-cli-'));
let wav: string;

function cadence(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const call = buildCall({
    turns: [
      { channel: 'agent', text: AGENT_LINES[0]!, atMs: 600 },
      { channel: 'customer', text: CUSTOMER_LINES[0]!, atMs: 7000 },
      { channel: 'agent', text: AGENT_LINES[1]!, atMs: 9000 }, // over the customer
    ],
  });
  wav = writeCallWav(call, join(dir, 'call.wav'));
});

describe('cadence analyze', () => {
  it('prints the documented JSON shape with a timeline point at least every second', () => {
    const r = cadence('analyze', wav, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CallReport;
    expect(report.durationMs).toBeGreaterThan(15000);
    for (const ch of ['agent', 'customer'] as const) {
      const c = report.channels[ch];
      expect(c.talkMs).toBeGreaterThan(3000);
      expect(c.wpm).toBeGreaterThan(100);
      expect(c.meanDbfs).toBeLessThan(-15);
      expect(c.pitchHz).toBeGreaterThan(60);
    }
    expect(report.talkRatio).toBeGreaterThan(0.4);
    expect(report.talkRatio).toBeLessThan(0.8);
    expect(report.speech[0]).toEqual({ channel: 'agent', startMs: expect.any(Number), endMs: expect.any(Number) });
    expect(Math.abs(report.speech[0]!.startMs - 600)).toBeLessThan(200);
    for (let i = 1; i < report.timeline.length; i++) expect(report.timeline[i]!.tMs - report.timeline[i - 1]!.tMs).toBeLessThanOrEqual(1000);
    // 5 s in: the pace meter has 4 s of the first turn (its first readings, after 2 s, run low while
    // the window holds only a few syllables).
    const p = report.timeline.find((t) => t.tMs === 5000)!;
    expect(p.agent.speaking).toBe(true);
    expect(p.agent.wpm).toBeGreaterThan(100);
    expect(p.customer.speaking).toBe(false);
    const int = report.events.find((e) => e.type === 'interruption');
    expect(int).toMatchObject({ channel: 'agent' });
    expect(report.nudges.find((n) => n.ruleId === 'interrupting')).toMatchObject({ severity: 'coach', message: expect.any(String), endMs: expect.any(Number) });
  });

  it('prints a readable report by default', () => {
    const r = cadence('analyze', wav);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/agent\s+\d:\d\d\s+\d+ wpm/);
    expect(r.stdout).toContain('interrupting');
  });

  it('--swap exchanges the channels', () => {
    const a = JSON.parse(cadence('analyze', wav, '--json').stdout) as CallReport;
    const b = JSON.parse(cadence('analyze', wav, '--json', '--swap').stdout) as CallReport;
    expect(b.channels.agent.talkMs).toBe(a.channels.customer.talkMs);
    expect(b.channels.customer.talkMs).toBe(a.channels.agent.talkMs);
  });

  it('uses a custom playbook, and refuses an invalid one listing every JSON path', () => {
    const pb = JSON.parse(readFileSync(join(__dirname, '../../../resources/playbooks/default.json'), 'utf8'));
    pb.rules = pb.rules.filter((r: { id: string }) => r.id !== 'interrupting');
    const good = join(dir, 'pb.json');
    writeFileSync(good, JSON.stringify(pb));
    const r = JSON.parse(cadence('analyze', wav, '--json', '--playbook', good).stdout) as CallReport;
    expect(r.nudges.some((n) => n.ruleId === 'interrupting')).toBe(false);

    pb.rules[0].severity = 'loud';
    pb.rules[1].condition.forMs = -5;
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(pb));
    const e = cadence('analyze', wav, '--playbook', bad);
    expect(e.code).not.toBe(0);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
    expect(e.stderr).toContain('rules[0].severity');
    expect(e.stderr).toContain('rules[1].condition.forMs');
  });

  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(dir, 'nope.wav'), /no such file/],
    ['a directory', () => {
      mkdirSync(join(dir, 'adir'), { recursive: true });
      return join(dir, 'adir');
    }, /is a directory/],
    ['not a WAV', () => {
      writeFileSync(join(dir, 'text.wav'), 'just some text');
      return join(dir, 'text.wav');
    }, /not a WAV file/],
    ['an empty file', () => {
      writeFileSync(join(dir, 'empty.wav'), '');
      return join(dir, 'empty.wav');
    }, /not a WAV file/],
    ['a truncated header', () => {
      writeFileSync(join(dir, 'trunc.wav'), readFileSync(wav).subarray(0, 30));
      return join(dir, 'trunc.wav');
    }, /broken WAV|no data chunk|fmt chunk/],
    ['an unsupported codec', () => {
      execFileSync('sox', [wav, '-e', 'gsm', '-c', '1', '-r', '8000', join(dir, 'gsm.wav')]);
      return join(dir, 'gsm.wav');
    }, /unsupported WAV codec/],
    ['more than 2 channels', () => {
      execFileSync('sox', [wav, join(dir, 'quad.wav'), 'remix', '1', '2', '1', '2']);
      return join(dir, 'quad.wav');
    }, /4 channels/],
  ];
  for (const [name, make, pattern] of cases) {
    it(`refuses ${name}: one line on stderr, non-zero exit, no stack trace`, () => {
      const r = cadence('analyze', make(), '--json');
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\s+at\s/);
    });
  }

  it('reads a truncated recording up to where it stops', () => {
    const bytes = readFileSync(wav);
    const cut = join(dir, 'cut.wav');
    writeFileSync(cut, bytes.subarray(0, 44 + Math.floor((bytes.length - 44) / 2 / 4) * 4));
    const r = cadence('analyze', cut, '--json');
    expect(r.code).toBe(0);
    const full = JSON.parse(cadence('analyze', wav, '--json').stdout) as CallReport;
    const half = JSON.parse(r.stdout) as CallReport;
    expect(Math.abs(half.durationMs - full.durationMs / 2)).toBeLessThan(100);
  });

  it('answers an unknown command and a missing argument with usage on one line', () => {
    const u = cadence('frobnicate');
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown command "frobnicate"/);
    const m = cadence('analyze');
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/missing argument/);
  });
});

describe('cadence analyze on a mono recording saved as stereo', () => {
  it('analyses identical channels as the agent alone, with a one-line warning', () => {
    const mono = join(dir, 'mono.wav');
    const dup = join(dir, 'dup.wav');
    execFileSync('sox', [wav, mono, 'remix', '1']);
    execFileSync('sox', [mono, dup, 'remix', '1', '1']);
    const r = cadence('analyze', dup, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toMatch(/^cadence analyze: warning: both channels are identical/);
    const report = JSON.parse(r.stdout) as CallReport;
    expect(report.channels.customer.talkMs).toBe(0);
    expect(report.events.filter((e) => e.type === 'interruption')).toHaveLength(0);
  });
});
