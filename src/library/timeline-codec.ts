/**
 * The 1 Hz metrics timeline, stored compactly: one row per minute, each point a flat JSON array
 * `[tMs, a.dbfs, a.speaking, a.wpm, a.pitchHz, c.dbfs, c.speaking, c.wpm, c.pitchHz, talkRatio]`
 * with levels to 0.1 dB, rates and pitch to 0.1, and the ratio to 0.001 — about 60 bytes a second.
 */
import type { ChannelPoint, TimelinePoint } from '../shared/types';

export const CHUNK_MS = 60_000;

type Compact = [number, number, 0 | 1, number | null, number | null, number, 0 | 1, number | null, number | null, number | null];

const r = (v: number, k: number): number => Math.round(v * k) / k;
const rn = (v: number | null, k: number): number | null => (v === null ? null : r(v, k));

export function chunkOf(tMs: number): number {
  return Math.floor(tMs / CHUNK_MS);
}

export function encodePoint(p: TimelinePoint): Compact {
  return [
    Math.round(p.tMs),
    r(p.agent.dbfs, 10),
    p.agent.speaking ? 1 : 0,
    rn(p.agent.wpm, 10),
    rn(p.agent.pitchHz, 10),
    r(p.customer.dbfs, 10),
    p.customer.speaking ? 1 : 0,
    rn(p.customer.wpm, 10),
    rn(p.customer.pitchHz, 10),
    rn(p.talkRatio, 1000),
  ];
}

export function encodeChunk(points: readonly TimelinePoint[]): string {
  return JSON.stringify(points.map(encodePoint));
}

function channel(dbfs: unknown, speaking: unknown, wpm: unknown, pitch: unknown): ChannelPoint {
  return {
    dbfs: Number(dbfs),
    speaking: speaking === 1,
    wpm: typeof wpm === 'number' ? wpm : null,
    pitchHz: typeof pitch === 'number' ? pitch : null,
  };
}

export function decodeChunk(data: string): TimelinePoint[] {
  const rows = JSON.parse(data) as unknown[][];
  return rows.map((x) => ({
    tMs: Number(x[0]),
    agent: channel(x[1], x[2], x[3], x[4]),
    customer: channel(x[5], x[6], x[7], x[8]),
    talkRatio: typeof x[9] === 'number' ? x[9] : null,
  }));
}
