/** Small SVG charts over the call's 1 Hz timeline, sharing one time axis with the player. */
import type { CallEvent, Nudge, TimelinePoint } from '../../../shared/types';

const W = 800;

function path(points: readonly TimelinePoint[], durationMs: number, value: (p: TimelinePoint) => number | null, min: number, max: number, h: number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    const v = value(p);
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const x = (p.tMs / Math.max(1, durationMs)) * W;
    const y = h - ((Math.min(max, Math.max(min, v)) - min) / (max - min)) * h;
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The level "waveform" of both sides with nudges, events and the playhead; click to seek. */
export function LevelTrack({
  timeline,
  durationMs,
  nudges,
  events,
  positionMs,
  onSeek,
}: {
  timeline: readonly TimelinePoint[];
  durationMs: number;
  nudges: readonly Nudge[];
  events: readonly CallEvent[];
  positionMs: number;
  onSeek(ms: number): void;
}): React.JSX.Element {
  const h = 90;
  const x = (ms: number): number => (ms / Math.max(1, durationMs)) * W;
  return (
    <svg
      className="level-track"
      viewBox={`0 0 ${W} ${h + 24}`}
      preserveAspectRatio="none"
      data-testid="level-track"
      role="slider"
      aria-label="Call timeline"
      aria-valuemin={0}
      aria-valuemax={durationMs}
      aria-valuenow={Math.round(positionMs)}
      tabIndex={0}
      onKeyDown={(e) => {
        if (e.key === 'ArrowRight') onSeek(Math.min(durationMs, positionMs + 5000));
        if (e.key === 'ArrowLeft') onSeek(Math.max(0, positionMs - 5000));
      }}
      onClick={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        onSeek(((e.clientX - r.left) / r.width) * durationMs);
      }}
    >
      <path d={path(timeline, durationMs, (p) => p.agent.dbfs, -70, 0, h / 2)} className="lvl agent" />
      <g transform={`translate(0, ${h / 2})`}>
        <path d={path(timeline, durationMs, (p) => p.customer.dbfs, -70, 0, h / 2)} className="lvl customer" />
      </g>
      {events
        .filter((e) => e.type !== 'backchannel' && e.type !== 'echo')
        .map((e) => (
          <rect key={e.id} x={x(e.startMs)} y={h + 2} width={Math.max(2, x((e.endMs ?? e.startMs) - e.startMs))} height={8} className={`ev ev-${e.type}`}>
            <title>{`${e.type} (${e.channel}) at ${Math.round(e.startMs / 1000)} s`}</title>
          </rect>
        ))}
      {nudges.map((n) => (
        <rect key={n.id} x={x(n.atMs)} y={h + 12} width={Math.max(3, x((n.endMs ?? n.atMs) - n.atMs))} height={10} className={`nd sev-${n.severity}`}>
          <title>{`${n.title} at ${Math.round(n.atMs / 1000)} s`}</title>
        </rect>
      ))}
      <line x1={x(positionMs)} x2={x(positionMs)} y1={0} y2={h + 24} className="playhead" />
    </svg>
  );
}

export function LineChart({
  testId,
  title,
  timeline,
  durationMs,
  value,
  min,
  max,
  band,
  unit,
}: {
  testId?: string;
  title: string;
  timeline: readonly TimelinePoint[];
  durationMs: number;
  value: (p: TimelinePoint) => number | null;
  min: number;
  max: number;
  /** The playbook's target band, drawn behind the series with its edges as lines. */
  band?: { low: number; high: number };
  unit: string;
}): React.JSX.Element {
  const h = 60;
  const y = (v: number): number => h - ((Math.min(max, Math.max(min, v)) - min) / (max - min)) * h;
  return (
    <figure className="chart" data-testid={testId} data-band-low={band?.low} data-band-high={band?.high}>
      <figcaption>
        {title} <span className="unit">{unit}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${h}`} preserveAspectRatio="none" aria-label={`${title} over time`} role="img">
        {band && (
          <g data-testid="target-band">
            <rect x={0} width={W} y={y(band.high)} height={Math.max(0, y(band.low) - y(band.high))} className="band" />
            <line x1={0} x2={W} y1={y(band.low)} y2={y(band.low)} className="target-line" data-value={band.low} />
            <line x1={0} x2={W} y1={y(band.high)} y2={y(band.high)} className="target-line" data-value={band.high} />
            <title>{`target ${band.low}–${band.high} ${unit}`}</title>
          </g>
        )}
        <path d={path(timeline, durationMs, value, min, max, h)} className="series" />
      </svg>
    </figure>
  );
}
