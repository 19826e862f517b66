/**
 * The overlay's line on team sync, between calls: where the last call is on its way to the team server
 * (shown only once sync is set up, so an agent without a server sees nothing).
 */
import { useEffect, useState } from 'react';
import type { CallSyncState } from '../../../shared/sync';
import { onEvent, rpc } from '../lib/rpc';

const TEXT: Partial<Record<CallSyncState, string>> = {
  pending: 'waiting to upload',
  sent: 'uploaded to your team',
  held: 'kept on this machine (not synced)',
  failed: 'upload failed — see Settings → Sync',
  waiting: 'not uploaded yet',
};

export function LastCallSync({ callId }: { callId: string | null }): React.JSX.Element | null {
  const [state, setState] = useState<CallSyncState | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => onEvent('calls.changed', () => setVersion((v) => v + 1)), []);
  useEffect(() => {
    let stale = false;
    (async () => {
      const status = await rpc().call('sync.status');
      if (!status.account) return null;
      const id = callId ?? (await rpc().call('calls.list', { limit: 1 })).items[0]?.id ?? null;
      return id === null ? null : (await rpc().call('sync.call', { callId: id })).state;
    })().then(
      (s) => !stale && setState(s),
      () => !stale && setState(null),
    );
    return () => {
      stale = true;
    };
  }, [callId, version]);
  const text = state === null ? undefined : TEXT[state];
  if (!text) return null;
  return (
    <div className="overlay-notice" data-testid="overlay-sync" data-state={state}>
      <span className="notice-text">Last call: {text}</span>
    </div>
  );
}
