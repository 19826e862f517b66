/**
 * The always-on-top coaching overlay: cards as they open and resolve, live meters, checklist progress
 * and status. Only the cards and controls take the mouse (the shell makes the rest click-through).
 */
import { useCallback, useEffect, useLayoutEffect, useState } from 'react';
import { DEFAULT_SETTINGS, RpcCallError, type AppSettings, type CallDetail, type SettingsPatch } from '../../../shared/rpc';
import { parsePlaybookText } from '../../../shared/playbook';
import type { NudgeFeedback, Severity } from '../../../shared/types';
import { clock, pct } from '../lib/format';
import { LEVEL_AXIS, paceAxis, useActiveTargets } from '../lib/targets';
import { measurePaint } from '../lib/paint';
import { onEvent, rpc } from '../lib/rpc';
import { SoftphonePanel } from '../softphone/SoftphonePanel';
import { useOverlay } from './store';
import { captionText } from './caption';
import { LastCallSync } from './SyncState';
import { fitToCall, nextDue, type Card, type RuleInfo } from './cards';
import './overlay.css';

/** LiveState.source of the demo call (see LiveService). */
const DEMO_SOURCE = 'Demo call';

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
    const loadRules = (text: string): void => {
      const parsed = parsePlaybookText(text);
      if (!parsed.ok) return;
      const rules = new Map<string, RuleInfo>(parsed.playbook.rules.map((r) => [r.id, { title: r.title, momentary: r.condition.type === 'event', group: r.group ?? null }]));
      useOverlay.getState().setRules(rules);
    };
    void client
      .call('playbook.get')
      .then((p) => loadRules(p.text))
      .catch(() => undefined);
    const offs = [
      onEvent('playbook.changed', (p) => loadRules(p.text)),
      onEvent('live.state', (l) => useOverlay.getState().setLive(l)),
      onEvent('live.nudge', (n) => useOverlay.getState().nudge(n)),
      onEvent('live.metrics', (m) => useOverlay.getState().setMetrics(m)),
      onEvent('live.status', (st) => useOverlay.getState().setStatus(st)),
      onEvent('live.transcript', (t) => useOverlay.getState().addTranscript(t)),
      onEvent('settings.changed', (st) => useOverlay.getState().configure(st.cardFadeSeconds * 1000, st.overlayMode)),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  // One timer, armed for the next change (a chip, a fade); none while nothing is due.
  const cards = useOverlay((s) => s.cards);
  const justNow = useOverlay((s) => s.justNow);
  const fadeMs = useOverlay((s) => s.fadeMs);
  useEffect(() => {
    const due = nextDue({ cards, justNow }, fadeMs);
    if (due === null) return;
    const timer = setTimeout(() => useOverlay.getState().tick(Date.now()), Math.max(0, due - Date.now()) + 10);
    return () => clearTimeout(timer);
  }, [cards, justNow, fadeMs]);
}

function feedback(card: Card, value: NudgeFeedback): void {
  const s = useOverlay.getState();
  if (value === 'dismissed') s.remove(card.nudge.id);
  else s.setFeedback(card.nudge.id, value);
  void rpc()
    .call('live.feedback', { nudgeId: card.nudge.id, feedback: value })
    .catch(() => undefined);
}

/** A thumb drawn, not an emoji: the fonts on agents' machines may have none. */
function Thumb({ up }: { up: boolean }): React.JSX.Element {
  return (
    <svg className="thumb" viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden style={up ? undefined : { transform: 'rotate(180deg)' }}>
      <path
        fill="currentColor"
        d="M2 21h4V9H2v12zm20-11c0-1.1-.9-2-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 7.9 6 8.4 6 9v10c0 1.1.9 2 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"
      />
    </svg>
  );
}

