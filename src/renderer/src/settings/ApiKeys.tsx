/**
 * How the optional cloud add-ons' keys are kept. Write-only: a key can be set or cleared where it is used
 * (Transcription, Reports) and the page shows whether one is set, but it never comes back from the app.
 */
import { useEffect, useState } from 'react';
import type { SecretsStatus } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';

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
          <p className="muted">Each key lives with what it serves: Deepgram&rsquo;s under Transcription, OpenAI&rsquo;s under AI reports below. Both are checked against the service before they are saved.</p>
        </>
      )}
    </section>
  );
}
