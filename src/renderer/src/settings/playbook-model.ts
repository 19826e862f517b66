/**
 * The playbook editor's plain-language model: how each metric reads in a sentence, which unit a person
 * types it in (s, wpm, dB, %) and how that converts to the engine's units (ms, ratios), number parsing
 * that answers in words, and the rule operations (new, duplicate, switch condition type) that always
 * leave a rule the schema accepts. Pure: unit-tested without a browser.
 */
import type { z } from 'zod';
import type { MetricName } from '../../../shared/metrics';
import type { conditionSchema, OPERATORS, PlaybookProblem, playbookSchema, predicateSchema, ruleSchema } from '../../../shared/playbook';
import type { ChannelName, EventType, Severity } from '../../../shared/types';

/** The playbook as stored and edited: defaults may be left out (the schema's input side). */
export type PlaybookDoc = z.input<typeof playbookSchema>;
export type RuleDoc = z.input<typeof ruleSchema>;
export type ConditionDoc = z.input<typeof conditionSchema>;
export type PredicateDoc = z.input<typeof predicateSchema>;
export type Operator = (typeof OPERATORS)[number];
export type ConditionType = ConditionDoc['type'];

export interface Unit {
  /** Shown after the field ('' for none). */
  readonly label: string;
  /** Engine value = shown value × factor. */
  readonly factor: number;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

export const SECONDS: Unit = { label: 's', factor: 1000, min: 0, max: 86_400 };
export const COUNT: Unit = { label: '', factor: 1, min: 1, max: 1000, integer: true };
const PERCENT: Unit = { label: '%', factor: 0.01, min: 0, max: 100 };
const WPM: Unit = { label: 'wpm', factor: 1, min: 0, max: 600 };
const DB: Unit = { label: 'dB', factor: 1, min: -120, max: 60 };

const CHANNEL_PHRASES: Record<string, { phrase: string; unit: Unit }> = {
  wpm: { phrase: 'pace', unit: WPM },
  levelDb: { phrase: 'speech level', unit: DB },
  relLevelDb: { phrase: 'level against normal', unit: DB },
  dbfs: { phrase: 'raw level', unit: DB },
  pitchHz: { phrase: 'pitch', unit: { label: 'Hz', factor: 1, min: 0, max: 2000 } },
  pitchVarSt: { phrase: 'tone variation', unit: { label: 'semitones', factor: 1, min: 0, max: 48 } },
  speaking: { phrase: 'speaking (1 = yes, 0 = no)', unit: { label: '', factor: 1, min: 0, max: 1 } },
  clipping: { phrase: 'clipped samples per second', unit: { label: 'samples/s', factor: 1, min: 0, max: 16_000 } },
  talkMs: { phrase: 'total talk time', unit: SECONDS },
};

const CALL_PHRASES: Record<string, { phrase: string; unit: Unit }> = {
  talkRatio: { phrase: 'my share of the talking (last 5 min)', unit: PERCENT },
  talkRatioCall: { phrase: 'my share of the talking (whole call)', unit: PERCENT },
  monologueMs: { phrase: 'my time talking without a break', unit: SECONDS },
  silenceMs: { phrase: 'silence on the line', unit: SECONDS },
  deadAirMs: { phrase: 'dead air on my turn', unit: SECONDS },
  responseWaitMs: { phrase: "the customer's wait for my answer", unit: SECONDS },
  overtalkMs: { phrase: 'us talking over each other', unit: SECONDS },
  elapsedMs: { phrase: 'the call length', unit: SECONDS },
};

/** How a metric reads in a sentence ("my pace") and the unit it is entered in. */
export function metricInfo(metric: MetricName): { phrase: string; unit: Unit } {
  const dot = metric.indexOf('.');
  if (dot < 0) return CALL_PHRASES[metric]!;
  const who = metric.slice(0, dot) === 'agent' ? 'my' : "the customer's";
  const info = CHANNEL_PHRASES[metric.slice(dot + 1)]!;
  return { phrase: `${who} ${info.phrase}`, unit: info.unit };
}

export const OPERATOR_WORDS: Record<Operator, string> = { '>': 'above', '>=': 'at least', '<': 'below', '<=': 'at most' };

export const EVENT_WORDS: Record<EventType, string> = {
  interruption: 'interrupts',
  backchannel: 'gives a short "mm-hmm"',
  overtalk: 'talks over the other side',
  dead_air: 'leaves dead air',
  slow_response: 'is slow to respond',
  monologue: 'talks for a long stretch',
  echo: 'is heard as an echo',
  mark: 'marks a moment',
};

export const CHANNEL_WORDS: Record<ChannelName, string> = { agent: 'I (the agent)', customer: 'the customer' };

export const SEVERITY_WORDS: Record<Severity, string> = { info: 'Tip', coach: 'Coach', critical: 'Critical' };

export const CLOCK_WORDS = { call: 'of the call', agentSpeech: 'of my own speech', customerSpeech: "of the customer's speech" } as const;

export const CONDITION_TYPE_WORDS: Record<ConditionType, string> = {
  metric: 'a measure crosses a line',
  any: 'any of these measures crosses its line',
  all: 'all of these measures cross their lines',
  event: 'something happens in the conversation',
};

/** A shown value (what the person types) from an engine value, rounded to what a person reads. */
export function toShown(value: number, unit: Unit): number {
  const v = value / unit.factor;
  return Math.round(v * 1000) / 1000;
}

export function fromShown(value: number, unit: Unit): number {
  // Whole milliseconds: the schema wants integers for durations.
  return unit.factor === 1000 ? Math.round(value * 1000) : Math.round(value * unit.factor * 1e9) / 1e9;
}

export type Parsed = { ok: true; value: number } | { ok: false; message: string };

/** Parses what a person typed in a number field; every refusal is a sentence. */
export function parseShown(text: string, unit: Unit): Parsed {
  const t = text.trim().replace(',', '.');
  if (t === '') return { ok: false, message: 'Enter a number.' };
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return { ok: false, message: `"${text.trim()}" is not a number.` };
  const n = Number(t);
  const u = unit.label ? ` ${unit.label}` : '';
  if (n < unit.min || n > unit.max) return { ok: false, message: `Enter a number from ${unit.min} to ${unit.max}${u}.` };
  if (unit.integer && !Number.isInteger(n)) return { ok: false, message: 'Enter a whole number.' };
  return { ok: true, value: n };
}

/** A schema problem as a sentence a person can act on (the path says which field). */
export function problemInWords(p: PlaybookProblem): string {
  const field = p.path.split('.').at(-1)?.replace(/\[\d+\]$/, '') ?? '';
  const m = p.message;
  if (field === 'title') return /too big|<=/i.test(m) ? 'Keep the title to 60 characters.' : 'Give the card a title.';
  if (field === 'message') return /too big|<=/i.test(m) ? 'Keep the card text to 140 characters.' : 'Write what the card says.';
  if (field === 'id') return m.startsWith('duplicate') ? 'Two rules have the same name; rename one.' : 'Use lowercase letters, digits and dashes.';
  if (field === 'name') return 'Give the playbook a name (up to 80 characters).';
  if (field === 'rules' && /too big|<=/i.test(m)) return 'A playbook holds at most 200 rules.';
  if (/too small/i.test(m)) return 'This number is too small.';
  if (/too big/i.test(m)) return 'This number is too large.';
  if (/expected number/i.test(m)) return 'Enter a number.';
  if (/expected int/i.test(m)) return 'Enter a whole number.';
  if (/not valid JSON/i.test(m)) return `This file is not a playbook (${m}).`;
  if (/unrecognized key/i.test(m)) return `This playbook has a field Cadence does not know (${m.replace(/^Unrecognized keys?: /i, '')}).`;
  if (/invalid option|invalid input/i.test(m)) return 'Pick one of the choices.';
  return m;
}

/** A rule id from a title, unique among `taken`: "Slow down" → "slow-down", "slow-down-2". */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const slug =
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'rule';
  if (!taken.has(slug)) return slug;
  for (let i = 2; ; i++) if (!taken.has(`${slug}-${i}`)) return `${slug}-${i}`;
}

