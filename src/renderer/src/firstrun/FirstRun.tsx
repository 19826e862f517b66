/**
 * First run, in the review window: (1) pick the microphone and the softphone output, (2) a 10-second
 * level check on the microphone, (3) the demo call in the overlay. Finishing or skipping marks first run
 * done in the settings, so it shows once.
 */
import { useEffect, useRef, useState } from 'react';
import type { LevelCheckResult } from '../../../shared/rpc';
import { rpc } from '../lib/rpc';
import { DevicePicker, LevelCheck, useDevices } from '../settings/audio';

type Step = 'devices' | 'level' | 'demo';
const STEPS: readonly { id: Step; label: string }[] = [
  { id: 'devices', label: 'Devices' },
  { id: 'level', label: 'Level check' },
  { id: 'demo', label: 'Demo call' },
];

/** Opens the overlay view: the desktop overlay window exists already; in a browser, a window of its own. */
export function openOverlay(): void {
  if (rpc().shell === 'browser') window.open(`${location.pathname}#/overlay`, 'cadence-overlay', 'popup,width=380,height=720');
}

export function FirstRun({ onDone }: { onDone(): void }): React.JSX.Element {
  const { list, error, setList } = useDevices();
  const [step, setStep] = useState<Step>('devices');
  const [level, setLevel] = useState<LevelCheckResult | null>(null);
  const [demoError, setDemoError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [step]);

  const finish = async (): Promise<void> => {
    await rpc().call('settings.set', { firstRunDone: true });
    onDone();
  };
  const startDemo = (): void => {
    setDemoError(null);
    // Opened inside the click, before any await, so no popup blocker objects.
    openOverlay();
    rpc()
      .call('live.startDemo', {})
      .then(() => finish())
      .catch((err: Error) => setDemoError(err.message));
  };
  const agent = list?.remembered?.agent ?? null;

  return (
    <main className="first-run" data-testid="first-run" data-step={step}>
      <h1>Welcome to Cadence</h1>
      <p className="muted">Three short steps: your audio devices, a level check, and a demo call. Everything stays on this computer.</p>
      <ol className="steps" aria-label="Setup steps">
        {STEPS.map((s, i) => (
          <li key={s.id} aria-current={s.id === step ? 'step' : undefined} className={s.id === step ? 'current' : ''}>
            {i + 1}. {s.label}
          </li>
        ))}
      </ol>

      {step === 'devices' && (
        <section className="step" aria-labelledby="fr-devices" data-testid="step-devices">
          <h2 id="fr-devices" tabIndex={-1} ref={heading}>
            Pick your devices
          </h2>
          {error && <p className="error">{error}</p>}
          {!list && !error && <p className="muted">Looking for audio inputs…</p>}
          {list && <DevicePicker list={list} saveLabel="Save and continue" onSaved={(l) => {
                setList(l);
                setStep('level');
              }} onSkip={{ label: 'Skip to the demo call', run: () => setStep('demo') }} />}
        </section>
      )}

      {step === 'level' && (
        <section className="step" aria-labelledby="fr-level" data-testid="step-level">
          <h2 id="fr-level" tabIndex={-1} ref={heading}>
            Check your microphone level
          </h2>
          <LevelCheck device={agent} onResult={setLevel} />
          <div className="row step-actions">
            <button type="button" className="link" onClick={() => setStep('devices')}>
              Back
            </button>
            <span className="spacer" />
            <button type="button" data-testid="level-continue" className={level?.verdict === 'ok' ? 'primary' : ''} onClick={() => setStep('demo')}>
              {level?.verdict === 'ok' ? 'Continue' : 'Skip for now'}
            </button>
          </div>
        </section>
      )}

      {step === 'demo' && (
        <section className="step" aria-labelledby="fr-demo" data-testid="step-demo">
          <h2 id="fr-demo" tabIndex={-1} ref={heading}>
            See it coach a call
          </h2>
          <p>
            The demo plays a recorded two-sided call through the live engine in real time. Watch the overlay: cards open when something needs attention and resolve
            on their own, within the first minute.
          </p>
          <div className="row step-actions">
            <button type="button" className="primary" data-testid="start-demo-first-run" onClick={startDemo}>
              Start the demo call
            </button>
            <button type="button" className="link" data-testid="finish-first-run" onClick={() => void finish()}>
              Finish without the demo
            </button>
          </div>
          {demoError && (
            <p className="error" role="alert">
              {demoError}
            </p>
          )}
        </section>
      )}

      <p className="skip-setup">
        <button type="button" className="link" data-testid="skip-first-run" onClick={() => void finish()}>
          Skip setup
        </button>{' '}
        <span className="muted">(devices can be chosen later in Settings → Audio)</span>
      </p>
    </main>
  );
}
