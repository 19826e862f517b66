/**
 * The review window's home, shown when no call is selected: how the rep is doing across the latest
 * calls — score, talk share and pace over time against the playbook's targets, the cards raised most
 * often, and the best and worst calls (each opens the call).
 */
import { useEffect, useState } from 'react';
import type { CallTrends } from '../../../shared/rpc';
import { clock } from '../lib/format';
import { onEvent, rpc } from '../lib/rpc';
import { useActiveTargets } from '../lib/targets';

type TrendCall = CallTrends['calls'][number];

const shortDate = (ms: number): string => new Date(ms).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

interface TrendChartProps {
  readonly testId: string;
  readonly title: string;
  readonly calls: readonly TrendCall[];
  readonly value: (c: TrendCall) => number | null;
  readonly min: number;
  readonly max: number;
  readonly format: (v: number) => string;
  readonly band?: { low: number; high: number } | undefined;
  onOpen(id: string): void;
}

/** One value per call, oldest on the left; each point opens its call and says its value on hover. */
function TrendChart({ testId, title, calls, value, min, max: axisMax, format, band, onOpen }: TrendChartProps): React.JSX.Element {
  const values = calls.map(value);
  const max = Math.max(axisMax, ...values.filter((v): v is number => v !== null));
  const y = (v: number): number => 100 - (100 * (Math.min(max, Math.max(min, v)) - min)) / (max - min || 1);
  const x = (i: number): number => (calls.length === 1 ? 50 : (100 * i) / (calls.length - 1));
  const line = values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
  const [hover, setHover] = useState<number | null>(null);
  const h = hover === null ? null : calls[hover];
  return (
    <figure className="chart trend" data-testid={testId}>
      <figcaption>
        {title}
        <span className="chart-value" data-testid="chart-value">
          {h ? `${h.title || 'Untitled call'} · ${shortDate(h.startedAt)} · ${values[hover!] === null ? '—' : format(values[hover!]!)}` : ''}
        </span>
      </figcaption>
      <div className="chart-body">
        <div className="y-axis" aria-hidden="true">
          {[max, (max + min) / 2, min].map((v) => (
            <span key={v} style={{ bottom: `${100 - y(v)}%` }}>
              {format(v)}
            </span>
          ))}
        </div>
        <div className="plot">
          <svg viewBox="0 0 100 100" preserveAspectRatio="none">
            {band && <rect x={0} width={100} y={y(band.high)} height={Math.max(0, y(band.low) - y(band.high))} className="band" />}
            <polyline points={line.join(' ')} className="series" />
          </svg>
          {values.map((v, i) =>
            v === null ? null : (
              <button
                key={calls[i]!.id}
                type="button"
                className="dot"
                data-testid="trend-point"
                data-value={v}
                style={{ left: `${x(i)}%`, top: `${y(v)}%` }}
                aria-label={`${calls[i]!.title || 'Untitled call'}, ${shortDate(calls[i]!.startedAt)}: ${format(v)}`}
                onMouseEnter={() => setHover(i)}
                onFocus={() => setHover(i)}
                onMouseLeave={() => setHover(null)}
                onClick={() => onOpen(calls[i]!.id)}
              />
            ),
          )}
        </div>
        <span />
        <div className="time-axis" aria-hidden="true">
          {calls.length > 0 && <span className="tick" style={{ left: 0 }}>{shortDate(calls[0]!.startedAt)}</span>}
          {calls.length > 1 && (
            <span className="tick" style={{ left: '100%', transform: 'translateX(-100%)' }}>
              {shortDate(calls.at(-1)!.startedAt)}
            </span>
          )}
        </div>
      </div>
    </figure>
  );
}

function CallLink({ c, onOpen }: { c: TrendCall; onOpen(id: string): void }): React.JSX.Element {
  return (
    <li>
      <button type="button" className="link" data-testid="home-call" data-call={c.id} onClick={() => onOpen(c.id)}>
        <strong>{c.score}</strong> {c.title || 'Untitled call'}
      </button>{' '}
      <span className="muted small">
        {shortDate(c.startedAt)} · {clock(c.durationMs)}
      </span>
    </li>
  );
}