export function newRule(taken: ReadonlySet<string>): RuleDoc {
  return {
    id: uniqueId('new rule', taken),
    title: 'New card',
    severity: 'coach',
    message: 'Say what the agent should do.',
    condition: { type: 'metric', metric: 'agent.wpm', op: '>', value: 190, forMs: 5000, clearMs: 2000, clock: 'agentSpeech' },
    cooldownMs: 30_000,
    maxPerCall: 5,
    enabled: true,
  };
}

export function duplicateRule(rule: RuleDoc, taken: ReadonlySet<string>): RuleDoc {
  const title = `${rule.title} (copy)`.slice(0, 60);
  return { ...structuredClone(rule), id: uniqueId(`${rule.id}-copy`, taken), title };
}

/** The rule's condition as another type, keeping what carries over (metric, threshold, timings). */
export function switchConditionType(c: ConditionDoc, type: ConditionType): ConditionDoc {
  if (c.type === type) return c;
  const first: PredicateDoc = c.type === 'metric' ? { metric: c.metric, op: c.op, value: c.value } : c.type === 'event' ? { metric: 'agent.wpm', op: '>', value: 190 } : (c.of[0] ?? { metric: 'agent.wpm', op: '>', value: 190 });
  const timing = c.type === 'event' ? { forMs: 0, clearMs: 1500 } : { forMs: c.forMs ?? 0, clearMs: c.clearMs ?? 1500 };
  const clock = c.type === 'event' ? 'call' : (c.clock ?? 'call');
  if (type === 'event') return { type: 'event', event: 'interruption', channel: 'agent', holdMs: 4000 };
  if (type === 'metric') return { type: 'metric', ...first, ...timing, clock };
  const of = c.type === 'any' || c.type === 'all' ? c.of : [first];
  return { type, of, ...timing, clock };
}

/** Whether two drafts are the same playbook (the unsaved-changes bar). */
export function sameDoc(a: PlaybookDoc, b: PlaybookDoc): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
