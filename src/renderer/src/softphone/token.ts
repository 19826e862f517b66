/** Fetching a Twilio access token from the configurable token URL (JSON `{token}` or plain text). */

export interface TokenFetchOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export class TokenError extends Error {
  override readonly name = 'TokenError';
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The token's payload, or null when it is not a readable JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as unknown;
    return json && typeof json === 'object' ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function fetchAccessToken(url: string, options: TokenFetchOptions = {}): Promise<string> {
  if (!url.trim()) throw new TokenError('No token URL is set: enter the URL of your Twilio access-token endpoint in Settings.');
  let parsed: URL;
  try {
    parsed = new URL(url, typeof location === 'undefined' ? undefined : location.href);
  } catch {
    throw new TokenError(`The token URL "${url}" is not a valid URL.`);
  }
  const doFetch = options.fetch ?? fetch;
  const abort = new AbortController();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let res: Response;
  let body: string;
  try {
    res = await doFetch(parsed, { headers: { accept: 'application/json, text/plain;q=0.9' }, cache: 'no-store', signal: abort.signal });
    body = await res.text();
  } catch (err) {
    const why = abort.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (err as Error).message;
    throw new TokenError(`Cannot reach the token URL ${parsed.href} (${why}). Check the URL and that the token server is running.`);
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok) {
    const detail = body.trim().slice(0, 200);
    throw new TokenError(`The token URL ${parsed.href} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}.`);
  }
  let token = body.trim();
  if (token.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(token);
    } catch {
      throw new TokenError(`The token URL ${parsed.href} sent malformed JSON.`);
    }
    const t = (json as { token?: unknown }).token;
    if (typeof t !== 'string') throw new TokenError(`The token URL ${parsed.href} sent JSON without a "token" string.`);
    token = t.trim();
  } else if (token.startsWith('"')) {
    try {
      token = String(JSON.parse(token)).trim();
    } catch {
      // fall through to the format check
    }
  }
  if (!JWT.test(token)) {
    throw new TokenError(
      `The token URL ${parsed.href} did not send an access token (expected JSON {"token": "…"} or the token as plain text).`,
    );
  }
  return token;
}
