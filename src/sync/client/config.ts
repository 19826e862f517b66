/**
 * Which sync server this library talks to and with which device token. The token is checked against
 * the server (`/v1/me`) before it is kept, and kept only encrypted, like the API keys (src/app/secrets).
 */
import type { SecretCipher } from '../../app/secrets';
import type { Library } from '../../library/library';
import { UserError } from '../../shared/errors';
import type { SyncMe } from '../../shared/sync';
import { SyncClient } from './http';

export interface SyncAccount extends SyncMe {
  readonly url: string;
}

function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`not a server URL: ${url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`the sync server URL must be http(s): ${url}`);
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/** Checks the token with the server, then stores the URL, who we are, and the token encrypted. */
export async function login(lib: Library, cipher: SecretCipher, url: string, token: string): Promise<SyncAccount> {
  const base = checkUrl(url);
  const t = token.trim();
  if (!/^[A-Za-z0-9_-]{10,200}$/.test(t)) throw new UserError('the token is not a Cadence device token');
  const me = await new SyncClient(base, t).me();
  await lib.settings.set('sync.token', { kind: cipher.kind, data: cipher.encrypt(t).toString('base64') });
  await lib.settings.set('sync.server', { url: base, user: me.user, role: me.role, team: me.team });
  return { url: base, ...me };
}

export async function logout(lib: Library): Promise<void> {
  await lib.settings.set('sync.token', undefined);
  await lib.settings.set('sync.server', undefined);
}

export async function account(lib: Library): Promise<SyncAccount | null> {
  return (await lib.settings.get('sync.server')) ?? null;
}

/** A client for the stored server and token; null when sync is not set up (or the token cannot be read here). */
export async function clientFor(lib: Library, cipher: SecretCipher): Promise<{ client: SyncClient; account: SyncAccount } | null> {
  const acct = await account(lib);
  const stored = await lib.settings.get('sync.token');
  if (!acct || !stored || stored.kind !== cipher.kind) return null;
  let token: string;
  try {
    token = cipher.decrypt(Buffer.from(stored.data, 'base64'));
  } catch {
    return null;
  }
  return { client: new SyncClient(acct.url, token), account: acct };
}
