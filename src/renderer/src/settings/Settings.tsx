import { useEffect, useState } from 'react';
import type { AppSettings } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';
import { PlaybookEditor } from './PlaybookEditor';

function GeneralSettings(): React.JSX.Element {
  const [s, setS] = useState<AppSettings | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => void rpc().call('settings.get').then(setS), []);
  if (!s) return <div className="muted">Loading…</div>;
  const save = (): void => {
    rpc()
      .call('settings.set', s)
      .then((next) => {
        setS(next);
        setStatus('Saved');
      })
      .catch((err: Error) => setStatus(err.message));
  };
  const shortcut = (key: keyof AppSettings['shortcuts'], label: string): React.JSX.Element => (
    <label>
      {label}
      <input value={s.shortcuts[key]} onChange={(e) => setS({ ...s, shortcuts: { ...s.shortcuts, [key]: e.target.value } })} />
    </label>
  );
  return (
    <section className="general-settings" data-testid="general-settings">
      <h3>Privacy</h3>
      <label className="check">
        <input type="checkbox" checked={s.record} onChange={(e) => setS({ ...s, record: e.target.checked })} /> Record call audio
      </label>
      <label>
        Keep calls for (days, 0 = forever)
        <input type="number" min={0} value={s.retentionDays} onChange={(e) => setS({ ...s, retentionDays: Number(e.target.value) })} />
      </label>
      <label className="check">
        <input type="checkbox" checked={s.contentProtection} onChange={(e) => setS({ ...s, contentProtection: e.target.checked })} /> Hide the overlay from screen sharing
      </label>
      <h3>Overlay</h3>
      <label>
        Cards fade after (seconds, critical cards stay)
        <input type="number" min={1} max={120} value={s.cardFadeSeconds} onChange={(e) => setS({ ...s, cardFadeSeconds: Number(e.target.value) })} />
      </label>
      <h3>Shortcuts</h3>
      {shortcut('toggleOverlay', 'Show / hide overlay')}
      {shortcut('startStopCall', 'Start / stop call')}
      {shortcut('markMoment', 'Mark a moment')}
      {shortcut('dismissTopCard', 'Dismiss the top card')}
      <h3>Connections</h3>
      <label>
        Update feed URL (empty: built-in)
        <input value={s.updateFeedUrl} onChange={(e) => setS({ ...s, updateFeedUrl: e.target.value })} />
      </label>
      <label>
        Sync server URL
        <input value={s.syncServerUrl} onChange={(e) => setS({ ...s, syncServerUrl: e.target.value })} />
      </label>
      <div className="row">
        <button type="button" onClick={save}>
          Save settings
        </button>
        {status && <span className="muted">{status}</span>}
      </div>
    </section>
  );
}

export function Settings(): React.JSX.Element {
  const [tab, setTab] = useState<'playbook' | 'general'>('playbook');
  return (
    <div className="settings">
      <nav className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'playbook'} onClick={() => setTab('playbook')}>
          Playbook
        </button>
        <button type="button" role="tab" aria-selected={tab === 'general'} onClick={() => setTab('general')}>
          General
        </button>
      </nav>
      {tab === 'playbook' ? <PlaybookEditor /> : <GeneralSettings />}
    </div>
  );
}
