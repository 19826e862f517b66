/**
 * One playbook rule as a card that reads as a sentence ("Tell me when my pace is above 190 wpm for
 * 6 s"), every part of it a control, values in the units a person uses (s, wpm, dB, %). A number field
 * keeps what was typed, says in words what is wrong with it, and recovers as soon as it holds a number.
 */
import type { MetricName } from '../../../shared/metrics';
import { METRIC_NAMES } from '../../../shared/metrics';
import { OPERATORS, speakerSchema, type Speaker } from '../../../shared/playbook';
import { CHANNEL_NAMES, EVENT_TYPES, severitySchema, type ChannelName, type EventType, type Severity } from '../../../shared/types';
import {
  CHANNEL_WORDS,
  CLOCK_WORDS,
  CONDITION_TYPE_WORDS,
  conditionTypes,
  COUNT,
  EVENT_WORDS,
  fromShown,
  MAX_PHRASE_CHARS,
  MAX_PHRASES,
  metricInfo,
  OPERATOR_WORDS,
  PART_KIND_WORDS,
  parseShown,
  partKind,
  phraseProblem,
  SECONDS,
  SENTIMENT,
  SEVERITY_WORDS,
  SPEAKER_WORDS,
  switchConditionType,
  switchPartKind,
  toShown,
  TURNS,
  type ChecklistItemDoc,
  type ConditionDoc,
  type ConditionType,
  type LanguageDoc,
  type Operator,
  type PartDoc,
  type PartKind,
  type PredicateDoc,
  type RuleDoc,
  type Unit,
} from './playbook-model';
import { usePlaybookEditor } from './playbook-store';

interface NumberFieldProps {
  /** `<rule key>:<field>`: where what was typed is kept. */
  readonly fieldId: string;
  /** The JSON path of the value (tests and the problem list find the field by it). */
  readonly path: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly fallback: number;
  readonly unit: Unit;
  readonly onValue: (engineValue: number) => void;
  readonly problem?: string | undefined;
}

