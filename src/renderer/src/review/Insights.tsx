/**
 * What was said, in the review: questions, fillers, interactivity, patience, the customer's mood from
 * start to end, the checklist, key moments and coaching moments (each seeks the recording).
 */
import { useEffect, useState } from 'react';
import type { StoredReport } from '../../../shared/call-report';
import type { LanguageInsights } from '../../../shared/language-insights';
import { clock } from '../lib/format';
import { rpc } from '../lib/rpc';

const mood = (v: number | null): string => (v === null ? '—' : v > 0.15 ? `positive (${v.toFixed(2)})` : v < -0.15 ? `negative (${v.toFixed(2)})` : `neutral (${v.toFixed(2)})`);

/** The optional AI report: the stored one, or a button that writes it (never instead of the insights above). */
function AiReport({ callId }: { callId: string }): React.JSX.Element {
  const [report, setReport] = useState<StoredReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setReport(null);
    rpc()
      .call('reports.get', { id: callId })
      .then(setReport)
      .catch((err: Error) => setError(err.message));
  }, [callId]);
  const write = (): void => {
    setBusy(true);
    setError(null);
    rpc()
      .call('reports.write', { id: callId })
      .then(setReport)
      .catch((err: Error) => setError(err.message))
      .finally(() => setBusy(false));
  };
  const r = report?.report;
  return (
    <div className="ai-report" data-testid="ai-report">
      <h4>AI report</h4>
      {r && (
        <div data-testid="ai-report-body">
          <p>{r.summary}</p>
          <p>
            <strong>Issue:</strong> {r.customerIssue} <strong>Outcome:</strong> {r.outcome}
          </p>
          {r.actionItems.length > 0 && (
            <ul>
              {r.actionItems.map((a, k) => (
                <li key={k}>{a}</li>
              ))}
            </ul>
          )}
          {r.betterResponses.map((b, k) => (
            <p key={k}>
              {clock(b.atMs)} {b.moment}: <em>{b.better}</em>
            </p>
          ))}
        </div>
      )}
      <button type="button" data-testid="write-report" disabled={busy} onClick={write}>
        {busy ? 'Writing…' : r ? 'Write again' : 'Write report'}
      </button>
      {error && (
        <span className="error" role="alert" data-testid="ai-report-error">
          {' '}
          {error}
        </span>
      )}
    </div>
  );
}

export function LanguageInsightsView({ callId, language: l, onSeek }: { callId: string; language: LanguageInsights; onSeek: (ms: number) => void }): React.JSX.Element {
  return (
    <section className="language-insights" data-testid="language-insights" aria-label="Conversation insights">
      <h3>Conversation</h3>
      <dl className="facts">
        <dt>Questions</dt>
        <dd data-testid="li-questions">
          you {l.questions.agent}, customer {l.questions.customer}
        </dd>
        <dt>Fillers / min</dt>
        <dd>
          you {l.fillersPerMin.agent}, customer {l.fillersPerMin.customer}
        </dd>
        <dt>Interactivity</dt>
        <dd>{l.interactivity} switches / min</dd>
        <dt>Patience</dt>
        <dd>{l.patienceMs === null ? '—' : `${(l.patienceMs / 1000).toFixed(1)} s before you answer`}</dd>
        <dt>Customer mood</dt>
        <dd data-testid="li-mood">
          {mood(l.sentiment.start)} → {mood(l.sentiment.end)}
        </dd>
      </dl>
      {l.checklist.length > 0 && (
        <ul className="li-checklist" data-testid="li-checklist">
          {l.checklist.map((c) => (
            <li key={c.id} className={c.tickedAtMs === null ? 'todo' : 'done'}>
              {c.tickedAtMs === null ? (
                `○ ${c.title}`
              ) : (
                <button type="button" className="link" onClick={() => onSeek(c.tickedAtMs!)}>
                  ✓ {c.title} {clock(c.tickedAtMs)}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {l.keyMoments.length > 0 && (
        <>
          <h4>Key moments</h4>
          <ol className="li-moments" data-testid="li-moments">
            {l.keyMoments.map((m, k) => (
              <li key={k}>
                <button type="button" className="link" onClick={() => onSeek(m.atMs)}>
                  {clock(m.atMs)} {m.label}
                </button>
                {m.excerpt && <span className="muted"> “{m.excerpt}”</span>}
              </li>
            ))}
          </ol>
        </>
      )}
      {l.coaching.length > 0 && (
        <>
          <h4>Coaching moments</h4>
          <ol className="li-coaching" data-testid="li-coaching">
            {l.coaching.map((c, k) => (
              <li key={k}>
                <button type="button" className="link" onClick={() => onSeek(c.atMs)}>
                  {clock(c.atMs)} {c.what}
                </button>
                {c.excerpt && <div className="muted">{c.excerpt}</div>}
                <div>Instead: {c.instead}</div>
              </li>
            ))}
          </ol>
        </>
      )}
      <AiReport callId={callId} />
    </section>
  );
}
