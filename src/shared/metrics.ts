/**
 * The live metrics a playbook can test, by name. The engine keeps them in one Float64Array indexed by
 * METRIC_INDEX so that rule evaluation does no string lookups per frame.
 */
export const CHANNEL_METRICS = [
  'wpm',
  'levelDb',
  'relLevelDb',
  'dbfs',
  'pitchHz',
  'pitchVarSt',
  'speaking',
  'clipping',
  'talkMs',
] as const;

export const CALL_METRICS = [
  'talkRatio',
  'talkRatioCall',
  'monologueMs',
  'silenceMs',
  'deadAirMs',
  'responseWaitMs',
  'overtalkMs',
  'elapsedMs',
] as const;

export type ChannelMetric = (typeof CHANNEL_METRICS)[number];
export type CallMetric = (typeof CALL_METRICS)[number];
export type MetricName = `agent.${ChannelMetric}` | `customer.${ChannelMetric}` | CallMetric;

export const METRIC_NAMES: readonly MetricName[] = [
  ...CHANNEL_METRICS.map((m) => `agent.${m}` as const),
  ...CHANNEL_METRICS.map((m) => `customer.${m}` as const),
  ...CALL_METRICS,
];

export const METRIC_INDEX: Readonly<Record<MetricName, number>> = Object.fromEntries(
  METRIC_NAMES.map((name, i) => [name, i]),
) as Record<MetricName, number>;

export type MetricsSnapshot = { readonly tMs: number } & { readonly [K in MetricName]: number | null };

/** Turns the engine's metric vector into a plain object; NaN (unknown) crosses boundaries as null. */
export function snapshotFromVector(tMs: number, values: Float64Array): MetricsSnapshot {
  const out: Record<string, number | null> = { tMs };
  for (let i = 0; i < METRIC_NAMES.length; i++) {
    const v = values[i]!;
    out[METRIC_NAMES[i]!] = Number.isFinite(v) ? v : null;
  }
  return out as MetricsSnapshot;
}
