/**
 * The review's home: for a team lead, the team view — per-agent trends over the pulled calls (score,
 * pace, talk ratio, most frequent cards) and the calls that most need review; for anyone else, their own trends (Home).
 */
import { useEffect, useState } from 'react';
import type { SyncStatus, TeamView as Team } from '../../../shared/sync';
import { onEvent, rpc } from '../lib/rpc';
import { Home } from './Home';

const fmt = (x: number | null, digits = 0, suffix = ''): string => (x === null ? '—' : `${x.toFixed(digits)}${suffix}`);

export function ReviewHome({ onOpen }: { onOpen(id: string): void }): React.JSX.Element {
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [team, setTeam] = useState<Team | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => onEvent('calls.changed', () => setVersion((v) => v + 1)), []);
  useEffect(() => {
    rpc()
      .call('sync.status')
      .then((s) => {
        setStatus(s);
        if (s.account?.role === 'lead') return rpc().call('sync.team').then(setTeam);
        return undefined;
      })
      .catch(() => setStatus(null));
  }, [version]);

  // An agent (or anyone not syncing as a lead) gets their own trends.
  if (status?.account?.role !== 'lead') return <Home onOpen={onOpen} />;
  return (
    <section className="call-detail team-view" data-testid="team-view" aria-label="Team">
      <header className="detail-head">
        <h2>Team {status.account.team ?? ''}</h2>
        <button type="button" data-testid="team-sync-now" onClick={() => void rpc().call('sync.now').then(() => setVersion((v) => v + 1))}>
          Pull the team’s calls
        </button>
      </header>
      {!team ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <table data-testid="team-agents">
            <thead>
              <tr>
                <th>Agent</th>
                <th>Calls</th>
                <th>Score</th>
                <th>Pace</th>
                <th>Talk ratio</th>
                <th>Most frequent cards</th>
              </tr>
            </thead>
            <tbody>
              {team.agents.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No team calls pulled yet.
                  </td>
                </tr>
              )}
              {team.agents.map((a) => (
                <tr key={a.agent} data-testid="team-agent">
                  <td>{a.agent}</td>
                  <td>{a.calls}</td>
                  <td>{fmt(a.meanScore)}</td>
                  <td>{fmt(a.meanWpm, 0, ' wpm')}</td>
                  <td>{a.meanTalkRatio === null ? '—' : `${Math.round(a.meanTalkRatio * 100)} %`}</td>
                  <td>{a.topCards.map((c) => `${c.title} ×${c.count}`).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Calls that most need review</h3>
          <ol data-testid="needs-review">
            {team.needsReview.length === 0 && <li className="muted">Every pulled call has feedback.</li>}
            {team.needsReview.map((c) => (
              <li key={c.id}>
                <button type="button" className="link" onClick={() => onOpen(c.id)}>
                  {c.title || 'Untitled call'}
                </button>{' '}
                <span className="muted">
                  {c.agent} · score {fmt(c.score)}
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
