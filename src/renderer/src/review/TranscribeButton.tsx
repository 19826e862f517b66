/**
 * "Transcribe" on a call without words: sends its recording to Deepgram (the app's `calls.transcribe`),
 * shows how far it has got, and says in words what went wrong (no key, a refused key, no recording). The
 * call reloads by itself when the words are stored (`calls.changed`).
 */
import { useEffect, useState } from 'react';
import { onEvent, rpc } from '../lib/rpc';

export function TranscribeButton({ callId, hasRecording }: { callId: string; hasRecording: boolean }): React.JSX.Element {
  const [busy, setBusy] = useState(false);
  const [fraction, setFraction] = useState(0);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => onEvent('calls.transcribeProgress', (p) => p.callId === callId && setFraction(p.fraction)), [callId]);
  const run = (): void => {
    setBusy(true);
    setFraction(0);
    setError(null);
    rpc()
      .call('calls.transcribe', { id: callId })
      .catch((err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };
  return (
    <div className="transcribe row" data-testid="transcribe">
      <button type="button" data-testid="transcribe-button" disabled={busy || !hasRecording} onClick={run} title={hasRecording ? 'Send the recording to Deepgram for words' : 'This call has no recording to transcribe'}>
        {busy ? 'Transcribing…' : 'Transcribe'}
      </button>
      {busy && (
        <progress data-testid="transcribe-progress" max={1} value={fraction}>
          {Math.round(fraction * 100)} %
        </progress>
      )}
      {error && (
        <span className="error" role="alert" data-testid="transcribe-error">
          {error}
        </span>
      )}
    </div>
  );
}
