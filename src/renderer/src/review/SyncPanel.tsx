/**
 * A call's team-sync side in the review: where it is on its way to the server (with "don't sync"), the
 * lead's feedback on it (each comment seeks to its moment), and for a lead on a team member's call, a
 * form to leave feedback at the current position.
 */
import { useEffect, useState } from 'react';
import type { CallSyncInfo, CallSyncState } from '../../../shared/sync';
import { clock } from '../lib/format';
import { onEvent, rpc } from '../lib/rpc';

const STATE_TEXT: Record<CallSyncState, string> = {
  pending: 'waiting to upload',
  sent: 'uploaded to the team',
  held: 'not synced (kept on this machine)',
  failed: 'upload failed',
  pulled: 'from the team server',
  live: 'call in progress',
  waiting: 'not uploaded',
};

export function SyncPanel({ callId, positionMs, onSeek }: { callId: string; positionMs: number; onSeek(ms: number): void }): React.JSX.Element | null {
  const [info, setInfo] = useState<CallSyncInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [atMoment, setAtMoment] = useState(true);
  const [override, setOverride] = useState('');
  const [version, setVersion] = useState(0);

  useEffect(() => onEvent('calls.changed', (e) => e.callId === callId && setVersion((v) => v + 1)), [callId]);
  useEffect(() => {
    rpc()
      .call('sync.call', { callId })
      .then(setInfo, (err: Error) => setError(err.message));
  }, [callId, version]);

  if (!info) return error ? <p className="error">{error}</p> : null;
  const holdable = info.state === 'pending' || info.state === 'held' || info.state === 'failed' || info.state === 'waiting';
  const send = (): void => {
    const score = override.trim() === '' ? null : Number(override);
    if (score !== null && (!Number.isFinite(score) || score < 0 || score > 100)) {
      setError('The score override is a number from 0 to 100.');
      return;
    }
    setError(null);
    rpc()
      .call('sync.addFeedback', { callId, feedback: { ...(text.trim() && { text: text.trim() }), ...(atMoment && { atMs: Math.round(positionMs) }), ...(score !== null && { rubric: { score } }) } })
      .then(
        (next) => {
          setInfo(next);
          setText('');
          setOverride('');
        },
        (err: Error) => setError(err.message),
      );
  };
  return (
    <section className="sync-panel" data-testid="sync-panel" aria-label="Team sync">
      <h3>Team</h3>
      <p data-testid="sync-state" data-state={info.state}>
        Sync: {STATE_TEXT[info.state]}
        {info.lastError && <span className="muted"> — {info.lastError}</span>}
      </p>
      {holdable && (
        <label>
          <input
            type="checkbox"
            data-testid="dont-sync"
            checked={info.state === 'held'}
            onChange={(e) =>
              void rpc()
                .call('sync.hold', { callId, held: e.target.checked })
                .then(setInfo, (err: Error) => setError(err.message))
            }
          />{' '}
          Don’t sync this call
        </label>
      )}
      <ol className="feedback" data-testid="feedback-list">
        {info.feedback.length === 0 && <li className="muted">No feedback from your lead yet.</li>}
        {info.feedback.map((f) => (
          <li key={f.id} data-testid="feedback-item">
            <strong>{f.author}</strong>{' '}
            {f.atMs !== null && (
              <button type="button" className="link" onClick={() => onSeek(f.atMs!)}>
                at {clock(f.atMs)}
              </button>
            )}
            {f.text && <span>: {f.text}</span>}
            {f.rubric && <span className="muted"> ({Object.entries(f.rubric).map(([k, v]) => `${k} → ${v}`).join(', ')})</span>}
          </li>
        ))}
      </ol>
      {info.canReview && (
        <form
          data-testid="feedback-form"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <label>
            Feedback for the agent
            <textarea data-testid="feedback-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <label>
            <input type="checkbox" checked={atMoment} onChange={(e) => setAtMoment(e.target.checked)} /> at {clock(positionMs)} in the call
          </label>
          <label>
            Score override (0–100, optional)
            <input data-testid="feedback-score" inputMode="numeric" value={override} onChange={(e) => setOverride(e.target.value)} />
          </label>
          <button type="submit" data-testid="feedback-send" disabled={text.trim() === '' && override.trim() === ''}>
            Send feedback
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
