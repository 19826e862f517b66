/**
 * One call: player with a level track, the transcript that follows playback and seeks on click, the
 * timeline of cards and events, charts, cards with feedback, notes and tags, delete.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallInsights } from '../../../shared/insights';
import type { CallDetail as Detail } from '../../../shared/rpc';
import type { Nudge, NudgeFeedback } from '../../../shared/types';
import { clock, dateTime, pct } from '../lib/format';
import { onEvent, rpc } from '../lib/rpc';
import { LEVEL_AXIS, paceAxis, useActiveTargets } from '../lib/targets';
import { LevelTrack, LineChart } from './Charts';
import { LanguageInsightsView } from './Insights';

function NudgeRow({ callId, nudge, onSeek }: { callId: string; nudge: Nudge; onSeek(ms: number): void }): React.JSX.Element {
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
      <button type="button" className="link" onClick={() => onSeek(nudge.conditionSinceMs)}>
        {clock(nudge.atMs)}
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

export function CallDetail({ id, onDeleted }: { id: string; onDeleted(): void }): React.JSX.Element {
  const [call, setCall] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [positionMs, setPositionMs] = useState(0);
  const [notes, setNotes] = useState('');
  const [tags, setTags] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const audio = useRef<HTMLAudioElement>(null);
  const transcriptRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let stale = false;
    setCall(null);
    setPositionMs(0);
    setConfirmDelete(false);
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

      <div className="player">
        {call.recordingUrl ? (
          <audio
            ref={audio}
            controls
            preload="metadata"
            src={call.recordingUrl}
            data-testid="player"
            onTimeUpdate={(e) => setPositionMs(e.currentTarget.currentTime * 1000)}
            onSeeked={(e) => setPositionMs(e.currentTarget.currentTime * 1000)}
          />
        ) : (
          <div className="muted" data-testid="no-recording">
            {call.recordingError ? `No audio: ${call.recordingError}` : 'No recording for this call.'}
          </div>
        )}
        <LevelTrack timeline={report.timeline} durationMs={report.durationMs} nudges={report.nudges} events={report.events} positionMs={positionMs} onSeek={seek} />
      </div>

      <div className="detail-grid">
        <div>
          <h3>Transcript</h3>
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
            <dd>{meta.score ?? '—'}</dd>
            <dt>You talked</dt>
            <dd>{pct(report.talkRatio)}</dd>
            <dt>Your pace</dt>
            <dd>{report.channels.agent.wpm === null ? '—' : `${Math.round(report.channels.agent.wpm)} wpm`}</dd>
            <dt>Longest monologue</dt>
            <dd>{clock(report.longestMonologueMs)}</dd>
            <dt>Interruptions</dt>
            <dd>{report.channels.agent.interruptions}</dd>
            <dt>Mean response</dt>
            <dd>{report.meanResponseMs === null ? '—' : `${(report.meanResponseMs / 1000).toFixed(1)} s`}</dd>
          </dl>
          {call.insights && <Insights insights={call.insights} onSeek={seek} />}
          {call.insights?.language && <LanguageInsightsView callId={id} language={call.insights.language} onSeek={seek} />}
          <h3>Cards</h3>
          <ol className="nudges">
            {report.nudges.length === 0 && <li className="muted">No cards on this call.</li>}
            {report.nudges.map((n) => (
              <NudgeRow key={n.id} callId={id} nudge={n} onSeek={seek} />
            ))}
          </ol>
        </div>
      </div>

      <div className="charts">
        <LineChart testId="chart-pace" title="Pace" unit="wpm" timeline={report.timeline} durationMs={report.durationMs} value={(p) => p.agent.wpm} min={pace.min} max={pace.max} {...(targets && { band: { low: targets.paceWpm.min, high: targets.paceWpm.max } })} />
        <LineChart testId="chart-volume" title="Volume" unit="dBFS" timeline={report.timeline} durationMs={report.durationMs} value={(p) => (p.agent.speaking ? p.agent.dbfs : null)} min={LEVEL_AXIS.min} max={LEVEL_AXIS.max} {...(targets && { band: { low: targets.levelDb.min, high: targets.levelDb.max } })} />
        <LineChart testId="chart-talk" title="Talk ratio" unit="you / total" timeline={report.timeline} durationMs={report.durationMs} value={(p) => p.talkRatio} min={0} max={1} {...(targets && { band: { low: targets.talkRatio.min, high: targets.talkRatio.max } })} />
      </div>

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
            onClick={() => {
              if (!confirmDelete) return setConfirmDelete(true);
              void rpc()
                .call('calls.delete', { id })
                .then(onDeleted)
                .catch((err: Error) => setSaved(err.message));
            }}
          >
            {confirmDelete ? 'Really delete?' : 'Delete call'}
          </button>
        </div>
      </div>
    </section>
  );
}

const STATUS_LABEL = { good: 'Good', improve: 'To improve', problem: 'Needs work' } as const;

/** The score's breakdown: each part against its target, what to do, and where it happened. */
function Insights({ insights, onSeek }: { insights: CallInsights; onSeek: (ms: number) => void }): React.JSX.Element {
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
                {i.points}/{i.maxPoints}
              </span>
            </div>
            <div>{i.summary}</div>
            {i.advice && <div className="muted">{i.advice}</div>}
            {i.evidence.length > 0 && (
              <div className="evidence">
                {i.evidence.map((e, k) => (
                  <button key={k} type="button" className="link" onClick={() => onSeek(e.atMs)} title={`Play from ${clock(e.atMs)}`}>
                    {clock(e.atMs)} {e.label}
                  </button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
