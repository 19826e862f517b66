/**
 * AI reports: the OpenAI key (checked against the server before it is saved; write-only like the other
 * keys). Without a key, Cadence's offline insights are complete; the key only adds written reports.
 */
import { useEffect, useState } from 'react';
import type { SecretsStatus } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';

export function Reports(): React.JSX.Element {
  const [status, setStatus] = useState<SecretsStatus | null>(null);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  useEffect(() => {
    rpc()
      .call('secrets.status')
      .then(setStatus)
      .catch((err: Error) => setMessage({ error: true, text: err.message }));
  }, []);
  const save = async (key: string | null): Promise<void> => {
    setMessage(null);
    setBusy(true);
    try {
      if (key !== null) await rpc().call('reports.checkKey', { key });
      setStatus(await rpc().call('secrets.set', { name: 'openai', value: key }));
      setValue('');
      setMessage({ error: false, text: key === null ? 'Cleared' : 'Checked and saved' });
    } catch (err) {
      setMessage({ error: true, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const isSet = status?.openai ?? false;
  return (
    <section className="settings-section" data-testid="reports-settings" aria-labelledby="reports-title">
      <h3 id="reports-title">Reports</h3>
      <p className="muted">Optional: with an OpenAI key (or OPENAI_API_KEY; OPENAI_BASE_URL for a compatible server), “Write report” in the review sends the call’s redacted transcript and writes a summary, the customer’s issue and outcome, action items and better responses.</p>
      <div className="key-row" data-testid="key-row-openai">
        <label htmlFor="key-openai">OpenAI key</label>
        <span className={`key-status ${isSet ? 'set' : ''}`} data-testid="key-status-openai">
          {isSet ? 'set' : 'not set'}
        </span>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (value.trim()) void save(value.trim());
          }}
        >
          <input id="key-openai" type="password" autoComplete="off" spellCheck={false} data-testid="key-input-openai" placeholder={isSet ? 'Enter a new key to replace it' : 'Paste the key'} value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" data-testid="key-save-openai" disabled={busy || value.trim() === ''}>
            {busy ? 'Checking…' : 'Check and save'}
          </button>
          <button type="button" className="danger" data-testid="key-clear-openai" disabled={busy || !isSet} onClick={() => void save(null)}>
            Clear
          </button>
          {message && (
            <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="reports-key-message">
              {message.text}
            </span>
          )}
        </form>
      </div>
    </section>
  );
}
