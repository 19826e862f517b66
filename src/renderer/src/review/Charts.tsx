/**
 * Charts over the call's 1 Hz timeline: a y axis with values, the time axis the timeline uses, the
 * playbook's target band, the value under the pointer, the shared playhead, and click to seek. The line
 * is drawn in a stretched SVG; every label is HTML, so nothing is distorted.
 */
import { useState } from 'react';
import type { TimelinePoint } from '../../../shared/types';
import { clock } from '../lib/format';
import { TimeAxis } from './Timeline';

const W = 800;
const H = 100;

function path(points: readonly TimelinePoint[], durationMs: number, value: (p: TimelinePoint) => number | null, min: number, max: number): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    const v = value(p);
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const x = (p.tMs / Math.max(1, durationMs)) * W;
    const y = H - ((Math.min(max, Math.max(min, v)) - min) / (max - min)) * H;
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The point nearest `tMs` (the timeline is in time order). */
function nearest(points: readonly TimelinePoint[], tMs: number): TimelinePoint | null {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return null;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.tMs < tMs) lo = mid + 1;
    else hi = mid;
  }
  const a = points[Math.max(0, lo - 1)]!;
  const b = points[lo]!;
  return Math.abs(a.tMs - tMs) <= Math.abs(b.tMs - tMs) ? a : b;
}

interface LineChartProps {
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
  /** How a value reads (default: rounded, with the unit). */
  format?: (v: number) => string;
  positionMs: number;
  onSeek(ms: number): void;
}

export function LineChart({ testId, title, timeline, durationMs, value, min, max: axisMax, band, unit, format, positionMs, onSeek }: LineChartProps): React.JSX.Element {
  const [hover, setHover] = useState<TimelinePoint | null>(null);
  // The axis grows to the highest value so the line is never clipped at the top.
  let top = axisMax;
  for (const p of timeline) {
    const v = value(p);
    if (v !== null && Number.isFinite(v) && v > top) top = v;
  }
  const max = top > axisMax ? Math.ceil(top / 10) * 10 : axisMax;
  const show = format ?? ((v: number) => `${Math.round(v)} ${unit}`);
  const pct = (v: number): number => (100 * (Math.min(max, Math.max(min, v)) - min)) / (max - min);
  const d = Math.max(1, durationMs);
  const at = (e: React.MouseEvent<HTMLElement>): number => {
    const r = e.currentTarget.getBoundingClientRect();
    return Math.max(0, Math.min(d, ((e.clientX - r.left) / r.width) * d));
  };
  const hv = hover ? value(hover) : null;
  return (
    <figure className="chart" data-testid={testId} data-band-low={band?.low} data-band-high={band?.high} data-axis-max={max}>
      <figcaption>
        {title}
        <span className="chart-value" data-testid="chart-value" aria-live="polite">
          {hover ? `${clock(hover.tMs)} · ${hv === null || !Number.isFinite(hv) ? 'no speech' : show(hv)}` : ''}
        </span>
      </figcaption>
      <div className="chart-body">
        <div className="y-axis" aria-hidden="true">
          {[max, (max + min) / 2, min].map((v) => (
            <span key={v} style={{ bottom: `${pct(v)}%` }}>
              {show(v)}
            </span>
          ))}
        </div>
        <div
          className="plot"
          data-testid="chart-plot"
          onMouseMove={(e) => setHover(nearest(timeline, at(e)))}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => onSeek(at(e))}
          role="img"
          aria-label={`${title} over time; click to play from that moment`}
        >
          <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none">
            {band && (
              <g data-testid="target-band">
                <rect x={0} width={W} y={H - (pct(band.high) * H) / 100} height={Math.max(0, ((pct(band.high) - pct(band.low)) * H) / 100)} className="band" />
                <line x1={0} x2={W} y1={H - (pct(band.low) * H) / 100} y2={H - (pct(band.low) * H) / 100} className="target-line" data-value={band.low} />
                <line x1={0} x2={W} y1={H - (pct(band.high) * H) / 100} y2={H - (pct(band.high) * H) / 100} className="target-line" data-value={band.high} />
                <title>{`target ${band.low}–${band.high} ${unit}`}</title>
              </g>
            )}
            <path d={path(timeline, d, value, min, max)} className="series" />
          </svg>
          <span className="lane-playhead" data-testid="chart-playhead" style={{ left: `${(100 * Math.min(d, positionMs)) / d}%` }} />
          {hover && <span className="hover-line" style={{ left: `${(100 * hover.tMs) / d}%` }} />}
        </div>
        <span />
        <TimeAxis durationMs={d} />
      </div>
    </figure>
  );
}
