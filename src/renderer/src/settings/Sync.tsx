/** Settings → Sync: the team's sync server and this device's token (checked with the server before it is kept). */
import { useEffect, useState } from 'react';
import type { SyncStatus } from '../../../shared/sync';
import { rpc } from '../lib/rpc';
import { dateTime } from '../lib/format';

export function SyncSettings(): React.JSX.Element {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    rpc()
      .call('sync.status')
      .then((s) => {
        setStatus(s);
        setUrl(s.account?.url ?? '');
      }, (err: Error) => setError(err.message));
  }, []);

  const act = (what: Promise<SyncStatus & { imported?: number }>, done: (s: SyncStatus & { imported?: number }) => string): void => {
    setBusy(true);
    setError(null);
    setMessage(null);
    what
      .then((s) => {
        setStatus(s);
        setMessage(done(s));
      }, (err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };

  const acct = status?.account ?? null;
  return (
    <section className="settings-section" data-testid="sync-settings" aria-labelledby="sync-title">
      <h3 id="sync-title">Team sync</h3>
      <p className="muted">Finished calls upload to your team’s sync server in the background; a lead pulls the team’s calls here. Nothing is synced until you connect, and everything works without a server.</p>
      {acct ? (
        <p data-testid="sync-account">
          Connected to <strong>{acct.url}</strong> as {acct.role} <strong>{acct.user}</strong>
          {acct.team ? ` (team ${acct.team})` : ''}.
        </p>
      ) : (
        <p className="muted" data-testid="sync-account">
          Not connected.
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          act(rpc().call('sync.login', { url: url.trim(), token: token.trim() }), (s) => `Token checked: signed in as ${s.account?.user ?? '?'}.`);
          setToken('');
        }}
      >
        <label>
          Server URL
          <input data-testid="sync-url" type="url" required placeholder="https://sync.example.com" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          Device token (shown once by <code>cadence sync-admin issue-token</code>; kept encrypted)
          <input data-testid="sync-token" type="password" required autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <div className="row">
          <button type="submit" data-testid="sync-connect" disabled={busy}>
            {acct ? 'Change server or token' : 'Connect'}
          </button>
          {acct && (
            <>
              <button type="button" data-testid="sync-now" disabled={busy} onClick={() => act(rpc().call('sync.now'), (s) => `Synced: ${s.imported ?? 0} new call(s) pulled.`)}>
                Sync now
              </button>
              <button type="button" className="link" disabled={busy} onClick={() => act(rpc().call('sync.logout'), () => 'Disconnected; calls waiting to upload stay in the outbox.')}>
                Disconnect
              </button>
            </>
          )}
        </div>
      </form>
      {status && (
        <p data-testid="sync-outbox">
          Outbox: {status.outbox.pending} to send, {status.outbox.sent} sent, {status.outbox.held} not synced, {status.outbox.failed} failed
          {status.lastRunAt !== null && <span className="muted"> · last upload round {dateTime(status.lastRunAt)}</span>}
        </p>
      )}
      {status?.lastError && <p className="error">Last problem: {status.lastError}</p>}
      {message && (
        <p role="status" data-testid="sync-message">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="sync-error">
          {error}
        </p>
      )}
    </section>
  );
}
