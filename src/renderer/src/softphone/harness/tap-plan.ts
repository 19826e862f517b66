/** What the tap harness page is asked to do and what it returns (no DOM types: the Node tests use it too). */
export interface TapPlan {
  readonly seconds: number;
  /** Agent: the (fake) microphone, or the shared burst source (both sides fed the same signal). */
  readonly agent: 'mic' | 'shared-bursts' | 'none';
  /** Customer: a tone schedule in a separate AudioContext, or the shared burst source. */
  readonly customer: 'tones' | 'shared-bursts' | 'none';
  /** Tone schedule for the customer: [startS, frequencyHz] steps at `toneAmplitude`; silence after `toneEndS`. */
  readonly tones?: readonly (readonly [number, number])[];
  readonly toneAmplitude?: number;
  readonly toneEndS?: number;
  /** Sample rate of the tap's AudioContext (default: the device's). */
  readonly contextRate?: number;
}

export interface TapRun {
  readonly contextRate: number;
  readonly frames: number;
  readonly frameSizes: number[];
  readonly tMs: number[];
  readonly arrivalMs: number[];
  /** Base64 of the concatenated float32 samples per side. */
  readonly agent: string;
  readonly customer: string;
  readonly stats: unknown;
}

