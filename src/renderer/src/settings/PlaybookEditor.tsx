/**
 * The playbook editor: every field of the playbook as a form control, validated as you type with the
 * same zod schema the engine uses; each problem is shown at the field its JSON path names (or, for a
 * missing field, at the nearest enclosing group). A raw JSON view is there for bulk edits.
 */
import { useEffect, useMemo, useState } from 'react';
import { METRIC_NAMES } from '../../../shared/metrics';
import { OPERATORS, parsePlaybookText, type PlaybookProblem } from '../../../shared/playbook';
import { CHANNEL_NAMES, EVENT_TYPES, severitySchema } from '../../../shared/types';
import { rpc } from '../lib/rpc';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const CHOICES: Record<string, readonly string[]> = {
  severity: severitySchema.options,
  op: OPERATORS,
  metric: METRIC_NAMES,
  event: EVENT_TYPES,
  channel: CHANNEL_NAMES,
  type: ['metric', 'any', 'all', 'event'],
};

function childPath(parent: string, key: string | number): string {
  return typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
}

/** Every path that has its own control (leaves) or group (objects, arrays). */
function collectPaths(value: Json, path: string, out: Set<string>): Set<string> {
  out.add(path);
  if (Array.isArray(value)) value.forEach((v, i) => collectPaths(v, childPath(path, i), out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) collectPaths(v, childPath(path, k), out);
  return out;
}

/** Where a problem is shown: its own path if rendered, else the nearest rendered ancestor. */
function anchorOf(problemPath: string, rendered: Set<string>): string {
  let p = problemPath;
  while (p && !rendered.has(p)) p = p.replace(/(\[\d+\]|\.?[^.[\]]+)$/, '');
  return p;
}

function setAt(root: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[head as number] = setAt(copy[head as number] ?? null, rest, value);
    return copy;
  }
  const obj = root !== null && typeof root === 'object' ? root : {};
  return { ...obj, [head as string]: setAt(obj[head as string] ?? null, rest, value) };
}

function Problems({ list }: { list: readonly PlaybookProblem[] | undefined }): React.JSX.Element | null {
  if (!list || list.length === 0) return null;
  return (
    <ul className="field-errors">
      {list.map((p, i) => (
        <li key={i} className="field-error" data-testid="field-error" data-path={p.path} role="alert">
          {p.message}
        </li>
      ))}
    </ul>
  );
}

interface NodeProps {
  value: Json;
  path: string;
  keys: (string | number)[];
  label: string;
  problems: ReadonlyMap<string, PlaybookProblem[]>;
  onChange(keys: (string | number)[], value: Json): void;
}

