/**
 * The playbook editor in plain language: one card per rule that reads as a sentence, presets, import and
 * export, and "Try on a past call". Edits are a draft (kept across tab switches, warned about on leaving
 * the page) until saved; whatever replaces or removes rules can be undone until the next such action.
 * The draft is validated with the engine's own schema, and each problem is shown at its field in words.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { validatePlaybook } from '../../../shared/playbook';
import type { PlaybookPreset } from '../../../shared/rpc';
import { onEvent, rpc } from '../lib/rpc';
import { duplicateRule, newRule, problemInWords, sameDoc, uniqueId, type PlaybookDoc } from './playbook-model';
import { docOf, draftOf, keyRule, usePlaybookEditor, type Draft } from './playbook-store';
import { ChecklistSection } from './Checklist';
import { RuleCard } from './RuleCard';
import { TryOnCall } from './TryOnCall';

interface Undo {
  readonly label: string;
  readonly draft: Draft;
}

/** Moves focus to a field by its JSON path, scrolled clear of the sticky bar (see `scroll-margin` in the styles). */
function focusPath(path: string): void {
  let p = path;
  for (;;) {
    const el = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(p)}"]:is(input, select, textarea)`);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
      return;
    }
    const up = p.replace(/(\[\d+\]|\.?[^.[\]]+)$/, '');
    if (up === p || up === '') return;
    p = up;
  }
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function PlaybookEditor(): React.JSX.Element {
  const { saved, origin, draft, typed, load, setDraft, clearTyped } = usePlaybookEditor();
  const [presets, setPresets] = useState<readonly PlaybookPreset[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [importProblems, setImportProblems] = useState<readonly string[]>([]);
  const [undo, setUndo] = useState<Undo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (usePlaybookEditor.getState().draft === null) {
      rpc()
        .call('playbook.get')
        .then((s) => load(JSON.parse(s.text) as PlaybookDoc, s.origin, true))
        .catch((err: Error) => setLoadError(err.message));
    }
    rpc()
      .call('playbook.presets')
      .then(setPresets)
      .catch(() => setPresets([]));
    // Saved elsewhere (another window): take it, unless there are edits here to keep.
    return onEvent('playbook.changed', (s) => {
      const st = usePlaybookEditor.getState();
      const doc = JSON.parse(s.text) as PlaybookDoc;
      if (st.draft && st.saved && sameDoc(docOf(st.draft), st.saved)) st.load(doc, s.origin, true);
    });
  }, [load]);

  const doc = useMemo(() => (draft ? docOf(draft) : null), [draft]);
  const dirty = doc !== null && saved !== null && !sameDoc(doc, saved);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent): void => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const problems = useMemo(() => {
    const map = new Map<string, string>();
    if (!doc) return map;
    const check = validatePlaybook(doc);
    if (!check.ok) for (const p of check.problems) if (!map.has(p.path)) map.set(p.path, problemInWords(p));
    return map;
  }, [doc]);
  const typedErrors = Object.entries(typed).filter(([, t]) => t.error !== null);

  if (loadError) return <p className="error">Cannot load the playbook: {loadError}</p>;
  if (!draft || !doc) return <div className="muted">Loading playbook…</div>;

  const ids = new Set(draft.rules.map((r) => r.rule.id));
  const replaceWithUndo = (label: string, next: (d: Draft) => Draft): void => {
    setUndo({ label, draft });
    setDraft(next);
  };
  const errorCount = problems.size + typedErrors.length;
  // Every problem with a field to jump to: the schema's by path, the typed ones by their field's path.
  const allProblems: { path: string; message: string }[] = [
    ...typedErrors.map(([id, t]) => {
      // Field ids are `<rule key>:<path within the rule>`, or `pb:<path>` for the playbook's own fields.
      const at = id.indexOf(':');
      const key = id.slice(0, at);
      const field = id.slice(at + 1);
      return { path: key === 'pb' ? field : `rules[${draft.rules.findIndex((r) => r.key === key)}].${field}`, message: t.error! };
    }),
    ...[...problems].map(([path, message]) => ({ path, message })),
  ];

  const save = (): void => {
    setStatus(null);
    rpc()
      .call('playbook.save', { text: JSON.stringify(doc, null, 2) })
      .then((r) => {
        if (r.ok) {
          usePlaybookEditor.setState({ saved: doc, origin: 'custom' });
          setStatus('Saved — the next call uses this playbook.');
        } else setStatus(`Not saved: ${r.problems.map(problemInWords).join(' ')}`);
      })
      .catch((err: Error) => setStatus(`Not saved: ${err.message}`));
  };

  const loadPreset = (p: PlaybookPreset, verb: string): void => {
    const parsed = JSON.parse(p.text) as PlaybookDoc;
    replaceWithUndo(`${verb} “${p.name}”`, () => draftOf(parsed));
    usePlaybookEditor.setState({ typed: {} });
    setStatus(`${verb} “${p.name}” — not saved yet. Save to use it on your next call.`);
  };

  const importFile = async (file: File): Promise<void> => {
    setImportProblems([]);
    const text = (await file.text()).replace(/^\uFEFF/, '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      setImportProblems([`${file.name} is not a playbook file (it is not JSON).`]);
      return;
    }
    const check = validatePlaybook(json);
    if (!check.ok) {
      setImportProblems(check.problems.slice(0, 8).map((p) => `${p.path || 'the file'}: ${problemInWords(p)}`));
      return;
    }
    const parsed = json as PlaybookDoc;
    replaceWithUndo(`Imported ${file.name}`, () => draftOf(parsed));
    usePlaybookEditor.setState({ typed: {} });
    setStatus(`Imported “${parsed.name}” from ${file.name} — not saved yet.`);
  };

  const fallbackDefault = presets.find((p) => p.id === 'default');

  return (
    <section className="playbook-editor" data-testid="playbook-editor">
      <div className="pb-bar" data-testid="save-bar">
        <label className="pb-name">
          <span className="label">Playbook</span>
          <input data-path="name" aria-label="Playbook name" value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
        </label>
        <span className="muted" data-testid="playbook-origin">
          {dirty ? <strong data-testid="unsaved">Unsaved changes</strong> : origin === 'default' ? 'Shipped default, in use' : 'Your playbook, in use'}
        </span>
        <span className="spacer" />
        <button type="button" data-testid="save-playbook" className="primary" onClick={save} disabled={errorCount > 0 || !dirty}>
          Save playbook
        </button>
        <button type="button" data-testid="discard-changes" disabled={!dirty} onClick={() => saved && replaceWithUndo('Discarded your changes', () => draftOf(saved))}>
          Discard changes
        </button>
      </div>
      <div className="row pb-tools">
        <label>
          Start from{' '}
          <select
            data-testid="preset"
            aria-label="Start from a preset"
            value=""
            onChange={(e) => {
              const p = presets.find((x) => x.id === e.target.value);
              if (p) loadPreset(p, 'Loaded');
            }}
          >
            <option value="">a preset…</option>
            {presets.map((p) => (
              <option key={p.id} value={p.id} title={p.description}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="reset-playbook" disabled={!fallbackDefault} onClick={() => fallbackDefault && loadPreset(fallbackDefault, 'Back to')}>
          Reset to default
        </button>
        <button type="button" data-testid="import-playbook" onClick={() => fileRef.current?.click()}>
          Import…
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
        <button type="button" data-testid="export-playbook" onClick={() => download(`${uniqueId(draft.name, new Set())}.playbook.json`, `${JSON.stringify(doc, null, 2)}\n`)}>
          Export
        </button>
      </div>
      {status && (
        <p className="muted" role="status" data-testid="playbook-status">
          {status}
        </p>
      )}
      {undo && (
        <p className="undo" role="status" data-testid="undo-bar">
          {undo.label}.{' '}
          <button
            type="button"
            data-testid="undo"
            onClick={() => {
              setDraft(() => undo.draft);
              setUndo(null);
              setStatus(null);
            }}
          >
            Undo
          </button>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => setUndo(null)}>
            ×
          </button>
        </p>
      )}
      {importProblems.length > 0 && (
        <div className="problem-summary" role="alert" data-testid="import-problems">
          Not imported:
          <ul>
            {importProblems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {errorCount > 0 && (
        <div className="problem-summary" data-testid="problem-summary" role="alert">
          {errorCount === 1 ? 'One thing to fix before saving:' : `${errorCount} things to fix before saving:`}
          <ul>
            {allProblems.map((p, i) => (
              <li key={i}>
                <button type="button" className="link" data-testid="problem-link" onClick={() => focusPath(p.path)}>
                  {p.message}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="rule-cards">
        {draft.rules.map((r, i) => (
          <RuleCard
            key={r.key}
            rule={r.rule}
            ruleKey={r.key}
            index={i}
            checklist={draft.checklist ?? []}
            problems={problems}
            onChange={(rule) => setDraft((d) => ({ ...d, rules: d.rules.map((x) => (x.key === r.key ? { key: x.key, rule } : x)) }))}
            onDuplicate={() => setDraft((d) => ({ ...d, rules: [...d.rules.slice(0, i + 1), keyRule(duplicateRule(r.rule, ids)), ...d.rules.slice(i + 1)] }))}
            onDelete={() => {
              clearTyped(r.key);
              replaceWithUndo(`Deleted “${r.rule.title || r.rule.id}”`, (d) => ({ ...d, rules: d.rules.filter((x) => x.key !== r.key) }));
            }}
          />
        ))}
      </div>
      <button type="button" data-testid="add-rule" onClick={() => setDraft((d) => ({ ...d, rules: [...d.rules, keyRule(newRule(ids))] }))}>
        + Add a rule
      </button>
      <ChecklistSection draft={draft} problems={problems} onChange={setDraft} onDelete={replaceWithUndo} />
      <TryOnCall text={errorCount === 0 ? JSON.stringify(doc) : null} />
    </section>
  );
}
