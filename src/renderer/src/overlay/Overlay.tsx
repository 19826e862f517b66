/**
 * The always-on-top coaching overlay: cards as they open and resolve, live meters, checklist progress
 * and status. Only the cards and controls take the mouse (the shell makes the rest click-through).
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { RpcCallError } from '../../../shared/rpc';
import type { NudgeFeedback, Severity } from '../../../shared/types';
import { clock, pct } from '../lib/format';
import { LEVEL_AXIS, paceAxis, useActiveTargets } from '../lib/targets';
import { measurePaint } from '../lib/paint';
import { onEvent, rpc } from '../lib/rpc';
import { SoftphonePanel } from '../softphone/SoftphonePanel';
import { expiryOf, useOverlay, type Card } from './store';
import { captionText } from './caption';

const ICON: Record<Severity, string> = { info: 'ℹ', coach: '◆', critical: '⚠' };

/** Tells the shell the pointer is over something clickable (Electron turns click-through off). */
function interactiveProps(): { onMouseEnter(): void; onMouseLeave(): void } {
  const client = rpc();
  if (client.shell !== 'electron') return { onMouseEnter() {}, onMouseLeave() {} };
  return {
    onMouseEnter: () => void client.call('overlay.setInteractive', { interactive: true }),
    onMouseLeave: () => void client.call('overlay.setInteractive', { interactive: false }),
  };
}

