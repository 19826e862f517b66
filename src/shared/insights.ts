/** A call's score and the insights behind it, with evidence a reviewer can jump to. */
export type InsightStatus = 'good' | 'improve' | 'problem';

export interface InsightEvidence {
  readonly atMs: number;
  readonly endMs: number | null;
  /** What happened there, in a few words. */
  readonly label: string;
}

export interface CallInsight {
  readonly id: 'talk-ratio' | 'pace' | 'interruptions' | 'silence' | 'monologue' | 'responsiveness' | 'volume';
  readonly title: string;
  readonly status: InsightStatus;
  /** One line: the measure against its target. */
  readonly summary: string;
  /** What to do about it (empty when good). */
  readonly advice: string;
  readonly points: number;
  readonly maxPoints: number;
  readonly evidence: readonly InsightEvidence[];
}

export interface CallInsights {
  readonly version: 1;
  /** 0–100: the sum of the insights' points. */
  readonly score: number;
  readonly items: readonly CallInsight[];
}