export function NumberField({ fieldId, path, label, value, fallback, unit, onValue, problem }: NumberFieldProps): React.JSX.Element {
  const typed = usePlaybookEditor((s) => s.typed[fieldId]);
  const setTyped = usePlaybookEditor((s) => s.setTyped);
  const error = typed?.error ?? problem ?? null;
  const errorId = `${fieldId}-error`;
  return (
    <span className={`num-field${error ? ' invalid' : ''}`}>
      <input
        type="text"
        inputMode="decimal"
        className="num"
        aria-label={label}
        data-path={path}
        aria-invalid={error !== null}
        aria-describedby={error ? errorId : undefined}
        value={typed?.text ?? String(toShown(value ?? fallback, unit))}
        size={Math.max(3, (typed?.text ?? '').length + 1)}
        onChange={(e) => {
          const parsed = parseShown(e.target.value, unit);
          setTyped(fieldId, { text: e.target.value, error: parsed.ok ? null : parsed.message });
          if (parsed.ok) onValue(fromShown(parsed.value, unit));
        }}
      />
      {unit.label && <span className="unit">{unit.label}</span>}
      {error && (
        <span className="field-error" id={errorId} data-testid="field-error" data-path={path} role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

export function Choice<T extends string>({ label, value, options, words, path, onChange }: { label: string; value: T; options: readonly T[]; words: (v: T) => string; path: string; onChange(v: T): void }): React.JSX.Element {
  return (
    <select aria-label={label} data-path={path} value={value} onChange={(e) => onChange(e.target.value as T)}>
      {options.map((o) => (
        <option key={o} value={o}>
          {words(o)}
        </option>
      ))}
    </select>
  );
}

interface PredicateProps {
  readonly p: PredicateDoc;
  readonly path: string;
  readonly fieldId: string;
  readonly onChange: (p: PredicateDoc) => void;
  readonly onMetricChange: () => void;
  readonly problems: ReadonlyMap<string, string>;
}

function PredicateParts({ p, path, fieldId, onChange, onMetricChange, problems }: PredicateProps): React.JSX.Element {
  const info = metricInfo(p.metric);
  return (
    <>
      <Choice<MetricName>
        label="Measure"
        path={`${path}.metric`}
        value={p.metric}
        options={METRIC_NAMES}
        words={(m) => metricInfo(m).phrase}
        onChange={(metric) => {
          onMetricChange();
          const next = metricInfo(metric).unit;
          // A threshold from another unit means nothing here: start from the middle of the new range.
          const value = next === info.unit ? p.value : fromShown(next.min < 0 ? next.min / 2 : Math.min(next.max, next === SECONDS ? 5 : next.max / 2), next);
          onChange({ ...p, metric, value });
        }}
      />{' '}
      is{' '}
      <Choice<Operator> label="Comparison" path={`${path}.op`} value={p.op} options={OPERATORS} words={(o) => OPERATOR_WORDS[o]} onChange={(op) => onChange({ ...p, op })} />{' '}
      <NumberField fieldId={`${fieldId}.value`} path={`${path}.value`} label="Threshold" value={p.value} fallback={0} unit={info.unit} problem={problems.get(`${path}.value`)} onValue={(value) => onChange({ ...p, value })} />
    </>
  );
}

interface PhraseListProps {
  /** The JSON path of the list (each phrase is `<path>[i]`). */
  readonly path: string;
  readonly phrases: readonly string[];
  readonly problems: ReadonlyMap<string, string>;
  readonly onChange: (phrases: string[]) => void;
}

/** Phrases one per field: add, remove (never the last), edit; an empty or over-long phrase is refused in words at its field. */
export function PhraseList({ path, phrases, problems, onChange }: PhraseListProps): React.JSX.Element {
  return (
    <span className="phrase-list" data-testid="phrase-list" data-path={path}>
      {phrases.map((ph, i) => {
        const at = `${path}[${i}]`;
        const problem = phraseProblem(ph) ?? problems.get(at);
        return (
          <span key={i} className={`phrase${problem ? ' invalid' : ''}`}>
            <input data-path={at} aria-label={`Phrase ${i + 1}`} value={ph} size={Math.max(4, ph.length)} maxLength={MAX_PHRASE_CHARS + 20} aria-invalid={!!problem} onChange={(e) => onChange(phrases.map((q, j) => (j === i ? e.target.value : q)))} />
            {phrases.length > 1 && (
              <button type="button" className="link" aria-label={`Remove phrase ${i + 1}`} onClick={() => onChange(phrases.filter((_, j) => j !== i))}>
                ×
              </button>
            )}
            {problem && (
              <span className="field-error" data-testid="field-error" data-path={at} role="alert">
                {problem}
              </span>
            )}
          </span>
        );
      })}
      {phrases.length < MAX_PHRASES && (
        <button type="button" className="link" data-testid="add-phrase" onClick={() => onChange([...phrases, ''])}>
          + phrase
        </button>
      )}
    </span>
  );
}

interface LanguageProps {
  readonly c: LanguageDoc;
  readonly path: string;
  readonly fieldId: string;
  readonly checklist: readonly ChecklistItemDoc[];
  readonly problems: ReadonlyMap<string, string>;
  readonly onChange: (c: LanguageDoc) => void;
  /** A part of an any / all: a phrase's hold is how long it counts as said, not how long a card stays. */
  readonly inPart?: boolean;
}

/** A phrase, sentiment or missed-item condition as the words of a sentence (top level, or a part of any / all). */
function LanguageParts({ c, path, fieldId, checklist, problems, onChange, inPart = false }: LanguageProps): React.JSX.Element {
  if (c.type === 'phrase') {
    return (
      <>
        <Choice<Speaker> label="Who says it" path={`${path}.speaker`} value={c.speaker} options={speakerSchema.options} words={(w) => SPEAKER_WORDS[w]} onChange={(speaker) => onChange({ ...c, speaker })} /> says{' '}
        <PhraseList path={`${path}.phrases`} phrases={c.phrases} problems={problems} onChange={(phrases) => onChange({ ...c, phrases })} />
        {inPart ? ', which counts for ' : ', and keep the card up for '}
        <NumberField fieldId={`${fieldId}.holdMs`} path={`${path}.holdMs`} label="Card stays for" value={c.holdMs} fallback={6000} unit={SECONDS} problem={problems.get(`${path}.holdMs`)} onValue={(holdMs) => onChange({ ...c, holdMs })} />
        {inPart && ' after it is said'}
      </>
    );
  }
  if (c.type === 'sentiment') {
    return (
      <>
        <Choice<'agent' | 'customer'> label="Whose mood" path={`${path}.speaker`} value={c.speaker} options={['customer', 'agent']} words={(w) => SPEAKER_WORDS[w]} onChange={(speaker) => onChange({ ...c, speaker })} /> sounds unhappy (below{' '}
        <NumberField fieldId={`${fieldId}.below`} path={`${path}.below`} label="Mood below" value={c.below} fallback={-0.2} unit={SENTIMENT} problem={problems.get(`${path}.below`)} onValue={(below) => onChange({ ...c, below })} /> on −1…+1) for{' '}
        <NumberField fieldId={`${fieldId}.turns`} path={`${path}.turns`} label="Turns in a row" value={c.turns} fallback={2} unit={TURNS} problem={problems.get(`${path}.turns`)} onValue={(turns) => onChange({ ...c, turns })} /> turns in a row
      </>
    );
  }
  const ids = checklist.map((i) => i.id);
  // An item this rule names that the checklist lost stays selectable, so the problem shows instead of a silent switch.
  const options = ids.includes(c.item) ? ids : [c.item, ...ids];
  const itemProblem = problems.get(`${path}.item`);
  return (
    <>
      <span className={itemProblem ? 'invalid' : ''}>
        <Choice<string> label="Checklist item" path={`${path}.item`} value={c.item} options={options} words={(id) => checklist.find((i) => i.id === id)?.title ?? `(missing item ${id})`} onChange={(item) => onChange({ ...c, item })} />
        {itemProblem && (
          <span className="field-error" data-testid="field-error" data-path={`${path}.item`} role="alert">
            {itemProblem}
          </span>
        )}
      </span>{' '}
      is not said within <NumberField fieldId={`${fieldId}.afterMs`} path={`${path}.afterMs`} label="Within" value={c.afterMs} fallback={60_000} unit={SECONDS} problem={problems.get(`${path}.afterMs`)} onValue={(afterMs) => onChange({ ...c, afterMs })} /> of the call
    </>
  );
}

interface RuleCardProps {
  readonly rule: RuleDoc;
  readonly ruleKey: string;
  readonly index: number;
  readonly checklist: readonly ChecklistItemDoc[];
  readonly problems: ReadonlyMap<string, string>;
  readonly onChange: (rule: RuleDoc) => void;
  readonly onDuplicate: () => void;
  readonly onDelete: () => void;
}

export function RuleCard({ rule, ruleKey, index, checklist, problems, onChange, onDuplicate, onDelete }: RuleCardProps): React.JSX.Element {
  const clearTyped = usePlaybookEditor((s) => s.clearTyped);
  const base = `rules[${index}]`;
  const c = rule.condition;
  const enabled = rule.enabled ?? true;
  const itemIds = checklist.map((i) => i.id);
  const setCondition = (condition: ConditionDoc): void => onChange({ ...rule, condition });
  const text = (field: 'title' | 'message', label: string, max: number): React.JSX.Element => {
    const path = `${base}.${field}`;
    const problem = rule[field].trim() === '' ? (field === 'title' ? 'Give the card a title.' : 'Write what the card says.') : rule[field].length > max ? `Keep it to ${max} characters.` : problems.get(path);
    return (
      <label className={`rule-text rule-${field}${problem ? ' invalid' : ''}`}>
        <span className="label">{label}</span>
        <input data-path={path} value={rule[field]} maxLength={max + 20} aria-invalid={!!problem} onChange={(e) => onChange({ ...rule, [field]: e.target.value })} />
        {problem && (
          <span className="field-error" data-testid="field-error" data-path={path} role="alert">
            {problem}
          </span>
        )}
      </label>
    );
  };
  const timed = c.type === 'metric' || c.type === 'any' || c.type === 'all' ? c : null;
  const timing = timed && (
    <>
      {' '}
      for <NumberField fieldId={`${ruleKey}:condition.forMs`} path={`${base}.condition.forMs`} label="For how long" value={timed.forMs} fallback={0} unit={SECONDS} problem={problems.get(`${base}.condition.forMs`)} onValue={(forMs) => setCondition({ ...timed, forMs })} />{' '}
      <Choice label="Counting time" path={`${base}.condition.clock`} value={timed.clock ?? 'call'} options={['call', 'agentSpeech', 'customerSpeech'] as const} words={(k) => CLOCK_WORDS[k]} onChange={(clock) => setCondition({ ...timed, clock })} />
    </>
  );
  return (
    <article className={`rule-card${enabled ? '' : ' disabled'}`} data-testid="rule-card" data-rule={rule.id} aria-label={rule.title || 'Untitled rule'}>
      <header className="row">
        <label className="switch">
          <input type="checkbox" role="switch" data-testid="rule-enabled" checked={enabled} data-path={`${base}.enabled`} onChange={(e) => onChange({ ...rule, enabled: e.target.checked })} />
          <span>{enabled ? 'On' : 'Off'}</span>
        </label>
        {text('title', 'Card title', 60)}
        <Choice<Severity> label="Kind of card" path={`${base}.severity`} value={rule.severity} options={severitySchema.options} words={(s) => SEVERITY_WORDS[s]} onChange={(severity) => onChange({ ...rule, severity })} />
        <span className="spacer" />
        <button type="button" data-testid="duplicate-rule" onClick={onDuplicate}>
          Duplicate
        </button>
        <button type="button" className="danger" data-testid="delete-rule" onClick={onDelete}>
          Delete
        </button>
      </header>
      <p className="sentence" data-testid="rule-sentence">
        Tell me when{' '}
        <Choice<ConditionType>
          label="Kind of condition"
          path={`${base}.condition.type`}
          value={c.type}
          options={c.type === 'missed' && itemIds.length === 0 ? [...conditionTypes(itemIds), 'missed'] : conditionTypes(itemIds)}
          words={(t) => CONDITION_TYPE_WORDS[t]}
          onChange={(t) => {
            clearTyped(ruleKey);
            setCondition(switchConditionType(c, t, itemIds));
          }}
        />
        {c.type === 'metric' && (
          <>
            :{' '}
            <PredicateParts p={c} path={`${base}.condition`} fieldId={`${ruleKey}:condition`} problems={problems} onMetricChange={() => clearTyped(ruleKey)} onChange={(p) => setCondition({ ...c, ...p })} />
            {timing}
          </>
        )}
        {c.type === 'event' && (
          <>
            :{' '}
            <Choice<ChannelName> label="Who" path={`${base}.condition.channel`} value={c.channel ?? 'agent'} options={CHANNEL_NAMES} words={(ch) => CHANNEL_WORDS[ch]} onChange={(channel) => setCondition({ ...c, channel })} />{' '}
            <Choice<EventType> label="What happens" path={`${base}.condition.event`} value={c.event} options={EVENT_TYPES} words={(e) => EVENT_WORDS[e]} onChange={(event) => setCondition({ ...c, event })} />, and keep the card up for{' '}
            <NumberField fieldId={`${ruleKey}:condition.holdMs`} path={`${base}.condition.holdMs`} label="Card stays for" value={c.holdMs} fallback={4000} unit={SECONDS} problem={problems.get(`${base}.condition.holdMs`)} onValue={(holdMs) => setCondition({ ...c, holdMs })} />
          </>
        )}
        {(c.type === 'phrase' || c.type === 'sentiment' || c.type === 'missed') && (
          <>
            :{' '}
            <LanguageParts c={c} path={`${base}.condition`} fieldId={`${ruleKey}:condition`} checklist={checklist} problems={problems} onChange={setCondition} />
          </>
        )}
        {(c.type === 'any' || c.type === 'all') && (
          <>
            {timing}:
            <ul className="predicates">
              {c.of.map((p, i) => {
                const path = `${base}.condition.of[${i}]`;
                const fieldId = `${ruleKey}:condition.of[${i}]`;
                const setPart = (np: PartDoc): void => setCondition({ ...c, of: c.of.map((q, j) => (j === i ? np : q)) });
                return (
                  <li key={i} data-testid="condition-part">
                    <Choice<PartKind>
                      label={`Kind of part ${i + 1}`}
                      path={`${path}.type`}
                      value={partKind(p)}
                      options={(['metric', 'phrase', 'sentiment', 'missed'] as const).filter((k) => k !== 'missed' || itemIds.length > 0 || partKind(p) === 'missed')}
                      words={(k) => PART_KIND_WORDS[k]}
                      onChange={(k) => {
                        clearTyped(ruleKey);
                        setPart(switchPartKind(p, k, itemIds));
                      }}
                    />
                    :{' '}
                    {'type' in p ? (
                      <LanguageParts c={p} path={path} fieldId={fieldId} checklist={checklist} problems={problems} onChange={setPart} inPart />
                    ) : (
                      <PredicateParts p={p} path={path} fieldId={fieldId} problems={problems} onMetricChange={() => clearTyped(ruleKey)} onChange={setPart} />
                    )}{' '}
                    {c.of.length > 1 && (
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove part ${i + 1}`}
                        onClick={() => {
                          clearTyped(ruleKey);
                          setCondition({ ...c, of: c.of.filter((_, j) => j !== i) });
                        }}
                      >
                        remove
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
            <button type="button" className="link" data-testid="add-measure" onClick={() => setCondition({ ...c, of: [...c.of, { metric: 'agent.wpm', op: '>', value: 190 }] })}>
              + another condition
            </button>
          </>
        )}
      </p>
      {text('message', 'The card says', 140)}
      <p className="limits">
        At most <NumberField fieldId={`${ruleKey}:maxPerCall`} path={`${base}.maxPerCall`} label="Times per call" value={rule.maxPerCall} fallback={5} unit={COUNT} problem={problems.get(`${base}.maxPerCall`)} onValue={(maxPerCall) => onChange({ ...rule, maxPerCall })} /> times a call, at least{' '}
        <NumberField fieldId={`${ruleKey}:cooldownMs`} path={`${base}.cooldownMs`} label="Time between cards" value={rule.cooldownMs} fallback={30_000} unit={SECONDS} problem={problems.get(`${base}.cooldownMs`)} onValue={(cooldownMs) => onChange({ ...rule, cooldownMs })} /> apart
        {timed && (
          <>
            ; the card closes once the condition has been gone for{' '}
            <NumberField fieldId={`${ruleKey}:condition.clearMs`} path={`${base}.condition.clearMs`} label="Closes after" value={timed.clearMs} fallback={1500} unit={SECONDS} problem={problems.get(`${base}.condition.clearMs`)} onValue={(clearMs) => setCondition({ ...timed, clearMs })} />
          </>
        )}
        .
      </p>
      {rule.source && <p className="muted small">Why this threshold: {rule.source}</p>}
    </article>
  );
}
