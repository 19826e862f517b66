/**
 * One call: a sticky player (speeds, keyboard) over a timeline with lanes per speaker, cards and marks;
 * the transcript that follows playback and seeks on click; bookmarks; charts with axes that seek;
 * cards with feedback, the score's breakdown, notes and tags, delete. Every moment shows one time.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { validatePlaybook } from '../../../shared/playbook';
import type { CallInsights } from '../../../shared/insights';
import type { CallDetail as Detail } from '../../../shared/rpc';
import type { EventType, Nudge, NudgeFeedback } from '../../../shared/types';
import { clock, dateTime, pct } from '../lib/format';
import { onEvent, rpc } from '../lib/rpc';
import { LEVEL_AXIS, paceAxis, useActiveTargets } from '../lib/targets';
import { LineChart } from './Charts';
import { cardMoment, evidenceMoment, ruleEvents } from './moments';
import { Player } from './Player';
import { Timeline } from './Timeline';
import { TranscribeButton } from './TranscribeButton';
import { SyncPanel } from './SyncPanel';
import { LanguageInsightsView } from './Insights';

/** Which event each rule of the active playbook is about (for one time per moment). */
function useRuleEvents(): ReadonlyMap<string, EventType> {
  const [map, setMap] = useState<ReadonlyMap<string, EventType>>(new Map());
  useEffect(() => {
    let stale = false;
    rpc()
      .call('playbook.get')
      .then((st) => {
        const r = validatePlaybook(JSON.parse(st.text));
        if (!stale && r.ok) setMap(ruleEvents(r.playbook));
      })
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, []);
  return map;
}

/** Keys that drive playback, unless the person is typing or on a control that uses them. */
function usePlayerKeys(handlers: { toggle(): void; skip(ms: number): void; card(dir: 1 | -1): void }): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const on = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || (t && t.closest('input, textarea, select, button, audio, [role="slider"], [role="listbox"]'))) return;
      const h = ref.current;
      if (e.key === ' ') h.toggle();
      else if (e.key === 'ArrowRight') h.skip(5000);
      else if (e.key === 'ArrowLeft') h.skip(-5000);
      else if (e.key === 'n' || e.key === 'N') h.card(1);
      else if (e.key === 'p' || e.key === 'P') h.card(-1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
}

function NudgeRow({ callId, nudge, momentMs, onSeek }: { callId: string; nudge: Nudge; momentMs: number; onSeek(ms: number): void }): React.JSX.Element {
  const [fb, setFb] = useState<NudgeFeedback | null>(nudge.feedback ?? null);
  const [error, setError] = useState<string | null>(null);
  const give = (value: NudgeFeedback): void => {
    const next = fb === value ? null : value;
    setFb(next);
    rpc()
      .call('calls.feedback', { callId, nudgeId: nudge.id, feedback: next })
      .then(() => setError(null))
      .catch((err: Error) => setError(err.message));
  };
  return (
    <li className={`nudge-row sev-${nudge.severity}`} data-testid="nudge-row" data-nudge={nudge.id}>
      <button type="button" className="link" data-testid="nudge-time" data-at={momentMs} onClick={() => onSeek(momentMs)}>
        {clock(momentMs)}
      </button>
      <div className="nudge-text">
        <strong>{nudge.title}</strong> — {nudge.message}
        {nudge.endMs !== null && <span className="muted"> (resolved after {Math.round((nudge.endMs - nudge.atMs) / 1000)} s)</span>}
        {error && <div className="error">{error}</div>}
      </div>
      <button type="button" aria-label="Helpful" aria-pressed={fb === 'helpful'} data-testid="review-thumbs-up" onClick={() => give('helpful')}>
        ▲
      </button>
      <button type="button" aria-label="Not helpful" aria-pressed={fb === 'not_helpful'} data-testid="review-thumbs-down" onClick={() => give('not_helpful')}>
        ▼
      </button>
    </li>
  );
}

