/**
 * Audio devices, shared by the first-run flow and Settings → Audio: the two pickers (the agent's
 * microphone and the softphone's output, captured through a loopback / monitor input) and the
 * 10-second level check with its countdown and verdict.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { DeviceList, LevelCheckResult } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';

export const LEVEL_CHECK_SECONDS = 10;

/** The device list, reloadable (after a choice or a level check). */
export function useDevices(): { list: DeviceList | null; error: string | null; reload(): void; setList(l: DeviceList): void } {
  const [list, setList] = useState<DeviceList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    rpc()
      .call('devices.list')
      .then((l) => {
        setList(l);
        setError(null);
      })
      .catch((err: Error) => setError(err.message));
  }, []);
  useEffect(reload, [reload]);
  return { list, error, reload, setList };
}

/** A first guess: the remembered device, else the default input (agent) or a monitor / loopback (customer). */
function guess(list: DeviceList, role: 'agent' | 'customer'): string {
  const remembered = list.remembered?.[role];
  if (remembered && list.inputs.some((d) => d.name === remembered)) return remembered;
  const names = list.inputs.map((d) => d.name);
  if (role === 'customer') return names.find((n) => /monitor|loopback|stereo mix|blackhole|customer/i.test(n)) ?? names[1] ?? names[0] ?? '';
  return list.inputs.find((d) => d.isDefault && !/monitor|loopback/i.test(d.name))?.name ?? names.find((n) => !/monitor|loopback|customer/i.test(n)) ?? names[0] ?? '';
}

