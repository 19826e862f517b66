/**
 * API keys for the optional cloud add-ons. Write-only: a key can be set or cleared and the page shows
 * whether one is set, but it never comes back from the app.
 */
import { useEffect, useState } from 'react';
import type { SecretName, SecretsStatus } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';

// The OpenAI key lives with the reports it serves (Reports.tsx), where it is checked before saving.
const KEYS: readonly { name: SecretName; label: string; use: string }[] = [
  { name: 'deepgram', label: 'Deepgram', use: 'cloud speech-to-text (live transcripts)' },
];

function KeyRow({ name, label, use, isSet, onStatus }: { name: SecretName; label: string; use: string; isSet: boolean; onStatus(s: SecretsStatus): void }): React.JSX.Element {
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const send = (next: string | null): void => {
    setMessage(null);
    rpc()
      .call('secrets.set', { name, value: next })
      .then((s) => {
        setValue('');
        onStatus(s);
        setMessage({ error: false, text: next === null ? 'Cleared' : 'Saved' });
      })
      .catch((err: Error) => setMessage({ error: true, text: err.message }));
  };
  const id = `key-${name}`;
  return (
    <div className="key-row" data-testid={`key-row-${name}`}>
      <label htmlFor={id}>
        {label} <span className="muted">— {use}</span>
      </label>
      <span className={`key-status ${isSet ? 'set' : ''}`} data-testid={`key-status-${name}`}>
        {isSet ? 'set' : 'not set'}
      </span>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) send(value);
        }}
      >
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          data-testid={`key-input-${name}`}
          placeholder={isSet ? 'Enter a new key to replace it' : 'Paste the key'}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" data-testid={`key-save-${name}`} disabled={value.trim() === ''}>
          Save key
        </button>
        <button type="button" className="danger" data-testid={`key-clear-${name}`} disabled={!isSet} onClick={() => send(null)}>
          Clear
        </button>
        {message && (
          <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </span>
        )}
      </form>
    </div>
  );
}

export function ApiKeys(): React.JSX.Element {
  const [status, setStatus] = useState<SecretsStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    rpc()
      .call('secrets.status')
      .then(setStatus)
      .catch((err: Error) => setError(err.message));
  }, []);
  return (
    <section className="settings-section" data-testid="api-keys" aria-labelledby="keys-title">
      <h3 id="keys-title">API keys</h3>
      <p className="muted">Optional: Cadence works offline without them. Keys are write-only here: you can replace or clear one, never read it back.</p>
      {error && <p className="error">{error}</p>}
      {status && (
        <>
          <p className={`protection protection-${status.protection}`} data-testid="key-protection" data-protection={status.protection}>
            {status.protection === 'os'
              ? 'Protection: encrypted with your operating system’s credential store.'
              : 'Protection: encrypted with a key file in Cadence’s data folder, readable only by your user account. This is weaker than an OS credential store: it keeps keys out of a copied library, not away from someone who can read your files.'}
          </p>
          {KEYS.map((k) => (
            <KeyRow key={k.name} {...k} isSet={status[k.name]} onStatus={setStatus} />
          ))}
        </>
      )}
    </section>
  );
}
