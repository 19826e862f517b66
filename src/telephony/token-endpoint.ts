/**
 * Access tokens for softphone mode: mints Twilio Voice access tokens (the JWT format of Twilio's helper
 * libraries: HS256 signed with an API key's secret, a `voice` grant naming the TwiML app for outgoing
 * calls and allowing incoming ones) and serves them on a token URL. Meant for a self-hosted token
 * endpoint or local development; production token servers usually live next to the TwiML app.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VoiceTokenOptions {
  readonly accountSid: string;
  readonly apiKeySid: string;
  readonly apiKeySecret: string;
  readonly identity: string;
  /** TwiML app for outgoing calls. */
  readonly outgoingApplicationSid?: string;
  readonly incomingAllow?: boolean;
  /** Lifetime, seconds (Twilio allows at most 24 h). */
  readonly ttlSeconds?: number;
  /** Issue time, seconds since the epoch (defaults to now). */
  readonly nowSeconds?: number;
}

const b64url = (x: Buffer | string): string => Buffer.from(x).toString('base64url');

export function signJwt(header: object, payload: object, secret: string): string {
  const head = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The payload when `token` is an HS256 JWT signed with `secret`, else null. */
export function verifyJwt(token: string, secret: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2]!, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  try {
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function mintVoiceToken(o: VoiceTokenOptions): string {
  const ttl = Math.min(86_400, Math.max(60, o.ttlSeconds ?? 3600));
  const now = Math.floor(o.nowSeconds ?? Date.now() / 1000);
  const voice: Record<string, unknown> = {};
  if (o.incomingAllow ?? true) voice.incoming = { allow: true };
  if (o.outgoingApplicationSid) voice.outgoing = { application_sid: o.outgoingApplicationSid };
  return signJwt(
    { typ: 'JWT', alg: 'HS256', cty: 'twilio-fpa;v=1' },
    {
      jti: `${o.apiKeySid}-${now}-${randomBytes(4).toString('hex')}`,
      iss: o.apiKeySid,
      sub: o.accountSid,
      iat: now,
      nbf: now,
      exp: now + ttl,
      grants: { identity: o.identity, voice },
    },
    o.apiKeySecret,
  );
}

export interface TokenEndpointOptions {
  /** Mints a token per request (e.g. `() => mintVoiceToken({...})`). */
  readonly mint: (req: IncomingMessage) => string | Promise<string>;
  /** Origins allowed to fetch tokens from a page (CORS); `*` for any. Default: none. */
  readonly allowOrigins?: readonly string[];
  /** Answers JSON `{token}` (default) or the bare token as text. */
  readonly format?: 'json' | 'text';
}

/** A request handler for the token URL. */
export function tokenHandler(o: TokenEndpointOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const origin = req.headers.origin;
    const allowed = origin && o.allowOrigins && (o.allowOrigins.includes('*') || o.allowOrigins.includes(origin));
    const cors: Record<string, string> = allowed ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'accept' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(405, cors).end('method not allowed');
      return;
    }
    Promise.resolve()
      .then(() => o.mint(req))
      .then(
        (token) => {
          const json = (o.format ?? 'json') === 'json';
          res
            .writeHead(200, { ...cors, 'content-type': json ? 'application/json' : 'text/plain', 'cache-control': 'no-store' })
            .end(json ? JSON.stringify({ token }) : token);
        },
        (err: unknown) => res.writeHead(500, { ...cors, 'content-type': 'text/plain' }).end(`cannot issue a token: ${(err as Error).message}`),
      );
  };
}

export interface TokenServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `tokenHandler(o)` on 127.0.0.1 (port 0 = any free port). */
export async function startTokenServer(o: TokenEndpointOptions & { readonly port?: number; readonly host?: string }): Promise<TokenServer> {
  const handle = tokenHandler(o);
  const server: Server = createServer(handle);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', ok);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/token`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
