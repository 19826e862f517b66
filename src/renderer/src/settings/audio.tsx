/**
 * Audio devices, shared by the first-run flow and Settings → Audio: the two pickers (the agent's
 * microphone and the softphone's output, captured through a loopback / monitor input) and the
 * 10-second level check with its countdown and verdict.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { DeviceLevels, DeviceList, LevelCheckResult } from '../../../shared/rpc';
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
  // Hot-plug: a headset plugged in (or unplugged) shows up without Rescan while this page is in front.
  // The app lists devices afresh on every call; the list is only replaced when its names change.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      // Listing re-opens the audio system; not while a call is capturing.
      void (async () => {
        if ((await rpc().call('live.state')).phase !== 'idle') return;
        const l = await rpc().call('devices.list');
        setList((old) => (old && sameNames(old, l) ? old : l));
      })().catch(() => undefined);
    }, HOTPLUG_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  return { list, error, reload, setList };
}

const HOTPLUG_POLL_MS = 3000;
const sameNames = (a: DeviceList, b: DeviceList): boolean => a.inputs.map((d) => d.name).join('\n') === b.inputs.map((d) => d.name).join('\n');

const LOOPBACK = /monitor|loopback|stereo mix|blackhole|what u hear/i;
const isLoopback = (d: DeviceList['inputs'][number]): boolean => LOOPBACK.test(d.name) || LOOPBACK.test(d.description ?? '');

/**
 * A first guess: the remembered device, else the default input that is not a loopback (agent), or a
 * loopback / monitor input (customer). No loopback found: no guess — a microphone on the customer
 * channel would coach the agent's own voice as the customer's.
 */
function guess(list: DeviceList, role: 'agent' | 'customer'): string {
  const remembered = list.remembered?.[role];
  if (remembered && list.inputs.some((d) => d.name === remembered)) return remembered;
  if (role === 'customer') return list.inputs.find((d) => isLoopback(d) && !/agent|mic/i.test(`${d.name} ${d.description ?? ''}`))?.name ?? list.inputs.find(isLoopback)?.name ?? '';
  return list.inputs.find((d) => d.isDefault && !isLoopback(d))?.name ?? list.inputs.find((d) => !isLoopback(d))?.name ?? list.inputs[0]?.name ?? '';
}

/** A level meter beside a picker: -70 to 0 dBFS. */
function Meter({ testId, db, label }: { testId: string; db: number | null; label: string }): React.JSX.Element {
  const pct = db === null ? 0 : Math.max(0, Math.min(100, ((db + 70) / 70) * 100));
  return (
    <span className="device-meter" data-testid={testId} data-db={db ?? ''}>
      <meter min={0} max={100} low={15} high={85} optimum={60} value={pct} aria-label={label} />
      <span className="small muted">{db === null ? '—' : db <= -70 ? 'silent' : `${Math.round(db)} dB`}</span>
    </span>
  );
}

/** Listens to both inputs in short turns while on (at most a minute), for the meters and the same-signal check. */
function useListening(agent: string, customer: string): { on: boolean; toggle(): void; levels: DeviceLevels | null; error: string | null } {
  const [on, setOn] = useState(false);
  const [levels, setLevels] = useState<DeviceLevels | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!on || !agent || !customer || agent === customer) return;
    let stop = false;
    const until = Date.now() + 60_000;
    void (async () => {
      while (!stop && Date.now() < until) {
        try {
          const l = await rpc().call('devices.listen', { agent, customer, ms: 700 });
          if (!stop) {
            setLevels(l);
            setError(null);
          }
        } catch (err) {
          if (!stop) setError((err as Error).message);
          break;
        }
      }
      if (!stop) setOn(false);
    })();
    return () => {
      stop = true;
    };
  }, [on, agent, customer]);
  return { on, toggle: () => setOn((x) => !x), levels, error };
}

export function DevicePicker({
  list,
  onSaved,
  saveLabel = 'Save devices',
  onSkip,
  onRescan,
}: {
  list: DeviceList;
  /** Lists the inputs again (a headset plugged in since). */
  onRescan?: () => void;
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
  const listening = useListening(agent, customer);
  const same = agent !== '' && agent === customer;

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
  const options = [
    <option key="" value="" disabled>
      Choose an input…
    </option>,
    ...list.inputs.map((d) => (
      <option key={`${d.id}-${d.name}`} value={d.name}>
        {d.description ? `${d.description} (${d.name})` : d.name}
        {d.isDefault ? ' — default' : ''}
      </option>
    )),
  ];
  const lv = listening.levels;

  return (
    <div className="device-picker" data-testid="device-picker">
      <div className="field-row">
        <label htmlFor={`${id}-agent`}>Your microphone (agent)</label>
        <select id={`${id}-agent`} data-testid="agent-device" value={agent} onChange={(e) => setAgent(e.target.value)}>
          {options}
        </select>
        {listening.on && <Meter testId="meter-agent" db={lv?.agent.levelDbfs ?? null} label="Microphone level" />}
      </div>
      <div className="field-row">
        <label htmlFor={`${id}-customer`}>Softphone output (customer)</label>
        <select id={`${id}-customer`} data-testid="customer-device" value={customer} onChange={(e) => setCustomer(e.target.value)} aria-describedby={`${id}-loopback`}>
          {options}
        </select>
        {listening.on && <Meter testId="meter-customer" db={lv?.customer.levelDbfs ?? null} label="Softphone output level" />}
      </div>
      <div className="row">
        <button type="button" data-testid="listen-devices" aria-pressed={listening.on} disabled={!agent || !customer || same} onClick={listening.toggle}>
          {listening.on ? 'Stop listening' : 'Listen to both inputs'}
        </button>
        {onRescan && (
          <button type="button" data-testid="rescan-devices" onClick={onRescan}>
            Look for devices again
          </button>
        )}
      </div>
      {listening.on && (
        <p className="muted hint" data-testid="customer-check">
          Speak: the microphone meter should move. Then play something through your softphone (a test call, a video in its output): the softphone meter should move, and
          not the microphone one.
        </p>
      )}
      {listening.error && (
        <p className="error" role="alert" data-testid="listen-error">
          {listening.error}
        </p>
      )}
      {lv?.sameSignal && (
        <p className="verdict verdict-no_signal" role="alert" data-testid="same-signal">
          Both inputs carry the same sound (they move together, r = {lv.correlation?.toFixed(2)}). The softphone output is probably your microphone or the same device:
          pick the monitor or loopback of your headset&apos;s output instead.
        </p>
      )}
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