/** The first transcript line holding every word of a search, case and punctuation aside; -1 when none does. */
function lineMatching(transcript: Detail['transcript'], search: string): number {
  const terms = search.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (terms.length === 0) return -1;
  return transcript.findIndex((t) => {
    const words = new Set(t.text.toLowerCase().split(/[^\p{L}\p{N}]+/u));
    return terms.every((term) => [...words].some((w) => w.startsWith(term)));
  });
}

/** `found`: the search the call was opened from; the player starts at the first line it matched. */
/** `found`: the search the call was opened from; the player starts at the first line it matched. */
export function CallDetail({ id, found = '', onDelete }: { id: string; found?: string; onDelete(title: string): void }): React.JSX.Element {
  const [call, setCall] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [positionMs, setPositionMs] = useState(0);
  const [notes, setNotes] = useState('');
  const [tags, setTags] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const transcriptRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let stale = false;
    setCall(null);
    setPositionMs(0);
    rpc()
      .call('calls.get', { id })
      .then((c) => {
        if (stale) return;
        setCall(c);
        setNotes(c.meta.notes);
        setTags(c.meta.tags.join(', '));
        setError(null);
      })
      .catch((err: Error) => !stale && setError(err.message));
    // A finished call is scored once more when it is stored: take the new score, keep the edits in progress.
    const off = onEvent('calls.changed', ({ callId }) => {
      if (callId !== id) return;
      void rpc()
        .call('calls.get', { id })
        .then((c) => !stale && setCall(c))
        .catch(() => undefined);
    });
    return () => {
      stale = true;
      off();
    };
  }, [id]);

  const seek = useCallback((ms: number) => {
    const a = audio.current;
    if (a) a.currentTime = ms / 1000;
    setPositionMs(ms);
  }, []);

  // Opened from a search: play the moment it matched (once per call and search).
  const sought = useRef<string | null>(null);
  useEffect(() => {
    if (!call || !found || sought.current === `${id}|${found}`) return;
    sought.current = `${id}|${found}`;
    const at = lineMatching(call.transcript, found);
    if (at >= 0) seek(call.transcript[at]!.startMs);
  }, [call, id, found, seek]);

  // The transcript follows playback: the current line scrolls into view.
  // (the last line started by now; a seek may land a few ms before the line it aimed at)
  const current = call ? call.transcript.findLastIndex((t) => t.startMs <= positionMs + 250 && positionMs < t.endMs + 1500) : -1;
  useEffect(() => {
    if (current < 0) return;
    const el = transcriptRef.current?.children[current] as HTMLElement | undefined;
    el?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  // A call is shown against the targets it was scored with; one scored before those were kept, against the active playbook's.
  const active = useActiveTargets();
  const targets = call?.insights?.targets ?? active;
  const pace = paceAxis(targets);
  const causes = useRuleEvents();
  const moments = useMemo(() => new Map((call?.report.nudges ?? []).map((n) => [n.id, cardMoment(n, call!.report.events, causes)])), [call, causes]);
  const cardTimes = useMemo(() => [...moments.values()].sort((a, b) => a - b), [moments]);
  usePlayerKeys({
    toggle: () => {
      const a = audio.current;
      if (a) void (a.paused ? a.play().catch(() => undefined) : a.pause());
    },
    skip: (ms) => seek(Math.max(0, Math.min(call?.report.durationMs ?? 0, positionMs + ms))),
    card: (dir) => {
      // Half a second of slack so "previous" from just after a card goes to the one before it.
      const next = dir > 0 ? cardTimes.find((t) => t > positionMs + 500) : cardTimes.findLast((t) => t < positionMs - 500);
      if (next !== undefined) seek(next);
    },
  });

  if (error) return <section className="call-detail error">{error}</section>;
  if (!call) return <section className="call-detail muted">Loading…</section>;
  const { meta, report } = call;

  const save = (): void => {
    const patch = { notes, tags: tags.split(',').map((t) => t.trim()).filter(Boolean) };
    rpc()
      .call('calls.update', { id, patch })
      .then(() => setSaved('Saved'))
      .catch((err: Error) => setSaved(err.message));
  };

  return (
    <section className="call-detail" data-testid="call-detail" data-call={id}>
      <header className="detail-head">
        <h2>{meta.title || 'Untitled call'}</h2>
        <span className="muted">
          {dateTime(meta.startedAt)} · {clock(meta.durationMs)} · {meta.status}
        </span>
      </header>

      <Player ref={audio} url={call.recordingUrl} error={call.recordingError} onPosition={setPositionMs}>
        <Timeline durationMs={report.durationMs} speech={report.speech} events={report.events} nudges={report.nudges} moments={moments} positionMs={positionMs} onSeek={seek} />
      </Player>

      <div className="detail-grid">
        <div>
          <h3>Transcript</h3>
          {!call.hasWords && meta.status !== 'live' && <TranscribeButton callId={id} hasRecording={call.recordingUrl !== null} />}
          {call.transcript.length === 0 ? (
            <p className="muted">No transcript.</p>
          ) : (
            <ol className="transcript" ref={transcriptRef}>
              {call.transcript.map((t, i) => (
                <li key={i} className={`${t.channel}${i === current ? ' current' : ''}`}>
                  <button type="button" data-testid="transcript-line" data-start={t.startMs} onClick={() => seek(t.startMs)}>
                    <span className="ts">{clock(t.startMs)}</span>
                    <span className="who">{t.channel === 'agent' ? 'You' : 'Customer'}</span>
                    <span className="text">{t.text}</span>
                    {t.channel === 'agent' && <LinePace wpm={t.wpm} />}
                  </button>
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h3>Summary</h3>
          <dl className="summary" data-testid="summary">
            <dt>Score</dt>
            <dd>{meta.score === null ? '—' : Math.round(meta.score)}</dd>
            <dt>You talked</dt>
            <dd>{pct(report.talkRatio)}</dd>
            <dt>Your pace</dt>
            <dd title={report.paceSource === 'words' ? 'counted from the transcript' : 'estimated from the audio'}>
              {report.channels.agent.wpm === null ? '—' : `${Math.round(report.channels.agent.wpm)} wpm${report.paceSource === 'words' ? ' (words)' : ''}`}
            </dd>
            <dt>Longest monologue</dt>
            <dd>{clock(report.longestMonologueMs)}</dd>
            <dt>Interruptions</dt>
            <dd>{report.channels.agent.interruptions}</dd>
            <dt>Mean response</dt>
            <dd>{report.meanResponseMs === null ? '—' : `${(report.meanResponseMs / 1000).toFixed(1)} s`}</dd>
          </dl>
          <Bookmarks marks={report.events.filter((e) => e.type === 'mark').map((e) => e.startMs)} onSeek={seek} />
          {call.insights && <Insights insights={call.insights} onSeek={seek} momentOf={(e) => evidenceMoment(e, report.nudges, moments)} />}
          {call.insights?.language && <LanguageInsightsView callId={id} language={call.insights.language} onSeek={seek} />}
          <h3>Cards</h3>
          <ol className="nudges">
            {report.nudges.length === 0 && <li className="muted">No cards on this call.</li>}
            {report.nudges.map((n) => (
              <NudgeRow key={n.id} callId={id} nudge={n} momentMs={moments.get(n.id) ?? n.atMs} onSeek={seek} />
            ))}
          </ol>
        </div>
      </div>

      <div className="charts">
        <LineChart testId="chart-pace" title="Your pace" unit="wpm" timeline={report.timeline} durationMs={report.durationMs} value={(p) => p.agent.wpm} min={pace.min} max={pace.max} positionMs={positionMs} onSeek={seek} {...(targets && { band: { low: targets.paceWpm.min, high: targets.paceWpm.max } })} />
        <LineChart testId="chart-volume" title="Your volume" unit="dBFS" timeline={report.timeline} durationMs={report.durationMs} value={(p) => (p.agent.speaking ? p.agent.dbfs : null)} min={LEVEL_AXIS.min} max={LEVEL_AXIS.max} positionMs={positionMs} onSeek={seek} {...(targets && { band: { low: targets.levelDb.min, high: targets.levelDb.max } })} />
        <LineChart testId="chart-talk" title="Your share of the talking" unit="%" format={(v) => `${Math.round(v * 100)}%`} timeline={report.timeline} durationMs={report.durationMs} value={(p) => p.talkRatio} min={0} max={1} positionMs={positionMs} onSeek={seek} {...(targets && { band: { low: targets.talkRatio.min, high: targets.talkRatio.max } })} />
      </div>

      <SyncPanel callId={id} positionMs={positionMs} onSeek={seek} />

      <div className="notes">
        <label>
          Notes
          <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} />
        </label>
        <label>
          Tags (comma separated)
          <input value={tags} onChange={(e) => setTags(e.target.value)} />
        </label>
        <div className="row">
          <button type="button" onClick={save}>
            Save notes
          </button>
          {saved && <span className="muted">{saved}</span>}
          <span className="spacer" />
          <button
            type="button"
            data-testid="export-call"
            onClick={() =>
              void rpc()
                .call('calls.export', { id })
                .then((r) => {
                  if (r.downloadUrl) {
                    const a = document.createElement('a');
                    a.href = r.downloadUrl;
                    a.download = '';
                    a.click();
                  }
                  setSaved(r.path ? `Exported to ${r.path}` : 'Export downloading');
                })
                .catch((err: Error) => setSaved(err.message))
            }
          >
            Export .cadence
          </button>
          <button
            type="button"
            className="danger"
            data-testid="delete-call"
            disabled={meta.status === 'live'}
            title={meta.status === 'live' ? 'The call is still running' : 'You can undo this for a few seconds'}
            onClick={() => onDelete(meta.title || 'Untitled call')}
          >
            Delete call
          </button>
        </div>
      </div>
    </section>
  );
}

const STATUS_LABEL = { good: 'Good', improve: 'To improve', problem: 'Needs work' } as const;

/** The score's breakdown: each part against its target, what to do, and where it happened. */
function Insights({ insights, onSeek, momentOf }: { insights: CallInsights; onSeek: (ms: number) => void; momentOf: (e: { atMs: number; label: string }) => number }): React.JSX.Element {
  return (
    <section className="insights" data-testid="insights" aria-label="Score breakdown">
      <h3>
        Score <span data-testid="score">{insights.score}</span>/100
      </h3>
      <ul>
        {insights.items.map((i) => (
          <li key={i.id} className={`insight ${i.status}`} data-testid={`insight-${i.id}`}>
            <div className="insight-head">
              <strong>{i.title}</strong>
              <span className={`badge ${i.status}`}>{STATUS_LABEL[i.status]}</span>
              <span className="muted">
                {Math.round(i.points)}/{i.maxPoints}
              </span>
            </div>
            <div>{i.summary}</div>
            {i.advice && <div className="muted">{i.advice}</div>}
            {i.evidence.length > 0 && (
              <div className="evidence">
                {i.evidence.map((e, k) => {
                  const at = momentOf(e);
                  return (
                    <button key={k} type="button" className="link" data-testid="evidence" data-at={at} onClick={() => onSeek(at)} title={`Play from ${clock(at)}`}>
                      {clock(at)} {e.label}
                    </button>
                  );
                })}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The moments the agent marked during the call (M in the overlay, or the shortcut). */
function Bookmarks({ marks, onSeek }: { marks: readonly number[]; onSeek: (ms: number) => void }): React.JSX.Element {
  return (
    <section className="bookmarks" data-testid="bookmarks" aria-labelledby="bookmarks-title">
      <h3 id="bookmarks-title">Your marks</h3>
      {marks.length === 0 ? (
        <p className="muted small">None on this call. Press M in the overlay during a call to mark a moment.</p>
      ) : (
        <ol>
          {marks.map((ms, i) => (
            <li key={i}>
              <button type="button" className="link" data-testid="bookmark" data-at={ms} onClick={() => onSeek(ms)}>
                Mark {i + 1} at {clock(ms)}
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The agent's pace in this line, from its words (per-turn pace; the summary gives the whole call's). */
function LinePace({ wpm }: { wpm: number | null | undefined }): React.JSX.Element | null {
  return wpm === null || wpm === undefined ? null : (
    <span className="line-pace" data-testid="line-pace" title="your pace in this line, from its words">
      {wpm} wpm
    </span>
  );
}
