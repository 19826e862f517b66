/**
 * Float32 frames as base64 text, for transports that carry JSON (the browser host's WebSocket; the same
 * values cross Electron IPC). Little-endian, like every platform Cadence runs on.
 */
const CHUNK = 0x8000;

export function encodeFloat32(x: Float32Array): string {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

export function decodeFloat32(text: string): Float32Array {
  const s = atob(text);
  if (s.length % 4 !== 0) throw new TypeError(`frames: ${s.length} bytes is not a whole number of float32 samples`);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
