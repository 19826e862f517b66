/**
 * ITU-T G.711 μ-law and A-law companding. Decoding goes through 256-entry tables built once at module
 * load, so the per-sample cost is one array read.
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 32635;

function mulawToLinear16(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return sign ? -magnitude : magnitude;
}

function alawToLinear16(byte: number): number {
  const a = byte ^ 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  magnitude = sign ? magnitude : -magnitude;
  return magnitude;
}

/** μ-law byte → float in [-1, 1). */
export const MULAW_TABLE: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = mulawToLinear16(i) / 32768;
  return t;
})();

/** A-law byte → float in [-1, 1). */
export const ALAW_TABLE: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = alawToLinear16(i) / 32768;
  return t;
})();

/** Float sample → μ-law byte (used by telephony sinks and by tests that simulate a phone line). */
export function encodeMulaw(sample: number): number {
  let pcm = Math.round(Math.max(-1, Math.min(1, sample)) * 32767);
  const sign = pcm < 0 ? 0x80 : 0;
  if (pcm < 0) pcm = -pcm;
  if (pcm > MULAW_CLIP) pcm = MULAW_CLIP;
  pcm += MULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}