export function DevicePicker({
  list,
  onSaved,
  saveLabel = 'Save devices',
  onSkip,
}: {
  list: DeviceList;
  onSaved(list: DeviceList): void;
  saveLabel?: string;
  /** Offered when capture is unavailable (first run: skip to the demo call). */
  onSkip?: { label: string; run(): void };
}): React.JSX.Element {
  const [agent, setAgent] = useState(() => guess(list, 'agent'));
  const [customer, setCustomer] = useState(() => guess(list, 'customer'));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const id = useId();

  if (!list.available) {
    return (
      <div className="device-picker" data-testid="device-picker">
        <p className="error" role="alert" data-testid="devices-unavailable">
          Audio capture is not available on this machine: {list.reason ?? 'unknown reason'}
        </p>
        <p className="muted">You can still review calls and watch the demo call.</p>
        {onSkip && (
          <button type="button" data-testid="skip-to-demo" onClick={onSkip.run}>
            {onSkip.label}
          </button>
        )}
      </div>
    );
  }

  const save = (): void => {
    setBusy(true);
    setMessage(null);
    rpc()
      .call('devices.choose', { agent, customer })
      .then((next) => {
        setMessage({ error: false, text: 'Saved' });
        onSaved(next);
      })
      .catch((err: Error) => setMessage({ error: true, text: err.message }))
      .finally(() => setBusy(false));
  };
  const options = list.inputs.map((d) => (
    <option key={`${d.id}-${d.name}`} value={d.name}>
      {d.name}
      {d.isDefault ? ' (default)' : ''} — {d.hostApi}
    </option>
  ));
  const same = agent !== '' && agent === customer;

  return (
    <div className="device-picker" data-testid="device-picker">
      <div className="field-row">
        <label htmlFor={`${id}-agent`}>Your microphone (agent)</label>
        <select id={`${id}-agent`} data-testid="agent-device" value={agent} onChange={(e) => setAgent(e.target.value)}>
          {options}
        </select>
      </div>
      <div className="field-row">
        <label htmlFor={`${id}-customer`}>Softphone output (customer)</label>
        <select id={`${id}-customer`} data-testid="customer-device" value={customer} onChange={(e) => setCustomer(e.target.value)} aria-describedby={`${id}-loopback`}>
          {options}
        </select>
      </div>
      <p className="muted hint" id={`${id}-loopback`}>
        The customer&apos;s voice is captured from what your softphone plays, through a loopback or monitor input (“Monitor of …” on Linux, “Stereo Mix” or a loopback
        device on Windows, a virtual device such as BlackHole on macOS), so pick the one that carries your headset&apos;s output.
      </p>
      {list.inputs.length === 0 && <p className="error">No audio inputs were found.</p>}
      {same && <p className="error">The microphone and the softphone output should be two different inputs.</p>}
      <div className="row">
        <button type="button" data-testid="save-devices" onClick={save} disabled={busy || agent === '' || customer === '' || same}>
          {saveLabel}
        </button>
        {onSkip && (
          <button type="button" className="link" data-testid="skip-to-demo" onClick={onSkip.run}>
            {onSkip.label}
          </button>
        )}
        {message && (
          <span className={message.error ? 'error' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="devices-status">
            {message.text}
          </span>
        )}
      </div>
    </div>
  );
}

const VERDICT_TITLE: Record<LevelCheckResult['verdict'], string> = {
  ok: 'Sounds good',
  no_signal: 'No signal',
  no_speech: 'No speech heard',
  too_quiet: 'Too quiet',
  too_loud: 'Too loud',
  noisy: 'Too much background noise',
};

export function LevelCheck({ device, onResult, seconds = LEVEL_CHECK_SECONDS }: { device: string | null; onResult?(r: LevelCheckResult): void; seconds?: number }): React.JSX.Element {
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [result, setResult] = useState<LevelCheckResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  useEffect(() => () => void (timer.current && clearInterval(timer.current)), []);

  const run = (): void => {
    if (!device || running) return;
    setRunning(true);
    setResult(null);
    setError(null);
    setElapsed(0);
    const start = Date.now();
    timer.current = setInterval(() => setElapsed(Math.min(seconds, (Date.now() - start) / 1000)), 200);
    rpc()
      .call('devices.levelCheck', { device, seconds })
      .then((r) => {
        setResult(r);
        onResult?.(r);
      })
      .catch((err: Error) => setError(err.message))
      .finally(() => {
        if (timer.current) clearInterval(timer.current);
        timer.current = null;
        setRunning(false);
      });
  };
  const left = Math.max(0, Math.ceil(seconds - elapsed));

  return (
    <div className="level-check" data-testid="level-check-panel">
      <p className="muted">
        Press the button, then talk as you would on a call for {seconds} seconds{device ? ` (listening to “${device}”)` : ''}.
      </p>
      <div className="row">
        <button type="button" data-testid="level-check" onClick={run} disabled={!device || running}>
          {running ? 'Listening…' : result || error ? 'Check again' : 'Start the level check'}
        </button>
        {running && (
          <span className="countdown" data-testid="level-countdown" role="timer" aria-live="polite">
            {left > 0 ? `${left} s left` : 'Finishing…'}
          </span>
        )}
      </div>
      {running && <progress className="level-progress" data-testid="level-progress" max={seconds} value={elapsed} aria-label="Level check progress" />}
      {!device && <p className="muted">Choose your microphone first.</p>}
      {error && (
        <p className="error" role="alert" data-testid="level-error">
          {error}
        </p>
      )}
      {result && (
        <div className={`verdict verdict-${result.verdict}`} role="status" data-testid="level-verdict" data-verdict={result.verdict}>
          <strong>{VERDICT_TITLE[result.verdict]}</strong> — {result.message}
          <div className="muted small">
            speech {result.speechDbfs === null ? '—' : `${result.speechDbfs.toFixed(1)} dBFS`} · noise {result.noiseDbfs.toFixed(1)} dBFS · peak {result.peakDbfs.toFixed(1)} dBFS
            {result.clippedSamples > 0 ? ` · ${result.clippedSamples} clipped samples` : ''}
          </div>
        </div>
      )}
    </div>
  );
}

export function calibrationText(db: number | null): string {
  return db === null ? 'Not calibrated yet: run the level check.' : `Your speech level: ${db.toFixed(1)} dBFS (loud / soft cards are relative to it).`;
}
