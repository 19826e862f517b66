/**
 * The playbook editor's draft, outside the component: switching settings tabs (or views) unmounts the
 * editor but keeps unsaved edits and what the person typed in each field, so nothing is lost without a
 * word. Rules carry a stable key so a field's typed text follows its rule through deletes and copies.
 */
import { create } from 'zustand';
import type { ChecklistItemDoc, PlaybookDoc, RubricDoc, RuleDoc } from './playbook-model';

export interface KeyedRule {
  readonly key: string;
  readonly rule: RuleDoc;
}

export interface Draft {
  readonly name: string;
  readonly description: string | undefined;
  readonly rules: readonly KeyedRule[];
  /** Absent when the playbook leaves it out (kept absent, so an untouched playbook is not "changed"). */
  readonly checklist: readonly ChecklistItemDoc[] | undefined;
  readonly languageRubric: RubricDoc | undefined;
}

/** A field's text as typed, kept even when valid (so "6." stays while "6.5" is being typed). */
export interface Typed {
  readonly text: string;
  readonly error: string | null;
}

interface EditorState {
  /** The saved (active) playbook as the editor last loaded it; null until loaded. */
  saved: PlaybookDoc | null;
  origin: 'default' | 'custom';
  draft: Draft | null;
  /** What a person typed in a number field, by `<rule key>:<path within the rule>` (`pb:<path>` for the playbook's own fields). */
  typed: Readonly<Record<string, Typed>>;
  load(doc: PlaybookDoc, origin: 'default' | 'custom', asSaved: boolean): void;
  setDraft(update: (d: Draft) => Draft): void;
  setTyped(id: string, typed: Typed | null): void;
  /** Forgets what was typed in a rule's fields (its metric changed units, or it was deleted). */
  clearTyped(ruleKey: string): void;
}

let nextKey = 1;
export const keyRule = (rule: RuleDoc): KeyedRule => ({ key: `r${nextKey++}`, rule });

export function draftOf(doc: PlaybookDoc): Draft {
  return { name: doc.name, description: doc.description, rules: doc.rules.map(keyRule), checklist: doc.checklist, languageRubric: doc.languageRubric };
}

export function docOf(draft: Draft, version: PlaybookDoc['version'] = 1): PlaybookDoc {
  return {
    version,
    name: draft.name,
    ...(draft.description !== undefined ? { description: draft.description } : {}),
    rules: draft.rules.map((r) => r.rule),
    ...(draft.checklist !== undefined ? { checklist: [...draft.checklist] } : {}),
    ...(draft.languageRubric !== undefined ? { languageRubric: draft.languageRubric } : {}),
  };
}

export const usePlaybookEditor = create<EditorState>((set) => ({
  saved: null,
  origin: 'default',
  draft: null,
  typed: {},
  load: (doc, origin, asSaved) => set((s) => ({ draft: draftOf(doc), typed: {}, origin, saved: asSaved ? doc : s.saved })),
  setDraft: (update) => set((s) => (s.draft ? { draft: update(s.draft) } : {})),
  setTyped: (id, t) =>
    set((s) => {
      const typed = { ...s.typed };
      if (t === null) delete typed[id];
      else typed[id] = t;
      return { typed };
    }),
  clearTyped: (ruleKey) => set((s) => ({ typed: Object.fromEntries(Object.entries(s.typed).filter(([id]) => !id.startsWith(`${ruleKey}:`))) })),
}));
