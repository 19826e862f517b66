/**
 * "Try on a past call": the edited (unsaved) playbook run over a stored call's recording by the app
 * core, and the cards it would raise shown on a strip of the call's length and listed with their times.
 */
import { useEffect, useState } from 'react';
import type { CallListItem, PlaybookTrial } from '../../../shared/rpc';
import { clock, dateTime } from '../lib/format';
import { rpc } from '../lib/rpc';

export function TryOnCall({ text }: { text: string | null }): React.JSX.Element {
  const [calls, setCalls] = useState<readonly CallListItem[] | null>(null);
  const [callId, setCallId] = useState('');
  const [trial, setTrial] = useState<PlaybookTrial | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    rpc()
      .call('calls.list', { limit: 100 })
      .then((p) => {
        const done = p.items.filter((c) => c.status !== 'live');
        setCalls(done);
        setCallId((id) => id || (done[0]?.id ?? ''));
      })
      .catch((err: Error) => setError(err.message));
  }, []);

  const run = (): void => {
    if (!text || !callId) return;
    setBusy(true);
    setError(null);
    rpc()
      .call('playbook.tryOnCall', { text, callId })
      .then(setTrial)
      .catch((err: Error) => (setTrial(null), setError(err.message)))
      .finally(() => setBusy(false));
  };

  return (
    <section className="try-on-call" data-testid="try-on-call" aria-labelledby="try-title">
      <h4 id="try-title">Try on a past call</h4>
      {calls !== null && calls.length === 0 ? (
        <p className="muted">No stored calls yet: after your first call you can see here which cards this playbook would raise on it.</p>
      ) : (
        <div className="row">
          <label>
            Call{' '}
            <select data-testid="try-call" value={callId} onChange={(e) => (setCallId(e.target.value), setTrial(null))}>
              {(calls ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title || 'Untitled call'} · {dateTime(c.startedAt)} · {clock(c.durationMs)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" data-testid="try-run" disabled={!text || !callId || busy} onClick={run} title={text ? undefined : 'Fix the problems above first'}>
            {busy ? 'Running…' : 'Try this playbook'}
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="try-error">
          {error}
        </p>
      )}
      {trial && trial.callId === callId && (
        <div data-testid="try-result" data-count={trial.nudges.length}>
          <p>
            This playbook would raise <strong>{trial.nudges.length === 1 ? 'one card' : `${trial.nudges.length} cards`}</strong> on this call (the call had {trial.storedNudges} when it was coached).
          </p>
          <p className="muted small" data-testid="try-words">
            {trial.utterances === 0
              ? 'This call has no transcript, so phrase, mood and checklist rules cannot fire on it.'
              : `Phrase, mood and checklist rules heard the call's ${trial.utterances} transcribed utterances.`}
          </p>
          <div className="try-strip" aria-hidden="true">
            {trial.nudges.map((n, i) => (
              <span key={i} className={`try-mark sev-${n.severity}`} style={{ left: `${(100 * n.atMs) / Math.max(1, trial.durationMs)}%` }} title={`${n.title} at ${clock(n.atMs)}`} />
            ))}
          </div>
          <ol className="try-list">
            {trial.nudges.map((n, i) => (
              <li key={i} data-testid="trial-card" data-rule={n.ruleId} data-at={n.atMs}>
                <span className="time">{clock(n.atMs)}</span> <span className={`sev sev-${n.severity}`}>{n.title}</span>
                {n.endMs !== null && <span className="muted"> until {clock(n.endMs)}</span>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
