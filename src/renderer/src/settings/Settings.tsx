import { useEffect, useState } from 'react';
import type { AppSettings, SettingsSection } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';
import { ApiKeys } from './ApiKeys';
import { Reports } from './Reports';
import { calibrationText, DevicePicker, LevelCheck, useDevices } from './audio';
import { ShortcutRecorder, TextField, urlProblem, wholeProblem } from './fields';
import { PlaybookEditor } from './PlaybookEditor';
import { sameDoc } from './playbook-model';
import { docOf, usePlaybookEditor } from './playbook-store';
import { Transcription } from './Transcription';
import { Knowledge } from './Knowledge';
import { SyncSettings } from './Sync';

export type SettingsTab = 'playbook' | SettingsSection | 'transcription' | 'knowledge' | 'sync' | 'general';

const TABS: readonly { id: SettingsTab; label: string }[] = [
  { id: 'playbook', label: 'Playbook' },
  { id: 'audio', label: 'Audio' },
  { id: 'privacy', label: 'Privacy' },
  { id: 'keys', label: 'Keys & reports' },
  { id: 'transcription', label: 'Transcription' },
  { id: 'knowledge', label: 'Knowledge base' },
  { id: 'sync', label: 'Sync' },
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
          <DevicePicker key={list.remembered ? `${list.remembered.agent}|${list.remembered.customer}` : 'none'} list={list} onSaved={setList} onRescan={reload} />
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

const SHORTCUT_LABELS: Record<keyof AppSettings['shortcuts'], string> = {
  toggleOverlay: 'Show / hide overlay',
  startStopCall: 'Start / stop call',
  markMoment: 'Mark a moment',
  dismissTopCard: 'Dismiss the top card',
};

/** Privacy and General: every field checked in words before Save, which is off until all are right. */
function GeneralSettings({ part }: { part: 'privacy' | 'general' }): React.JSX.Element {
  const [s, setS] = useState<AppSettings | null>(null);
  // Number and URL fields as typed (a half-typed value is not a setting yet).
  const [text, setText] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  useEffect(
    () =>
      void rpc()
        .call('settings.get')
        .then((v) => {
          setS(v);
          setText({ retentionDays: String(v.retentionDays), cardFadeSeconds: String(v.cardFadeSeconds), silenceStopSeconds: String(v.silenceStopSeconds), updateFeedUrl: v.updateFeedUrl, softphoneTokenUrl: v.softphoneTokenUrl });
        }),
    [],
  );
  if (!s) return <div className="muted">Loading…</div>;
  const problems: Record<string, string | null> =
    part === 'privacy'
      ? { retentionDays: wholeProblem(text.retentionDays ?? '', 0, 36500, 'days') }
      : {
          cardFadeSeconds: wholeProblem(text.cardFadeSeconds ?? '', 1, 120, 'seconds'),
          silenceStopSeconds: s.autoStartStop ? wholeProblem(text.silenceStopSeconds ?? '', 3, 600, 'seconds') : null,
          updateFeedUrl: urlProblem(text.updateFeedUrl ?? '', true),
          softphoneTokenUrl: urlProblem(text.softphoneTokenUrl ?? '', true),
        };
  const invalid = Object.values(problems).some((p) => p !== null);
  const edit = (key: string, value: string): void => {
    setText((t) => ({ ...t, [key]: value }));
    setStatus(null);
  };
  const save = (): void => {
    const patch =
      part === 'privacy'
        ? { record: s.record, redactNumbers: s.redactNumbers, muteRedactedAudio: s.muteRedactedAudio, contentProtection: s.contentProtection, retentionDays: Number(text.retentionDays) }
        : {
            cardFadeSeconds: Number(text.cardFadeSeconds),
            autoStartStop: s.autoStartStop,
            ...(s.autoStartStop && { silenceStopSeconds: Number(text.silenceStopSeconds) }),
            shortcuts: s.shortcuts, updateFeedUrl: text.updateFeedUrl!.trim(), softphoneTokenUrl: text.softphoneTokenUrl!.trim() };
    rpc()
      .call('settings.set', patch)
      .then((next) => {
        setS(next);
        setStatus('Saved');
      })
      .catch((err: Error) => setStatus(`Not saved: ${err.message}`));
  };
  const shortcuts = (Object.keys(SHORTCUT_LABELS) as (keyof AppSettings['shortcuts'])[]).map((key) => (
    <ShortcutRecorder
      key={key}
      id={key}
      label={SHORTCUT_LABELS[key]}
      value={s.shortcuts[key]}
      others={Object.fromEntries(Object.entries(s.shortcuts).filter(([k]) => k !== key).map(([k, v]) => [SHORTCUT_LABELS[k as keyof AppSettings['shortcuts']], v]))}
      onChange={(acc) => (setS({ ...s, shortcuts: { ...s.shortcuts, [key]: acc } }), setStatus(null))}
    />
  ));
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
          <label className="check">
            <input
              type="checkbox"
              data-testid="setting-mute-redacted"
              checked={s.muteRedactedAudio}
              disabled={!s.redactNumbers}
              onChange={(e) => setS({ ...s, muteRedactedAudio: e.target.checked })}
            />{' '}
            Also silence the masked numbers in the recording (after the call)
          </label>
          <TextField label="Keep calls for (days)" testId="setting-retention" inputMode="numeric" value={text.retentionDays ?? ''} problem={problems.retentionDays!} hint="0 keeps every call." onChange={(v) => edit('retentionDays', v)} />
          <label className="check">
            <input type="checkbox" checked={s.contentProtection} onChange={(e) => setS({ ...s, contentProtection: e.target.checked })} /> Hide the overlay from screen
            sharing
          </label>
        </>
      ) : (
        <>
          <h3>Overlay</h3>
          <TextField label="Open cards shrink to a chip after (seconds; critical cards stay full)" testId="setting-fade" inputMode="numeric" value={text.cardFadeSeconds ?? ''} problem={problems.cardFadeSeconds!} onChange={(v) => edit('cardFadeSeconds', v)} />
          <label className="check">
            <input type="checkbox" data-testid="setting-auto-start-stop" checked={s.autoStartStop} onChange={(e) => setS({ ...s, autoStartStop: e.target.checked })} /> Start calls
            when both sides speak and stop them after a silence (softphone calls always follow the call)
          </label>
          {s.autoStartStop && (
            <TextField label="Stop after this much silence on both sides (seconds)" testId="setting-silence-stop" inputMode="numeric" value={text.silenceStopSeconds ?? ''} problem={problems.silenceStopSeconds!} onChange={(v) => edit('silenceStopSeconds', v)} />
          )}
          <h3>Shortcuts</h3>
          <p className="muted small">Click Change, then press the keys you want (with Ctrl, Alt or ⌘).</p>
          {shortcuts}
          <h3>Connections</h3>
          <TextField label="Update feed URL" testId="setting-update-feed" inputMode="url" value={text.updateFeedUrl ?? ''} problem={problems.updateFeedUrl!} hint="Empty: the built-in feed." onChange={(v) => edit('updateFeedUrl', v)} />
          <TextField
            label="Softphone token URL (Twilio access tokens)"
            testId="softphone-token-url"
            inputMode="url"
            value={text.softphoneTokenUrl ?? ''}
            problem={problems.softphoneTokenUrl!}
            hint="Empty: softphone off."
            onChange={(v) => edit('softphoneTokenUrl', v)}
          />
          <p>
            <button type="button" className="link" onClick={() => void rpc().call('settings.set', { firstRunDone: false }).then(() => (location.hash = '#/welcome'))}>
              Run the first-run setup again
            </button>
          </p>
        </>
      )}
      <div className="row">
        <button type="button" data-testid={`save-${part}`} onClick={save} disabled={invalid}>
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
  // Unsaved playbook edits are kept when another tab is shown; its tab says so.
  const unsaved = usePlaybookEditor((st) => st.draft !== null && st.saved !== null && !sameDoc(docOf(st.draft), st.saved));
  return (
    <div className="settings">
      <nav className="tabs" role="tablist" aria-label="Settings sections">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" data-testid={`tab-${t.id}`} aria-selected={tab === t.id} onClick={() => (location.hash = t.id === 'playbook' ? '#/settings' : `#/settings/${t.id}`)}>
            {t.label}
            {t.id === 'playbook' && unsaved && (
              <span className="unsaved-dot" data-testid="playbook-unsaved-tab" title="Unsaved changes">
                {' '}
                •
              </span>
            )}
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
        {tab === 'transcription' && <Transcription />}
        {tab === 'knowledge' && <Knowledge />}
        {tab === 'sync' && <SyncSettings />}
        {tab === 'general' && <GeneralSettings key="general" part="general" />}
      </div>
    </div>
  );
}