function useLiveFeed(): void {
  useEffect(() => {
    const s = useOverlay.getState();
    const client = rpc();
    void client.call('live.state').then(s.setLive);
    void client.call('settings.get').then((st) => s.configure(st.cardFadeSeconds * 1000, st.overlayMode));
    const offs = [
      onEvent('live.state', (l) => useOverlay.getState().setLive(l)),
      onEvent('live.nudge', (n) => useOverlay.getState().nudge(n)),
      onEvent('live.metrics', (m) => useOverlay.getState().setMetrics(m)),
      onEvent('live.status', (st) => useOverlay.getState().setStatus(st)),
      onEvent('live.transcript', (t) => useOverlay.getState().addTranscript(t)),
      onEvent('settings.changed', (st) => useOverlay.getState().configure(st.cardFadeSeconds * 1000, st.overlayMode)),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  // One timer, armed for the next card to leave; none while nothing is due.
  const cards = useOverlay((s) => s.cards);
  const fadeMs = useOverlay((s) => s.fadeMs);
  useEffect(() => {
    const due = cards.map((c) => expiryOf(c, fadeMs)).filter((t): t is number => t !== null);
    if (due.length === 0) return;
    const timer = setTimeout(() => useOverlay.getState().expire(Date.now()), Math.max(0, Math.min(...due) - Date.now()) + 10);
    return () => clearTimeout(timer);
  }, [cards, fadeMs]);
}

function feedback(card: Card, value: NudgeFeedback): void {
  const s = useOverlay.getState();
  if (value === 'dismissed') s.remove(card.nudge.id);
  else s.setFeedback(card.nudge.id, value);
  void rpc()
    .call('live.feedback', { nudgeId: card.nudge.id, feedback: value })
    .catch(() => undefined);
}

function CardView({ card, index, expanded }: { card: Card; index: number; expanded: boolean }): React.JSX.Element {
  const { nudge } = card;
  useLayoutEffect(() => {
    measurePaint(nudge.id, card.emittedAt);
  }, [nudge.id, card.emittedAt]);
  const onKey = (e: React.KeyboardEvent): void => {
    if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') feedback(card, 'dismissed');
    else if (e.key === '+' || e.key === '=') feedback(card, 'helpful');
    else if (e.key === '-') feedback(card, 'not_helpful');
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <li
      className={`card sev-${nudge.severity} ${card.state}${index > 0 ? ' older' : ''}`}
      data-testid="card"
      data-rule={nudge.ruleId}
      data-nudge={nudge.id}
      data-state={card.state}
      tabIndex={0}
      role="status"
      aria-label={`${nudge.severity}: ${nudge.title}. ${nudge.message}${card.state === 'resolved' ? ' Resolved.' : ''}`}
      onKeyDown={onKey}
      {...interactiveProps()}
    >
      <span className="card-icon" aria-hidden>
        {card.state === 'resolved' ? '✓' : ICON[nudge.severity]}
      </span>
      <div className="card-body">
        <div className="card-title">
          {nudge.title}
          {card.state === 'resolved' && <span className="resolved-tag">resolved</span>}
        </div>
        <div className="card-message">{nudge.message}</div>
        {expanded && nudge.detail && <div className="card-detail">{nudge.detail}</div>}
      </div>
      <div className="card-actions">
        <button type="button" aria-label="Helpful" aria-pressed={card.feedback === 'helpful'} data-testid="thumbs-up" onClick={() => feedback(card, 'helpful')}>
          ▲
        </button>
        <button type="button" aria-label="Not helpful" aria-pressed={card.feedback === 'not_helpful'} data-testid="thumbs-down" onClick={() => feedback(card, 'not_helpful')}>
          ▼
        </button>
        <button type="button" aria-label="Dismiss" data-testid="dismiss" onClick={() => feedback(card, 'dismissed')}>
          ✕
        </button>
      </div>
    </li>
  );
}

function Meter({ label, value, text, min, max, band, testId }: { label: string; value: number | null; text: string; min: number; max: number; band?: { low: number; high: number }; testId: string }): React.JSX.Element {
  const frac = (v: number): number => Math.min(1, Math.max(0, (v - min) / (max - min)));
  const outside = band && value !== null && (value < band.low || value > band.high);
  return (
    <div className="meter" data-testid={testId} data-band-low={band?.low} data-band-high={band?.high}>
      <span className="meter-label">{label}</span>
      <span className="meter-track" role="meter" aria-label={label} aria-valuemin={min} aria-valuemax={max} aria-valuenow={value ?? undefined}>
        {band && <span className="meter-band" style={{ left: `${frac(band.low) * 100}%`, width: `${(frac(band.high) - frac(band.low)) * 100}%` }} />}
        {value !== null && <span className={`meter-fill${outside ? ' outside' : ''}`} style={{ width: `${frac(value) * 100}%` }} />}
      </span>
      <span className="meter-value">{text}</span>
    </div>
  );
}

/** Opens Settings → Audio: the desktop shell shows its review window; a browser uses the link's own target. */
function openAudioSettings(e: React.MouseEvent<HTMLAnchorElement>): void {
  const client = rpc();
  if (client.shell !== 'electron') return;
  e.preventDefault();
  void client.call('app.openSettings', { section: 'audio' }).catch(() => undefined);
}

function StartError({ error, onClose }: { error: RpcCallError | Error; onClose(): void }): React.JSX.Element {
  const noDevices = error instanceof RpcCallError && error.code === 'no_devices';
  return (
    <div className="overlay-notice" role="alert" data-testid="start-error" data-code={error instanceof RpcCallError ? error.code : 'error'} {...interactiveProps()}>
      <span className="notice-text">{noDevices ? 'No audio devices chosen yet: pick your microphone and the softphone output first.' : `Could not start the call: ${error.message}`}</span>
      {noDevices && (
        <a href="#/settings/audio" target="cadence-review" data-testid="open-settings" onClick={openAudioSettings}>
          Open settings
        </a>
      )}
      <button type="button" aria-label="Close" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}

export function Overlay(): React.JSX.Element {
  useLiveFeed();
  const live = useOverlay((s) => s.live);
  const cards = useOverlay((s) => s.cards);
  const metrics = useOverlay((s) => s.metrics);
  const status = useOverlay((s) => s.status);
  const transcript = useOverlay((s) => s.transcript);
  const fired = useOverlay((s) => s.fired);
  const mode = useOverlay((s) => s.mode);
  const expanded = mode === 'expanded';
  const rootRef = useRef<HTMLDivElement>(null);
  const [startError, setStartError] = useState<Error | null>(null);
  const start = (method: 'live.start' | 'live.startDemo'): void => {
    setStartError(null);
    void rpc()
      .call(method, {})
      .catch((err: Error) => setStartError(err));
  };

  useEffect(() => {
    document.body.classList.add('overlay-body');
    return () => document.body.classList.remove('overlay-body');
  }, []);

  const toggleMode = useCallback(() => {
    const next = useOverlay.getState().mode === 'expanded' ? 'compact' : 'expanded';
    useOverlay.getState().setMode(next);
    void rpc().call('settings.set', { overlayMode: next });
  }, []);

  // Keyboard: Escape dismisses the top card, E toggles compact / expanded, M marks a moment.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key === 'Escape') {
        const top = useOverlay.getState().cards[0];
        if (top) feedback(top, 'dismissed');
      } else if (e.key === 'e' || e.key === 'E') toggleMode();
      else if ((e.key === 'm' || e.key === 'M') && useOverlay.getState().live.phase === 'live') void rpc().call('live.mark').catch(() => undefined);
    };
    window.addEventListener('keydown', onKey);
    const off = onEvent('overlay.command', ({ command }) => {
      const top = useOverlay.getState().cards[0];
      if (command === 'dismissTop' && top) feedback(top, 'dismissed');
      if (command === 'toggleMode') toggleMode();
    });
    return () => {
      window.removeEventListener('keydown', onKey);
      off();
    };
  }, [toggleMode]);

  const inCall = live.phase === 'live' || live.phase === 'starting';
  const rules = live.ruleIds.length;
  const open = Object.values(fired).filter((v) => v === 'open').length;
  const wpm = metrics?.['agent.wpm'] ?? null;
  const level = metrics?.['agent.levelDb'] ?? null;
  const talk = metrics?.talkRatio ?? null;
  const statusText = (['agent', 'customer'] as const).map((ch) => `${ch}: ${status[ch]?.state ?? (inCall ? 'opening' : 'idle')}`).join(' · ');
  const int = interactiveProps();
  // The bands are the active playbook's: outside them is where its cards fire.
  const targets = useActiveTargets();
  const pace = paceAxis(targets);

  return (
    <div className={`overlay ${mode}`} ref={rootRef} data-testid="overlay" data-phase={live.phase}>
      <header className="overlay-bar" {...int}>
        <span className="drag-handle" title="Drag to move" aria-hidden>
          ⠿
        </span>
        <span className={`live-dot ${inCall ? 'on' : ''}`} aria-hidden />
        <span className="call-timer" data-testid="call-timer" aria-label="Call time">
          {inCall ? clock(metrics?.tMs ?? 0) : 'No call'}
        </span>
        <span className="spacer" />
        {inCall ? (
          <button type="button" data-testid="stop-call" onClick={() => void rpc().call('live.stop')} disabled={live.phase !== 'live'}>
            Stop
          </button>
        ) : (
          <>
            <button type="button" data-testid="start-call" onClick={() => start('live.start')} title="A call from your microphone and softphone output">
              Start call
            </button>
            <button type="button" data-testid="start-demo" onClick={() => start('live.startDemo')}>
              Start demo call
            </button>
          </>
        )}
        <button type="button" aria-label={expanded ? 'Compact mode' : 'Expanded mode'} data-testid="toggle-mode" onClick={toggleMode}>
          {expanded ? '▾' : '▸'}
        </button>
      </header>

      {startError && !inCall && <StartError error={startError} onClose={() => setStartError(null)} />}
      {live.error && !inCall && (
        <div className="overlay-notice live-error" data-testid="live-error" title={live.error} {...int}>
          <span className="notice-text">Last call ended with an error: {live.error}</span>
        </div>
      )}

      {expanded && (
        <div {...int}>
          <SoftphonePanel />
        </div>
      )}

      {expanded && (
        <section className="meters" aria-label="Live meters" {...int}>
          <Meter testId="meter-pace" label="Pace" value={wpm} min={pace.min} max={pace.max} {...(targets && { band: { low: targets.paceWpm.min, high: targets.paceWpm.max } })} text={wpm === null ? '—' : `${Math.round(wpm)} wpm`} />
          <Meter testId="meter-volume" label="Volume" value={level} min={LEVEL_AXIS.min} max={LEVEL_AXIS.max} {...(targets && { band: { low: targets.levelDb.min, high: targets.levelDb.max } })} text={level === null ? '—' : `${Math.round(level)} dB`} />
          {/* Only too much talk gets a card live, so the band runs from none to the playbook's ceiling. */}
          <Meter testId="meter-talk" label="You talk" value={talk} min={0} max={1} {...(targets && { band: { low: 0, high: targets.talkRatio.max } })} text={pct(talk)} />
          <div className="checklist" data-testid="checklist" aria-label="Coaching checklist">
            <span className="meter-label">Checklist</span>
            <span className="checklist-dots">
              {live.ruleIds.map((id) => (
                <span key={id} className={`dot ${fired[id] ?? 'quiet'}`} title={`${id}: ${fired[id] === 'open' ? 'needs attention' : fired[id] === 'clear' ? 'handled' : 'all good'}`} />
              ))}
            </span>
            <span className="meter-value">{rules === 0 ? '—' : `${rules - open}/${rules} clear`}</span>
          </div>
          {live.checklist && live.checklist.length > 0 && (
            <div className="checklist call-checklist" data-testid="call-checklist" aria-label="Call checklist">
              <span className="meter-label">Call</span>
              <span className="checklist-items">
                {live.checklist.map((c) => (
                  <span key={c.id} className={`check-item ${c.tickedAtMs === null ? 'todo' : 'done'}`} data-testid={`check-${c.id}`} aria-checked={c.tickedAtMs !== null} role="checkbox">
                    {c.tickedAtMs === null ? '○' : '✓'} {c.title}
                  </span>
                ))}
              </span>
              <span className="meter-value">{`${live.checklist.filter((c) => c.tickedAtMs !== null).length}/${live.checklist.length}`}</span>
            </div>
          )}
        </section>
      )}

      <ol className="cards" aria-live="polite" aria-label="Coaching cards">
        {cards.map((c, i) => (
          <CardView key={c.nudge.id} card={c} index={i} expanded={expanded} />
        ))}
      </ol>

      {expanded && (
        <footer className="overlay-status" data-testid="overlay-status">
          <div className="caption" data-testid="caption">
            {captionText(transcript, live)}
          </div>
          <div className="devices">{statusText}</div>
        </footer>
      )}
    </div>
  );
}
