/**
 * The playbook's call checklist (what the agent should say on every call, ticked live when said) and
 * the language score's points, in the editor's plain words. An item's id is made from its first title
 * and never changes, so renaming an item keeps every "missed" rule pointing at it; an item a rule uses
 * cannot be deleted, and the refusal names the rules.
 */
import { useState } from 'react';
import { speakerSchema, type Speaker } from '../../../shared/playbook';
import { newChecklistItem, POINTS, QUESTIONS, RUBRIC_DEFAULTS, rulesUsingItem, SPEAKER_WORDS, type ChecklistItemDoc, type RubricDoc } from './playbook-model';
import type { Draft } from './playbook-store';
import { Choice, NumberField, PhraseList } from './RuleCard';

/** The schema's limits on an item's words. */
const MAX_ITEMS = 20;
const MAX_TITLE = 40;
const MAX_ADVICE = 200;

interface Props {
  readonly draft: Draft;
  readonly problems: ReadonlyMap<string, string>;
  readonly onChange: (update: (d: Draft) => Draft) => void;
  /** Deletes with an undo offered (as for rules). */
  readonly onDelete: (label: string, update: (d: Draft) => Draft) => void;
}

const quote = (names: readonly string[]): string => names.map((n) => `“${n}”`).join(', ');

export function ChecklistSection({ draft, problems, onChange, onDelete }: Props): React.JSX.Element {
  const [refusal, setRefusal] = useState<{ index: number; text: string } | null>(null);
  const items = draft.checklist ?? [];
  const setItem = (i: number, item: ChecklistItemDoc): void => onChange((d) => ({ ...d, checklist: (d.checklist ?? []).map((x, j) => (j === i ? item : x)) }));
  const rubric = draft.languageRubric;
  const setRubric = (field: keyof RubricDoc, value: number): void => onChange((d) => ({ ...d, languageRubric: { ...d.languageRubric, [field]: value } }));
  const rubricField = (field: keyof RubricDoc, label: string, unit: typeof POINTS): React.JSX.Element => (
    <NumberField fieldId={`pb:languageRubric.${field}`} path={`languageRubric.${field}`} label={label} value={rubric?.[field]} fallback={RUBRIC_DEFAULTS[field]} unit={unit} problem={problems.get(`languageRubric.${field}`)} onValue={(v) => setRubric(field, v)} />
  );
  const text = (i: number, field: 'title' | 'advice', label: string, max: number, problem: string | undefined): React.JSX.Element => {
    const path = `checklist[${i}].${field}`;
    return (
      <label className={`rule-text${problem ? ' invalid' : ''}`}>
        <span className="label">{label}</span>
        <input
          data-path={path}
          value={items[i]![field] ?? ''}
          maxLength={max + 20}
          aria-invalid={!!problem}
          onChange={(e) => {
            const { advice: _drop, ...rest } = items[i]!;
            // Empty advice is no advice (the schema's field is optional), not an empty string.
            setItem(i, field === 'advice' && e.target.value === '' ? rest : { ...items[i]!, [field]: e.target.value });
          }}
        />
        {problem && (
          <span className="field-error" data-testid="field-error" data-path={path} role="alert">
            {problem}
          </span>
        )}
      </label>
    );
  };
  return (
    <section className="checklist-editor" data-testid="checklist-editor" aria-labelledby="checklist-heading">
      <h3 id="checklist-heading">Checklist</h3>
      <p className="muted small">What the agent should say on every call. Each item is ticked live when its phrases are said; a rule can warn when one is missed, and the score counts them.</p>
      {items.length === 0 && <p className="muted">No checklist items yet.</p>}
      {items.map((item, i) => {
        const base = `checklist[${i}]`;
        const title = item.title.trim() === '' ? 'Give the item a title.' : item.title.length > MAX_TITLE ? `Keep the item title to ${MAX_TITLE} characters.` : problems.get(`${base}.title`);
        const advice = (item.advice ?? '').length > MAX_ADVICE ? `Keep the advice to ${MAX_ADVICE} characters.` : problems.get(`${base}.advice`);
        return (
          <article key={i} className="rule-card checklist-item" data-testid="checklist-item" data-item={item.id} aria-label={item.title || 'Untitled item'}>
            <header className="row">
              {text(i, 'title', 'Item', MAX_TITLE, title)}
              <span className="spacer" />
              <button
                type="button"
                className="danger"
                data-testid="delete-item"
                onClick={() => {
                  const users = rulesUsingItem(
                    draft.rules.map((r) => r.rule),
                    item.id,
                  );
                  if (users.length > 0) {
                    setRefusal({ index: i, text: `“${item.title || item.id}” is not deleted: ${users.length === 1 ? 'the rule' : 'the rules'} ${quote(users)} ${users.length === 1 ? 'warns' : 'warn'} when it is missed. Change or delete ${users.length === 1 ? 'that rule' : 'those rules'} first.` });
                    return;
                  }
                  setRefusal(null);
                  onDelete(`Deleted checklist item “${item.title || item.id}”`, (d) => ({ ...d, checklist: (d.checklist ?? []).filter((_, j) => j !== i) }));
                }}
              >
                Delete
              </button>
            </header>
            {refusal?.index === i && (
              <p className="field-error" role="alert" data-testid="checklist-refusal">
                {refusal.text}
              </p>
            )}
            <p className="sentence">
              Ticked when <Choice<Speaker> label="Who says it" path={`${base}.speaker`} value={item.speaker ?? 'agent'} options={speakerSchema.options} words={(w) => SPEAKER_WORDS[w]} onChange={(speaker) => setItem(i, { ...item, speaker })} /> says{' '}
              <PhraseList path={`${base}.phrases`} phrases={item.phrases} problems={problems} onChange={(phrases) => setItem(i, { ...item, phrases })} />
            </p>
            {text(i, 'advice', 'If missed, advise', MAX_ADVICE, advice)}
          </article>
        );
      })}
      {items.length < MAX_ITEMS && (
        <button
          type="button"
          data-testid="add-item"
          onClick={() => {
            setRefusal(null);
            onChange((d) => ({ ...d, checklist: [...(d.checklist ?? []), newChecklistItem(new Set((d.checklist ?? []).map((x) => x.id)))] }));
          }}
        >
          + Add a checklist item
        </button>
      )}
      <h3>Language score</h3>
      <p className="sentence" data-testid="language-rubric">
        On calls with a transcript, the score adds {rubricField('checklist', 'Points for the checklist', POINTS)} for the checklist, {rubricField('objections', 'Points for handling objections', POINTS)} for handling objections and{' '}
        {rubricField('questions', 'Points for questions', POINTS)} for questions, in full at {rubricField('questionsTarget', 'Questions for full points', QUESTIONS)} asked by the agent.
      </p>
    </section>
  );
}
