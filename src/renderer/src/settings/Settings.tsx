import { useEffect, useState } from 'react';
import type { AppSettings, SettingsSection } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';
import { ApiKeys } from './ApiKeys';
import { Reports } from './Reports';
import { calibrationText, DevicePicker, LevelCheck, useDevices } from './audio';
import { PlaybookEditor } from './PlaybookEditor';

export type SettingsTab = 'playbook' | SettingsSection | 'general';

const TABS: readonly { id: SettingsTab; label: string }[] = [
  { id: 'playbook', label: 'Playbook' },
  { id: 'audio', label: 'Audio' },
  { id: 'privacy', label: 'Privacy' },
  { id: 'keys', label: 'API keys' },
  { id: 'general', label: 'General' },
];

/** `#/settings/<tab>`; `#/settings` alone is the playbook. */
export function settingsTab(hash: string): SettingsTab {
  const m = /^#\/settings\/(\w+)/.exec(hash);
  return TABS.find((t) => t.id === m?.[1])?.id ?? 'playbook';
}

function AudioSettings(): React.JSX.Element {
  const { list, error, reload, setList } = useDevices();
  return (
    <section className="settings-section" data-testid="audio-settings" aria-labelledby="audio-title">
      <h3 id="audio-title">Audio</h3>
      {error && <p className="error">{error}</p>}
      {!list && !error && <p className="muted">Looking for audio inputs…</p>}
      {list && (
        <>
          <p data-testid="current-devices">
            {list.remembered ? (
              <>
                In use: microphone <strong data-testid="current-agent">{list.remembered.agent}</strong>, softphone output{' '}
                <strong data-testid="current-customer">{list.remembered.customer}</strong>
              </>
            ) : (
              <span className="muted">No devices chosen yet.</span>
            )}
          </p>
          <DevicePicker key={list.remembered ? `${list.remembered.agent}|${list.remembered.customer}` : 'none'} list={list} onSaved={setList} />
          <h4>Level check</h4>
          <p data-testid="calibration" data-db={list.calibrationDb ?? ''}>
            {calibrationText(list.calibrationDb)}
          </p>
          {list.available && <LevelCheck device={list.remembered?.agent ?? null} onResult={reload} />}
        </>
      )}
    </section>
  );
}

function GeneralSettings({ part }: { part: 'privacy' | 'general' }): React.JSX.Element {
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
    <section className="general-settings" data-testid={part === 'privacy' ? 'privacy-settings' : 'general-settings'}>
      {part === 'privacy' ? (
        <>
          <h3>Privacy</h3>
          <label className="check">
            <input type="checkbox" data-testid="setting-record" checked={s.record} onChange={(e) => setS({ ...s, record: e.target.checked })} /> Record call audio (off:
            only the analysis is kept)
          </label>
          <label className="check">
            <input type="checkbox" data-testid="setting-redact" checked={s.redactNumbers} onChange={(e) => setS({ ...s, redactNumbers: e.target.checked })} /> Mask card,
            account and phone numbers in stored transcripts
          </label>
          <label>
            Keep calls for (days, 0 = forever)
            <input type="number" min={0} data-testid="setting-retention" value={s.retentionDays} onChange={(e) => setS({ ...s, retentionDays: Number(e.target.value) })} />
          </label>
          <label className="check">
            <input type="checkbox" checked={s.contentProtection} onChange={(e) => setS({ ...s, contentProtection: e.target.checked })} /> Hide the overlay from screen
            sharing
          </label>
        </>
      ) : (
        <>
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
          <label>
            Softphone token URL (Twilio access tokens; empty: softphone off)
            <input data-testid="softphone-token-url" value={s.softphoneTokenUrl} onChange={(e) => setS({ ...s, softphoneTokenUrl: e.target.value })} />
          </label>
          <p>
            <button type="button" className="link" onClick={() => void rpc().call('settings.set', { firstRunDone: false }).then(() => (location.hash = '#/welcome'))}>
              Run the first-run setup again
            </button>
          </p>
        </>
      )}
      <div className="row">
        <button type="button" data-testid={`save-${part}`} onClick={save}>
          Save settings
        </button>
        {status && (
          <span className="muted" role="status" data-testid={`${part}-status`}>
            {status}
          </span>
        )}
      </div>
    </section>
  );
}

export function Settings({ tab }: { tab: SettingsTab }): React.JSX.Element {
  return (
    <div className="settings">
      <nav className="tabs" role="tablist" aria-label="Settings sections">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" data-testid={`tab-${t.id}`} aria-selected={tab === t.id} onClick={() => (location.hash = t.id === 'playbook' ? '#/settings' : `#/settings/${t.id}`)}>
            {t.label}
          </button>
        ))}
      </nav>
      <div role="tabpanel">
        {tab === 'playbook' && <PlaybookEditor />}
        {tab === 'audio' && <AudioSettings />}
        {tab === 'privacy' && <GeneralSettings key="privacy" part="privacy" />}
        {tab === 'keys' && (
          <>
            <ApiKeys />
            <Reports />
          </>
        )}
        {tab === 'general' && <GeneralSettings key="general" part="general" />}
      </div>
    </div>
  );
}
