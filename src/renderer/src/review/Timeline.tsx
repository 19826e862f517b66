/**
 * The call at a glance: a lane per speaker (when each side spoke), a lane of conversation events, one of
 * coaching cards and one of the agent's marks, on a time axis with a legend and the shared playhead.
 * Click anywhere to seek. Laid out in HTML by percentages so labels are never stretched.
 */
import type { CallEvent, Nudge, SpeechSegment } from '../../../shared/types';
import { clock } from '../lib/format';
import { tickStep } from './moments';

const EVENT_LABEL: Partial<Record<CallEvent['type'], string>> = {
  interruption: 'Interruption',
  overtalk: 'Talking over',
  dead_air: 'Dead air',
  slow_response: 'Slow response',
  monologue: 'Monologue',
};

export function TimeAxis({ durationMs }: { durationMs: number }): React.JSX.Element {
  const step = tickStep(durationMs);
  const ticks: number[] = [];
  for (let t = 0; t <= durationMs; t += step) ticks.push(t);
  return (
    <div className="time-axis" data-testid="time-axis" aria-hidden="true">
      {ticks.map((t) => (
        <span key={t} className="tick" data-ms={t} style={{ left: `${(100 * t) / Math.max(1, durationMs)}%` }}>
          {clock(t)}
        </span>
      ))}
    </div>
  );
}

interface TimelineProps {
  readonly durationMs: number;
  readonly speech: readonly SpeechSegment[];
  readonly events: readonly CallEvent[];
  readonly nudges: readonly Nudge[];
  readonly moments: ReadonlyMap<string, number>;
  readonly positionMs: number;
  onSeek(ms: number): void;
}

export function Timeline({ durationMs, speech, events, nudges, moments, positionMs, onSeek }: TimelineProps): React.JSX.Element {
  const d = Math.max(1, durationMs);
  const pos = (ms: number): string => `${(100 * Math.min(d, Math.max(0, ms))) / d}%`;
  const span = (from: number, to: number | null): React.CSSProperties => ({ left: pos(from), width: `max(3px, ${(100 * Math.max(0, (to ?? from) - from)) / d}%)` });
  const seekAt = (e: React.MouseEvent<HTMLElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    onSeek(Math.max(0, Math.min(d, ((e.clientX - r.left) / r.width) * d)));
  };
  const marks = events.filter((e) => e.type === 'mark');
  const shown = events.filter((e) => EVENT_LABEL[e.type] !== undefined);
  const lane = (label: string, testId: string, children: React.ReactNode): React.JSX.Element => (
    <div className="lane" data-testid={testId}>
      <span className="lane-label">{label}</span>
      <div className="lane-track" onClick={seekAt}>
        {children}
        <span className="lane-playhead" style={{ left: pos(positionMs) }} />
      </div>
    </div>
  );
  return (
    <div className="timeline" data-testid="timeline">
      <ul className="legend" data-testid="legend" aria-label="Legend">
        <li><i className="sw sw-agent" /> You speaking</li>
        <li><i className="sw sw-customer" /> Customer speaking</li>
        <li><i className="sw sw-overlap" /> Interruption / talking over</li>
        <li><i className="sw sw-silence" /> Dead air / slow response</li>
        <li><i className="sw sw-info" /> Tip card</li>
        <li><i className="sw sw-coach" /> Coach card</li>
        <li><i className="sw sw-critical" /> Critical card</li>
        <li><i className="sw sw-mark" /> Your mark</li>
      </ul>
      {lane('You', 'lane-agent', speech.filter((s) => s.channel === 'agent').map((s, i) => <span key={i} className="seg seg-agent" style={span(s.startMs, s.endMs)} />))}
      {lane('Customer', 'lane-customer', speech.filter((s) => s.channel === 'customer').map((s, i) => <span key={i} className="seg seg-customer" style={span(s.startMs, s.endMs)} />))}
      {lane(
        'Moments',
        'lane-events',
        shown.map((e) => <span key={e.id} className={`seg ev-${e.type}`} style={span(e.startMs, e.endMs)} title={`${EVENT_LABEL[e.type]} at ${clock(e.startMs)}`} />),
      )}
      {lane(
        'Cards',
        'lane-cards',
        nudges.map((n) => {
          const at = moments.get(n.id) ?? n.atMs;
          return <span key={n.id} className={`seg card-${n.severity}`} data-testid="timeline-card" data-at={at} style={span(at, n.endMs)} title={`${n.title} at ${clock(at)}`} />;
        }),
      )}
      {lane(
        'Marks',
        'lane-marks',
        marks.map((m) => (
          <button
            key={m.id}
            type="button"
            className="pin"
            data-testid="timeline-mark"
            data-at={m.startMs}
            style={{ left: pos(m.startMs) }}
            title={`Your mark at ${clock(m.startMs)}`}
            aria-label={`Your mark at ${clock(m.startMs)}`}
            onClick={(e) => {
              e.stopPropagation();
              onSeek(m.startMs);
            }}
          />
        )),
      )}
      <div className="lane axis-lane">
        <span className="lane-label" />
        <TimeAxis durationMs={d} />
      </div>
    </div>
  );
}