function CardView({ card, expanded, callMs }: { card: Card; expanded: boolean; callMs: number }): React.JSX.Element {
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
  const resolved = card.state === 'resolved';
  const classes = ['card', `sev-${nudge.severity}`, card.state, card.compact && 'chip', card.momentary && 'momentary', card.escalatedFrom && 'escalated'].filter(Boolean).join(' ');
  return (
    <li
      className={classes}
      data-testid="card"
      data-rule={nudge.ruleId}
      data-nudge={nudge.id}
      data-state={card.state}
      data-compact={card.compact}
      data-situation={card.situation}
      tabIndex={0}
      role="status"
      aria-label={`${nudge.severity}: ${nudge.title}. ${nudge.message}${resolved ? ' Resolved.' : ''}`}
      onKeyDown={onKey}
      {...interactiveProps()}
    >
      <span className="card-icon" aria-hidden>
        {resolved ? '✓' : ICON[nudge.severity]}
      </span>
      <div className="card-body">
        <div className="card-title">
          {nudge.title}
          {resolved && <span className="resolved-tag">resolved</span>}
          {card.escalatedFrom && !resolved && !card.compact && (
            <span className="escalated-tag" data-testid="escalated">
              was “{card.escalatedFrom}”
            </span>
          )}
        </div>
        {!card.compact && <div className="card-message">{nudge.message}</div>}
        {expanded && !card.compact && nudge.detail && <div className="card-detail">{fitToCall(nudge.detail, callMs)}</div>}
        {card.feedback && card.feedback !== 'dismissed' && (
          <div className="card-confirm" role="status" data-testid="feedback-confirm">
            {card.feedback === 'helpful' ? 'Thanks — marked helpful' : 'Thanks — marked not helpful'}
          </div>
        )}
      </div>
      {!card.compact && (
        <div className="card-actions">
          <button type="button" aria-label="Helpful" title="Helpful" aria-pressed={card.feedback === 'helpful'} data-testid="thumbs-up" onClick={() => feedback(card, 'helpful')}>
            <Thumb up />
          </button>
          <button type="button" aria-label="Not helpful" title="Not helpful" aria-pressed={card.feedback === 'not_helpful'} data-testid="thumbs-down" onClick={() => feedback(card, 'not_helpful')}>
            <Thumb up={false} />
          </button>
          <button type="button" aria-label="Dismiss" title="Dismiss" data-testid="dismiss" onClick={() => feedback(card, 'dismissed')}>
            ✕
          </button>
        </div>
      )}
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
      <span className={`meter-value${value === null && text !== '—' ? ' why' : ''}`} data-testid={`${testId}-value`}>
        {text}
      </span>
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

/** Whether the app is reachable, and whether it ever was on this page (a first connect is not a loss). */
function useConnection(): { connected: boolean; lost: boolean } {
  const client = rpc();
  const [state, setState] = useState({ connected: client.connected, ever: client.connected });
  useEffect(
    () =>
      client.onConnection((connected) => {
        setState((s) => ({ connected, ever: s.ever || connected }));
        if (!connected) return;
        // Back: what happened meanwhile (the call may have ended or started) comes from the app again.
        void client.call('live.state').then((l) => useOverlay.getState().setLive(l), () => undefined);
      }),
    [client],
  );
  return { connected: state.connected, lost: state.ever && !state.connected };
}

/** How long a running call may go without metrics (four a second) before the overlay says so. */
const STALL_MS = 1500;

/** True while a running call's metrics have stopped coming: the engine is not coaching. */
function useStalled(active: boolean): boolean {
  const [stalled, setStalled] = useState(false);
  useEffect(() => {
    if (!active) {
      setStalled(false);
      return;
    }
    const timer = setInterval(() => {
      const at = useOverlay.getState().metricsAt;
      setStalled(at !== null && Date.now() - at > STALL_MS);
    }, 250);
    return () => clearInterval(timer);
  }, [active]);
  return stalled;
}

/** Why a meter has no value yet, in a few words. */
const WAITING = { pace: 'needs more of your speech', volume: "you're not speaking", talk: 'after 30 s of talk' } as const;

function WrapUp({ callId, onClose }: { callId: string; onClose(): void }): React.JSX.Element | null {
  const [detail, setDetail] = useState<CallDetail | null>(null);
  useEffect(() => {
    let stale = false;
    const load = (): void =>
      void rpc()
        .call('calls.get', { id: callId })
        .then((d) => !stale && setDetail(d), () => undefined);
    load();
    const off = onEvent('calls.changed', (c) => c.callId === callId && load());
    return () => {
      stale = true;
      off();
    };
  }, [callId]);
  if (!detail || !detail.insights) return null;
  const top = [...detail.insights.items]
    .filter((i) => i.status !== 'good')
    .sort((a, b) => b.maxPoints - b.points - (a.maxPoints - a.points))
    .slice(0, 2);
  const href = `#/review/${encodeURIComponent(callId)}`;
  const openReview = (e: React.MouseEvent<HTMLAnchorElement>): void => {
    const client = rpc();
    if (client.shell !== 'electron') return;
    e.preventDefault();
    void client.call('app.openReview', { callId }).catch(() => undefined);
  };
  return (
    <section className="wrapup" aria-label="Call wrap-up" data-testid="wrapup" {...interactiveProps()}>
      <div className="wrapup-head">
        <span className="wrapup-score" data-testid="wrapup-score">
          {Math.round(detail.insights.score)}
        </span>
        <span>/ 100 · {clock(detail.meta.durationMs)} call</span>
        <span className="spacer" />
        <button type="button" aria-label="Close wrap-up" onClick={onClose}>
          ✕
        </button>
      </div>
      {top.length === 0 ? (
        <p>Nothing to work on: well done.</p>
      ) : (
        <ol aria-label="Top things to work on">
          {top.map((item) => {
            const ex = item.evidence[0];
            return (
              <li key={item.id} data-testid="wrapup-item">
                <strong>{item.title}</strong>: {item.advice || item.summary}
                {ex && (
                  <div className="example">
                    e.g. at {clock(ex.atMs)} — {ex.label}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <a href={href} target="cadence-review" data-testid="open-review" onClick={openReview}>
        Open review
      </a>
    </section>
  );
}

/** The overlay's own look: panel opacity and text size (saved in the settings). */
function ViewSettings({ settings }: { settings: Pick<AppSettings, 'overlayOpacity' | 'overlaySize'> }): React.JSX.Element {
  const save = (patch: SettingsPatch): void => void rpc().call('settings.set', patch).catch(() => undefined);
  return (
    <section className="view-settings" aria-label="Overlay look" data-testid="view-settings" {...interactiveProps()}>
      <label>
        Opacity
        <input type="range" min={0.4} max={1} step={0.05} value={settings.overlayOpacity} aria-label="Overlay opacity" onChange={(e) => save({ overlayOpacity: Number(e.target.value) })} />
      </label>
      <label>
        Text size
        <select aria-label="Overlay text size" value={settings.overlaySize} onChange={(e) => save({ overlaySize: e.target.value as AppSettings['overlaySize'] })}>
          <option value="small">Small</option>
          <option value="normal">Normal</option>
          <option value="large">Large</option>
        </select>
      </label>
    </section>
  );
}

function useLook(): Pick<AppSettings, 'overlayOpacity' | 'overlaySize'> {
  const [look, setLook] = useState<Pick<AppSettings, 'overlayOpacity' | 'overlaySize'>>({ overlayOpacity: DEFAULT_SETTINGS.overlayOpacity, overlaySize: DEFAULT_SETTINGS.overlaySize });
  useEffect(() => {
    const pick = (s: AppSettings): void => setLook({ overlayOpacity: s.overlayOpacity, overlaySize: s.overlaySize });
    void rpc().call('settings.get').then(pick, () => undefined);
    return onEvent('settings.changed', pick);
  }, []);
  return look;
}

export function Overlay(): React.JSX.Element {
  useLiveFeed();
  const live = useOverlay((s) => s.live);
  const cards = useOverlay((s) => s.cards);
  const justNow = useOverlay((s) => s.justNow);
  const metrics = useOverlay((s) => s.metrics);
  const status = useOverlay((s) => s.status);
  const transcript = useOverlay((s) => s.transcript);
  const fired = useOverlay((s) => s.fired);
  const rulesInfo = useOverlay((s) => s.rules);
  const mode = useOverlay((s) => s.mode);
  const ended = useOverlay((s) => s.ended);
  const expanded = mode === 'expanded';
  const look = useLook();
  const [showLook, setShowLook] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const [startError, setStartError] = useState<Error | null>(null);
  const start = (method: 'live.start' | 'live.startDemo'): void => {
    setStartError(null);
    void rpc()
      .call(method, {})
      .catch((err: Error) => setStartError(err));
  };

  // A final line is on screen once its caption paints: timed from the app receiving it.
  const lastLine = transcript.at(-1);
  useLayoutEffect(() => {
    if (expanded && lastLine?.receivedAt !== undefined) measurePaint(`${lastLine.channel}@${lastLine.startMs}`, lastLine.receivedAt, 'caption');
  }, [expanded, lastLine]);

  useEffect(() => {
    document.body.classList.add('overlay-body');
    return () => document.body.classList.remove('overlay-body');
  }, []);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 2500);
    return () => clearTimeout(timer);
  }, [toast]);

  const toggleMode = useCallback(() => {
    const next = useOverlay.getState().mode === 'expanded' ? 'compact' : 'expanded';
    useOverlay.getState().setMode(next);
    void rpc().call('settings.set', { overlayMode: next });
  }, []);

  const mark = useCallback(() => {
    if (useOverlay.getState().live.phase !== 'live') return;
    void rpc()
      .call('live.mark')
      .then(({ atMs }) => setToast(`Moment marked at ${clock(atMs)}`), (err: Error) => setToast(`Could not mark: ${err.message}`));
  }, []);

  // Keyboard: Escape dismisses the top card, E toggles compact / expanded, M marks a moment.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement) return;
      if (e.key === 'Escape') {
        const top = useOverlay.getState().cards[0];
        if (top) feedback(top, 'dismissed');
      } else if (e.key === 'e' || e.key === 'E') toggleMode();
      else if (e.key === 'm' || e.key === 'M') mark();
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
  }, [toggleMode, mark]);

  const { lost } = useConnection();
  const inCall = live.phase === 'live' || live.phase === 'starting';
  const stalled = useStalled(live.phase === 'live' && !lost);
  const demo = live.source === DEMO_SOURCE;
  const rules = live.ruleIds.length;
  const open = Object.values(fired).filter((v) => v === 'open').length;
  const wpm = metrics?.['agent.wpm'] ?? null;
  const level = metrics?.['agent.levelDb'] ?? null;
  const talk = metrics?.talkRatio ?? null;
  const statusText = demo
    ? 'Demo: a recorded call played through the coaching engine'
    : live.waiting
      ? 'Listening: the call starts when you and the customer both speak'
      : inCall
      ? (['agent', 'customer'] as const).map((ch) => `${ch === 'agent' ? 'You' : 'Customer'}: ${status[ch]?.state ?? 'opening'}`).join(' · ')
      : 'Idle';
  const waiting = (m: keyof typeof WAITING): string => (live.phase === 'live' ? WAITING[m] : '—');
  const int = interactiveProps();
  // The bands are the active playbook's: outside them is where its cards fire.
  const targets = useActiveTargets();
  const pace = paceAxis(targets);
  const classes = ['overlay', mode, `size-${look.overlaySize}`, lost && 'disconnected'].filter(Boolean).join(' ');

  return (
    <div className={classes} style={{ '--overlay-opacity': look.overlayOpacity } as React.CSSProperties} data-testid="overlay" data-phase={live.phase} data-connected={!lost}>
      <header className="overlay-bar" {...int}>
        <span className="drag-handle" title="Drag to move" aria-hidden>
          ⠿
        </span>
        <span className={`live-dot ${inCall && !lost ? 'on' : ''}`} aria-hidden />
        <span className="call-timer" data-testid="call-timer" aria-label="Call time">
          {live.waiting ? 'Waiting for the call…' : inCall ? clock(metrics?.tMs ?? 0) : 'No call'}
        </span>
        {inCall && demo && (
          <span className="demo-badge" data-testid="demo-badge" title="A recorded demo call, not a live one">
            DEMO
          </span>
        )}
        <span className="spacer" />
        {inCall ? (
          <>
            <button type="button" data-testid="mark" onClick={mark} disabled={live.phase !== 'live'} title="Mark this moment (M)">
              ★ Mark
            </button>
            <button type="button" data-testid="stop-call" onClick={() => void rpc().call('live.stop')} disabled={live.phase !== 'live'}>
              Stop
            </button>
          </>
        ) : (
          <>
            <button type="button" data-testid="start-call" onClick={() => start('live.start')} title="Calls from your microphone and softphone output: each starts when both sides speak and stops after a silence (Settings)">
              Start call
            </button>
            <button type="button" data-testid="start-demo" onClick={() => start('live.startDemo')}>
              Demo
            </button>
          </>
        )}
        <button type="button" aria-label="Overlay look" aria-expanded={showLook} data-testid="toggle-look" onClick={() => setShowLook((v) => !v)}>
          Aa
        </button>
        <button type="button" aria-label={expanded ? 'Compact mode' : 'Expanded mode'} data-testid="toggle-mode" onClick={toggleMode}>
          {expanded ? '▾' : '▸'}
        </button>
      </header>

      {lost && (
        <div className="overlay-banner disconnected" role="alert" data-testid="disconnected">
          Disconnected from Cadence — not coaching. Reconnecting…
        </div>
      )}
      {!lost && stalled && (
        <div className="overlay-banner stalled" role="alert" data-testid="stalled">
          The coaching engine is not responding — no cards right now.
        </div>
      )}
      {toast && (
        <div className="toast" role="status" data-testid="toast">
          {toast}
        </div>
      )}
      {showLook && <ViewSettings settings={look} />}

      {startError && !inCall && <StartError error={startError} onClose={() => setStartError(null)} />}
      {live.error && !inCall && (
        <div className="overlay-notice live-error" data-testid="live-error" title={live.error} {...int}>
          <span className="notice-text">Last call ended with an error: {live.error}</span>
        </div>
      )}

      {(!inCall || live.waiting) && ended && <WrapUp callId={ended} onClose={() => useOverlay.getState().closeWrapUp()} />}
      {!inCall && <LastCallSync callId={live.callId} />}

      {expanded && (
        <div {...int}>
          <SoftphonePanel />
        </div>
      )}

      {expanded && (
        <section className="meters" aria-label="Live meters" {...int}>
          <Meter testId="meter-pace" label="Pace" value={wpm} min={pace.min} max={pace.max} {...(targets && { band: { low: targets.paceWpm.min, high: targets.paceWpm.max } })} text={wpm === null ? waiting('pace') : `${Math.round(wpm)} wpm`} />
          <Meter testId="meter-volume" label="Volume" value={level} min={LEVEL_AXIS.min} max={LEVEL_AXIS.max} {...(targets && { band: { low: targets.levelDb.min, high: targets.levelDb.max } })} text={level === null ? waiting('volume') : `${Math.round(level)} dB`} />
          {/* Only too much talk gets a card live, so the band runs from none to the playbook's ceiling. */}
          <Meter testId="meter-talk" label="You talk" value={talk} min={0} max={1} {...(targets && { band: { low: 0, high: targets.talkRatio.max } })} text={talk === null ? waiting('talk') : pct(talk)} />
          <div className="checklist" data-testid="checklist" aria-label="Coaching checklist">
            <div className="checklist-head">
              <span className="meter-label">Checklist</span>
              <span />
              <span className="meter-value">{rules === 0 ? '—' : `${rules - open}/${rules} clear`}</span>
            </div>
            <ul className="checklist-items">
              {live.ruleIds.map((id) => {
                const state = fired[id] ?? 'quiet';
                return (
                  <li key={id} className={state} data-testid="checklist-item" data-rule={id} data-state={state} title={state === 'open' ? 'needs attention' : state === 'clear' ? 'handled' : 'all good so far'}>
                    <span className="mark" aria-hidden>
                      {state === 'open' ? '!' : state === 'clear' ? '✓' : '·'}
                    </span>
                    {rulesInfo.get(id)?.title ?? id}
                  </li>
                );
              })}
            </ul>
          </div>
          {live.talk && (
            <div className="talk-counts" data-testid="talk-counts" aria-label="Fillers and questions so far">
              <span className="meter-label">Words</span>
              <span data-testid="talk-agent">
                you: {live.talk.fillers.agent} {live.talk.fillers.agent === 1 ? 'filler' : 'fillers'}, {live.talk.questions.agent} {live.talk.questions.agent === 1 ? 'question' : 'questions'}
              </span>
              <span className="muted" data-testid="talk-customer">
                customer: {live.talk.questions.customer} {live.talk.questions.customer === 1 ? 'question' : 'questions'}
              </span>
            </div>
          )}
          {live.checklist && live.checklist.length > 0 && (
            <div className="checklist call-checklist" data-testid="call-checklist" aria-label="Call checklist">
              <div className="checklist-head">
                <span className="meter-label">Say</span>
                <span />
                <span className="meter-value">{`${live.checklist.filter((c) => c.tickedAtMs !== null).length}/${live.checklist.length} said`}</span>
              </div>
              <ul className="checklist-items">
                {live.checklist.map((c) => (
                  <li key={c.id} className={c.tickedAtMs === null ? 'quiet' : 'clear'} data-testid={`check-${c.id}`} aria-checked={c.tickedAtMs !== null} role="checkbox" title={c.tickedAtMs === null ? 'not said yet' : 'said'}>
                    <span className="mark" aria-hidden>
                      {c.tickedAtMs === null ? '○' : '✓'}
                    </span>
                    {c.title}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
      )}

      <ol className="cards" aria-live="polite" aria-label="Coaching cards">
        {cards.map((c) => (
          <CardView key={c.situation + c.openedAt} card={c} expanded={expanded} callMs={metrics?.tMs ?? 0} />
        ))}
      </ol>
      {justNow.length > 0 && (
        <ul className="just-now" aria-label="Just now" data-testid="just-now">
          {justNow.map((j) => (
            <li key={j.id} className={`sev-${j.severity}`} data-testid="just-now-item">
              {j.title} <span className="when">· just now</span>
            </li>
          ))}
        </ul>
      )}

      {expanded && (
        <footer className="overlay-status" data-testid="overlay-status">
          <div className="caption" data-testid="caption">
            {captionText(transcript, live)}
          </div>
          <div className="devices" data-testid="device-status">
            {statusText}
          </div>
        </footer>
      )}
    </div>
  );
}
