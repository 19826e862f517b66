/**
 * Transcription settings: the Deepgram key (write-only, checked against the service when it is entered:
 * "Key works" or Deepgram's own error), and the model and language used for live and after-the-fact
 * transcription.
 */
import { useEffect, useState } from 'react';
import type { AppSettings } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';

type Message = { readonly error: boolean; readonly text: string } | null;

function Status({ message, testId }: { message: Message; testId: string }): React.JSX.Element | null {
  if (!message) return null;
  return (
    <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid={testId}>
      {message.text}
    </span>
  );
}

function DeepgramKey(): React.JSX.Element {
  const [isSet, setIsSet] = useState<boolean | null>(null);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  useEffect(() => {
    rpc()
      .call('secrets.status')
      .then((s) => setIsSet(s.deepgram))
      .catch((err: Error) => setMessage({ error: true, text: err.message }));
  }, []);

  const store = async (next: string | null): Promise<void> => {
    const s = await rpc().call('secrets.set', { name: 'deepgram', value: next });
    setIsSet(s.deepgram);
  };
  // A key the service refuses is not kept; one that cannot be checked now (offline) is kept and says so.
  const save = async (): Promise<void> => {
    const key = value.trim();
    const check = await rpc().call('transcription.checkKey', { key });
    if (!check.ok && check.message.startsWith('Deepgram:')) return setMessage({ error: true, text: `${check.message} — not saved` });
    await store(key);
    setValue('');
    setMessage(check.ok ? { error: false, text: 'Key works — saved' } : { error: true, text: `Saved, but ${check.message.charAt(0).toLowerCase()}${check.message.slice(1)}` });
  };
  const act = (f: () => Promise<void>): void => {
    setBusy(true);
    setMessage(null);
    f()
      .catch((err: Error) => setMessage({ error: true, text: err.message }))
      .finally(() => setBusy(false));
  };

  return (
    <div className="key-row" data-testid="key-row-deepgram">
      <label htmlFor="key-deepgram">
        Deepgram API key <span className="muted">— live and after-the-fact transcripts</span>
      </label>
      <span className={`key-status ${isSet ? 'set' : ''}`} data-testid="key-status-deepgram">
        {isSet === null ? '…' : isSet ? 'set' : 'not set'}
      </span>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim() && !busy) act(save);
        }}
      >
        <input
          id="key-deepgram"
          type="password"
          autoComplete="off"
          spellCheck={false}
          data-testid="key-input-deepgram"
          placeholder={isSet ? 'Enter a new key to replace it' : 'Paste the key'}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" data-testid="key-save-deepgram" disabled={busy || value.trim() === ''}>
          Check and save
        </button>
        <button
          type="button"
          data-testid="key-check-deepgram"
          disabled={busy || !isSet}
          onClick={() => act(async () => {
            const check = await rpc().call('transcription.checkKey', {});
            setMessage({ error: !check.ok, text: check.message });
          })}
        >
          Check key
        </button>
        <button
          type="button"
          className="danger"
          data-testid="key-clear-deepgram"
          disabled={busy || !isSet}
          onClick={() => act(async () => {
            await store(null);
            setMessage({ error: false, text: 'Cleared' });
          })}
        >
          Clear
        </button>
        {busy && <span className="muted">Asking Deepgram…</span>}
        <Status message={message} testId="key-message-deepgram" />
      </form>
    </div>
  );
}

function ModelAndLanguage(): React.JSX.Element {
  const [s, setS] = useState<Pick<AppSettings, 'transcriptionModel' | 'transcriptionLanguage'> | null>(null);
  const [message, setMessage] = useState<Message>(null);
  useEffect(() => {
    rpc()
      .call('settings.get')
      .then((all) => setS({ transcriptionModel: all.transcriptionModel, transcriptionLanguage: all.transcriptionLanguage }))
      .catch((err: Error) => setMessage({ error: true, text: err.message }));
  }, []);
  if (!s) return <Status message={message} testId="transcription-status" />;
  return (
    <form
      className="general-settings"
      onSubmit={(e) => {
        e.preventDefault();
        setMessage(null);
        rpc()
          .call('settings.set', { transcriptionModel: s.transcriptionModel.trim(), transcriptionLanguage: s.transcriptionLanguage.trim() })
          .then(() => setMessage({ error: false, text: 'Saved' }))
          .catch((err: Error) => setMessage({ error: true, text: err.message }));
      }}
    >
      <label>
        Model (Deepgram’s name, e.g. nova-3)
        <input data-testid="setting-transcription-model" value={s.transcriptionModel} onChange={(e) => setS({ ...s, transcriptionModel: e.target.value })} />
      </label>
      <label>
        Language (e.g. en, en-US, es, or multi)
        <input data-testid="setting-transcription-language" value={s.transcriptionLanguage} onChange={(e) => setS({ ...s, transcriptionLanguage: e.target.value })} />
      </label>
      <div className="row">
        <button type="submit" data-testid="save-transcription">
          Save settings
        </button>
        <Status message={message} testId="transcription-status" />
      </div>
    </form>
  );
}

export function Transcription(): React.JSX.Element {
  return (
    <section className="settings-section" data-testid="transcription-settings" aria-labelledby="transcription-title">
      <h3 id="transcription-title">Transcription</h3>
      <p className="muted">
        Optional: Cadence coaches without words. With a Deepgram key, calls get live captions and a stored, searchable transcript; a call without words can be
        transcribed from its recording in the review window. The key is write-only here: you can replace, check or clear it, never read it back.
      </p>
      <DeepgramKey />
      <ModelAndLanguage />
    </section>
  );
}
