/**
 * The generic settings pieces: a shortcut recorder (press the keys; a combination already in use or
 * not usable as a global shortcut is refused in words and the old one kept) and validated fields whose
 * problems are sentences shown at the field.
 */
import { useState } from 'react';
import { acceleratorFromKey, acceleratorProblem } from '../../../shared/accelerator';

/** Why `text` is not a usable web address; null when it is (or is empty and `optional`). */
export function urlProblem(text: string, optional: boolean): string | null {
  const t = text.trim();
  if (t === '') return optional ? null : 'Enter a web address.';
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return 'Enter a full web address, such as https://example.com/token.';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `Use an address starting with https:// (not ${u.protocol}//).`;
  return null;
}

/** Why `text` is not a whole number from `min` to `max` (`what` names the unit); null when it is. */
export function wholeProblem(text: string, min: number, max: number, what: string): string | null {
  const t = text.trim();
  if (t === '') return `Enter a number of ${what} from ${min} to ${max}.`;
  if (!/^\d+$/.test(t)) return `“${t}” is not a whole number of ${what}.`;
  const n = Number(t);
  if (n < min || n > max) return `Enter a number of ${what} from ${min} to ${max}.`;
  return null;
}

/** Shows an accelerator the way people read it on this machine. */
export function showAccelerator(acc: string): string {
  const mac = /Mac/i.test(navigator.platform);
  return acc.replace('CommandOrControl', mac ? '⌘' : 'Ctrl').replaceAll('+', ' + ');
}

interface ShortcutProps {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  /** Other actions' shortcuts, by their label: a combination in use there is refused. */
  readonly others: Readonly<Record<string, string>>;
  onChange(acc: string): void;
}

export function ShortcutRecorder({ id, label, value, others, onChange }: ShortcutProps): React.JSX.Element {
  const [recording, setRecording] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div className="shortcut-row" data-testid={`shortcut-${id}`}>
      <span className="label">{label}</span>
      <kbd data-testid="shortcut-value">{showAccelerator(value)}</kbd>
      <button
        type="button"
        data-testid="shortcut-record"
        aria-pressed={recording}
        onClick={() => (setRecording(true), setProblem(null))}
        onBlur={() => setRecording(false)}
        onKeyDown={(e) => {
          if (!recording) return;
          e.preventDefault();
          e.stopPropagation();
          if (e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey) {
            setRecording(false);
            return;
          }
          const acc = acceleratorFromKey(e);
          if (acc === null) return;
          const bad = acceleratorProblem(acc);
          const clash = Object.entries(others).find(([, v]) => v.toLowerCase() === acc.toLowerCase());
          if (bad) setProblem(bad);
          else if (clash) setProblem(`${showAccelerator(acc)} is already used for “${clash[0]}”.`);
          else {
            onChange(acc);
            setProblem(null);
          }
          setRecording(false);
        }}
      >
        {recording ? 'Press the keys… (Esc cancels)' : 'Change'}
      </button>
      {problem && (
        <span className="field-error" role="alert" data-testid="field-error">
          {problem}
        </span>
      )}
    </div>
  );
}

interface TextFieldProps {
  readonly label: string;
  readonly value: string;
  readonly problem: string | null;
  readonly testId?: string;
  readonly hint?: string;
  readonly inputMode?: 'numeric' | 'url';
  onChange(text: string): void;
}

export function TextField({ label, value, problem, testId, hint, inputMode, onChange }: TextFieldProps): React.JSX.Element {
  return (
    <label className={problem ? 'invalid' : undefined}>
      {label}
      <input data-testid={testId} value={value} inputMode={inputMode} aria-invalid={problem !== null} onChange={(e) => onChange(e.target.value)} />
      {hint && !problem && <span className="muted small">{hint}</span>}
      {problem && (
        <span className="field-error" role="alert" data-testid="field-error">
          {problem}
        </span>
      )}
    </label>
  );
}
