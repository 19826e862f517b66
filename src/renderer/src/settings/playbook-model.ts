/**
 * The playbook editor's plain-language model: how each metric reads in a sentence, which unit a person
 * types it in (s, wpm, dB, %) and how that converts to the engine's units (ms, ratios), number parsing
 * that answers in words, and the rule operations (new, duplicate, switch condition type) that always
 * leave a rule the schema accepts. Pure: unit-tested without a browser.
 */
import type { z } from 'zod';
import type { MetricName } from '../../../shared/metrics';
import type { checklistItemSchema, conditionSchema, OPERATORS, PlaybookProblem, playbookSchema, predicateSchema, ruleSchema, Speaker } from '../../../shared/playbook';
import type { ChannelName, EventType, Severity } from '../../../shared/types';

/** The playbook as stored and edited: defaults may be left out (the schema's input side). */
export type PlaybookDoc = z.input<typeof playbookSchema>;
export type RuleDoc = z.input<typeof ruleSchema>;
export type ConditionDoc = z.input<typeof conditionSchema>;
export type PredicateDoc = z.input<typeof predicateSchema>;
export type Operator = (typeof OPERATORS)[number];
export type ConditionType = ConditionDoc['type'];
export type ChecklistItemDoc = z.input<typeof checklistItemSchema>;
export type RubricDoc = NonNullable<PlaybookDoc['languageRubric']>;
/** One part of an any / all condition: a metric predicate or a language state. */
export type PartDoc = Extract<ConditionDoc, { type: 'any' | 'all' }>['of'][number];
export type LanguageDoc = Exclude<PartDoc, PredicateDoc>;
/** What a part of an any / all condition can be: a measure or one of the language states. */
export type PartKind = 'metric' | LanguageDoc['type'];

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
/** Sentiment runs from −1 (negative) to +1 (positive). */
export const SENTIMENT: Unit = { label: '', factor: 1, min: -1, max: 1 };
export const TURNS: Unit = { label: '', factor: 1, min: 1, max: 10, integer: true };
export const POINTS: Unit = { label: 'points', factor: 1, min: 0, max: 100 };
export const QUESTIONS: Unit = { label: 'questions', factor: 1, min: 1, max: 100, integer: true };
/** The schema's language rubric defaults, shown when a playbook leaves them out. */
export const RUBRIC_DEFAULTS = { checklist: 10, objections: 10, questions: 5, questionsTarget: 3 } as const;

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
  any: 'any of these is true',
  all: 'all of these are true at once',
  event: 'something happens in the conversation',
  phrase: 'someone says a phrase',
  sentiment: 'a side sounds unhappy',
  missed: 'a checklist item is not said in time',
};

export const PART_KIND_WORDS: Record<PartKind, string> = { metric: 'a measure', phrase: 'a phrase is said', sentiment: 'a side sounds unhappy', missed: 'a checklist item is missed' };

export const SPEAKER_WORDS: Record<Speaker, string> = { agent: 'the agent', customer: 'the customer', either: 'either side' };

/** The condition types a rule can take: "missed" only once the playbook has a checklist item to miss. */
export function conditionTypes(checklist: readonly string[]): ConditionType[] {
  return ['metric', 'any', 'all', 'event', 'phrase', 'sentiment', ...(checklist.length > 0 ? (['missed'] as const) : [])];
}

/** Most phrases a list holds, and the longest phrase (the schema's limits). */
export const MAX_PHRASES = 200;
export const MAX_PHRASE_CHARS = 120;

/** What is wrong with one phrase as typed, in words; null when it is fine. */
export function phraseProblem(text: string): string | null {
  if (text.trim() === '') return 'Type the words of the phrase, or remove it.';
  if (text.trim().length > MAX_PHRASE_CHARS) return `Keep a phrase to ${MAX_PHRASE_CHARS} characters.`;
  return null;
}

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
  const last = p.path.split('.').at(-1) ?? '';
  const field = last.replace(/\[\d+\]$/, '');
  const m = p.message;
  if (field === 'phrases') {
    if (last !== field) return phraseProblem(/too big|<=/i.test(m) ? 'x'.repeat(MAX_PHRASE_CHARS + 1) : '') ?? m;
    return /too big|<=/i.test(m) ? `A list holds at most ${MAX_PHRASES} phrases.` : 'Give at least one phrase.';
  }
  if (p.path.startsWith('checklist')) {
    if (field === 'checklist') return 'A playbook holds at most 20 checklist items.';
    if (field === 'title') return /too big|<=/i.test(m) ? 'Keep the item title to 40 characters.' : 'Give the item a title.';
    if (field === 'advice') return 'Keep the advice to 200 characters.';
  }
  if (field === 'item') return m.startsWith('no checklist item') ? `This rule points at a checklist item that does not exist (${m.replace(/^no checklist item /, '')}); pick one.` : 'Pick a checklist item.';
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

