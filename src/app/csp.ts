/**
 * The renderer's Content-Security-Policy, built from the settings when a window loads: the app's own
 * origin, plus — only when softphone mode is set up — the token URL's origin and Twilio's Voice
 * endpoints. Both shells deliver it as a response header (the browser host on index.html, Electron
 * through `webRequest.onHeadersReceived`), so a changed token URL takes effect at the next load.
 */

/**
 * What the Twilio Voice SDK (2.x) reaches: signaling on `wss://voice-js.<edge>.twilio.com/signal`
 * (CSP allows a wildcard only as the leftmost label, hence `*.twilio.com`), call-quality events on
 * `https://eventgw[.<region>].twilio.com`, and its ringtones from `https://sdk.twilio.com`. Media itself
 * is WebRTC (ICE/DTLS), which CSP does not govern.
 */
const TWILIO_CONNECT = ['wss://*.twilio.com', 'https://eventgw.twilio.com', 'https://*.twilio.com'] as const;
const TWILIO_MEDIA = ['https://sdk.twilio.com'] as const;

export interface CspInput {
  /** The softphone token URL from the settings; empty when softphone mode is off. */
  readonly softphoneTokenUrl: string;
  /** Extra origins the page may connect to (the browser host's own WebSocket, a dev server). */
  readonly connect?: readonly string[];
  /** Extra script origins (the electron-vite dev server in development only). */
  readonly script?: readonly string[];
}

/** The origin of a URL, or null when it has none worth allowing (empty, malformed, opaque). */
function originOf(url: string): string | null {
  try {
    const o = new URL(url).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
}

export function contentSecurityPolicy(input: CspInput): string {
  const tokenOrigin = originOf(input.softphoneTokenUrl);
  const softphone = tokenOrigin !== null;
  const connect = ["'self'", ...(input.connect ?? []), ...(softphone ? [tokenOrigin, ...TWILIO_CONNECT] : [])];
  const media = ["'self'", 'cadence-media:', 'blob:', ...(softphone ? TWILIO_MEDIA : [])];
  const directives: [string, readonly string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", ...(input.script ?? [])]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['connect-src', [...new Set(connect)]],
    ['media-src', media],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}
