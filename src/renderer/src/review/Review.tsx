/**
 * The review window: the call list beside one call, or the home (trends) with none selected. Deleting
 * a call hides it at once and deletes it a few seconds later, so the delete can be undone; leaving the
 * window (or deleting another) carries out a pending delete straight away.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { rpc } from '../lib/rpc';
import { CallDetail } from './CallDetail';
import { CallList } from './CallList';
import { ReviewHome } from './TeamView';

const UNDO_MS = 8000;

interface PendingDelete {
  readonly id: string;
  readonly title: string;
  readonly timer: ReturnType<typeof setTimeout>;
}

export function Review({ callId, navigate }: { callId: string | null; navigate(hash: string): void }): React.JSX.Element {
  const [selected, setSelected] = useState<string | null>(callId);
  const [found, setFound] = useState('');
  const [pending, setPending] = useState<PendingDelete | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pendingRef = useRef<PendingDelete | null>(null);
  useEffect(() => setSelected(callId), [callId]);

  const commit = useCallback((p: PendingDelete): void => {
    clearTimeout(p.timer);
    if (pendingRef.current?.id === p.id) {
      pendingRef.current = null;
      setPending(null);
    }
    rpc()
      .call('calls.delete', { id: p.id })
      .catch((err: Error) => setError(`Could not delete “${p.title}”: ${err.message}`));
  }, []);
  // Leaving the review window carries out the delete that was asked for.
  useEffect(() => () => void (pendingRef.current && commit(pendingRef.current)), [commit]);

  const requestDelete = (id: string, title: string): void => {
    if (pendingRef.current) commit(pendingRef.current);
    const p: PendingDelete = { id, title, timer: setTimeout(() => commit(p), UNDO_MS) };
    pendingRef.current = p;
    setPending(p);
    setError(null);
    navigate('#/review');
  };
  const undo = (): void => {
    const p = pendingRef.current;
    if (!p) return;
    clearTimeout(p.timer);
    pendingRef.current = null;
    setPending(null);
    navigate(`#/review/${encodeURIComponent(p.id)}`);
  };

  const open = (id: string): void => navigate(`#/review/${encodeURIComponent(id)}`);
  return (
    <div className="review">
      <CallList selected={selected} onSelect={(id, search) => {
          setFound(search);
          open(id);
        }} hidden={pending?.id ?? null} />
      {selected && selected !== pending?.id ? <CallDetail key={selected} id={selected} found={found} onDelete={(title) => requestDelete(selected, title)} /> : <ReviewHome onOpen={open} />}
      {(pending || error) && (
        <div className="toast" role="status" data-testid="delete-toast">
          {pending ? (
            <>
              Deleted “{pending.title}”.{' '}
              <button type="button" data-testid="undo-delete" onClick={undo}>
                Undo
              </button>
            </>
          ) : (
            <span className="error">{error}</span>
          )}
        </div>
      )}
    </div>
  );
}