function Node({ value, path, keys, label, problems, onChange }: NodeProps): React.JSX.Element {
  const mine = problems.get(path);
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
    const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const title = Array.isArray(value) ? label : typeof (value as Record<string, Json>).id === 'string' ? `${label} · ${String((value as Record<string, Json>).id)}` : label;
    return (
      <fieldset className={`group${mine ? ' invalid' : ''}`} data-path={path}>
        {label && <legend>{title}</legend>}
        <Problems list={mine} />
        {entries.map(([k, v]) => (
          <Node key={k} value={v} path={childPath(path, k)} keys={[...keys, k]} label={typeof k === 'number' ? `#${k + 1}` : k} problems={problems} onChange={onChange} />
        ))}
      </fieldset>
    );
  }
  const id = `pb-${path.replace(/[^a-zA-Z0-9]/g, '-')}`;
  const key = String(keys.at(-1) ?? '');
  const choices = CHOICES[key];
  let control: React.JSX.Element;
  if (typeof value === 'boolean') {
    control = <input id={id} type="checkbox" checked={value} data-path={path} aria-invalid={!!mine} onChange={(e) => onChange(keys, e.target.checked)} />;
  } else if (typeof value === 'number' || (value === null && key !== 'detail')) {
    control = (
      <input
        id={id}
        type="text"
        inputMode="decimal"
        data-path={path}
        aria-invalid={!!mine}
        defaultValue={value === null ? '' : String(value)}
        onChange={(e) => {
          const text = e.target.value.trim();
          const n = Number(text);
          onChange(keys, text !== '' && Number.isFinite(n) ? n : text);
        }}
      />
    );
  } else if (choices) {
    control = (
      <select id={id} data-path={path} aria-invalid={!!mine} value={String(value)} onChange={(e) => onChange(keys, e.target.value)}>
        {!choices.includes(String(value)) && <option value={String(value)}>{String(value)}</option>}
        {choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  } else if (key === 'message' || key === 'detail' || key === 'description' || key === 'source') {
    control = <textarea id={id} rows={2} data-path={path} aria-invalid={!!mine} value={String(value ?? '')} onChange={(e) => onChange(keys, e.target.value)} />;
  } else {
    control = <input id={id} type="text" data-path={path} aria-invalid={!!mine} value={String(value ?? '')} onChange={(e) => onChange(keys, e.target.value)} />;
  }
  return (
    <div className={`field${mine ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      <Problems list={mine} />
    </div>
  );
}

export function PlaybookEditor(): React.JSX.Element {
  const [text, setText] = useState<string | null>(null);
  const [origin, setOrigin] = useState<'default' | 'custom'>('default');
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [status, setStatus] = useState<string | null>(null);
  const [serverProblems, setServerProblems] = useState<readonly PlaybookProblem[] | null>(null);
  const [formKey, setFormKey] = useState(0);

  useEffect(() => {
    void rpc()
      .call('playbook.get')
      .then((s) => {
        setText(s.text);
        setOrigin(s.origin);
      });
  }, []);

  const doc = useMemo<Json | undefined>(() => {
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as Json;
    } catch {
      return undefined;
    }
  }, [text]);
  const check = useMemo(() => (text === null ? null : parsePlaybookText(text)), [text]);
  const problems = serverProblems ?? (check && !check.ok ? check.problems : []);
  const rendered = useMemo(() => (doc === undefined ? new Set<string>() : collectPaths(doc, '', new Set())), [doc]);
  const byAnchor = useMemo(() => {
    const map = new Map<string, PlaybookProblem[]>();
    for (const p of problems) {
      const a = mode === 'form' ? anchorOf(p.path, rendered) : '';
      map.set(a, [...(map.get(a) ?? []), p]);
    }
    return map;
  }, [problems, rendered, mode]);

  if (text === null) return <div className="muted">Loading playbook…</div>;

  const change = (keys: (string | number)[], value: Json): void => {
    if (doc === undefined) return;
    setServerProblems(null);
    setStatus(null);
    setText(JSON.stringify(setAt(doc, keys, value), null, 2));
  };

  const save = (): void => {
    void rpc()
      .call('playbook.save', { text })
      .then((r) => {
        setServerProblems(r.ok ? null : r.problems);
        setStatus(r.ok ? 'Saved — the next call uses this playbook.' : `Not saved: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}.`);
        if (r.ok) setOrigin('custom');
      })
      .catch((err: Error) => setStatus(err.message));
  };

  const reset = (): void => {
    void rpc()
      .call('playbook.reset')
      .then((s) => {
        setText(s.text);
        setOrigin(s.origin);
        setServerProblems(null);
        setStatus('Back to the default playbook.');
        setFormKey((k) => k + 1);
      });
  };

  return (
    <section className="playbook-editor" data-testid="playbook-editor">
      <div className="row">
        <h3>Playbook</h3>
        <span className="muted">{origin === 'default' ? 'shipped default' : 'your playbook'}</span>
        <span className="spacer" />
        <button type="button" aria-pressed={mode === 'form'} onClick={() => setMode('form')}>
          Form
        </button>
        <button
          type="button"
          aria-pressed={mode === 'json'}
          onClick={() => {
            setMode('json');
            setFormKey((k) => k + 1);
          }}
        >
          JSON
        </button>
      </div>
      {problems.length > 0 && (
        <div className="problem-summary" data-testid="problem-summary" role="alert">
          {problems.length} problem{problems.length === 1 ? '' : 's'}:
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <button
                  type="button"
                  className="link"
                  onClick={() => (document.querySelector(`[data-path="${CSS.escape(anchorOf(p.path, rendered))}"]`) as HTMLElement | null)?.focus()}
                >
                  <code>{p.path || '(playbook)'}</code>
                </button>{' '}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {mode === 'json' || doc === undefined ? (
        <>
          <textarea className="json-editor" aria-label="Playbook JSON" data-testid="playbook-json" spellCheck={false} value={text} onChange={(e) => (setText(e.target.value), setServerProblems(null))} rows={30} />
          <Problems list={byAnchor.get('')} />
        </>
      ) : (
        <div className="playbook-form" key={formKey}>
          <Node value={doc} path="" keys={[]} label="" problems={byAnchor} onChange={change} />
        </div>
      )}
      <div className="row sticky-actions">
        <button type="button" data-testid="save-playbook" onClick={save} disabled={check !== null && !check.ok}>
          Save playbook
        </button>
        <button type="button" onClick={reset}>
          Reset to default
        </button>
        {status && (
          <span className="muted" data-testid="playbook-status">
            {status}
          </span>
        )}
      </div>
    </section>
  );
}