const DEFAULT_PREDICATE: PredicateDoc = { metric: 'agent.wpm', op: '>', value: 190 };

/** The parts a condition holds: an any / all's own parts, else the condition itself as one part. */
function partsOf(c: ConditionDoc): PartDoc[] {
  if (c.type === 'any' || c.type === 'all') return c.of;
  if (c.type === 'metric') return [{ metric: c.metric, op: c.op, value: c.value }];
  if (c.type === 'phrase' || c.type === 'sentiment' || c.type === 'missed') return [c];
  return [];
}

const isPredicate = (p: PartDoc): p is PredicateDoc => !('type' in p);

/** Who the condition is about, carried from one type to another ("either" where a side must be picked: the customer). */
function speakerOf(c: ConditionDoc): Speaker | null {
  if (c.type === 'phrase' || c.type === 'sentiment') return c.speaker;
  if (c.type === 'event') return c.channel ?? 'agent';
  for (const p of partsOf(c)) if (!isPredicate(p) && p.type !== 'missed') return p.speaker;
  return null;
}

/**
 * The rule's condition as another type, keeping what carries over (metric and threshold, timings, who
 * speaks, the phrases, the checklist item). Always a condition the schema accepts; `checklist` (item ids)
 * gives "missed" its item — without one, a condition cannot become "missed" and is returned unchanged.
 */
export function switchConditionType(c: ConditionDoc, type: ConditionType, checklist: readonly string[] = []): ConditionDoc {
  if (c.type === type) return c;
  const parts = partsOf(c);
  const find = <K extends LanguageDoc['type']>(k: K): Extract<LanguageDoc, { type: K }> | undefined => parts.find((p): p is Extract<LanguageDoc, { type: K }> => !isPredicate(p) && p.type === k);
  const first = parts.find(isPredicate) ?? DEFAULT_PREDICATE;
  const timed = c.type === 'metric' || c.type === 'any' || c.type === 'all';
  const timing = timed ? { forMs: c.forMs ?? 0, clearMs: c.clearMs ?? 1500 } : { forMs: 0, clearMs: 1500 };
  const clock = timed ? (c.clock ?? 'call') : 'call';
  const hold = c.type === 'phrase' || c.type === 'event' ? c.holdMs : undefined;
  const who = speakerOf(c);
  switch (type) {
    case 'event':
      return { type: 'event', event: 'interruption', channel: who === 'customer' ? 'customer' : 'agent', holdMs: hold ?? 4000 };
    case 'metric':
      return { type: 'metric', ...first, ...timing, clock };
    case 'phrase': {
      const had = find('phrase');
      return { type: 'phrase', speaker: who ?? 'customer', phrases: had ? [...had.phrases] : ['cancel'], holdMs: hold ?? had?.holdMs ?? 6000 };
    }
    case 'sentiment': {
      const had = find('sentiment');
      return { type: 'sentiment', speaker: who === 'agent' ? 'agent' : 'customer', below: had?.below ?? -0.2, turns: had?.turns ?? 2 };
    }
    case 'missed': {
      const had = find('missed');
      const item = had && checklist.includes(had.item) ? had.item : checklist[0];
      if (item === undefined) return c;
      return { type: 'missed', item, afterMs: had?.afterMs ?? 60_000 };
    }
    default:
      return { type, of: parts.length > 0 ? parts : [first], ...timing, clock };
  }
}

/** A part of an any / all condition as another kind (a measure, a phrase, a mood, a missed item), keeping what carries over. */
export function switchPartKind(p: PartDoc, kind: PartKind, checklist: readonly string[] = []): PartDoc {
  const asCondition: ConditionDoc = isPredicate(p) ? { type: 'metric', ...p } : p;
  const next = switchConditionType(asCondition, kind, checklist);
  if (next.type === 'metric') return { metric: next.metric, op: next.op, value: next.value };
  return next as LanguageDoc;
}

export const partKind = (p: PartDoc): PartKind => (isPredicate(p) ? 'metric' : p.type);

/** A new checklist item (id from the title, unique), said by the agent. */
export function newChecklistItem(taken: ReadonlySet<string>): ChecklistItemDoc {
  return { id: uniqueId('new item', taken), title: 'New item', speaker: 'agent', phrases: ['thank you for calling'] };
}

/** The rules (by title) whose condition points at checklist item `id`: it cannot be deleted while they do. */
export function rulesUsingItem(rules: readonly RuleDoc[], id: string): string[] {
  return rules.filter((r) => partsOf(r.condition).some((p) => !isPredicate(p) && p.type === 'missed' && p.item === id)).map((r) => r.title || r.id);
}

/** Whether two drafts are the same playbook (the unsaved-changes bar). */
export function sameDoc(a: PlaybookDoc, b: PlaybookDoc): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted: a file that lists `checklist` before `rules` is the same playbook. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x));
}
