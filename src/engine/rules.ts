/**
 * The rule engine: turns the metric vector and conversation events into nudges with a lifecycle
 * (open when the condition holds, close when it clears), per-rule cooldown and a cap per call.
 * Rules are compiled once into closures over metric indices; evaluation allocates only when a nudge
 * actually opens or closes.
 */
import { METRIC_INDEX } from '../shared/metrics';
import type { LanguageCondition, Playbook, Predicate, Rule } from '../shared/playbook';
import type { ChannelName, EventType, Nudge } from '../shared/types';
import type { Language } from './language';

export type NudgeListener = (phase: 'open' | 'close', nudge: Nudge) => void;

type Test = (values: Float64Array) => boolean;

function compilePredicate(p: Predicate): Test {
  const i = METRIC_INDEX[p.metric];
  const v = p.value;
  // NaN (unknown, e.g. no speech yet) never satisfies a threshold.
  switch (p.op) {
    case '>':
      return (x) => x[i]! > v;
    case '>=':
      return (x) => x[i]! >= v;
    case '<':
      return (x) => x[i]! < v;
    case '<=':
      return (x) => x[i]! <= v;
  }
}

const ELAPSED = METRIC_INDEX.elapsedMs;

/** A language state (phrase said, sentiment held, checklist item missed) as a test over the metric vector's call time. */
function compileLanguage(c: LanguageCondition, language: Language): Test {
  const holds = language.compile(c);
  return (x) => holds(x[ELAPSED]!);
}

interface RuleState {
  readonly rule: Rule;
  readonly test: Test | null;
  readonly event: { type: EventType; channel: ChannelName } | null;
  readonly forMs: number;
  readonly clearMs: number;
  readonly holdMs: number;
  /** Metric index of the `speaking` flag whose frames the forMs wait counts, or -1 for call time. */
  readonly clockIndex: number;
  heldSince: number;
  /** Clock time the condition has held (equals tMs − heldSince on the call clock). */
  heldMs: number;
  falseSince: number;
  open: Nudge | null;
  /** For instant events: when the nudge closes by itself. */
  closeAt: number;
  fires: number;
  lastOpenMs: number;
}

export interface RuleEngine {
  /** Evaluates metric rules for the frame ending at `tMs`. */
  evaluate(values: Float64Array, tMs: number, frameMs: number): void;
  /** Feeds a conversation event; `phase` 'instant' opens and later auto-closes. */
  onEvent(type: EventType, channel: ChannelName, phase: 'open' | 'close' | 'instant', tMs: number): void;
  /** Closes every open nudge (end of call). */
  closeAll(tMs: number): void;
  /** Dismisses an open nudge by id (the agent waved it away); returns whether one was open. */
  dismiss(nudgeId: string, tMs: number): boolean;
  readonly openCount: number;
}

/** `language` evaluates phrase, sentiment and checklist conditions; without it they never hold. */
export function makeRuleEngine(playbook: Playbook, listener: NudgeListener, language?: Language): RuleEngine {
  const part = (p: Predicate | LanguageCondition): Test => ('metric' in p ? compilePredicate(p) : language ? compileLanguage(p, language) : () => false);
  const states: RuleState[] = playbook.rules
    .filter((r) => r.enabled)
    .map((rule) => {
      const c = rule.condition;
      let test: Test | null = null;
      let event: RuleState['event'] = null;
      let forMs = 0;
      let clearMs = 0;
      let holdMs = 0;
      let clockIndex = -1;
      if ((c.type === 'metric' || c.type === 'any' || c.type === 'all') && c.clock !== 'call') {
        clockIndex = METRIC_INDEX[c.clock === 'agentSpeech' ? 'agent.speaking' : 'customer.speaking'];
      }
      if (c.type === 'metric') {
        test = compilePredicate(c);
        forMs = c.forMs;
        clearMs = c.clearMs;
      } else if (c.type === 'any' || c.type === 'all') {
        const tests = c.of.map(part);
        test =
          c.type === 'any'
            ? (x) => {
                for (let j = 0; j < tests.length; j++) if (tests[j]!(x)) return true;
                return false;
              }
            : (x) => {
                for (let j = 0; j < tests.length; j++) if (!tests[j]!(x)) return false;
                return true;
              };
        forMs = c.forMs;
        clearMs = c.clearMs;
      } else if (c.type === 'event') {
        event = { type: c.event, channel: c.channel };
        holdMs = c.holdMs;
      } else if (c.type === 'phrase' || c.type === 'sentiment' || c.type === 'missed') {
        // Phrase conditions hold for their own holdMs after the words; checklist and sentiment clear at once.
        test = part(c);
      }
      return { rule, test, event, forMs, clearMs, holdMs, clockIndex, heldSince: NaN, heldMs: 0, falseSince: NaN, open: null, closeAt: NaN, fires: 0, lastOpenMs: -Infinity };
    });
  let openCount = 0;

  function canFire(s: RuleState, tMs: number): boolean {
    return s.fires < s.rule.maxPerCall && tMs - s.lastOpenMs >= s.rule.cooldownMs;
  }

  function open(s: RuleState, tMs: number, since: number): void {
    s.fires++;
    s.lastOpenMs = tMs;
    const r = s.rule;
    const nudge: Nudge = {
      id: `${r.id}#${s.fires}`,
      ruleId: r.id,
      title: r.title,
      severity: r.severity,
      message: r.message,
      ...(r.detail ? { detail: r.detail } : {}),
      atMs: tMs,
      endMs: null,
      conditionSinceMs: since,
    };
    s.open = nudge;
    openCount++;
    listener('open', nudge);
  }

  function close(s: RuleState, tMs: number): void {
    const n = s.open;
    if (!n) return;
    s.open = null;
    s.closeAt = NaN;
    openCount--;
    listener('close', { ...n, endMs: Math.max(tMs, n.atMs) });
  }

  return {
    get openCount() {
      return openCount;
    },
    evaluate(values, tMs, frameMs) {
      for (let k = 0; k < states.length; k++) {
        const s = states[k]!;
        if (s.test === null) {
          if (s.open && tMs >= s.closeAt) close(s, tMs);
          continue;
        }
        if (s.test(values)) {
          if (Number.isNaN(s.heldSince)) {
            s.heldSince = tMs - frameMs;
            s.heldMs = 0;
          }
          if (s.clockIndex < 0 || values[s.clockIndex] === 1) s.heldMs += frameMs;
          s.falseSince = NaN;
          if (!s.open && s.heldMs >= s.forMs && canFire(s, tMs)) open(s, tMs, s.heldSince);
        } else {
          s.heldSince = NaN;
          if (s.open) {
            if (Number.isNaN(s.falseSince)) s.falseSince = tMs - frameMs;
            if (tMs - s.falseSince >= s.clearMs) close(s, tMs);
          }
        }
      }
    },
    onEvent(type, channel, phase, tMs) {
      for (const s of states) {
        if (!s.event || s.event.type !== type || s.event.channel !== channel) continue;
        if (phase === 'close') {
          close(s, tMs);
        } else if (!s.open && canFire(s, tMs)) {
          open(s, tMs, tMs);
          s.closeAt = phase === 'instant' ? tMs + s.holdMs : Infinity;
        }
      }
    },
    closeAll(tMs) {
      for (const s of states) close(s, tMs);
    },
    dismiss(nudgeId, tMs) {
      for (const s of states) {
        if (s.open?.id === nudgeId) {
          close(s, tMs);
          return true;
        }
      }
      return false;
    },
  };
}
