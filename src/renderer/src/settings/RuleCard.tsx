/**
 * One playbook rule as a card that reads as a sentence ("Tell me when my pace is above 190 wpm for
 * 6 s"), every part of it a control, values in the units a person uses (s, wpm, dB, %). A number field
 * keeps what was typed, says in words what is wrong with it, and recovers as soon as it holds a number.
 */
import type { MetricName } from '../../../shared/metrics';
import { METRIC_NAMES } from '../../../shared/metrics';
import { OPERATORS } from '../../../shared/playbook';
import { CHANNEL_NAMES, EVENT_TYPES, severitySchema, type ChannelName, type EventType, type Severity } from '../../../shared/types';
import {
  CHANNEL_WORDS,
  CLOCK_WORDS,
  CONDITION_TYPE_WORDS,
  COUNT,
  EVENT_WORDS,
  fromShown,
  metricInfo,
  OPERATOR_WORDS,
  parseShown,
  SECONDS,
  SEVERITY_WORDS,
  switchConditionType,
  toShown,
  type ConditionDoc,
  type ConditionType,
  type Operator,
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

function Choice<T extends string>({ label, value, options, words, path, onChange }: { label: string; value: T; options: readonly T[]; words: (v: T) => string; path: string; onChange(v: T): void }): React.JSX.Element {
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
      <NumberField fieldId={`${fieldId}value`} path={`${path}.value`} label="Threshold" value={p.value} fallback={0} unit={info.unit} problem={problems.get(`${path}.value`)} onValue={(value) => onChange({ ...p, value })} />
    </>
  );
}

interface RuleCardProps {
  readonly rule: RuleDoc;
  readonly ruleKey: string;
  readonly index: number;
  readonly problems: ReadonlyMap<string, string>;
  readonly onChange: (rule: RuleDoc) => void;
  readonly onDuplicate: () => void;
  readonly onDelete: () => void;
}

export function RuleCard({ rule, ruleKey, index, problems, onChange, onDuplicate, onDelete }: RuleCardProps): React.JSX.Element {
  const clearTyped = usePlaybookEditor((s) => s.clearTyped);
  const base = `rules[${index}]`;
  const c = rule.condition;
  const enabled = rule.enabled ?? true;
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
  const timing = c.type !== 'event' && (
    <>
      {' '}
      for <NumberField fieldId={`${ruleKey}:forMs`} path={`${base}.condition.forMs`} label="For how long" value={c.forMs} fallback={0} unit={SECONDS} problem={problems.get(`${base}.condition.forMs`)} onValue={(forMs) => setCondition({ ...c, forMs })} />{' '}
      <Choice label="Counting time" path={`${base}.condition.clock`} value={c.clock ?? 'call'} options={['call', 'agentSpeech', 'customerSpeech'] as const} words={(k) => CLOCK_WORDS[k]} onChange={(clock) => setCondition({ ...c, clock })} />
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
          options={['metric', 'any', 'all', 'event']}
          words={(t) => CONDITION_TYPE_WORDS[t]}
          onChange={(t) => {
            clearTyped(ruleKey);
            setCondition(switchConditionType(c, t));
          }}
        />
        {c.type === 'metric' && (
          <>
            :{' '}
            <PredicateParts p={c} path={`${base}.condition`} fieldId={`${ruleKey}:`} problems={problems} onMetricChange={() => clearTyped(ruleKey)} onChange={(p) => setCondition({ ...c, ...p })} />
            {timing}
          </>
        )}
        {c.type === 'event' && (
          <>
            :{' '}
            <Choice<ChannelName> label="Who" path={`${base}.condition.channel`} value={c.channel ?? 'agent'} options={CHANNEL_NAMES} words={(ch) => CHANNEL_WORDS[ch]} onChange={(channel) => setCondition({ ...c, channel })} />{' '}
            <Choice<EventType> label="What happens" path={`${base}.condition.event`} value={c.event} options={EVENT_TYPES} words={(e) => EVENT_WORDS[e]} onChange={(event) => setCondition({ ...c, event })} />, and keep the card up for{' '}
            <NumberField fieldId={`${ruleKey}:holdMs`} path={`${base}.condition.holdMs`} label="Card stays for" value={c.holdMs} fallback={4000} unit={SECONDS} problem={problems.get(`${base}.condition.holdMs`)} onValue={(holdMs) => setCondition({ ...c, holdMs })} />
          </>
        )}
        {(c.type === 'any' || c.type === 'all') && (
          <>
            {timing}:
            <ul className="predicates">
              {c.of.map((p, i) => (
                <li key={i}>
                  <PredicateParts
                    p={p}
                    path={`${base}.condition.of[${i}]`}
                    fieldId={`${ruleKey}:of${i}.`}
                    problems={problems}
                    onMetricChange={() => clearTyped(ruleKey)}
                    onChange={(np) => setCondition({ ...c, of: c.of.map((q, j) => (j === i ? np : q)) })}
                  />{' '}
                  {c.of.length > 1 && (
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove measure ${i + 1}`}
                      onClick={() => {
                        clearTyped(ruleKey);
                        setCondition({ ...c, of: c.of.filter((_, j) => j !== i) });
                      }}
                    >
                      remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <button type="button" className="link" data-testid="add-measure" onClick={() => setCondition({ ...c, of: [...c.of, { metric: 'agent.wpm', op: '>', value: 190 }] })}>
              + another measure
            </button>
          </>
        )}
      </p>
      {text('message', 'The card says', 140)}
      <p className="limits">
        At most <NumberField fieldId={`${ruleKey}:maxPerCall`} path={`${base}.maxPerCall`} label="Times per call" value={rule.maxPerCall} fallback={5} unit={COUNT} problem={problems.get(`${base}.maxPerCall`)} onValue={(maxPerCall) => onChange({ ...rule, maxPerCall })} /> times a call, at least{' '}
        <NumberField fieldId={`${ruleKey}:cooldownMs`} path={`${base}.cooldownMs`} label="Time between cards" value={rule.cooldownMs} fallback={30_000} unit={SECONDS} problem={problems.get(`${base}.cooldownMs`)} onValue={(cooldownMs) => onChange({ ...rule, cooldownMs })} /> apart
        {c.type !== 'event' && (
          <>
            ; the card closes once the condition has been gone for{' '}
            <NumberField fieldId={`${ruleKey}:clearMs`} path={`${base}.condition.clearMs`} label="Closes after" value={c.clearMs} fallback={1500} unit={SECONDS} problem={problems.get(`${base}.condition.clearMs`)} onValue={(clearMs) => setCondition({ ...c, clearMs })} />
          </>
        )}
        .
      </p>
      {rule.source && <p className="muted small">Why this threshold: {rule.source}</p>}
    </article>
  );
}