export function Home({ onOpen }: { onOpen(id: string): void }): React.JSX.Element {
  const [trends, setTrends] = useState<CallTrends | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const targets = useActiveTargets();
  useEffect(() => onEvent('calls.changed', () => setVersion((v) => v + 1)), []);
  useEffect(() => {
    let stale = false;
    rpc()
      .call('calls.trends', {})
      .then((t) => !stale && (setTrends(t), setError(null)))
      .catch((err: Error) => !stale && setError(err.message));
    return () => {
      stale = true;
    };
  }, [version]);

  if (error) return <section className="call-detail home error">{error}</section>;
  if (!trends) return <section className="call-detail home muted">Loading…</section>;
  const { calls, topCards } = trends;
  if (calls.length === 0) {
    return (
      <section className="call-detail home" data-testid="home">
        <h2>Your calls will show up here</h2>
        <p>After a call, Cadence shows here how you are doing across calls: your score, how much you talk, your pace, and the cards you see most.</p>
        <p className="muted">Try the demo call from the overlay (Start demo call) to see it with a call.</p>
      </section>
    );
  }
  const scored = calls.filter((c) => c.score !== null);
  const byScore = [...scored].sort((a, b) => b.score! - a.score!);
  const best = byScore.slice(0, 3);
  const worst = byScore.slice(-3).reverse().filter((c) => !best.includes(c));
  const avg = (list: readonly TrendCall[]): number | null => (list.length === 0 ? null : Math.round(list.reduce((s, c) => s + c.score!, 0) / list.length));
  const recent = avg(scored.slice(-5));
  const before = avg(scored.slice(-10, -5));
  const pct = (v: number): string => `${Math.round(v * 100)}%`;
  return (
    <section className="call-detail home" data-testid="home">
      <h2>How you are doing</h2>
      <p className="muted" data-testid="home-summary">
        Your last {calls.length === 1 ? 'call' : `${calls.length} calls`}
        {recent !== null && (
          <>
            {' '}
            · average score <strong data-testid="home-average">{recent}</strong> over the latest {Math.min(5, scored.length)}
            {before !== null && ` (${recent >= before ? '+' : ''}${recent - before} on the ${Math.min(5, scored.length - 5)} before)`}
          </>
        )}
      </p>
      <div className="charts">
        <TrendChart testId="trend-score" title="Score" calls={calls} value={(c) => c.score} min={0} max={100} format={(v) => String(Math.round(v))} onOpen={onOpen} />
        <TrendChart
          testId="trend-talk"
          title="Your share of the talking"
          calls={calls}
          value={(c) => c.talkRatio}
          min={0}
          max={1}
          format={pct}
          band={targets ? { low: targets.talkRatio.min, high: targets.talkRatio.max } : undefined}
          onOpen={onOpen}
        />
        <TrendChart
          testId="trend-pace"
          title="Your pace"
          calls={calls}
          value={(c) => c.wpm}
          min={0}
          max={250}
          format={(v) => `${Math.round(v)} wpm`}
          band={targets ? { low: targets.paceWpm.min, high: targets.paceWpm.max } : undefined}
          onOpen={onOpen}
        />
      </div>
      <div className="home-grid">
        <section data-testid="top-cards" aria-labelledby="top-cards-title">
          <h3 id="top-cards-title">Cards you see most</h3>
          {topCards.length === 0 ? (
            <p className="muted">No cards on these calls.</p>
          ) : (
            <ol className="top-cards">
              {topCards.map((c) => (
                <li key={c.ruleId} data-testid="top-card" data-rule={c.ruleId} data-count={c.count}>
                  <span className="bar" style={{ width: `${(100 * c.count) / topCards[0]!.count}%` }} />
                  <strong>{c.title}</strong>{' '}
                  <span className="muted small">
                    {c.count}× in {c.calls} of {calls.length} calls
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section data-testid="best-calls" aria-labelledby="best-title">
          <h3 id="best-title">Best calls</h3>
          <ol className="plain">{best.map((c) => <CallLink key={c.id} c={c} onOpen={onOpen} />)}</ol>
        </section>
        <section data-testid="worst-calls" aria-labelledby="worst-title">
          <h3 id="worst-title">Calls to learn from</h3>
          {worst.length === 0 ? <p className="muted small">Not enough calls yet.</p> : <ol className="plain">{worst.map((c) => <CallLink key={c.id} c={c} onOpen={onOpen} />)}</ol>}
        </section>
      </div>
    </section>
  );
}
